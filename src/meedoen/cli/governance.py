"""``meedoen sql``, ``meedoen audit`` and ``meedoen retention``: using an activity's data, and
checking what happened to it."""

from __future__ import annotations

import csv
import sys
from typing import Annotated

import typer
from rich.table import Table

from meedoen.cli.common import (
    EXIT_ERROR,
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

ActivityOption = Annotated[
    int, typer.Option("--activity", help="Id of the approved processing activity.")
]
ByOption = Annotated[
    str | None,
    typer.Option("--by", help="Your user name (default: the operating-system user)."),
]
#: = meedoen_data.activity_store.DEFAULT_MAX_ROWS; not imported, it would load DuckDB at start-up.
MAX_ROWS = 10_000
audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
retention_app = typer.Typer(
    help="Delete data whose processing activity is no longer approved.", no_args_is_help=True
)


def sql(
    query: Annotated[str, typer.Argument(help="One read-only SELECT statement.")],
    activity: ActivityOption,
    output_format: Annotated[
        str, typer.Option("--format", help="table, csv or json.", show_default=True)
    ] = "table",
    max_rows: Annotated[int, typer.Option(help="Rows shown at most.", min=1)] = MAX_ROWS,
    by: ByOption = None,
    home: HomeOption = None,
) -> None:
    """Read-only SQL on one approved activity's pseudonymised tables (logged).

    The tables are in schema ``source`` (e.g. ``source.ingeschrevenpersoon``) with the
    activity's own pseudonyms. Writes, files and other databases are refused."""
    if output_format not in {"table", "csv", "json"}:
        fail("--format must be table, csv or json")
    workspace_django(home)
    from meedoen.activities.stores import activity_sql

    actor = cli_actor(by)
    trace = cli_trace()
    with progress_bar(quiet=False) as bar:
        task = bar.add_task("Checking the activity", total=None)

        def progress(table: str, done: int, total: int) -> None:
            label = f"Building its tables: {table}"
            bar.update(task, description=label, completed=done, total=total)

        result = run_service(
            lambda: activity_sql(
                activity_id=activity,
                actor=actor,
                sql=query,
                trace=trace,
                channel="cli",
                max_rows=max_rows,
                progress=progress,
            )
        )
    if output_format == "json":
        emit_json(
            {
                "columns": result.columns,
                "rows": [list(r) for r in result.rows],
                "truncated": result.truncated,
            }
        )
    elif output_format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows(result.rows)
    else:
        table = Table()
        for column in result.columns:
            table.add_column(column)
        for row in result.rows:
            table.add_row(*("" if v is None else str(v) for v in row))
        console.print(table)
    if result.truncated:
        err_console.print(f"meedoen: only the first {max_rows} rows are shown (--max-rows)")


@audit_app.command("verify")
def audit_verify(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Recompute the audit log's hash chains; exit 1 naming the first broken record."""
    workspace_django(home)
    from meedoen.audits.selectors import audit_verify as verify

    reports = verify()
    if as_json:
        emit_json([{**vars(r), "intact": r.intact} for r in reports])
    else:
        for r in reports:
            if r.intact:
                console.print(
                    f"[green]intact[/] {r.chain} chain: {r.records} records, ends at record "
                    f"{r.last_position} with hash {r.last_hash}"
                )
            else:
                console.print(
                    f"[bold red]BROKEN[/] {r.chain} chain at record {r.broken_at}: {r.problem}"
                )
    if not all(r.intact for r in reports):
        raise typer.Exit(EXIT_ERROR)


@audit_app.command("list")
def audit_list(
    subject: Annotated[
        str | None, typer.Option(help="A data subject's pseudonym (as logged).")
    ] = None,
    trace: Annotated[str | None, typer.Option(help="A trace id.")] = None,
    activity: Annotated[int | None, typer.Option(help="A processing activity id.")] = None,
    limit: Annotated[int, typer.Option(help="Newest records shown at most.", min=1)] = 200,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """The newest processing records, with who acted (joined by trace id)."""
    workspace_django(home)
    from meedoen.audits.selectors import audit_records
    from meedoen.audits.services import activity_uri

    rows = audit_records(
        data_subject_id=subject,
        trace_id=trace,
        activity=activity_uri(activity) if activity is not None else None,
        limit=limit,
    )
    if as_json:
        emit_json(rows)
        return
    table = Table(title="Audit log (newest first)")
    for column in ("#", "time", "operation", "activity", "data subject", "status", "by"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            str(r["position"]),
            f"{r['start_time']:%Y-%m-%d %H:%M:%S}",
            r["name"],
            r["processing_activity_id"].rsplit(":", 1)[-1],
            f"{r['data_subject_id_type']}:{r['data_subject_id']}",
            r["status"],
            f"{r['user_name']} ({r['channel']})",
        )
    console.print(table)


@retention_app.command("run")
def retention_run(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Delete everything derived under activities that expired, were revoked or refused.

    Schedule it daily (cron or a systemd timer, see docs/admin/workspace.md); safe to rerun."""
    workspace_django(home)
    from meedoen.activities.stores import retention_run as run

    purges = run_service(lambda: run(trace=cli_trace()))
    if as_json:
        emit_json([vars(p) for p in purges])
        return
    if not purges:
        console.print("Nothing to delete: every stored activity is approved and current.")
    for p in purges:
        console.print(f"Activity {p.activity_id} ({p.reason}): {p.summary}")
