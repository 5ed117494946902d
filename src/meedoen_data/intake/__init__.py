"""The intake gate: validate, quarantine, pseudonymise, keep identifiers in the identity vault.

Public surface: :func:`ingest_directory`, :func:`ingest_history`, :func:`quarantine_list`,
:func:`quarantine_show`, the report dataclasses and :class:`IntakeLimits`. See docs/intake.md for
what happens to identifiers and how large a delivery may be.
"""

from __future__ import annotations

import json
import logging
import secrets
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import duckdb

from meedoen_data.contract import CONTRACT_VERSION, SPECS, Table, partner_spec
from meedoen_data.intake import store
from meedoen_data.intake.limits import (
    ENV_VARS,
    NATIONAL,
    FileSize,
    IntakeLimits,
    LimitError,
    check_file,
    check_upload,
    file_size,
    parse_size,
    rows_over,
    size_text,
)
from meedoen_data.intake.person_index import SOURCE as PERSON_INDEX_SOURCE
from meedoen_data.intake.person_index import person_index_build, person_index_drop
from meedoen_data.intake.pseudonyms import ADDRESS_DOMAIN, domain_key, hmac_pads, hmac_sql
from meedoen_data.intake.reader import (
    Delivery,
    StructuralError,
    drop_rows,
    load_rows,
    recognise,
)
from meedoen_data.intake.schedule import Schedule, order
from meedoen_data.intake.sql import ident
from meedoen_data.intake.validate import install_macros, typed_columns, validate
from meedoen_data.workspace import Workspace

__all__ = [
    "DEFAULT_MAX_REJECT_SHARE",
    "NATIONAL",
    "FileResult",
    "IngestReport",
    "IntakeLimits",
    "LimitError",
    "ingest_directory",
    "ingest_history",
    "ingest_partner_file",
    "quarantine_list",
    "quarantine_show",
]

log = logging.getLogger(__name__)
DEFAULT_MAX_REJECT_SHARE = 0.05
ERROR_SAMPLE = 20
Progress = Callable[[str, str, int, int], None]


@dataclass
class FileResult:
    file: str
    table: str
    status: str  # loaded, rejected, unchanged
    message: str
    batch_id: str = ""
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class IngestReport:
    files: list[FileResult]
    recovered: list[str]

    @property
    def rejected(self) -> bool:
        return any(f.status == "rejected" for f in self.files)


def vault_path(workspace: Workspace) -> Path:
    return workspace.vault_dir / "vault.duckdb"


@contextmanager
def _connect(
    home: Path,
    limits: IntakeLimits | None = None,
    *,
    person_index: Literal["keep", "rebuild"] = "keep",
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The intake's connection: the analytics store and the vault attached for writing.
    ``person_index`` (the vault's index of persons by pseudonym, :mod:`.person_index`):
    ``keep`` for work that leaves the BRP's register of persons alone; ``rebuild`` for work that
    may change it: drop the index first, build it again after a run that raised nothing."""
    workspace = Workspace(home)
    workspace.manifest()
    scratch = workspace.vault_dir / "tmp"  # spilled rows hold identifiers: inside the vault
    scratch.mkdir(mode=0o700, exist_ok=True)
    con = duckdb.connect(config={"temp_directory": str(scratch), "preserve_insertion_order": True})
    (limits or IntakeLimits()).configure(con)  # working memory and bounded spill space
    try:
        con.execute("ATTACH ? AS analytics", [str(workspace.analytics_path)])
        con.execute("ATTACH ? AS vault", [str(vault_path(workspace))])
        vault_path(workspace).chmod(0o600)
        # Write what the logs of a killed run replay into the files before anything reads them:
        # DuckDB 2.0 can replay a large committed insert so that its rows are counted but not
        # scanned (nor deleted) until a checkpoint, and recovery would miss them
        # (tests/intake/test_atomic.py). Nothing to do after a clean close.
        con.execute("CHECKPOINT analytics")
        con.execute("CHECKPOINT vault")
        store.ensure_schemas(con)
        install_macros(con)
        if person_index != "keep":
            person_index_drop(con)
        yield con
        if person_index == "rebuild":
            person_index_build(con)
    finally:
        con.close()


@contextmanager
def _cursor(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection of its own to the intake's databases, for one worker: its own temporary
    tables and transactions; the attached stores, the settings and the memos are shared."""
    cursor = con.cursor()
    try:
        install_macros(cursor)
        yield cursor
    finally:
        cursor.close()


def ingest_directory(
    *,
    home: Path,
    directory: Path,
    user: str,
    max_reject_share: float = DEFAULT_MAX_REJECT_SHARE,
    progress: Progress | None = None,
    memory_limit: str | None = None,
    limits: IntakeLimits | None = None,
) -> IngestReport:
    """Validate and load every ``.csv``/``.parquet`` file in ``directory`` (one upload).

    ``limits`` (default: :meth:`IntakeLimits.from_env`) bound rows and bytes per file and per
    upload; they are checked before any data is read (a Parquet file's metadata, a CSV file's
    size and line breaks). A file over a per-file limit is rejected; an upload over a
    per-upload limit is refused as a whole: every file is reported rejected, nothing loads."""
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory} is not a folder")
    limits = _limits(limits, memory_limit)
    files = sorted(
        p for p in directory.iterdir() if p.is_file() and p.suffix.lower() in {".csv", ".parquet"}
    )
    sizes, refused = _sizes(files, limits)
    try:
        check_upload({p.name: sizes[p] for p in files if p not in refused}, limits)
    except LimitError as exc:
        refused = dict.fromkeys(files, str(exc))
    workspace = Workspace(home)
    domains = {p: _domains(SPECS[p.stem.lower()]) for p in files if p.stem.lower() in SPECS}
    schedule = Schedule(files, domains)
    brp = any(p.stem.lower() == PERSON_INDEX_SOURCE[0] for p in files)
    with (
        _connect(home, limits, person_index="rebuild" if brp else "keep") as con,
        tempfile.TemporaryDirectory(dir=workspace.vault_dir) as tmp,
    ):
        recovered = store.recover(con)

        def work(path: Path) -> FileResult:
            def step(stage: str, name: str = path.name) -> None:
                if progress is not None:
                    progress(name, stage, schedule.done, len(files))

            with schedule.table(path), _cursor(con) as cursor:
                try:
                    if path in refused:
                        return _refuse(cursor, path, refused[path], user)
                    return _ingest_file(
                        cursor,
                        workspace,
                        path,
                        user,
                        max_reject_share,
                        Path(tmp),
                        step,
                        limits,
                        schedule=schedule,
                    )
                finally:
                    for domain in schedule.finished(path):
                        cursor.execute(f"DROP TABLE IF EXISTS {_memo(domain)}")
                    step("done")

        workers = min(limits.parallel_files, max(len(files), 1))
        plan = order(files, {p: sizes[p].bytes for p in sizes}, workers)
        with ThreadPoolExecutor(workers, thread_name_prefix="intake") as pool:
            running = {path: pool.submit(work, path) for path in plan}
            results = [running[path].result() for path in files]
    return IngestReport(results, recovered)


def _limits(limits: IntakeLimits | None, memory_limit: str | None) -> IntakeLimits:
    chosen = limits if limits is not None else IntakeLimits.from_env()
    if memory_limit:
        chosen = replace(chosen, memory=parse_size(memory_limit))
    return chosen


def _sizes(files: list[Path], limits: IntakeLimits) -> tuple[dict[Path, FileSize], dict[Path, str]]:
    """Rows and bytes of every file from its metadata, and the files over a per-file limit."""
    sizes: dict[Path, FileSize] = {}
    refused: dict[Path, str] = {}
    for path in files:
        try:
            sizes[path] = file_size(path, max_bytes=limits.file_bytes)
            check_file(path.name, sizes[path], limits)
        except LimitError as exc:
            refused[path] = str(exc)
        except duckdb.Error:
            # Not a readable Parquet file: the gate rejects it with its reason when it reads it.
            sizes[path] = FileSize(None, path.stat().st_size, "on disk")
    return sizes, refused


def _refuse(con: duckdb.DuckDBPyConnection, path: Path, message: str, user: str) -> FileResult:
    """A file refused before reading (over a limit): recorded in the vault, nothing loaded."""
    batch_id = f"B{datetime.now(UTC):%Y%m%d%H%M%S}{secrets.token_hex(3)}"
    table = path.stem.lower() if path.stem.lower() in SPECS else ""
    _record_rejection(con, batch_id, path.name, "", table, message, 0, 0, user)
    return FileResult(path.name, table, "rejected", message, batch_id)


def ingest_partner_file(
    *,
    home: Path,
    path: Path,
    source: str,
    user: str,
    max_reject_share: float = DEFAULT_MAX_REJECT_SHARE,
    progress: Progress | None = None,
    limits: IntakeLimits | None = None,
) -> IngestReport:
    """Validate and load one partner file as partner source ``source`` (whatever its name),
    within ``limits`` (default :meth:`IntakeLimits.from_env`)."""
    if not path.is_file():
        raise FileNotFoundError(f"{path} is not a file")
    limits = _limits(limits, None)
    sizes, refused = _sizes([path], limits)
    if path not in refused:
        try:
            check_upload({path.name: sizes[path]}, limits)
        except LimitError as exc:
            refused[path] = str(exc)
    workspace = Workspace(home)
    with (
        _connect(home, limits) as con,  # a partner file: the BRP's persons stay as they are
        tempfile.TemporaryDirectory(dir=workspace.vault_dir) as tmp,
    ):
        recovered = store.recover(con)

        def step(stage: str) -> None:
            if progress is not None:
                progress(path.name, stage, 0, 1)

        if path in refused:
            result = _refuse(con, path, refused[path], user)
        else:
            result = _ingest_file(
                con,
                workspace,
                path,
                user,
                max_reject_share,
                Path(tmp),
                step,
                limits,
                source,
                schedule=Schedule([path], {}),
            )
    return IngestReport([result], recovered)


def _ingest_file(
    con: duckdb.DuckDBPyConnection,
    workspace: Workspace,
    path: Path,
    user: str,
    max_share: float,
    scratch: Path,
    step: Callable[[str], None],
    limits: IntakeLimits,
    partner: str | None = None,
    *,
    schedule: Schedule,
) -> FileResult:
    started = datetime.now(UTC).replace(tzinfo=None)
    batch_id = f"B{started:%Y%m%d%H%M%S}{secrets.token_hex(3)}"
    step("reading")
    try:
        delivery = recognise(path, partner)
    except StructuralError as exc:
        _record_rejection(con, batch_id, path.name, "", "", str(exc), 0, 0, user)
        return FileResult(path.name, "", "rejected", str(exc), batch_id)
    spec = delivery.spec
    earlier = con.execute(
        "SELECT batch_id, finished_at FROM analytics.meta.batch WHERE file_sha256 = ? "
        "AND table_name = ?",
        [delivery.sha256, spec.name],
    ).fetchone()
    if earlier:
        return FileResult(
            path.name,
            spec.name,
            "unchanged",
            f"{path.name}: already loaded in batch {earlier[0]} on "
            f"{earlier[1]:%Y-%m-%d %H:%M}; nothing changed",
            str(earlier[0]),
        )
    try:
        rows = load_rows(con, delivery, scratch, typed_columns(spec), max_rows=limits.file_rows)
        if rows > limits.file_rows:
            raise rows_over(path.name, limits.file_rows, "per file", ENV_VARS["file_rows"])
    except (StructuralError, LimitError) as exc:
        drop_rows(con)
        _record_rejection(
            con, batch_id, path.name, delivery.sha256, spec.name, str(exc), 0, 0, user
        )
        return FileResult(path.name, spec.name, "rejected", str(exc), batch_id)
    except duckdb.OutOfMemoryException:
        return _out_of_memory(con, batch_id, delivery, limits, user)
    try:
        return _check_and_load(
            con, workspace, delivery, batch_id, rows, user, max_share, step, started, schedule
        )
    except duckdb.OutOfMemoryException:
        return _out_of_memory(con, batch_id, delivery, limits, user)


def _out_of_memory(
    con: duckdb.DuckDBPyConnection,
    batch_id: str,
    delivery: Delivery,
    limits: IntakeLimits,
    user: str,
) -> FileResult:
    """DuckDB ran out of working memory and spill space: undo, record, tell how to raise them."""
    with suppress(duckdb.Error):  # no transaction was open
        con.execute("ROLLBACK")
    store.recover(con, batch_id)  # it reached the vault but not the analytics store
    drop_rows(con)
    for table in ("errors", "accepted"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    name = delivery.path.name
    message = (
        f"{name}: the intake ran out of working memory ({size_text(limits.memory)}) and "
        f"spill space ({size_text(limits.temp_space)} in the vault's tmp folder); nothing was "
        f"loaded. Raise {ENV_VARS['memory']} or {ENV_VARS['temp_space']} "
        "(docs/admin/configuration.md)"
    )
    _record_rejection(con, batch_id, name, delivery.sha256, delivery.spec.name, message, 0, 0, user)
    return FileResult(name, delivery.spec.name, "rejected", message, batch_id)


def _check_and_load(
    con: duckdb.DuckDBPyConnection,
    workspace: Workspace,
    delivery: Delivery,
    batch_id: str,
    rows: int,
    user: str,
    max_share: float,
    step: Callable[[str], None],
    started: datetime,
    schedule: Schedule,
) -> FileResult:
    path, spec = delivery.path, delivery.spec
    step("validating")
    validate(con, spec, before_scan=lambda: schedule.names_known(path))
    bad = _scalar(con, "SELECT count(DISTINCT _row) FROM errors")
    sample = [
        {"row": r, "column": c, "reason": reason}
        for r, c, reason in con.execute(
            f"SELECT * FROM errors ORDER BY 1, 2 LIMIT {ERROR_SAMPLE}"
        ).fetchall()
    ]
    if rows == 0:
        message = f"{path.name}: no rows"
        _record_rejection(con, batch_id, path.name, delivery.sha256, spec.name, message, 0, 0, user)
        return FileResult(path.name, spec.name, "rejected", message, batch_id)
    if bad / rows > max_share:
        message = (
            f"{path.name}: {bad} of {rows} rows ({bad / rows:.1%}) fail the checks, more "
            f"than the {max_share:.0%} allowed; the whole file is rejected and its failing "
            "rows are in quarantine"
        )
        con.execute("BEGIN")
        _quarantine(con, batch_id, path.name, spec)
        _record_rejection(
            con,
            batch_id,
            path.name,
            delivery.sha256,
            spec.name,
            message,
            rows,
            bad,
            user,
            transaction=False,
        )
        con.execute("COMMIT")
        return FileResult(path.name, spec.name, "rejected", message, batch_id, rows, 0, bad, sample)
    step("pseudonymising")
    _pseudonymise(con, workspace, spec, schedule, path)
    step("writing")
    loaded = _commit(con, spec, delivery, batch_id, rows, bad, user, started, schedule)
    message = f"{path.name}: {loaded} rows loaded into {spec.name}"
    if bad:
        message += f", {bad} rows quarantined"
    log.info("%s (batch %s)", message, batch_id)
    return FileResult(path.name, spec.name, "loaded", message, batch_id, rows, loaded, bad, sample)


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> int:
    row = con.execute(sql, params or []).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _pseudonymise(
    con: duckdb.DuckDBPyConnection,
    workspace: Workspace,
    spec: Table,
    schedule: Schedule,
    path: Path,
) -> None:
    """Table ``accepted``: the valid rows (row number and typed values) with ``p_<column>``
    pseudonyms for person and address columns and record numbers.

    Every distinct value is hashed once per ingest and domain: its pseudonym goes into a memo
    (table ``pseudonyms_<domain>`` in the intake's in-memory database, which lives as long as
    the ingest, spilling into the vault's tmp folder) that the next file of the same domain
    joins, so a BSN that five BRP files carry is hashed once, not five times. Workers add to a
    memo one at a time (:meth:`Schedule.memo`)."""
    valid = "_row NOT IN (SELECT _row FROM errors)"
    uses = _pseudonym_uses(spec)
    schedule.uses(path, {d for _, d, _ in uses})
    for domain in sorted({d for _, d, _ in uses}):
        memo = _memo(domain)
        ipad, opad = hmac_pads(domain_key(workspace.keys, domain))
        values = " UNION ".join(
            f"SELECT {ident('t_' + name)} FROM typed WHERE {ident('t_' + name)} IS NOT NULL "
            f"AND {condition} AND {valid}"
            for name, d, condition in uses
            if d == domain
        )
        with schedule.memo(domain):
            con.execute(f"CREATE TABLE IF NOT EXISTS {memo} (value VARCHAR, pseudonym VARCHAR)")
            con.execute(
                f"INSERT INTO {memo} SELECT value, {hmac_sql('value', '$ipad', '$opad')} FROM "
                f"(({values}) EXCEPT (SELECT value FROM {memo})) AS new(value)",
                {"ipad": ipad, "opad": opad},
            )
    joins, pseudonyms = [], []
    for number, (name, domain, condition) in enumerate(uses):
        joins.append(
            f"LEFT JOIN {_memo(domain)} m{number} ON m{number}.value = {ident('t_' + name)} "
            f"AND {condition}"
        )
    for name in dict.fromkeys(name for name, _, _ in uses):
        found = [f"m{n}.pseudonym" for n, (other, _, _) in enumerate(uses) if other == name]
        pseudonyms.append(f"coalesce({', '.join(found)}) AS {ident('p_' + name)}")
    typed = ", ".join(f"typed.{ident('t_' + c.name)}" for c in spec.columns)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE accepted AS SELECT typed._row, "
        f"{', '.join([typed, *pseudonyms])} FROM typed {' '.join(joins)} "
        f"WHERE typed.{valid} ORDER BY typed._row"
    )


def _pseudonym_uses(spec: Table) -> list[tuple[str, str, str]]:
    """(column, domain, which rows use that domain) of every pseudonymised column."""
    uses: list[tuple[str, str, str]] = []
    for column in spec.columns:
        if column.role == "person" and spec.domain == "by_wet":
            uses.append((column.name, "wmo", "t_wet = 'WMO'"))
            uses.append((column.name, "jeugd", "t_wet IS DISTINCT FROM 'WMO'"))
        elif column.role == "person" or (column.name, "record_pseudonym") in spec.derived:
            uses.append((column.name, spec.domain, "true"))
        elif column.role == "address":
            uses.append((column.name, ADDRESS_DOMAIN, "true"))
    return uses


def _domains(spec: Table) -> set[str]:
    """The pseudonym domains (memos) a table's files use."""
    return {domain for _, domain, _ in _pseudonym_uses(spec)}


def _memo(domain: str) -> str:
    """The memo of a domain: a table of the intake's in-memory database, seen by every worker."""
    return "memory.main." + ident("pseudonyms_" + domain.replace("-", "_"))


def _commit(
    con: duckdb.DuckDBPyConnection,
    spec: Table,
    delivery: Delivery,
    batch_id: str,
    rows: int,
    bad: int,
    user: str,
    started: datetime,
    schedule: Schedule,
) -> int:
    name = ident(spec.name)
    vault_cols = ", ".join(f"{expr} AS {ident(col)}" for col, expr in store.vault_columns(spec))
    analytics_cols = ", ".join(
        f"{expr} AS {ident(col)}" for col, expr in store.analytics_columns(spec)
    )
    # 1. The vault: identifiers, quarantine and a pending batch record.
    con.execute("BEGIN")
    con.execute(
        f"CREATE TABLE IF NOT EXISTS vault.identity.{name} AS SELECT {vault_cols}, "
        "''::VARCHAR AS batch_id FROM accepted WHERE false"
    )
    con.execute(
        f"INSERT INTO vault.identity.{name} BY NAME SELECT {vault_cols}, "
        "? AS batch_id FROM accepted",
        [batch_id],
    )
    _quarantine(con, batch_id, delivery.path.name, spec)
    con.execute(
        "INSERT INTO vault.intake.batch VALUES (?, ?, 'pending', ?)", [batch_id, spec.name, started]
    )
    con.execute("COMMIT")
    # 2. The analytics store: the commit point.
    loaded = _scalar(con, "SELECT count(*) FROM accepted")
    outgoing = f"SELECT {analytics_cols}, ?::VARCHAR AS batch_id FROM accepted"
    con.execute("BEGIN")
    target = f"analytics.source.{name}"
    if spec.load_mode == "replace":
        con.execute(f"CREATE OR REPLACE TABLE {target} AS {outgoing}", [batch_id])
    else:
        con.execute(f"CREATE TABLE IF NOT EXISTS {target} AS {outgoing} WHERE false", [batch_id])
        key = store.analytics_key(spec)
        on = " AND ".join(f"t.{ident(k)} IS NOT DISTINCT FROM o.{ident(k)}" for k in key)
        con.execute(f"DELETE FROM {target} t USING ({outgoing}) o WHERE {on}", [batch_id])
        con.execute(f"INSERT INTO {target} BY NAME {outgoing}", [batch_id])
    con.execute(
        "INSERT INTO analytics.meta.batch VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            batch_id,
            delivery.path.name,
            delivery.sha256,
            spec.name,
            CONTRACT_VERSION,
            spec.load_mode,
            rows,
            loaded,
            bad,
            user,
            started,
            datetime.now(UTC).replace(tzinfo=None),
        ],
    )
    con.execute("COMMIT")
    # 3. Tidy the vault (safe to redo: recover() finishes it after a crash). One worker at a
    # time: DuckDB refuses concurrent updates of neighbouring rows of the batch list.
    with schedule.finishing:
        store.finish(con, batch_id, spec.name, replace=spec.load_mode == "replace")
    return loaded


def _quarantine(con: duckdb.DuckDBPyConnection, batch_id: str, file: str, spec: Table) -> None:
    """Every failing (row, column, reason), with the row's text values as the file had them."""
    text = ", ".join(["_row", *(ident(c.name) for c in spec.columns)])
    con.execute(
        "INSERT INTO vault.intake.quarantine SELECT ?, ?, ?, e._row, e.column_name, e.reason, "
        f"to_json(r)::VARCHAR FROM errors e JOIN (SELECT {text} FROM typed) r "
        "ON r._row = e._row",
        [batch_id, file, spec.name],
    )


def _record_rejection(
    con: duckdb.DuckDBPyConnection,
    batch_id: str,
    file: str,
    sha: str,
    table: str,
    reason: str,
    rows: int,
    bad: int,
    user: str,
    *,
    transaction: bool = True,
) -> None:
    if transaction:
        con.execute("BEGIN")
    con.execute(
        "INSERT INTO vault.intake.rejection VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            batch_id,
            file,
            sha,
            table,
            reason,
            rows,
            bad,
            user,
            datetime.now(UTC).replace(tzinfo=None),
        ],
    )
    if transaction:
        con.execute("COMMIT")
    log.info("%s (batch %s)", reason, batch_id)


def ingest_history(*, home: Path) -> list[dict[str, Any]]:
    """Every batch: loaded ones from the analytics lineage, rejected ones from the vault."""
    with _connect(home) as con:
        rows = con.execute(
            """
            SELECT batch_id, file_name, file_sha256, table_name, 'loaded' AS status,
                   contract_version, rows_read, rows_loaded, rows_quarantined, user_name,
                   finished_at AS at_time, '' AS reason
            FROM analytics.meta.batch
            UNION ALL
            SELECT batch_id, file_name, file_sha256, table_name, 'rejected', ?, rows_read, 0,
                   rows_quarantined, user_name, rejected_at, reason
            FROM vault.intake.rejection
            ORDER BY at_time, batch_id
            """,
            [CONTRACT_VERSION],
        )
        columns = [d[0] for d in rows.description]
        return [dict(zip(columns, r, strict=True)) for r in rows.fetchall()]


def quarantine_list(*, home: Path) -> list[dict[str, Any]]:
    with _connect(home) as con:
        rows = con.execute(
            """SELECT batch_id, any_value(file_name) AS file_name,
                      any_value(table_name) AS table_name, count(DISTINCT row_number) AS rows,
                      count(*) AS problems
               FROM vault.intake.quarantine GROUP BY batch_id ORDER BY batch_id"""
        )
        columns = [d[0] for d in rows.description]
        return [dict(zip(columns, r, strict=True)) for r in rows.fetchall()]


def quarantine_show(*, home: Path, batch_id: str) -> list[dict[str, Any]]:
    """The quarantined rows of a batch, with the raw values (identifiers: vault access)."""
    with _connect(home) as con:
        rows = con.execute(
            """SELECT row_number, column_name, reason, raw_row FROM vault.intake.quarantine
               WHERE batch_id = ? ORDER BY row_number, column_name""",
            [batch_id],
        )
        columns = [d[0] for d in rows.description]
        return [dict(zip(columns, r, strict=True)) for r in rows.fetchall()]


def _subject_type(spec: Table, wet: object = None) -> str:
    if spec.domain == "by_wet":
        return "pseudonym-wmo" if wet == "WMO" else "pseudonym-jeugd"
    return f"pseudonym-{spec.domain}"


def quarantine_subjects(*, home: Path, batch_id: str) -> dict[str, list[str]]:
    """Whom the quarantined rows of a batch are about, for the audit log of ``quarantine
    show``: the domain pseudonym of a row's BSN when it is valid, else ``BATCH:ROW``."""
    from meedoen_data.bsn import bsn_is_valid
    from meedoen_data.intake.pseudonyms import pseudonym

    workspace = Workspace(home)
    with _connect(home) as con:
        rows = con.execute(
            "SELECT DISTINCT table_name, row_number, raw_row FROM vault.intake.quarantine "
            "WHERE batch_id = ? ORDER BY row_number",
            [batch_id],
        ).fetchall()
    out: dict[str, set[str]] = {}
    for table, row_number, raw_row in rows:
        spec = SPECS.get(str(table)) or partner_spec(str(table))
        values = json.loads(raw_row) if raw_row else {}
        bsn = str(values.get("burgerservicenummer") or "").strip().zfill(9)
        if spec.domain and bsn_is_valid(bsn):
            kind = _subject_type(spec, values.get("wet"))
            key = domain_key(workspace.keys, kind.removeprefix("pseudonym-"))
            out.setdefault(kind, set()).add(pseudonym(key, bsn))
        else:
            out.setdefault("quarantined-row", set()).add(f"{batch_id}:{row_number}")
    return {kind: sorted(values) for kind, values in out.items()}
