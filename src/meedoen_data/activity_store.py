"""Activity stores: the only place where data of several source domains meet.

The analytics store keeps every domain under its own pseudonyms, so its tables cannot be joined
across domains. An approved processing activity gets its own DuckDB file,
``HOME/activities/activity-ID.duckdb``, holding copies of the source tables of its approved
domains — only the columns the privacy officer approved, coarsened unless finer detail was
approved (:mod:`meedoen_data.categories`: no birth month, years of moves and deaths, months of
other events) — in which every person, address and record pseudonym is replaced by one made with
the activity's own key (``HOME/keys/activity-ID.key``):

- a person: HMAC-SHA256(activity key, BSN), the value ``meedoen pseudonym --activity`` prints;
- an address: HMAC-SHA256(activity key, ``"bag:" + BAG id``);
- a partner record: HMAC-SHA256(activity key, ``"DOMAIN:" + record number``);
- a source's own record number (``toewijzingnummer``, ``signaalid``, ``respondent_id``):
  HMAC-SHA256(activity key, ``"TABLE:" + number``), under the number's column name.

Within one activity a person has one pseudonym in all its domains; between two activities no
pseudonym is shared, so outputs of different activities cannot be joined. Everything derived
under an activity (households, links) goes into its file; :func:`store_delete` removes the file
and destroys the key, after which nothing made under the activity can be recomputed.

Tables without person data (addresses of the BAG, the anonymous residents' panel) are copied
into every store.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from meedoen_data.activity_subjects import subject_map_files, subject_map_path, subject_map_write
from meedoen_data.bsn import bsn_is_valid
from meedoen_data.categories import (
    COARSE_SQL,
    StoreColumn,
    categories_default,
    categories_with_table,
    store_columns,
)
from meedoen_data.contract import SPECS, Table, partner_spec
from meedoen_data.intake.pseudonyms import hmac_pads, hmac_sql, pseudonym
from meedoen_data.intake.sql import ident
from meedoen_data.keystore import KeyStoreError
from meedoen_data.sql_errors import NOT_SELECT, STATEMENTS, sql_problem
from meedoen_data.store_sql import (
    PERSON_COLUMNS,
    RECORD_COLUMNS,
    QueryGuard,
    QueryLimits,
    SqlRefused,
    capped_rows,
    memory_refusal,
    referenced_tables,
    tables_subjects,
)
from meedoen_data.workspace import Workspace, WorkspaceError

#: Rows shown at most by :func:`store_query` (:class:`meedoen_data.store_sql.QueryLimits`).
DEFAULT_MAX_ROWS = QueryLimits.max_rows

#: What a store holds of the same deliveries and approval; a new version rebuilds the stores
#: made before it (2: dates of events coarsened to months, of deaths to years).
STORE_VERSION = 2

Progress = Callable[[str, int, int], None]


class ActivityStoreError(Exception):
    """The activity's store or key is missing, or a query is not allowed."""


def activity_key_name(activity_id: int) -> str:
    return f"activity-{activity_id}"


def activities_dir(workspace: Workspace) -> Path:
    return workspace.home / "activities"


def store_path(workspace: Workspace, activity_id: int) -> Path:
    return activities_dir(workspace) / f"activity-{activity_id}.duckdb"


def linkage_path(workspace: Workspace, activity_id: int) -> Path:
    """The activity's linkage file in the identity zone (runs, links with BSNs, review
    decisions of ``meedoen link``); deleted with the activity."""
    return workspace.vault_dir / "linkage" / f"activity-{activity_id}.duckdb"


def table_domains(spec: Table) -> set[str]:
    """The source domains whose person data a table holds; empty for non-personal tables."""
    if spec.domain == "by_wet":
        return {"wmo", "jeugd"}
    return {spec.domain} if spec.domain else set()


def _spec(table: str) -> Table:
    return SPECS.get(table) or partner_spec(table)


@dataclass
class StoreReport:
    activity_id: int
    status: str  # "built" or "unchanged"
    tables: dict[str, int] = field(default_factory=dict)
    persons: int = 0


@dataclass
class DeletionReport:
    activity_id: int
    tables: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    key_destroyed: bool = False

    @property
    def summary(self) -> str:
        if not self.files and not self.key_destroyed:
            return f"nothing was stored under activity {self.activity_id}"
        parts = [f"{rows} rows of {name}" for name, rows in sorted(self.tables.items())]
        what = ", ".join(parts) if parts else "no tables"
        key = "; its key was destroyed" if self.key_destroyed else ""
        return f"deleted {what} ({len(self.files)} files){key}"


def activity_key_create(*, home: Path, activity_id: int) -> bool:
    """Create the activity's key (at approval). True when it was new."""
    return Workspace(home).keys.create(activity_key_name(activity_id))


def _activity_key(workspace: Workspace, activity_id: int) -> bytes:
    try:
        return workspace.keys.read(activity_key_name(activity_id))
    except KeyStoreError:
        raise ActivityStoreError(
            f"activity {activity_id} has no key: it was never approved, or it was revoked or "
            "expired and its data deleted"
        ) from None


def activity_pseudonyms(*, home: Path, activity_id: int, bsns: list[str]) -> list[str]:
    """The activity's person pseudonyms of valid BSNs (same order)."""
    workspace = Workspace(home)
    workspace.manifest()
    key = _activity_key(workspace, activity_id)
    for number, value in enumerate(bsns, start=1):
        if not bsn_is_valid(value):
            raise ActivityStoreError(f"line {number}: not a valid BSN (9 digits, 11-proef)")
    return [pseudonym(key, value) for value in bsns]


def _lineage(con: duckdb.DuckDBPyConnection) -> str:
    """A fingerprint of what the analytics store holds: its batches and key rotations."""
    rows = con.execute(
        "SELECT table_name, batch_id FROM analytics.meta.batch ORDER BY table_name, batch_id"
    ).fetchall()
    rotations = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'analytics' "
        "AND schema_name = 'meta' AND table_name = 'rotation'"
    ).fetchone()
    if rotations and rotations[0]:
        rows += con.execute(
            "SELECT domain, key_fingerprint FROM analytics.meta.rotation ORDER BY ALL"
        ).fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def _store_fingerprint(path: Path) -> str | None:
    if not path.exists():
        return None
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        if isinstance(exc, duckdb.ConnectionException) or "lock" in str(exc).lower():
            # Open for writing elsewhere (a build in this process or another one): never
            # rebuild a store that is in use.
            raise ActivityStoreError(
                f"the activity's tables are in use by another process (a build or refresh is "
                f"running?); try again when it has finished ({str(exc).splitlines()[0]})"
            ) from None
        return None  # unreadable: rebuilt from the analytics store
    try:
        row = con.execute("SELECT fingerprint FROM meta.store").fetchone()
        return str(row[0]) if row else None
    except duckdb.Error:
        return None
    finally:
        con.close()


@contextmanager
def _sources(workspace: Workspace) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory connection with the analytics store and the vault attached read-only."""
    workspace.manifest()
    vault = workspace.vault_dir / "vault.duckdb"
    if not workspace.analytics_path.exists() or not vault.exists():
        raise WorkspaceError(
            f"{workspace.home} holds no ingested data yet; run: meedoen ingest FOLDER"
        )
    config: dict[str, str | bool | int | float | list[str]] = {
        "temp_directory": str(workspace.vault_dir / "tmp")
    }
    # MEEDOEN_DUCKDB_MEMORY: DuckDB's memory limit while building an activity's store (and its
    # households); default DuckDB's own, 80% of RAM. Larger intermediate results spill.
    if limit := os.environ.get("MEEDOEN_DUCKDB_MEMORY", ""):
        config["memory_limit"] = limit
    con = duckdb.connect(config=config)
    try:
        con.execute("ATTACH ? AS analytics (READ_ONLY)", [str(workspace.analytics_path)])
        con.execute("ATTACH ? AS vault (READ_ONLY)", [str(vault)])
        yield con
    finally:
        con.close()


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = 'analytics' "
        "AND schema_name = 'source' AND table_name = ? ORDER BY column_index",
        [table],
    ).fetchall()
    return [str(r[0]) for r in rows]


def _rekeyed(spec: Table) -> list[tuple[str, str, str]]:
    """(analytics column, vault raw column, prefix of the raw value) of every pseudonym."""
    out = []
    for column in spec.columns:
        if column.role == "person":
            target = (
                "person_pseudonym"
                if column.name == "burgerservicenummer"
                else "related_person_pseudonym"
            )
            out.append((target, column.name, ""))
        elif column.role == "address":
            out.append(("address_pseudonym", column.name, "bag:"))
        elif (column.name, "record_pseudonym") in spec.derived:
            out.append(("record_pseudonym", column.name, f"{spec.domain}:"))
    return out


def exclusion_digest(key: bytes, excluded: Sequence[str]) -> str:
    """What a store records of the persons left out of it on objection: an HMAC under the
    activity's key of the sorted BSNs (never the BSNs, nor a plain hash of them, which anyone
    could reverse by trying every BSN); empty when nobody is left out, so the fingerprint of a
    store without exclusions is what it was before exclusions existed."""
    values = sorted(set(excluded))
    if not values:
        return ""
    return hmac.new(key, "\n".join(values).encode(), hashlib.sha256).hexdigest()


def _persons(spec: Table) -> set[str]:
    """The table's person columns (BSNs in the vault, person pseudonyms in the store)."""
    return {column.name for column in spec.columns if column.role == "person"}


def store_prepare(
    *,
    home: Path,
    activity_id: int,
    sources: list[str],
    columns: Sequence[str] = (),
    fine: Sequence[str] = (),
    excluded: Sequence[str] = (),
    progress: Progress | None = None,
) -> StoreReport:
    """Build (or bring up to date) the activity's store from the analytics store and the vault.

    The store holds the approved ``columns`` (``table.column``; empty: every column of the
    sources) of the sources' tables, coarsened unless named in ``fine``
    (:mod:`meedoen_data.categories`). Safe to run again: an up-to-date store is left alone
    (``status == "unchanged"``); a stale one is rebuilt into a new file that replaces the old
    one only when it is complete.

    ``sources`` are the domains the store may hold, as the caller allows them now (a domain the
    law binds to another task than the activity's is left out by the caller): tables of other
    domains are not copied, and when the store being replaced was built with a domain that is
    not among them, nothing derived in it (households, links) is carried over either.

    ``excluded``: BSNs of persons left out of the store (an upheld objection, AVG art. 21):
    no row of any table whose person column names one of them is copied, and the activity's
    subject map leaves them out. The exclusion enters the store's fingerprint and every person
    table's lineage (as :func:`exclusion_digest`), so a store that was up to date is rebuilt
    when someone is added and no table is reused from the store being replaced; derived
    results (households, links) are carried over only from a store made with the same
    exclusion, otherwise they must be derived again."""
    workspace = Workspace(home)
    key = _activity_key(workspace, activity_id)
    target = store_path(workspace, activity_id)
    wanted = set(sources)
    chosen = sorted(columns) or categories_default(wanted)
    detail = sorted(fine)
    approval = f"{STORE_VERSION}|{','.join(chosen)}|{','.join(detail)}"
    leave_out = sorted(set(excluded))
    exclusion = exclusion_digest(key, leave_out)
    with _sources(workspace) as con:
        fingerprint = hashlib.sha256(
            f"{_lineage(con)}|{','.join(sorted(wanted))}|{approval}"
            f"{f'|excluded:{exclusion}' if exclusion else ''}".encode()
        ).hexdigest()
        if _store_fingerprint(target) == fingerprint:
            if not subject_map_path(workspace, activity_id).exists():  # built before the map
                ipad, opad = hmac_pads(key)
                specs = [_spec(table) for table in _store_source_tables(target)]
                subject_map_write(
                    con,
                    workspace=workspace,
                    activity_id=activity_id,
                    tables=specs,
                    ipad=ipad,
                    opad=opad,
                    excluded=leave_out,
                )
            return StoreReport(activity_id, "unchanged", *_store_contents(target))
        tables = [
            str(r[0])
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = 'analytics' "
                "AND schema_name = 'source' ORDER BY table_name"
            ).fetchall()
        ]
        plan = []
        for table in tables:
            spec = _spec(table)
            domains = table_domains(spec)
            if domains and not (domains & wanted and categories_with_table(chosen, table)):
                continue
            plan.append((table, spec, domains & wanted))
        activities_dir(workspace).mkdir(mode=0o700, exist_ok=True)
        building = target.with_suffix(".building")
        for stale in (building, building.with_suffix(".building.wal")):
            stale.unlink(missing_ok=True)
        ipad, opad = hmac_pads(key)
        con.execute("ATTACH ? AS store", [str(building)])
        os.chmod(building, 0o600)
        con.execute("CREATE SCHEMA store.source")
        con.execute("CREATE SCHEMA store.meta")
        report = StoreReport(activity_id, "built")
        lineages = {
            # A table with persons also depends on who is left out of it: never reused from a
            # store that still holds a person objected since.
            table: _table_lineage(
                con,
                table,
                domains,
                f"{approval}|excluded:{exclusion}" if exclusion and _persons(spec) else approval,
            )
            for table, spec, domains in plan
        }
        reusable = _previous_tables(con, target)
        # Derived results made with a domain the new store may not hold, or with persons left
        # out of it since (households, links of an objector), are not carried over.
        carry = set(_previous_sources(con)) <= wanted and _previous_exclusion(con) == exclusion
        try:
            for number, (table, spec, domains) in enumerate(plan):
                if progress is not None:
                    progress(table, number, len(plan))
                if reusable.get(table) == lineages[table]:
                    # Same deliveries, keys and domains: the previous store's copy is current.
                    con.execute(
                        f"CREATE TABLE store.source.{ident(table)} AS "
                        f"SELECT * FROM previous.source.{ident(table)}"
                    )
                else:
                    _copy_table(con, table, spec, domains, ipad, opad, chosen, detail, leave_out)
            con.execute(
                "CREATE TABLE store.meta.store AS SELECT ?::BIGINT AS activity_id, "
                "?::VARCHAR[] AS sources, ?::VARCHAR AS fingerprint, ?::TIMESTAMPTZ AS built_at, "
                "?::VARCHAR AS exclusion",
                [activity_id, sorted(wanted), fingerprint, datetime.now(UTC), exclusion],
            )
            con.execute(
                "CREATE TABLE store.meta.store_table AS SELECT unnest(?::VARCHAR[]) AS table_name, "
                "unnest(?::VARCHAR[]) AS lineage",
                [list(lineages), list(lineages.values())],
            )
            if carry:
                _carry_over(con)
        finally:
            if _attached(con, "previous"):
                con.execute("DETACH previous")
        con.execute("DETACH store")
        # Whom the store is about, by the register's numbers, for the audit log (vault side).
        subject_map_write(
            con,
            workspace=workspace,
            activity_id=activity_id,
            tables=[spec for _, spec, _ in plan],
            ipad=ipad,
            opad=opad,
            excluded=leave_out,
        )
    os.replace(building, target)
    if progress is not None:
        progress("done", len(plan), len(plan))
    report.tables, report.persons = _store_contents(target)
    return report


#: Schemas of a store made from its sources; every other schema holds derived results.
SOURCE_SCHEMAS = ("source", "meta")


def _attached(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    rows = con.execute(
        "SELECT count(*) FROM duckdb_databases() WHERE database_name = ?", [name]
    ).fetchall()
    return bool(rows[0][0])


def _table_lineage(
    con: duckdb.DuckDBPyConnection, table: str, domains: set[str], approval: str
) -> str:
    """What a store's copy of ``table`` depends on: its batches, every key rotation, the
    domains of the activity it holds and the approved columns and detail."""
    rows: list[tuple[object, ...]] = con.execute(
        "SELECT batch_id FROM analytics.meta.batch WHERE table_name = ? ORDER BY 1", [table]
    ).fetchall()
    rotations = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'analytics' "
        "AND schema_name = 'meta' AND table_name = 'rotation'"
    ).fetchall()
    if rotations[0][0]:
        rows += con.execute(
            "SELECT domain, key_fingerprint FROM analytics.meta.rotation ORDER BY ALL"
        ).fetchall()
    return hashlib.sha256(repr((rows, sorted(domains), approval)).encode()).hexdigest()


def _previous_tables(con: duckdb.DuckDBPyConnection, previous: Path) -> dict[str, str]:
    """Attach the store being replaced as ``previous`` (when readable) and return the lineage
    of each of its source tables (empty for a store made before lineages were kept)."""
    if not previous.exists():
        return {}
    try:
        con.execute("ATTACH ? AS previous (READ_ONLY)", [str(previous)])
    except duckdb.Error:
        return {}  # unreadable: rebuilt from the sources
    try:
        rows = con.execute("SELECT table_name, lineage FROM previous.meta.store_table").fetchall()
    except duckdb.Error:
        return {}
    return {str(t): str(lineage) for t, lineage in rows}


def _previous_sources(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The domains the store being replaced (attached as ``previous``) was built with; none
    when there is no such store or it does not say."""
    if not _attached(con, "previous"):
        return []
    try:
        row = con.execute("SELECT sources FROM previous.meta.store").fetchone()
    except duckdb.Error:
        return []
    return [str(s) for s in row[0]] if row and row[0] else []


def _previous_exclusion(con: duckdb.DuckDBPyConnection) -> str:
    """The exclusion digest the store being replaced was built with (empty: nobody left out,
    or a store made before exclusions were recorded, which left nobody out)."""
    if not _attached(con, "previous"):
        return ""
    try:
        row = con.execute("SELECT exclusion FROM previous.meta.store").fetchone()
    except duckdb.Error:
        return ""
    return str(row[0]) if row and row[0] else ""


def store_exclusion_current(*, home: Path, activity_id: int, excluded: Sequence[str]) -> bool:
    """Whether the activity's store leaves out exactly the persons ``excluded`` (BSNs), as
    :func:`store_prepare` recorded it. Also true when there is no store or key, or the store
    cannot be read now (a build is running): then there is nothing to rebuild yet."""
    workspace = Workspace(home)
    path = store_path(workspace, activity_id)
    if not path.exists():
        return True
    try:
        key = _activity_key(workspace, activity_id)
        con = duckdb.connect(str(path), read_only=True)
    except (ActivityStoreError, duckdb.Error):
        return True
    try:
        row = con.execute("SELECT exclusion FROM meta.store").fetchone()
        stored = str(row[0]) if row and row[0] else ""
    except duckdb.Error:
        stored = ""  # built before exclusions were recorded: it left nobody out
    finally:
        con.close()
    return stored == exclusion_digest(key, excluded)


def store_sources(*, home: Path, activity_id: int) -> list[str] | None:
    """The domains the activity's store was built with (as :func:`store_prepare` recorded
    them); None when it has no store, or the store cannot be read now (open for writing by a
    build or refresh elsewhere)."""
    path = store_path(Workspace(home), activity_id)
    if not path.exists():
        return None
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None
    try:
        row = con.execute("SELECT sources FROM meta.store").fetchone()
        return [str(s) for s in row[0]] if row and row[0] is not None else []
    except duckdb.Error:
        return []
    finally:
        con.close()


def _carry_over(con: duckdb.DuckDBPyConnection) -> None:
    """Copy derived results (households, links) from the store being replaced (attached as
    ``previous``) into ``store``.

    They describe the deliveries at the time they were made (their run tables say when); a new
    build or linkage brings them up to date. Views are recreated from their definitions."""
    if not _attached(con, "previous"):
        return
    try:
        exclude = list(SOURCE_SCHEMAS)
        for schema, table in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = "
            "'previous' AND schema_name NOT IN (SELECT unnest(?)) ORDER BY ALL",
            [exclude],
        ).fetchall():
            target = f"{ident(str(schema))}.{ident(str(table))}"
            con.execute(f"CREATE SCHEMA IF NOT EXISTS store.{ident(str(schema))}")
            con.execute(f"CREATE TABLE store.{target} AS SELECT * FROM previous.{target}")
        views = con.execute(
            "SELECT sql FROM duckdb_views() WHERE database_name = 'previous' AND NOT internal "
            "AND schema_name NOT IN (SELECT unnest(?)) ORDER BY schema_name, view_name",
            [exclude],
        ).fetchall()
        con.execute("USE store")
        for (sql,) in views:
            con.execute(str(sql))
    finally:
        con.execute("USE memory")


def _copy_table(
    con: duckdb.DuckDBPyConnection,
    table: str,
    spec: Table,
    domains: set[str],
    ipad: bytes,
    opad: bytes,
    columns: Sequence[str],
    fine: Sequence[str],
    excluded: Sequence[str] = (),
) -> int:
    present = [c for c in _columns(con, table) if c != "batch_id"]
    if domains:
        chosen = store_columns(table=table, spec=spec, present=present, columns=columns, fine=fine)
    else:  # a table without person data (BAG addresses, the anonymous panel): all of it
        chosen = [StoreColumn(c, c) for c in present]
    joins, select = [], []
    rekeyed = {target: (raw, prefix) for target, raw, prefix in _rekeyed(spec)}
    for number, column in enumerate(chosen):
        source = column.source
        if column.coarse:
            value = COARSE_SQL[column.coarse].format(value=f"t.{ident(source)}")
            select.append(f"{value} AS {ident(column.name)}")
            continue
        if source in spec.record_numbers:
            # The source's record number becomes the activity's pseudonym of it: records of two
            # activities cannot be matched on it. (The prefix is the contract's table name.)
            value = f"'{table}:' || t.{ident(source)}"
            select.append(f"{hmac_sql(value, '$ipad', '$opad')} AS {ident(source)}")
            continue
        if source not in rekeyed:
            select.append(f"t.{ident(source)}")
            continue
        raw, prefix = rekeyed[source]
        alias = f"m{number}"
        value = f"'{prefix}' || {ident(raw)}" if prefix else ident(raw)
        # The vault maps each domain pseudonym back to its identifier; the activity key makes
        # the new pseudonym. (Literal prefixes come from the contract, never from input.)
        joins.append(
            f"LEFT JOIN (SELECT DISTINCT {ident(raw + '_pseudonym')} AS old, "
            f"{hmac_sql(value, '$ipad', '$opad')} AS new "
            f"FROM vault.identity.{ident(table)} WHERE {ident(raw)} IS NOT NULL) {alias} "
            f"ON t.{ident(source)} = {alias}.old"
        )
        select.append(f"{alias}.new AS {ident(source)}")
    conditions = []
    if spec.domain == "by_wet" and domains != {"wmo", "jeugd"}:
        conditions.append("t.wet = 'WMO'" if domains == {"wmo"} else "t.wet <> 'WMO'")
    params: dict[str, object] = {}
    if excluded:
        # Persons left out on objection: no row naming one of them in any person column. The
        # vault gives each row's identifiers beside their pseudonyms; the BSNs are bound.
        persons = _persons(spec)
        for target, raw, _prefix in _rekeyed(spec):
            if raw in persons and target in present:
                conditions.append(
                    f"NOT EXISTS (SELECT 1 FROM vault.identity.{ident(table)} x "
                    f"WHERE x.{ident(raw + '_pseudonym')} = t.{ident(target)} "
                    f"AND list_contains($excluded, CAST(x.{ident(raw)} AS VARCHAR)))"
                )
                params["excluded"] = list(excluded)
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    keyed = [c.name for c in chosen if c.source in rekeyed or c.source in spec.record_numbers]
    order = ", ".join(ident(c) for c in keyed) or "ALL"
    if bool(joins) or any(c.source in spec.record_numbers for c in chosen):
        params |= {"ipad": ipad, "opad": opad}
    con.execute(
        f"CREATE TABLE store.source.{ident(table)} AS SELECT {', '.join(select)} "
        f"FROM analytics.source.{ident(table)} t {' '.join(joins)} {where} ORDER BY {order}",
        params or None,
    )
    row = con.execute(f"SELECT count(*) FROM store.source.{ident(table)}").fetchone()
    return int(row[0]) if row else 0


def _store_source_tables(path: Path) -> list[str]:
    """The source tables of a built store (those copied from the analytics store)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return [t for s, t in _store_tables(con) if s == "source"]
    finally:
        con.close()


def _store_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    rows = con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name <> 'meta' "
        "AND database_name = current_database() ORDER BY ALL"
    ).fetchall()
    return [(str(s), str(t)) for s, t in rows]


def _store_contents(path: Path) -> tuple[dict[str, int], int]:
    """Rows per table (``schema.table`` unless schema ``source``) and distinct persons."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return _table_rows(con), _count_subjects(con)
    finally:
        con.close()


def _table_rows(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per table of a store (``schema.table`` unless schema ``source``)."""
    tables: dict[str, int] = {}
    for schema, table in _store_tables(con):
        row = con.execute(f"SELECT count(*) FROM {ident(schema)}.{ident(table)}").fetchone()
        tables[table if schema == "source" else f"{schema}.{table}"] = int(row[0]) if row else 0
    return tables


def _person_columns(
    con: duckdb.DuckDBPyConnection, names: Sequence[str] = PERSON_COLUMNS
) -> list[tuple[str, str, str]]:
    """(schema, table, column) of every column named one of ``names`` (default: the persons,
    as the SQL log counts them)."""
    rows = con.execute(
        "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name <> 'meta' "
        "AND column_name IN (SELECT unnest(?)) ORDER BY ALL",
        [list(names)],
    ).fetchall()
    return [(str(s), str(t), str(c)) for s, t, c in rows]


def _count_subjects(con: duckdb.DuckDBPyConnection) -> int:
    selects = [
        f"SELECT {ident(column)} AS s FROM {ident(schema)}.{ident(table)}"
        for schema, table, column in _person_columns(con)
    ]
    if not selects:
        return 0
    row = con.execute(f"SELECT count(DISTINCT s) FROM ({' UNION ALL '.join(selects)})").fetchone()
    return int(row[0]) if row else 0


def _subjects(
    con: duckdb.DuckDBPyConnection, names: Sequence[str] = PERSON_COLUMNS
) -> Iterator[str]:
    selects = [
        f"SELECT {ident(column)}::VARCHAR AS s FROM {ident(schema)}.{ident(table)}"
        for schema, table, column in _person_columns(con, names)
    ]
    if not selects:
        return
    result = con.execute(
        f"SELECT DISTINCT s FROM ({' UNION ALL '.join(selects)}) WHERE s IS NOT NULL ORDER BY s"
    )
    while batch := result.fetchmany(50_000):
        for (value,) in batch:
            yield str(value)


def store_subjects(*, home: Path, activity_id: int, records: bool = False) -> list[str]:
    """The distinct person pseudonyms in the activity's store (for the audit log); with
    ``records``, the pseudonyms of the partner records in it instead."""
    path = store_path(Workspace(home), activity_id)
    if not path.exists():
        return []
    con = duckdb.connect(str(path), read_only=True)
    try:
        return list(_subjects(con, RECORD_COLUMNS if records else PERSON_COLUMNS))
    finally:
        con.close()


def store_activity_ids(*, home: Path) -> list[int]:
    """Activities that have a store or a key in the workspace (for the retention job)."""
    workspace = Workspace(home)
    ids = set()
    folder = activities_dir(workspace)
    if folder.is_dir():
        for path in folder.glob("activity-*.duckdb"):
            suffix = path.stem.removeprefix("activity-")
            if suffix.isdigit():
                ids.add(int(suffix))
    for name in workspace.keys.names():
        suffix = name.removeprefix("activity-")
        if name.startswith("activity-") and suffix.isdigit():
            ids.add(int(suffix))
    return sorted(ids)


def _derived(workspace: Workspace, activity_id: int) -> list[tuple[Path, str]]:
    """Every file and folder derived under the activity that exists now, with the name a
    deletion report gives it: the store (and an unfinished build), the linkage's identifying
    tables, the subject maps of the audit log, Parquet handed to Spark by an interrupted build."""
    path = store_path(workspace, activity_id)
    linkage = linkage_path(workspace, activity_id)
    spark = path.with_suffix(".spark")
    found = [
        *((candidate, candidate.name) for candidate in (
            path,
            path.with_suffix(".duckdb.wal"),
            path.with_suffix(".building"),
            path.with_suffix(".building.wal"),
        )),
        *((c, f"vault/linkage/{c.name}") for c in (linkage, linkage.with_suffix(".duckdb.wal"))),
        *((c, f"vault/audit/{c.name}") for c in subject_map_files(workspace, activity_id)),
        (spark, spark.name + "/"),
    ]  # fmt: skip
    return [(candidate, name) for candidate, name in found if candidate.exists()]


def _tables(path: Path) -> dict[str, int]:
    """Rows per table of a store; none when it is absent or cannot be read now (in use)."""
    if not path.exists():
        return {}
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            return _table_rows(con)  # not the distinct persons: a deletion does not need them
    except duckdb.Error:
        return {}


def store_delete_preview(*, home: Path, activity_id: int) -> DeletionReport:
    """What :func:`store_delete` would delete now, deleting nothing: the privacy officer reads
    it before confirming a revocation. ``key_destroyed``: the activity has a key to destroy."""
    workspace = Workspace(home)
    report = DeletionReport(activity_id, tables=_tables(store_path(workspace, activity_id)))
    report.files = [name for _, name in _derived(workspace, activity_id)]
    report.key_destroyed = workspace.keys.exists(activity_key_name(activity_id))
    return report


def store_delete(*, home: Path, activity_id: int) -> DeletionReport:
    """Delete everything derived under the activity: its store file(s) and its key."""
    workspace = Workspace(home)
    report = DeletionReport(activity_id, tables=_tables(store_path(workspace, activity_id)))
    for candidate, name in _derived(workspace, activity_id):
        if candidate.is_dir():
            shutil.rmtree(candidate)
        else:
            candidate.unlink()
        report.files.append(name)
    report.key_destroyed = workspace.keys.destroy(activity_key_name(activity_id))
    return report


class QueryRefused(ActivityStoreError):
    """A query that may not run or was stopped; ``reason``: refused, function (a table function
    not allowed), timeout, memory or cancelled (:mod:`meedoen_data.store_sql`); ``detail``: the
    functions refused, or why it was cancelled."""

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        detail: str = "",
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.detail = detail
        self.line = line  # where in the query (1-based), for the codes of sql_errors
        self.column = column


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[tuple[object, ...]]
    truncated: bool
    #: Every person in every table the query read (for the audit log), not only those shown.
    subjects: list[str]
    #: The partner records in the tables read (record pseudonyms, for the audit log).
    records: list[str] = field(default_factory=list)
    #: The cap that cut the result off: rows, cells or bytes; None when complete.
    truncated_by: str | None = None
    #: The store's tables the query read, views expanded (``schema.table``).
    tables: list[str] = field(default_factory=list)
    limits: QueryLimits = field(default_factory=QueryLimits)


def query_spill_dir(home: Path) -> Path:
    """Where a query's intermediate results may spill when spilling is allowed: the vault's
    ``tmp`` (access-restricted), never beside the store."""
    return Workspace(home).vault_dir / "tmp" / "sql"


def store_query(
    *,
    home: Path,
    activity_id: int,
    sql: str,
    max_rows: int | None = None,
    limits: QueryLimits | None = None,
    guard: QueryGuard | None = None,
) -> QueryResult:
    """Run one read-only SELECT on the activity's store and nothing else.

    The file is opened read-only, with external access (files, other databases, extensions)
    switched off, the limits of ``limits`` (memory, threads, spilling) and the configuration
    locked, so the query can neither write nor reach data outside the activity. The result is
    cut off at the first cap it reaches (rows, cells, bytes); ``guard`` stops the query after
    ``limits.seconds`` or when another thread cancels it. The result names every person and
    partner record in every table the query read (:func:`meedoen_data.store_sql.query_reads`).
    """
    limits = limits or QueryLimits()
    if max_rows is not None:
        limits = replace(limits, max_rows=max_rows)
    if limits.spills and limits.spill_dir is not None:
        limits.spill_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    guard = guard or QueryGuard()
    path = store_path(Workspace(home), activity_id)
    if not path.exists():
        raise ActivityStoreError(
            f"activity {activity_id} has no store yet; it is built when the activity is first "
            "used (meedoen sql prepares it)"
        )
    con = duckdb.connect(str(path), read_only=True, config=limits.config())
    try:
        guard.attach(con, seconds=limits.seconds)
        try:
            statements = con.extract_statements(sql)
        except duckdb.Error as exc:
            raise _invalid(f"the query is not valid SQL: {exc}", exc, sql, parsing=True) from None
        if len(statements) != 1:
            raise QueryRefused(
                f"give exactly one statement, not {len(statements)}",
                reason=STATEMENTS,
                detail=str(len(statements)),
            )
        if statements[0].type != duckdb.StatementType.SELECT:
            raise QueryRefused(
                f"only SELECT is allowed here, not {statements[0].type.name}: the activity's "
                "tables are read-only",
                reason=NOT_SELECT,
                detail=statements[0].type.name,
            )
        tables = referenced_tables(con, sql)
        guard.check()
        result = con.execute(sql)
        columns = [d[0] for d in result.description or []]
        capped = capped_rows(result, len(columns), limits)
        guard.check()
        persons, records = tables_subjects(con, tables)
        guard.check()
    except SqlRefused as exc:
        raise QueryRefused(str(exc), reason=exc.reason, detail=exc.detail) from None
    except duckdb.InterruptException:
        refusal = guard.refusal() if guard.reason else SqlRefused("the query was interrupted")
        raise QueryRefused(str(refusal), reason=refusal.reason, detail=refusal.detail) from None
    except duckdb.OutOfMemoryException:
        refusal = memory_refusal(limits)
        raise QueryRefused(str(refusal), reason=refusal.reason) from None
    except duckdb.Error as exc:
        if guard.reason:  # interrupted while fetching: DuckDB may name it differently
            refusal = guard.refusal()
            raise QueryRefused(str(refusal), reason=refusal.reason, detail=refusal.detail) from None
        raise _invalid(str(exc).splitlines()[0], exc, sql) from None
    finally:
        guard.detach()
        con.close()
    return QueryResult(
        columns,
        capped.rows,
        capped.by is not None,
        persons,
        records,
        capped.by,
        [str(t) for t in tables],
        limits,
    )


def _invalid(message: str, exc: duckdb.Error, sql: str, *, parsing: bool = False) -> QueryRefused:
    """A query DuckDB would not read or run, with the code and place of the problem
    (:mod:`meedoen_data.sql_errors`)."""
    problem = sql_problem(str(exc), sql=sql, parsing=parsing)
    return QueryRefused(
        message, reason=problem.code, detail=problem.name, line=problem.line, column=problem.column
    )
