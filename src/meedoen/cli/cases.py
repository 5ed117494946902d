"""``meedoen case load``: the caseload from the case-management system (issue 20)."""

from __future__ import annotations

from typing import Annotated

import typer

from meedoen.cli.common import (
    HomeOption,
    JsonOption,
    cli_actor,
    cli_trace,
    console,
    emit_json,
    run_service,
    workspace_django,
)
from meedoen.cli.governance import ActivityOption

ByOption = Annotated[
    str | None,
    typer.Option(
        "--by",
        help="Your user name (a team lead: the rows of your team); without it the workspace "
        "operator loads every row.",
    ),
]

case_app = typer.Typer(help="Cases of case workers: the caseload of the family view.")


@case_app.command("load")
def load(
    activity: ActivityOption,
    by: ByOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Turn the newest delivery of the contract table casus (meedoen ingest) into cases.

    Each row opens a case on the caseload of the case worker it names (medewerker: their user
    name in meedoen), under the operational activity --activity; a case already loaded follows
    the file (worker, team, end date), and a loaded case that is no longer in the file, or
    whose end date has passed, is closed. Rows naming no active case worker are skipped and
    listed by case number. Run by the workspace operator (all rows) or --by a team lead (the
    rows of the own team). Logged with every person of a row loaded. Safe to run again."""
    workspace_django(home)
    from meedoen.cases.services import cases_load

    actor = cli_actor(by)
    report = run_service(
        lambda: cases_load(actor=actor, activity_id=activity, trace=cli_trace(), channel="cli")
    )
    if as_json:
        emit_json(
            {
                "created": report.created,
                "updated": report.updated,
                "closed": report.closed,
                "unchanged": report.unchanged,
                "skipped": [{"case": n, "reason": r} for n, r in report.skipped],
            }
        )
        return
    console.print(
        f"Cases: {report.created} opened, {report.updated} changed, {report.closed} closed, "
        f"{report.unchanged} unchanged, {len(report.skipped)} skipped."
    )
    for number, reason in report.skipped:
        console.print(f"  skipped {number}: {reason}")
