"""``meedoen sql``, ``meedoen audit`` and ``meedoen retention``: using an activity's data, and
checking what happened to it."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from meedoen.cli.common import (
    EXIT_ERROR,
    EXIT_REJECTED,
    HomeOption,
    JsonOption,
    cli_actor,
    cli_trace,
    console,
    django_setup,
    emit_json,
    err_console,
    fail,
    progress_bar,
    run_service,
    workspace_django,
)
from meedoen_data.csvsafe import csv_writer

ActivityOption = Annotated[
    int, typer.Option("--activity", help="Id of the approved processing activity.")
]
ByOption = Annotated[
    str | None,
    typer.Option(
        "--by",
        help="Your user name (an analyst); required."
        " Signed in with MEEDOEN_TOKEN, MEEDOEN_PASSWORD or the password prompt.",
    ),
]
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
    max_rows: Annotated[
        int | None,
        typer.Option(help="Rows at most; at most MEEDOEN_SQL_MAX_ROWS (default 10000).", min=1),
    ] = None,
    max_cells: Annotated[
        int | None,
        typer.Option(
            help="Cells (rows x columns) at most; at most MEEDOEN_SQL_MAX_CELLS (100000).", min=1
        ),
    ] = None,
    max_bytes: Annotated[
        int | None,
        typer.Option(help="Bytes of text at most; at most MEEDOEN_SQL_MAX_BYTES (500000).", min=1),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(help="Seconds the query may run; at most MEEDOEN_SQL_TIMEOUT (60)."),
    ] = None,
    by: ByOption = None,
    home: HomeOption = None,
) -> None:
    """Read-only SQL on one approved activity's pseudonymised tables (logged).

    The tables are in schema ``source`` (e.g. ``source.ingeschrevenpersoon``) with the
    activity's own pseudonyms. Writes, files, other databases and table functions that read
    tables by name are refused. The query is logged as a read of every person in every table
    it references; its result is cut off at the first cap it reaches (rows, cells, bytes)."""
    if output_format not in {"table", "csv", "json"}:
        fail("--format must be table, csv or json")
    workspace_django(home)
    from meedoen.activities.enforcement import activity_sql

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
                max_cells=max_cells,
                max_bytes=max_bytes,
                seconds=timeout,
                progress=progress,
            )
        )
    limits = result.limits
    if output_format == "json":
        emit_json(
            {
                "columns": result.columns,
                "rows": [list(r) for r in result.rows],
                "truncated": result.truncated,
                "truncated_by": result.truncated_by,  # rows, cells, bytes or null
                "limits": {
                    "max_rows": limits.max_rows,
                    "max_cells": limits.max_cells,
                    "max_bytes": limits.max_bytes,
                    "seconds": limits.seconds,
                },
                "read": {
                    "tables": result.tables,
                    "persons": len(result.subjects),
                    "records": len(result.records),
                },
            }
        )
    elif output_format == "csv":
        writer = csv_writer(sys.stdout, lineterminator="\n")  # neutralises =, +, -, @ (OWASP)
        writer.writerow(result.columns)
        writer.writerows(result.rows)
    else:
        table = Table()
        for column in result.columns:
            table.add_column(column)
        for row in result.rows:
            table.add_row(*("" if v is None else str(v) for v in row))
        console.print(table)
    if result.truncated_by is not None:
        cap = {
            "rows": f"{limits.max_rows} rows (--max-rows, MEEDOEN_SQL_MAX_ROWS)",
            "cells": f"{limits.max_cells} cells (--max-cells, MEEDOEN_SQL_MAX_CELLS)",
            "bytes": f"{limits.max_bytes} bytes of text (--max-bytes, MEEDOEN_SQL_MAX_BYTES)",
        }[result.truncated_by]
        err_console.print(
            f"meedoen: only the first {len(result.rows)} rows are shown: the result has more "
            f"than {cap}"
        )
    if result.tables:
        records = f" and {len(result.records)} partner records" if result.records else ""
        err_console.print(
            f"meedoen: logged as a read of {len(result.subjects)} persons{records} in "
            f"{', '.join(result.tables)}",
            highlight=False,
        )


CheckpointFiles = Annotated[
    list[Path] | None,
    typer.Option(
        "--checkpoint",
        help="A checkpoint file you kept (from the witness folder, or downloaded on /logboek/): "
        "the log and the witness folder must still hold it. Repeatable.",
        exists=True,
        dir_okay=False,
        readable=True,
    ),
]
PublicKeys = Annotated[
    list[Path] | None,
    typer.Option(
        "--public-key",
        help="The checkpoint key's public key (.pub) to trust, e.g. the privacy officer's own "
        "copy. Default: the private key when readable, else MEEDOEN_CHECKPOINT_PUBLIC_KEY.",
        exists=True,
        dir_okay=False,
        readable=True,
    ),
]


SinceOption = Annotated[
    bool,
    typer.Option(
        "--since",
        help="Only what is new since the last intact check: recompute the chains from the "
        "position it remembered (signed, HOME/audit-verified.json) and read back only the "
        "subject sets first referenced after it. Refused without a remembered position.",
    ),
]


@audit_app.command("verify")
def audit_verify(
    checkpoint: CheckpointFiles = None,
    public_key: PublicKeys = None,
    since: SinceOption = False,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check the audit log: its hash chains, its subject sets, its append-only triggers and its
    signed checkpoints (a cut-off end is reported with the number of records lost); exit 1 on
    any problem. After an intact check the position checked is remembered (signed with the
    checkpoint key) for the next ``--since``."""
    workspace_django(home)
    from meedoen.audits.selectors import audit_verify_all
    from meedoen.audits.verified import (
        VerifiedError,
        VerifiedMissing,
        audit_verified_load,
        audit_verified_remember,
    )

    kept = [(str(path), path.read_bytes()) for path in checkpoint or []]
    remembered = None
    if since:
        try:
            remembered = audit_verified_load(public_keys=public_key or [])
        except VerifiedMissing as exc:
            fail(str(exc), code=EXIT_REJECTED)
        except VerifiedError as exc:
            refused = f"{exc}; run a full `meedoen audit verify`"
            if as_json:
                emit_json({"intact": False, "since": {"refused": refused}})
            else:
                console.print(
                    f"[bold red]BROKEN[/] remembered position: {refused}", highlight=False
                )
            raise typer.Exit(EXIT_ERROR) from None
    with progress_bar(quiet=as_json) as bar:
        tasks: dict[str, Any] = {}

        def progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(f"Checking the {step}", total=total)
            bar.update(tasks[step], completed=done, total=total)

        result = audit_verify_all(
            kept=kept, public_keys=public_key or [], since=remembered, progress=progress
        )
    saved = audit_verified_remember(result) if result.intact else None
    if as_json:
        emit_json({**result.as_json(), "remembered": saved.as_json() if saved else None})
    else:
        _print_verification(result)
        if saved is not None:
            verb = "remembered for --since:" if saved.written else "note:"
            console.print(f"{verb} {saved.note}", highlight=False)
    if not result.intact:
        raise typer.Exit(EXIT_ERROR)


def _print_verification(result: Any) -> None:
    if result.since is not None:
        console.print(
            f"since the intact check of {result.since.time_text}: only what is newer is checked",
            highlight=False,
        )
    for r in result.chains:
        if r.intact:
            newer = f" (from record {r.checked_from})" if r.checked_from > 1 else ""
            console.print(
                f"[green]intact[/] {r.chain} chain: {r.records} records{newer}, ends at record "
                f"{r.last_position} with hash {r.last_hash}"
            )
        else:
            console.print(
                f"[bold red]BROKEN[/] {r.chain} chain at record {r.broken_at}: {r.problem}"
            )
    for name in result.triggers_missing:
        console.print(f"[bold red]MISSING TRIGGER[/] {name}: the log is not append-only")
    for problem in result.sets_changed:
        console.print(f"[bold red]CHANGED SUBJECT SET[/] {problem}")
    if not result.sets_changed:
        console.print(f"[green]intact[/] subject sets: {result.sets_checked} read back")
    for unlogged in result.roles_unlogged:
        console.print(f"[bold red]ROLE NOT IN THE LOG[/] {unlogged.message}", highlight=False)
    _print_checkpoints(result.checkpoints)


def _print_checkpoints(report: Any) -> None:
    fingerprints = ", ".join(report.key_fingerprints) or "none"
    console.print(
        f"checkpoints in {report.witness}: {report.checkpoints}; key {fingerprints} "
        f"(from {report.key_source})",
        highlight=False,
    )
    if report.newest is not None:
        ends = ", ".join(
            f"{chain} at record {state.position}"
            for chain, state in sorted(report.newest.chains.items())
        )
        console.print(f"newest: {report.newest.label}: {ends}", highlight=False)
    for problem in report.problems:
        console.print(f"[bold red]CHECKPOINT[/] {problem}", highlight=False)
    for note in report.notes:
        console.print(f"note: {note}", highlight=False)
    if report.intact:
        console.print(
            "[green]intact[/] the log extends every checkpoint"
            + (f" and the {report.kept} kept file(s)" if report.kept else "")
        )


@audit_app.command("checkpoint")
def audit_checkpoint(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Sign where both audit chains end and write it as a new checkpoint file to the witness
    folder (MEEDOEN_AUDIT_WITNESS), with the key MEEDOEN_CHECKPOINT_KEY (created on first use).

    Run it from a timer (cron, systemd) as the account that may read the key; nothing is
    written when the log did not grow. Exit 1 when the log does not extend the newest
    checkpoint."""
    _checkpoint_django(home)
    from meedoen.audits.services import audit_checkpoint_write
    from meedoen_data.audit_checkpoint import CheckpointError

    try:
        result = audit_checkpoint_write()
    except CheckpointError as exc:
        fail(str(exc))
    checkpoint = result.checkpoint
    if as_json:
        emit_json({"written": result.written, "path": str(result.path), **checkpoint.as_json()})
        return
    verb = "Wrote" if result.written else "Unchanged since"
    console.print(f"{verb} {checkpoint.label}: {result.path}", highlight=False)
    for chain, state in sorted(checkpoint.chains.items()):
        console.print(
            f"  {chain}: record {state.position} ({state.records} records), hash {state.hash}",
            highlight=False,
        )
    console.print(f"  signed with key {checkpoint.key}", highlight=False)


@audit_app.command("prune")
def audit_prune(
    before: Annotated[
        str,
        typer.Option(
            "--before",
            help="Remove the records that ended before this date (YYYY-MM-DD, local midnight), "
            "oldest first, and the subject sets only they referenced.",
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only say what would be removed.")
    ] = False,
    by: ByOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Prune the audit log at the end of its retention period (ADR 0013): per chain the oldest
    records that ended before --before, leaving a signed anchor from which verify recomputes
    the rest. Refused for a log that does not verify, a date within
    MEEDOEN_AUDIT_MIN_RETENTION_DAYS, and without the checkpoint key; on PostgreSQL run it as the
    tables' owner. The prune is logged (audit.prune) and followed by a checkpoint."""
    from datetime import date, datetime

    try:
        day = date.fromisoformat(before)
    except ValueError:
        fail("--before must be a date YYYY-MM-DD", code=EXIT_REJECTED)
    workspace_django(home)
    from django.utils import timezone

    from meedoen.audits.retention import audit_prune as prune

    cutoff = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    actor = cli_actor(by)
    report = run_service(
        lambda: prune(before=cutoff, actor=actor, trace=cli_trace(), channel="cli", dry_run=dry_run)
    )
    if as_json:
        emit_json(report.as_json())
        return
    verb = "would remove" if dry_run else "removed"
    for plan in report.chains:
        if plan.removed:
            console.print(
                f"{plan.chain} chain: {verb} records {plan.after + 1} to {plan.upto} "
                f"({plan.removed:,}); digest {plan.digest}",
                highlight=False,
            )
        else:
            console.print(f"{plan.chain} chain: nothing ended before {day}", highlight=False)
    console.print(f"subject sets: {verb} {report.sets_removed:,}", highlight=False)
    if not dry_run and report.records_removed:
        console.print(
            "signed anchors written; meedoen audit verify now starts each chain there",
            highlight=False,
        )


@audit_app.command("compact")
def audit_compact(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only count what would be compacted.")
    ] = False,
    by: ByOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Compact a log written before subject sets (issue 16): each action's run of per-person
    records becomes one record per kind referencing a subject set, the rest is copied as it
    was, and a signed anchor (kind compaction) marks where the copies begin. Refused for a log
    that does not verify and without the checkpoint key; on PostgreSQL run it as the tables'
    owner. Logged (audit.compact), followed by a checkpoint."""
    workspace_django(home)
    from meedoen.audits.compaction import audit_compact as compact
    from meedoen.audits.selectors import VaultBusy

    actor = cli_actor(by)
    try:
        report = run_service(
            lambda: compact(actor=actor, trace=cli_trace(), channel="cli", dry_run=dry_run)
        )
    except VaultBusy as exc:
        fail(f"{exc}; try again when the intake is done")
    if as_json:
        emit_json(report.as_json())
        return
    if not report.runs:
        console.print("nothing to compact: no action is logged as a record per person")
        return
    if dry_run:
        console.print(
            f"would copy {report.records_before:,} processing records as at least "
            f"{report.records_after:,}: {report.runs:,} runs of per-person records become sets",
            highlight=False,
        )
        return
    console.print(
        f"copied {report.records_before:,} processing records as {report.records_after:,} "
        f"({report.runs:,} runs of per-person records now reference {report.sets:,} subject "
        f"sets); the originals up to record {report.upto} were removed behind a signed anchor",
        highlight=False,
    )


def _checkpoint_django(home: Path | None) -> None:
    """The checkpoint account may not be allowed into the workspace (key separation,
    docs/admin/workspace.md): with DATABASE_URL set it needs only the database."""
    from meedoen.conf.env import env_str
    from meedoen_data.workspace import Workspace, resolve_home

    resolved = resolve_home(home)
    try:
        readable = Workspace(resolved).exists()
    except OSError:
        readable = False
    if readable or not env_str("DATABASE_URL", ""):
        workspace_django(home)
    else:
        django_setup(resolved)


BsnOption = Annotated[
    str | None,
    typer.Option(
        "--bsn",
        help="The person's BSN, or - to read it from standard input (kept out of the shell's "
        "history and the process list).",
    ),
]
SubjectOption = Annotated[
    str | None,
    typer.Option(
        help="A pseudonym of the person, as logged (a domain's or an activity's): finds every "
        "record about that person, under any of their pseudonyms and in the sets of many "
        "persons, through the vault. A partner's record pseudonym finds that record's records."
    ),
]


def _person(bsn: str | None, subject: str | None) -> Any:
    """The person named by ``--bsn`` or ``--subject`` (None: a subject that is not a person),
    and the lookup logged as a processing of that person."""
    from meedoen.audits.selectors import VaultBusy, audit_person

    if bsn == "-":
        bsn = sys.stdin.readline().strip()
    if bsn is not None:
        bsn = bsn.zfill(9)
    try:
        return audit_person(bsn=bsn, data_subject_id=subject if bsn is None else None)
    except ValueError as exc:
        fail(f"--bsn: {exc}", code=EXIT_REJECTED)
    except VaultBusy as exc:
        fail(f"{exc}; a person cannot be looked up now, try again in a moment")


def _looked_up(person: Any, by: str | None, *, operation: str, detail: str) -> None:
    from datetime import UTC, datetime

    from meedoen.audits.services import audit_person_looked_up

    actor = cli_actor(by)
    run_service(
        lambda: audit_person_looked_up(
            trace=cli_trace(),
            actor=actor,
            channel="cli",
            client="",
            pseudonyms=person.pseudonyms,
            operation=operation,
            started=datetime.now(UTC),
            detail=detail,
        )
    )


@audit_app.command("list")
def audit_list(
    subject: SubjectOption = None,
    bsn: BsnOption = None,
    trace: Annotated[str | None, typer.Option(help="A trace id.")] = None,
    activity: Annotated[int | None, typer.Option(help="A processing activity id.")] = None,
    limit: Annotated[int, typer.Option(help="Newest records shown at most.", min=1)] = 200,
    by: ByOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """The newest processing records, with who acted (joined by trace id). A lookup of a
    person (--subject, --bsn) is itself logged (audit.person_lookup)."""
    if bsn is not None and subject is not None:
        fail("give --subject or --bsn, not both", code=EXIT_REJECTED)
    workspace_django(home)
    from meedoen.audits.selectors import VaultBusy, audit_records
    from meedoen.audits.services import AUDIT_PERSON_LOOKUP, activity_uri

    person = _person(bsn, subject) if bsn is not None or subject is not None else None
    if person is not None:
        _looked_up(person, by, operation=AUDIT_PERSON_LOOKUP, detail="audit list")
    try:
        rows = audit_records(
            data_subject_id=subject if person is None else None,
            person=person,
            trace_id=trace,
            activity=activity_uri(activity) if activity is not None else None,
            limit=limit,
        )
    except VaultBusy as exc:
        fail(f"{exc}; records about many persons cannot be searched now, try again in a moment")
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
            f"{r['data_subject_id_type']}:"
            + (f"set of {r['subject_count']:,}" if r["subject_set_id"] else r["data_subject_id"]),
            r["status"],
            f"{r['user_name']} ({r['channel']})",
        )
    console.print(table)


@audit_app.command("export")
def audit_export(
    subject: SubjectOption = None,
    bsn: BsnOption = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Write the JSON here (0600, never overwritten); default: stdout."),
    ] = None,
    by: ByOption = None,
    home: HomeOption = None,
) -> None:
    """Every processing record about one person, oldest first, in the shape of the Logboek
    Dataverwerkingen standard: one record per data subject (for an access request under AVG
    art. 15). Records about sets of many persons name the person by their own pseudonym. The
    export is itself logged (audit.person_export)."""
    if (bsn is None) == (subject is None):
        fail("give --subject or --bsn (one of them)", code=EXIT_REJECTED)
    if out is not None and out.exists():
        fail(f"{out} exists: choose a new file", code=EXIT_REJECTED)
    workspace_django(home)
    from meedoen.audits.selectors import VaultBusy, audit_person_document
    from meedoen.audits.services import AUDIT_PERSON_EXPORT

    person = _person(bsn, subject)
    if person is None:
        fail("--subject: this pseudonym names no person the vault knows", code=EXIT_REJECTED)
    _looked_up(person, by, operation=AUDIT_PERSON_EXPORT, detail="audit export")
    try:
        document = audit_person_document(person=person)
    except VaultBusy as exc:
        fail(f"{exc}; a person cannot be looked up now, try again in a moment")
    records = document["records"]
    text = json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"
    if out is None:
        sys.stdout.write(text)
        return
    descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    err_console.print(f"{len(records)} records about this person written to {out}")


@retention_app.command("run")
def retention_run(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Delete everything derived under activities that expired, were revoked or refused, and
    early-warning signals past their retention without a follow-up.

    Schedule it daily (cron or a systemd timer, see docs/admin/workspace.md); safe to rerun."""
    workspace_django(home)
    from meedoen.activities.enforcement import retention_run as run
    from meedoen.earlysignals.retention import signals_retention_run

    trace = cli_trace()
    purges = run_service(lambda: run(trace=trace))
    signals = run_service(lambda: signals_retention_run(trace=trace))
    if as_json:
        emit_json(
            {
                "activities": [vars(p) for p in purges],
                "signals": {
                    "before": signals.before.isoformat(),
                    "deleted": signals.signals,
                    "kept": signals.kept,
                    "persons": len(signals.persons),
                    "by_month": [
                        {"month": m, "partner": p, "signals": n}
                        for (m, p), n in sorted(signals.by_month.items())
                    ],
                    "linkage_rows": signals.linkage_rows,
                    "stores": {str(a): n for a, n in sorted(signals.stores.items())},
                    "busy_stores": signals.busy,
                },
            }
        )
        return
    if not purges:
        console.print("Nothing to delete: every stored activity is approved and current.")
    for p in purges:
        console.print(f"Activity {p.activity_id} ({p.reason}): {p.summary}")
    console.print(
        f"Early signals dated before {signals.before}: {signals.signals:,} without follow-up "
        f"deleted everywhere, {signals.kept:,} kept with a follow-up or an outreach in progress."
    )
    if signals.busy:
        console.print(f"Stores in use, left for the next run: {', '.join(map(str, signals.busy))}.")
