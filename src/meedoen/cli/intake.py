"""``meedoen ingest`` and ``meedoen quarantine``: the intake gate on the command line."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from meedoen.cli.common import (
    EXIT_REJECTED,
    HomeOption,
    JsonOption,
    console,
    emit_json,
    fail,
    progress_bar,
)
from meedoen_data.workspace import WorkspaceError, resolve_home

quarantine_app = typer.Typer(
    help="Rows the intake gate refused: inspect them (vault access).", no_args_is_help=True
)


def ingest(
    directory: Annotated[
        Path | None, typer.Argument(help="Folder with contract files (.csv, .parquet).")
    ] = None,
    home: HomeOption = None,
    max_reject_share: Annotated[
        float,
        typer.Option(
            help="Reject a whole file when more than this share of rows fails.", min=0.0, max=1.0
        ),
    ] = 0.05,
    history: Annotated[
        bool, typer.Option("--history", help="List every batch loaded or rejected so far.")
    ] = False,
    national: Annotated[
        bool,
        typer.Option(
            "--national",
            help="Limits for a national delivery (100 million rows per file, 1 billion per "
            "run) instead of a municipality's; MEEDOEN_INTAKE_* variables still win.",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Validate and load every contract file in DIR; all-or-nothing per file.

    Files and the run as a whole are limited in rows and bytes (checked before any data is read;
    see docs/intake.md). Exit 0 when every file loaded (or was loaded before), 2 when a file was
    rejected."""
    from meedoen_data.intake import IntakeLimits, ingest_directory, ingest_history

    resolved = resolve_home(home)
    if history:
        try:
            rows = ingest_history(home=resolved)
        except WorkspaceError as exc:
            fail(str(exc), code=EXIT_REJECTED)
        _print_history(rows, as_json)
        return
    if directory is None:
        fail("give a folder to ingest, or --history", code=EXIT_REJECTED)
    if not directory.is_dir():
        fail(f"{directory} is not a folder", code=EXIT_REJECTED)
    try:
        limits = IntakeLimits.from_env(national=national)
    except ValueError as exc:
        fail(str(exc), code=EXIT_REJECTED)
    from datetime import UTC, datetime

    from meedoen.cli.common import cli_actor, cli_trace, workspace_django

    workspace_django(resolved)
    from meedoen.intakes.services import intake_log

    started = datetime.now(UTC)
    with progress_bar(quiet=as_json) as bar:
        task = bar.add_task("Ingesting", total=None)

        def progress(file: str, stage: str, done: int, total: int) -> None:
            bar.update(task, description=f"{file}: {stage}", completed=done, total=total)

        try:
            report = ingest_directory(
                home=resolved,
                directory=directory,
                user=getpass.getuser(),
                max_reject_share=max_reject_share,
                progress=progress,
                limits=limits,
            )
        except WorkspaceError as exc:
            fail(str(exc), code=EXIT_REJECTED)
        bar.update(task, description="Writing the audit log")
        intake_log(
            report=report, actor=cli_actor(None), trace=cli_trace(), channel="cli", started=started
        )
    if as_json:
        emit_json(
            {
                "recovered_batches": report.recovered,
                "files": [vars(f) for f in report.files],
                "tables": {f.table: f.rows_loaded for f in report.files if f.status == "loaded"},
            }
        )
    else:
        for batch in report.recovered:
            console.print(f"[yellow]Cleaned up interrupted batch {batch}[/]")
        for f in report.files:
            style = {"loaded": "green", "unchanged": "blue", "rejected": "red"}[f.status]
            console.print(f"[{style}]{f.status:>9}[/] {f.message}")
            for error in f.errors[:10]:
                console.print(
                    f"            row {error['row']}, {error['column']}: {error['reason']}"
                )
            if f.rows_quarantined > 10:
                console.print(f"            … see: meedoen quarantine show {f.batch_id}")
    if report.rejected:
        raise typer.Exit(EXIT_REJECTED)


def _print_history(rows: list[dict[str, object]], as_json: bool) -> None:
    if as_json:
        emit_json(rows)
        return
    table = Table(title="Intake batches")
    for name in (
        "batch",
        "file",
        "table",
        "status",
        "read",
        "loaded",
        "quarantined",
        "user",
        "when",
    ):
        table.add_column(name)
    for r in rows:
        table.add_row(
            str(r["batch_id"]),
            str(r["file_name"]),
            str(r["table_name"]),
            str(r["status"]),
            str(r["rows_read"]),
            str(r["rows_loaded"]),
            str(r["rows_quarantined"]),
            str(r["user_name"]),
            f"{r['at_time']:%Y-%m-%d %H:%M}",
        )
    console.print(table)


@quarantine_app.command("list")
def quarantine_list(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Batches with quarantined rows: file, table, rows and problems."""
    from meedoen_data.intake import quarantine_list as select

    try:
        rows = select(home=resolve_home(home))
    except WorkspaceError as exc:
        fail(str(exc), code=EXIT_REJECTED)
    if as_json:
        emit_json(rows)
        return
    table = Table(title="Quarantine")
    for name in ("batch", "file", "table", "rows", "problems"):
        table.add_column(name)
    for r in rows:
        table.add_row(
            *(str(r[k]) for k in ("batch_id", "file_name", "table_name", "rows", "problems"))
        )
    console.print(table)


@quarantine_app.command("show")
def quarantine_show(
    batch_id: Annotated[str, typer.Argument(metavar="BATCH", help="Batch id from the list.")],
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="An analyst's user name, signed in (MEEDOEN_TOKEN, MEEDOEN_PASSWORD or the "
            "prompt); default: the operator who runs the intake.",
        ),
    ] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """The quarantined rows of one batch with row number, column, reason and raw values.

    Raw values identify people: every showing is logged in the audit log."""
    from meedoen.cli.common import cli_actor, cli_trace, run_service, workspace_django

    workspace_django(home)
    from meedoen.intakes.services import quarantine_read

    actor, trace = cli_actor(by), cli_trace()
    rows = run_service(
        lambda: quarantine_read(batch_id=batch_id, actor=actor, trace=trace, channel="cli")
    )
    if not rows:
        fail(f"no quarantined rows for batch {batch_id}", code=EXIT_REJECTED)
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        console.print(f"row {r['row_number']}, {r['column_name']}: {r['reason']}")
        console.print(f"    {r['raw_row']}", highlight=False, markup=False)


keys_app = typer.Typer(
    help="Pseudonym keys of the workspace (administrators).", no_args_is_help=True
)


@keys_app.command("rotate")
def keys_rotate(
    domain: Annotated[
        str,
        typer.Argument(
            help="Domain: brp, wmo, jeugd, participatie, "
            "schulden, signalen, cbs, bag or partner-NAME."
        ),
    ],
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="An administrator's user name, signed in (MEEDOEN_TOKEN, MEEDOEN_PASSWORD "
            "or the prompt); default: the operator.",
        ),
    ] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Replace a domain's pseudonym key and re-derive every stored pseudonym of the domain.

    Back up the workspace first. Safe to run again after an interruption: it completes the
    same rotation."""
    from meedoen.cli.common import cli_actor, cli_trace, run_service, workspace_django

    workspace_django(home)
    from meedoen.intakes.services import key_rotate

    actor, trace = cli_actor(by), cli_trace()
    report = run_service(lambda: key_rotate(domain=domain, actor=actor, trace=trace, channel="cli"))
    if as_json:
        emit_json(
            {
                "domain": report.domain,
                "analytics_rows": report.analytics_rows,
                "vault_rows": report.vault_rows,
                "completed_interrupted_run": report.completed_interrupted_run,
            }
        )
        return
    console.print(
        f"Rotated the {domain} key: {report.analytics_rows} pseudonyms in the "
        f"analytics store and {report.vault_rows} in the vault re-derived"
    )


def pseudonym(
    domain: Annotated[str | None, typer.Option(help="Source domain, e.g. brp or wmo.")] = None,
    activity: Annotated[
        int | None, typer.Option(help="Approved activity id: its activity-scoped pseudonyms.")
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="An administrator's user name, signed in (MEEDOEN_TOKEN, MEEDOEN_PASSWORD "
            "or the prompt); required with --activity, else default: the operator.",
        ),
    ] = None,
    home: HomeOption = None,
) -> None:
    """(Vault administrators) BSNs on standard input, one per line, become pseudonyms on stdout.

    Every BSN is logged in the audit log under its pseudonym."""
    import sys

    from meedoen.cli.common import cli_actor, cli_trace, run_service, workspace_django

    if (domain is None) == (activity is None):
        fail("give either --domain or --activity", code=EXIT_REJECTED)
    from meedoen_data.bsn import bsn_is_valid

    values = [line.strip() for line in sys.stdin]
    for number, value in enumerate(values, start=1):
        if value and not bsn_is_valid(value.zfill(9)):
            fail(f"line {number}: not a valid BSN (9 digits, 11-proef)", code=EXIT_REJECTED)
    bsns = [value.zfill(9) for value in values if value]
    workspace_django(home)
    from meedoen.intakes.services import vault_pseudonymise

    actor = cli_actor(by)
    trace = cli_trace()
    if activity is not None:
        from meedoen.activities.enforcement import activity_pseudonymise

        out = run_service(
            lambda: activity_pseudonymise(
                activity_id=activity, actor=actor, bsns=bsns, trace=trace, channel="cli"
            )
        )
    else:
        out = run_service(
            lambda: vault_pseudonymise(
                domain=str(domain), actor=actor, bsns=bsns, trace=trace, channel="cli"
            )
        )
    results = iter(out)
    for value in values:
        typer.echo(next(results) if value else "")
