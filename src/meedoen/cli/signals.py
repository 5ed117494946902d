"""``meedoen signals link``: early-warning signals (Wgs) to persons and households, for the debt
worker's work list; ``meedoen signals export-monitor``: a month of the monitor for the national
monitor of early signalling."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
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
    err_console,
    fail,
    progress_bar,
    run_service,
    workspace_django,
)
from meedoen.cli.governance import ActivityOption

ByOption = Annotated[
    str | None,
    typer.Option(
        "--by",
        help="Your user name (an administrator); without it the workspace operator links. "
        "Signed in with MEEDOEN_TOKEN, MEEDOEN_PASSWORD or the password prompt.",
    ),
]

signals_app = typer.Typer(
    help="Early-warning signals of payment arrears (Wgs): the debt worker's work list.",
    no_args_is_help=True,
)


@signals_app.command("link")
def link(
    activity: ActivityOption,
    by: ByOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Link every delivered signal (contract table vroegsignaal, meedoen ingest) to a person of
    the register, then make the work list of the activity again.

    --activity is an approved operational activity (uitvoering) of the task
    schuldhulpverlening that lists the sources brp and signalen and allows the role
    debt_worker. A signal with a BSN the register holds is linked by it; the others by the
    linkage engine (surname, given names, address; birth date where sent); unsure ones wait
    for review and are listed on /vroegsignalen/beoordelen/. Linked signals are grouped per
    household and triaged by the municipality's rules (HOME/signals/rules.toml, else the
    shipped ones). Run by the workspace operator or --by an administrator; logged with every
    person linked. Safe to run again.

    On an approved analysis activity with the task schuldhulpverlening (--by an analyst), the
    links are published pseudonymised into its tables instead (link.record, source
    vroegsignaal), with each person's household from its household build: what meedoen
    indicator discover reads."""
    workspace_django(home)
    from meedoen.activities.selectors import activity_current
    from meedoen.earlysignals.services import signals_link

    actor = cli_actor(by)
    try:
        analysis = not activity_current(activity_id=activity).operational
    except Exception:  # unknown: the service names what is missing
        analysis = False
    if analysis:
        _link_analysis(activity, actor, as_json)
        return
    with progress_bar(quiet=as_json) as bar:
        task = bar.add_task("Checking the activity", total=None)

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total)

        outcome = run_service(
            lambda: signals_link(
                activity_id=activity,
                actor=actor,
                trace=cli_trace(),
                via="cli",
                progress=progress,
            )
        )
    report, refresh = outcome.link, outcome.refresh
    by_status = dict(sorted(report.by_status.items()))
    summary = {
        "activity": activity,
        "run_id": report.run_id,
        "signals": report.records,
        "linked": report.linked,
        "by_bsn": by_status.get("bsn", 0),
        "by_linkage": {
            "auto": by_status.get("auto", 0),
            "accepted": by_status.get("accepted", 0),
            "pending": by_status.get("pending", 0),
        },
        "unmatched": sum(report.unmatched_by_reason.values()),
        "unmatched_by_reason": report.unmatched_by_reason,
        "households": {
            "linked": refresh.households,
            "open": refresh.open,
            "new": refresh.new,
            "reopened": refresh.reopened,
            "closed": refresh.closed,
        },
        "rules_version": refresh.rules_version,
        "seconds": round(report.seconds, 2),
    }
    if as_json:
        emit_json(summary)
        return
    console.print(
        f"Activity {activity}: {report.records:,} signals, {report.linked:,} linked to a person "
        f"({report.seconds:.1f} s, run {report.run_id})."
    )
    table = Table("how", "signals", title="Signals by how they were linked")
    table.add_row("by BSN", f"{summary['by_bsn']:,}")
    for status, count in summary["by_linkage"].items():  # type: ignore[union-attr]
        table.add_row(f"by linkage: {status}", f"{count:,}")
    table.add_row("not linked", f"{summary['unmatched']:,}")
    console.print(table)
    if report.unmatched_by_reason:
        reasons = Table("why not linked", "signals")
        for reason, count in report.unmatched_by_reason.items():
            reasons.add_row(reason, f"{count:,}")
        console.print(reasons)
    console.print(
        f"Households: {refresh.open:,} with open signals on the work list ({refresh.new:,} new, "
        f"{refresh.reopened:,} reopened, {refresh.closed:,} without open signals now), "
        f"{refresh.households:,} with linked signals; rules {refresh.rules_version}."
    )
    pending = by_status.get("pending", 0)
    if pending:
        console.print(
            f"{pending:,} signals await review: debt workers see them on "
            "/vroegsignalen/beoordelen/."
        )


def _link_analysis(activity: int, actor: object, as_json: bool) -> None:
    from meedoen.earlysignals.analysis import signals_link_analysis

    with progress_bar(quiet=as_json) as bar:
        task = bar.add_task("Checking the activity", total=None)

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total)

        report = run_service(
            lambda: signals_link_analysis(
                activity_id=activity,
                actor=actor,  # type: ignore[arg-type]
                trace=cli_trace(),
                progress=progress,
            )
        )
    by_status = dict(sorted(report.by_status.items()))
    summary = {
        "activity": activity,
        "run_id": report.run_id,
        "signals": report.records,
        "linked": report.linked,
        "by_status": by_status,
        "unmatched_by_reason": report.unmatched_by_reason,
        "households": report.households,
        "household_peildatum": None
        if report.household_peildatum is None
        else report.household_peildatum.isoformat(),
        "seconds": round(report.seconds, 2),
    }
    if as_json:
        emit_json(summary)
        return
    console.print(
        f"Activity {activity} (analysis): {report.records:,} signals, {report.linked:,} linked "
        f"({', '.join(f'{k} {v:,}' for k, v in by_status.items())}), {report.households:,} "
        f"households at {summary['household_peildatum'] or 'no household build yet'}; "
        "published to the activity's tables as link.record (source vroegsignaal)."
    )


@signals_app.command("export-monitor")
def export_monitor(
    activity: ActivityOption,
    period: Annotated[
        str, typer.Option("--period", help="The month, YYYY-MM (e.g. 2024-12).", show_default=False)
    ],
    fmt: Annotated[
        str, typer.Option("--format", help="csv (Dutch: ';' and a decimal comma) or xlsx.")
    ] = "csv",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Write the file here (never overwritten); default: the CSV on stdout, the XLSX "
            "as monitor-vroegsignalering-YYYY-MM.xlsx in the current folder.",
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="Your user name (a debt worker or policy maker). Signed in with MEEDOEN_TOKEN, "
            "MEEDOEN_PASSWORD or the password prompt.",
        ),
    ] = None,
    home: HomeOption = None,
) -> None:
    """One month of the monitor of early signalling in the categories of the national monitor,
    for the gemeente and per wijk: signals per partner, households, already in debt help,
    contacted, reached, the outcomes, the acceptance rate and the median days to first contact.

    Every figure is disclosure-controlled as on /vroegsignalen/monitor/ (x: not published),
    under CBS's default floor (an operational activity has no floors of its own). --by a debt
    worker or a policy maker; logged as signals.monitor.export (aggregates only: no person)."""
    if fmt not in ("csv", "xlsx"):
        fail(f"--format must be csv or xlsx, not {fmt}", code=EXIT_REJECTED)
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", period):
        fail(f"--period: give the month as YYYY-MM, not {period}", code=EXIT_REJECTED)
    target = out
    if target is None and fmt == "xlsx":
        target = Path(f"monitor-vroegsignalering-{period}.xlsx")
    if target is not None and target.exists():
        fail(f"{target} exists: choose a new file", code=EXIT_REJECTED)
    workspace_django(home)
    from meedoen.earlysignals.monitor_export import monitor_export

    actor = cli_actor(by)
    export = run_service(
        lambda: monitor_export(
            actor=actor, activity_id=activity, month=period, fmt=fmt, trace=cli_trace(), via="cli"
        )
    )
    if target is None:
        sys.stdout.write(export.content.decode("utf-8"))
    else:
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(export.content)
    err_console.print(
        f"Monitor {period} of activity {activity}: {export.rows} figures, {export.hidden} not "
        f"published (x)" + (f"; written to {target}" if target is not None else "")
    )
