"""``meedoen table``: a disclosure-controlled table of households; ``meedoen publication``:
the releases, and the privacy officer's withdrawal of one."""

from __future__ import annotations

import sys
from datetime import date
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from meedoen.cli.common import (
    EXIT_REJECTED,
    HomeOption,
    JsonOption,
    cli_actor,
    cli_trace,
    console,
    emit_json,
    fail,
    run_service,
    workspace_django,
)
from meedoen.cli.governance import ByOption

FORMATS = ("csv", "json", "text")
publication_app = typer.Typer(
    help="Published tables (meedoen table) and the privacy officer's withdrawals.",
    no_args_is_help=True,
)


def _pair(option: str, text: str) -> tuple[int, float]:
    try:
        n, k = text.split(",")
        return int(n), float(k)
    except ValueError:
        fail(f"{option} must be N,K (e.g. 1,50), not {text!r}", code=EXIT_REJECTED)


def table(
    rowvar: Annotated[str, typer.Argument(help="Row variable, e.g. wijkcode or buurtcode.")],
    activity: Annotated[int, typer.Option(help="Id of the approved processing activity.")],
    colvar: Annotated[
        str | None, typer.Argument(help="Column variable, e.g. household_type.")
    ] = None,
    layervar: Annotated[
        str | None,
        typer.Argument(help="A third variable that splits every row further, e.g. children."),
    ] = None,
    where: Annotated[
        list[str] | None,
        typer.Option(help="Filter COLUMN=VALUE, e.g. household_type=eenouder (repeatable)."),
    ] = None,
    peildatum: Annotated[
        str | None,
        typer.Option(help="Households at this peildatum (YYYY-MM-DD); default the latest build."),
    ] = None,
    amount: Annotated[
        str | None,
        typer.Option(
            "--sum",
            help="Publish the sum of this amount per cell instead of the number of households "
            "(a magnitude table: dominance and p% rules apply), e.g. besteedbaar_inkomen.",
        ),
    ] = None,
    min_frequency: Annotated[
        int | None,
        typer.Option(
            help="A cell with fewer units than this is unsafe (default: the activity's floor, "
            "10 unless the privacy officer set more)."
        ),
    ] = None,
    dominance: Annotated[
        str | None,
        typer.Option(
            help="Dominance rule N,K: the N largest contributions > K% is unsafe (default: the "
            "activity's floor, 1,50)."
        ),
    ] = None,
    p_percent: Annotated[
        float | None,
        typer.Option(help="p% rule for magnitude tables (default: the activity's floor, 10)."),
    ] = None,
    protection: Annotated[
        float | None,
        typer.Option(
            help="Width an attacker's interval must keep around an unsafe cell "
            "(default: the activity's floor, else --min-frequency)."
        ),
    ] = None,
    group: Annotated[
        bool | None,
        typer.Option(
            "--group/--no-group",
            help="Group disclosure rule on the column variable: a cell holding every unit of its "
            "row is unsafe (default: the activity's floor, on).",
        ),
    ] = None,
    zeros: Annotated[str, typer.Option(help="publish (default) or protect empty cells.")] = (
        "publish"
    ),
    rounding: Annotated[
        bool,
        typer.Option(
            help="Publish with controlled rounding to multiples of 5 instead of suppression."
        ),
    ] = False,
    output_format: Annotated[
        str, typer.Option("--format", help="csv (default), json, or text (a readable table).")
    ] = "csv",
    by: ByOption = None,
    home: HomeOption = None,
) -> None:
    """Publish a disclosure-controlled table; suppressed cells are marked, never zero.

    Counts the households of the activity's household table (meedoen build) by ROWVAR and
    optionally COLVAR, with every margin ("Totaal"). Unsafe cells are suppressed (primary), more
    cells are suppressed so that no unsafe cell can be computed back from the margins
    (secondary), and an independent audit attacks the result before anything is printed. In CSV
    a suppressed cell is "x"; in JSON its value is null with the flag primary or secondary.

    The rules default to the floors the privacy officer set for the activity; an option can only
    make them stricter (a weaker value is refused, exit 2). A cell an earlier release of this or
    a linked table hid stays hidden: a release that would publish it is refused."""
    if output_format not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}, not {output_format!r}", code=2)
    day = None
    if peildatum is not None:
        try:
            day = date.fromisoformat(peildatum)
        except ValueError:
            fail(f"--peildatum must be a date YYYY-MM-DD, not {peildatum!r}", code=EXIT_REJECTED)
    filters = []
    for item in where or []:
        column, sep, value = item.partition("=")
        if not sep or not column.strip():
            fail(f"--where must be COLUMN=VALUE, not {item!r}", code=EXIT_REJECTED)
        filters.append((column.strip(), value.strip()))
    workspace_django(home)
    from meedoen.publications.selectors import publication_floor
    from meedoen.publications.services import rules_make, table_publish
    from meedoen_data.disclosure import release_csv, release_json

    rules = run_service(
        lambda: rules_make(
            floor=publication_floor(activity_id=activity),
            colvar=colvar,
            min_frequency=min_frequency,
            dominance=None if dominance is None else _pair("--dominance", dominance),
            p_percent=p_percent,
            protection=protection,
            group=group,
            zeros=zeros,
        )
    )
    actor = cli_actor(by)
    published = run_service(
        lambda: table_publish(
            activity_id=activity,
            rowvar=rowvar,
            colvar=colvar,
            layervar=layervar,
            where=filters,
            peildatum=day,
            amount=amount,
            rules=rules,
            mode="rounding" if rounding else "suppression",
            actor=actor,
            trace=cli_trace(),
            channel="cli",
        )
    )
    release = published.release
    if output_format == "json":
        emit_json({"publication": published.publication_id, **release_json(release)})
        return
    if output_format == "csv":
        sys.stdout.write(release_csv(release))
        return
    content = release_json(release)["tables"][0]
    shown = Table(*content["dimensions"], content["measure"], title=published.description)
    for cell in content["cells"]:
        value = "x" if cell["value"] is None else f"{cell['value']:,}"
        shown.add_row(*(str(cell[d]) for d in content["dimensions"]), value)
    console.print(shown)
    summary = release.summary
    if release.mode == "rounding":
        console.print(f"Controlled rounding to multiples of {summary['base']}.")
    else:
        console.print(
            f"{summary['primary']} cells unsafe (primary), {summary['secondary']} more hidden "
            f"(secondary); the audit checked {summary['audited_cells']} hidden cells "
            f"(publication {published.publication_id})."
        )


@publication_app.command("list")
def publication_list(
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every release, newest first, withdrawn ones too.

    With who withdrew them and why, as the privacy officer sees them; metadata only, no cells."""
    workspace_django(home)
    from meedoen.publications.selectors import publication_list as select

    items = select(limit=None, withdrawn=True)
    rows = [
        {
            "id": item.id,
            "activity": item.activity_id,
            "description": item.description,
            "published_at": item.created_at.isoformat(),
            "published_by": item.published_by,
            "mode": item.mode,
            "withdrawn_at": item.withdrawn_at.isoformat() if item.withdrawn_at else None,
            "withdrawn_by": item.withdrawn_by or None,
            "withdrawal_reason": item.withdrawal_reason or None,
        }
        for item in items
    ]
    if as_json:
        emit_json(rows)
        return
    if not rows:
        console.print("No tables have been published.")
        return
    shown = Table("id", "activity", "table", "published", "by", "mode", "status")
    for row in rows:
        status = (
            f"withdrawn {row['withdrawn_at'][:16]} by {row['withdrawn_by']}: "
            f"{row['withdrawal_reason']}"
            if row["withdrawn_at"]
            else "published"
        )
        shown.add_row(
            *(
                Text(str(row[name]))
                for name in ("id", "activity", "description", "published_at", "published_by")
            ),
            Text(row["mode"]),
            Text(status),
        )
    console.print(shown)


@publication_app.command("withdraw")
def publication_withdraw(
    publication_id: Annotated[int, typer.Argument(metavar="ID")],
    reason: Annotated[str, typer.Option(help="Why: recorded with the withdrawal and logged.")],
    by: Annotated[str, typer.Option("--by", help="User name of the privacy officer.")],
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Withdraw a release (privacy officer), with a reason.

    It disappears from every page and API for everyone else; it still counts when later tables
    of the same households are protected. Logged in the audit log."""
    workspace_django(home)
    from meedoen.publications.services import publication_withdraw as withdraw

    actor = cli_actor(by)
    publication = run_service(
        lambda: withdraw(
            publication_id=publication_id,
            actor=actor,
            reason=reason,
            trace=cli_trace(),
            channel="cli",
        )
    )
    if as_json:
        emit_json(
            {
                "id": publication.pk,
                "activity": publication.activity_id,
                "withdrawn_at": publication.withdrawn_at.isoformat(),
                "withdrawn_by": publication.withdrawn_by,
                "withdrawal_reason": publication.withdrawal_reason,
            }
        )
        return
    console.print(
        f"Publication {publication.pk} withdrawn by {publication.withdrawn_by}: "
        f"{publication.withdrawal_reason}",
        markup=False,
    )
