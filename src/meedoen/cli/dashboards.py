"""``meedoen dashboard publish``: every register indicator released for one peildatum."""

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

dashboard_app = typer.Typer(
    help="The dashboard's indicators: computed and released per gemeente, wijk and buurt.",
    no_args_is_help=True,
)


@dashboard_app.command("publish")
def dashboard_publish(
    activity: Annotated[int, typer.Option(help="Id of the approved processing activity.")],
    peildatum: Annotated[str, typer.Option(help="Reference date of a household build.")],
    by: ByOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Release every indicator with data of the catalogue (meedoen indicator list) for PEILDATUM.

    Each register indicator is a disclosure-controlled table of the activity's households
    (meedoen build) by buurt or wijk, protected like meedoen table and audited against every
    earlier release of the peildatum; each panel indicator the weighted mean of its item per
    wijk from the resident panel, areas with fewer than 30 answers withheld. Safe to run
    again: what was released before is reported unchanged. An indicator the activity's sources
    cannot give is reported refused with the reason; exit 2 when none could be released."""
    try:
        day = date.fromisoformat(peildatum)
    except ValueError:
        fail(f"--peildatum must be a date YYYY-MM-DD, not {peildatum!r}", code=EXIT_REJECTED)
    workspace_django(home)
    from meedoen.dashboards.services import dashboard_publish as publish

    actor = cli_actor(by)
    trace = cli_trace()
    with progress_bar(quiet=as_json) as bar:
        task = bar.add_task("Releasing the indicators", total=None)

        def progress(indicator: str, done: int, total: int) -> None:
            bar.update(task, description=indicator or "done", completed=done, total=total)

        releases = run_service(
            lambda: publish(
                activity_id=activity,
                peildatum=day,
                actor=actor,
                trace=trace,
                channel="cli",
                progress=progress,
            )
        )
    rows = [
        {
            "indicator": r.indicator,
            "status": r.status,
            "level": r.level or None,
            "publication": r.publication_id,
            "cells": r.cells,
            "hidden": r.hidden,
            "reason": r.reason or None,
        }
        for r in releases
    ]
    released = sum(1 for r in releases if r.status != "refused")
    if as_json:
        emit_json({"activity": activity, "peildatum": day.isoformat(), "indicators": rows})
    else:
        shown = Table("indicator", "status", "level", "publication", "cells", "hidden", "reason")
        for row in rows:
            shown.add_row(
                *(Text("" if row[k] is None else str(row[k])) for k in row),
            )
        console.print(shown)
        console.print(
            f"Activity {activity}, peildatum {day}: {released} of {len(rows)} register "
            "indicators released."
        )
    if rows and not released:
        raise typer.Exit(EXIT_REJECTED)
