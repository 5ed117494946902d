"""``meedoen table``: a disclosure-controlled table of households."""

from __future__ import annotations

import sys
from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from meedoen.cli.common import (
    EXIT_REJECTED,
    HomeOption,
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
        int, typer.Option(help="A cell with fewer units than this is unsafe.")
    ] = 10,
    dominance: Annotated[
        str, typer.Option(help="Dominance rule N,K: the N largest contributions > K% is unsafe.")
    ] = "1,50",
    p_percent: Annotated[float, typer.Option(help="p% rule for magnitude tables.")] = 10.0,
    protection: Annotated[
        float | None,
        typer.Option(
            help="Width an attacker's interval must keep around an unsafe cell "
            "(default: --min-frequency)."
        ),
    ] = None,
    group: Annotated[
        bool,
        typer.Option(
            help="Group disclosure rule on the column variable: a cell holding every unit of its "
            "row is unsafe."
        ),
    ] = True,
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
    a suppressed cell is "x"; in JSON its value is null with the flag primary or secondary."""
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
    from meedoen.publications.services import rules_make, table_publish
    from meedoen_data.disclosure import release_csv, release_json

    rules = run_service(
        lambda: rules_make(
            min_frequency=min_frequency,
            dominance=_pair("--dominance", dominance),
            p_percent=p_percent,
            protection=protection,
            group=[colvar] if group and colvar else [],
            zeros=zeros,
        )
    )
    actor = cli_actor(by)
    published = run_service(
        lambda: table_publish(
            activity_id=activity,
            rowvar=rowvar,
            colvar=colvar,
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
