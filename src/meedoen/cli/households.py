"""``meedoen build``: households and the integrated household table at a peildatum."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table

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

#: = meedoen_data.households.ENGINES (not imported: it would load DuckDB at start-up).
ENGINES = ("duckdb", "spark")


def build(
    peildatum: Annotated[str, typer.Option(help="Reference date, YYYY-MM-DD.")],
    activity: Annotated[int, typer.Option(help="Id of the approved processing activity.")],
    engine: Annotated[
        str, typer.Option(help="duckdb (this machine) or spark (local mode or a cluster).")
    ] = "duckdb",
    by: ByOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Derive households and the integrated household table for the reference date.

    Writes schema ``household`` of the activity's tables (household, household_person,
    household_year, household_stacking and the view household_member); building the same
    peildatum again replaces it. Needs an approved activity that covers brp; logged per person."""
    try:
        day = date.fromisoformat(peildatum)
    except ValueError:
        fail(f"--peildatum must be a date YYYY-MM-DD, not {peildatum!r}", code=EXIT_REJECTED)
    if engine not in ENGINES:
        fail(f"--engine must be {' or '.join(ENGINES)}, not {engine!r}", code=EXIT_REJECTED)
    workspace_django(home)
    from meedoen.households.services import build_execute, build_request

    actor = cli_actor(by)
    trace = cli_trace()
    run = run_service(
        lambda: build_request(
            activity_id=activity,
            peildatum=day,
            engine=engine,
            actor=actor,
            trace=trace,
            channel="cli",
        )
    )
    with progress_bar(quiet=as_json) as bar:
        task = bar.add_task("Checking the activity", total=None)

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total)

        report = run_service(
            lambda: build_execute(run_id=run.pk, actor=actor, trace=trace, progress=progress)
        )
    if as_json:
        emit_json(
            {
                "run": run.pk,
                "activity": activity,
                "peildatum": day.isoformat(),
                "engine": engine,
                "households": report.households,
                "persons": report.persons,
                "by_type": report.by_type,
                "stacking": [
                    {"combination": c, "households": n, "with_schuldhulp": d}
                    for c, n, d in report.stacking
                ],
                "not_covered": report.not_covered,
                "seconds": round(report.seconds, 2),
            }
        )
        return
    console.print(
        f"Activity {activity}, peildatum {day}: {report.households:,} households, "
        f"{report.persons:,} persons ({engine}, {report.seconds:.1f} s, build {run.pk})."
    )
    types = Table("household_type", "households", title="Households by type")
    for kind, count in sorted(report.by_type.items(), key=lambda item: -item[1]):
        types.add_row(kind, f"{count:,}")
    console.print(types)
    if report.stacking:
        stack = Table(
            "combination (year up to the peildatum)",
            "households",
            "with debt help",
            title="Stacking of Jeugdwet, Wmo and Participatiewet",
        )
        for combination, count, debt in report.stacking:
            stack.add_row(combination, f"{count:,}", "-" if debt is None else f"{debt:,}")
        console.print(stack)
    else:
        console.print("No stacking table: the activity does not cover jeugd, wmo and participatie.")
    if report.not_covered:
        console.print(
            "Not covered by the activity (columns left empty, not zero): "
            + ", ".join(report.not_covered)
        )
    hint = "SELECT household_type, count(*) FROM household.household"
    console.print(
        f'Query it: meedoen sql --activity {activity} "{hint} '
        f"WHERE peildatum = '{day}' GROUP BY ALL\""
    )
