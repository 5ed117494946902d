"""``meedoen compare``: a group of households beside all households (issue 19)."""

from __future__ import annotations

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
    progress_bar,
    run_service,
    workspace_django,
)
from meedoen.cli.governance import ByOption


def _percent(value: float | None) -> str:
    return "x" if value is None else f"{100 * value:.1f}%"


def compare(
    activity: Annotated[int, typer.Option(help="Id of the approved processing activity.")],
    group: Annotated[
        str,
        typer.Option(
            help="The register indicator that defines the group, e.g. voedselbank (households "
            "with a client of the food bank)."
        ),
    ],
    peildatum: Annotated[str, typer.Option(help="Reference date of a household build.")],
    by: ByOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Compare the group's households with all households on the same characteristics.

    For each characteristic (household type, children, education, migration background,
    housing, housing benefit, WW, AO, and the indicators bijstand, debt help, early signals,
    youth care, Wmo support and stacking) the table "characteristic x group" is released like
    meedoen table (or read again when it was released before); the shares in the group and in
    all households, the difference with a 95% interval and the ratio are computed from the
    released numbers only, and what stands out is marked after Holm's correction. Relatively
    more often is not "only". Exit 2 when the group's total itself was withheld."""
    try:
        day = date.fromisoformat(peildatum)
    except ValueError:
        fail(f"--peildatum must be a date YYYY-MM-DD, not {peildatum!r}", code=EXIT_REJECTED)
    workspace_django(home)
    from meedoen.targetgroups.services import group_compare

    actor = cli_actor(by)
    trace = cli_trace()
    with progress_bar(quiet=as_json) as bar:
        task = bar.add_task("Releasing the comparison tables", total=None)

        def progress(name: str, done: int, total: int) -> None:
            bar.update(task, description=name or "done", completed=done, total=total)

        result = run_service(
            lambda: group_compare(
                activity_id=activity,
                group=group,
                peildatum=day,
                actor=actor,
                trace=trace,
                channel="cli",
                progress=progress,
            )
        )
    comparison = result.comparison
    rows = (
        []
        if comparison is None
        else [
            {
                "characteristic": r.characteristic,
                "category": r.category,
                "group": r.group,
                "population": r.population,
                "group_share": r.group_share,
                "population_share": r.population_share,
                "difference": r.difference,
                "lower": r.lower,
                "upper": r.upper,
                "ratio": r.ratio,
                "p_value": r.p_value,
                "stands_out": r.stands_out,
            }
            for r in comparison.rows
        ]
    )
    parts = [
        {
            "characteristic": p.characteristic,
            "publication": p.publication_id,
            "status": p.status,
            "reason": p.reason or None,
        }
        for p in result.parts
    ]
    payload = {
        "activity": activity,
        "group": group,
        "peildatum": day.isoformat(),
        "group_households": comparison.group_households if comparison else None,
        "population_households": comparison.population_households if comparison else None,
        "rows": rows,
        "tables": parts,
    }
    if as_json:
        emit_json(payload)
    else:
        shown = Table("characteristic", "category", "group", "all", "difference (95%)", "ratio", "")
        for r in comparison.rows if comparison else ():
            interval = (
                ""
                if r.lower is None or r.upper is None
                else f" ({100 * r.lower:+.1f} to {100 * r.upper:+.1f})"
            )
            shown.add_row(
                Text(r.characteristic),
                Text(r.category),
                Text(_percent(r.group_share)),
                Text(_percent(r.population_share)),
                Text("x" if r.difference is None else f"{100 * r.difference:+.1f}{interval}"),
                Text("" if r.ratio is None else f"{r.ratio:.2f}"),
                Text("stands out" if r.stands_out else ""),
            )
        console.print(shown)
        refused = [p for p in result.parts if p.status == "refused"]
        for part in refused:
            console.print(f"Not released: {part.characteristic}: {part.reason}")
        if comparison:
            console.print(
                f"{comparison.group_households} households in the group, "
                f"{comparison.population_households} in all; {len(comparison.standing_out)} "
                "differences stand out (relatively more or less often, not 'only')."
            )
    if comparison is None:
        fail(
            "the group's own total was withheld in every table: it is too small to compare",
            code=EXIT_REJECTED,
        )
