"""Read-only SQL on an activity's store: whom a query reads, and how far it may go.

Used by :func:`meedoen_data.activity_store.store_query` (``meedoen sql`` and the web app's SQL
page).

**Whom a query reads.** A query is logged as a read of *every person in every relation it
references* — conservative and complete — not of the persons whose pseudonym happens to
appear in the result: ``upper(person_pseudonym)``, ``md5(…)`` or ``string_agg(…)`` (every
person in one cell) would hide them, and a household-level table shows no pseudonym at all.

- The relations come from DuckDB's own parser (``get_table_names``, which knows that a common
  table expression is not a relation); a view counts as the tables it reads, expanded
  recursively from its definition in ``duckdb_views()``; and every table the physical plan
  (``EXPLAIN``) scans is added, in case the parser missed one.
- Table functions are refused unless they read no relation (:data:`TABLE_FUNCTIONS` and
  DuckDB's catalogue functions ``duckdb_*``): ``query()`` and ``query_table()`` read a
  relation named in a string, which no parser can follow.
- The persons of a table: the values of its person columns (:data:`PERSON_COLUMNS`); a table
  with a ``household_id`` but no person column counts every member of those households
  (``household.household_person``); a table with partner records (:data:`RECORD_COLUMNS`: a
  partner file's ``record_pseudonym``, the linkage's ``record_id``) counts those records, as
  records of the partner, and the persons the linkage linked them to (``link.record``).
  Tables with neither (addresses, the anonymous residents' panel, aggregates, the build's
  bookkeeping) read no person.

**How far it may go** (:class:`QueryLimits`): at most so many rows, cells (rows times columns) and
bytes of text in the result — a result that reaches a cap is cut off, whole rows only, and says
which cap it reached; at most so many seconds (a timer interrupts the query), so much memory
and so many threads; intermediate results spill to disk only where the caller says (the
vault's ``tmp``), or not at all. A :class:`QueryGuard` also lets another thread stop a running
query (a revocation).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from meedoen_data.intake.sql import ident

#: Columns that hold an activity pseudonym of a person (the data subjects of the audit log).
PERSON_COLUMNS = ("person_pseudonym", "related_person_pseudonym", "person_id")
#: A table with this column but no person column is about the households' members.
HOUSEHOLD_COLUMN = "household_id"
#: Columns that hold a partner's record (a person known to the partner, maybe not linked).
RECORD_COLUMNS = ("record_pseudonym", "record_id")
#: The household members: (schema, table) with ``person_pseudonym`` and ``household_id``.
MEMBERS = ("household", "household_person")
#: The linkage: (schema, table) with ``record_id`` and ``person_id``.
LINKS = ("link", "record")
#: Table functions a query may use: they read no relation.
TABLE_FUNCTIONS = frozenset({"range", "generate_series", "unnest"})
#: DuckDB's catalogue functions (``duckdb_tables()``, ``duckdb_columns()``, …) read no rows.
CATALOG_FUNCTIONS = "duckdb_"

#: Why a query stopped (:attr:`SqlRefused.reason`); FUNCTION: a table function not allowed.
REFUSED, FUNCTION, TIMEOUT, MEMORY, CANCELLED = (
    "refused",
    "function",
    "timeout",
    "memory",
    "cancelled",
)
#: Which cap cut a result off (:attr:`Capped.by`).
ROWS, CELLS, BYTES = "rows", "cells", "bytes"


class SqlRefused(Exception):
    """The query may not run, or was stopped; ``reason`` is one of refused, function (a table
    function that is not allowed, named in ``detail``), timeout, memory, cancelled (``detail``:
    why, e.g. ``revoked``)."""

    def __init__(self, message: str, *, reason: str = REFUSED, detail: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class QueryLimits:
    """The caps on one query's result and the limits on its run.

    ``memory`` is DuckDB syntax (``1GB``); ``spill`` the most disk that intermediate results
    may take in ``spill_dir`` (``0``: no spilling, a query that needs more memory stops)."""

    max_rows: int = 10_000
    max_cells: int = 100_000
    max_bytes: int = 500_000
    seconds: float = 60.0
    memory: str = "1GB"
    threads: int = 2
    spill: str = "0"
    spill_dir: Path | None = None

    def config(self) -> dict[str, Any]:
        """The DuckDB configuration of a query's connection: read-only work on the file only,
        the limits, and the configuration locked so the query cannot change it."""
        config: dict[str, Any] = {
            "enable_external_access": False,
            "autoload_known_extensions": False,
            "autoinstall_known_extensions": False,
            "memory_limit": self.memory,
            "threads": self.threads,
        }
        if self.spills:
            config["temp_directory"] = str(self.spill_dir)
            config["max_temp_directory_size"] = self.spill
        else:
            config["temp_directory"] = ""
        config["lock_configuration"] = True
        return config

    @property
    def spills(self) -> bool:
        return self.spill_dir is not None and self.spill.strip() not in {"", "0"}


@dataclass(frozen=True, order=True)
class Relation:
    """A table or view of the store."""

    schema: str
    name: str

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def sql(self) -> str:
        return f"{ident(self.schema)}.{ident(self.name)}"


@dataclass
class Reads:
    """What a query reads: its tables (views expanded), and the persons and partner records
    in them."""

    tables: list[Relation]
    persons: list[str]
    records: list[str]


# -- Which relations a query references ----------------------------------------------------------


def _nodes(node: object) -> Iterator[dict[str, Any]]:
    """Every object in a parsed query (JSON of ``json_serialize_sql`` or ``EXPLAIN``)."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _nodes(value)


def _parsed(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, Any]:
    row = con.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()
    parsed: dict[str, Any] = json.loads(str(row[0])) if row else {"error": True}
    if parsed.get("error"):
        message = parsed.get("error_message") or "it cannot be analysed"
        raise SqlRefused(
            f"the query cannot be checked for the persons it reads ({message}); only plain "
            "SELECT queries are allowed here"
        )
    return parsed


def table_functions(con: duckdb.DuckDBPyConnection, sql: str) -> list[str]:
    """The table functions a SELECT calls (lower case, sorted)."""
    names = set()
    for node in _nodes(_parsed(con, sql)):
        if node.get("type") == "TABLE_FUNCTION" and isinstance(node.get("function"), dict):
            names.add(str(node["function"].get("function_name", "")).lower())
    return sorted(names)


def check_table_functions(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Refuse table functions that may read a relation (or a file): ``query``,
    ``query_table``, ``read_csv``, … Only :data:`TABLE_FUNCTIONS` and ``duckdb_*``."""
    refused = [
        name
        for name in table_functions(con, sql)
        if name not in TABLE_FUNCTIONS and not name.startswith(CATALOG_FUNCTIONS)
    ]
    if refused:
        allowed = ", ".join(f"{name}()" for name in sorted(TABLE_FUNCTIONS))
        raise SqlRefused(
            f"table function {', '.join(f'{name}()' for name in refused)} is not allowed here: "
            f"a query names the tables it reads (FROM source.…), so that every person it reads "
            f"is logged; allowed table functions are {allowed} and the catalogue functions "
            "duckdb_…()",
            reason=FUNCTION,
            detail=", ".join(refused),
        )


def _reference(con: duckdb.DuckDBPyConnection, name: str) -> tuple[str, str, str]:
    """(catalog, schema, table) of a name as ``get_table_names`` or ``EXPLAIN`` write it
    (``"source".relatie``, ``link.partner_link AS p``): parsed again by DuckDB."""
    parsed = _parsed(con, f"SELECT * FROM {name}")  # noqa: S608 - parsed, never run
    for node in _nodes(parsed):
        if node.get("type") == "BASE_TABLE":
            return (
                str(node.get("catalog_name") or ""),
                str(node.get("schema_name") or ""),
                str(node.get("table_name") or ""),
            )
    raise SqlRefused(f"the query cannot be checked for the persons it reads (a table {name})")


@dataclass(frozen=True)
class _Catalog:
    database: str
    tables: frozenset[Relation]
    views: dict[Relation, str]  # view -> its SELECT

    def resolve(self, reference: tuple[str, str, str]) -> list[Relation]:
        """The store's relations a name may mean, conservatively: by table name, and schema
        when one is given (``x.t`` may also be catalogue ``x``, schema ``main``)."""
        catalog, schema, table = (part.lower() for part in reference)
        database = self.database.lower()
        if catalog and catalog != database:
            return []  # another catalogue: temp or system, no data of the store
        return sorted(
            relation
            for relation in (*self.tables, *self.views)
            if relation.name.lower() == table
            and (not schema or schema == relation.schema.lower() or schema == database)
        )


def _catalog(con: duckdb.DuckDBPyConnection) -> _Catalog:
    database = str(con.execute("SELECT current_database()").fetchone()[0])  # type: ignore[index]
    tables = con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ?", [database]
    ).fetchall()
    views = con.execute(
        "SELECT schema_name, view_name, sql FROM duckdb_views() "
        "WHERE database_name = ? AND NOT internal",
        [database],
    ).fetchall()
    return _Catalog(
        database,
        frozenset(Relation(str(s), str(t)) for s, t in tables),
        {Relation(str(s), str(v)): _view_select(con, str(sql)) for s, v, sql in views},
    )


def _view_select(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    """The SELECT of a ``CREATE VIEW … AS SELECT …`` statement (DuckDB writes the views' SQL
    itself; the first `` AS `` after which one SELECT statement follows)."""
    text = sql.strip().rstrip(";")
    upper = text.upper()
    start = upper.find(" AS ")
    while start >= 0:
        candidate = text[start + 4 :]
        try:
            statements = con.extract_statements(candidate)
        except duckdb.Error:
            statements = []
        if len(statements) == 1 and statements[0].type == duckdb.StatementType.SELECT:
            return candidate
        start = upper.find(" AS ", start + 1)
    return ""


def _named(con: duckdb.DuckDBPyConnection, sql: str) -> set[tuple[str, str, str]]:
    """The relations a SELECT names. DuckDB's ``get_table_names`` leaves out common table
    expressions; where it cannot follow a query (it stumbles over some joins with USING) every
    table name in the parse tree counts, CTE names too (conservative)."""
    try:
        names = con.get_table_names(sql, qualified=True)
    except duckdb.Error:
        return {
            (
                str(node.get("catalog_name") or ""),
                str(node.get("schema_name") or ""),
                str(node.get("table_name") or ""),
            )
            for node in _nodes(_parsed(con, sql))
            if node.get("type") == "BASE_TABLE"
        }
    return {_reference(con, name) for name in names}


def _scanned(con: duckdb.DuckDBPyConnection, sql: str) -> set[tuple[str, str, str]]:
    """The tables the physical plan scans (views, CTEs and functions resolved by the binder)."""
    rows = con.execute(f"EXPLAIN (FORMAT JSON) {sql}").fetchall()
    found = set()
    for _, plan in rows:
        for node in _nodes(json.loads(str(plan))):
            info = node.get("extra_info")
            if isinstance(info, dict) and isinstance(info.get("Table"), str):
                found.add(_reference(con, info["Table"]))
    return found


def referenced_tables(con: duckdb.DuckDBPyConnection, sql: str) -> list[Relation]:
    """The store's tables a SELECT reads: named in it, through views, or scanned by its plan.

    Raises :class:`SqlRefused` for a table function that is not allowed."""
    check_table_functions(con, sql)
    catalog = _catalog(con)
    tables: set[Relation] = set()
    seen: set[Relation] = set()
    pending = [r for ref in _named(con, sql) | _scanned(con, sql) for r in catalog.resolve(ref)]
    while pending:
        relation = pending.pop()
        if relation in seen:
            continue
        seen.add(relation)
        if relation in catalog.views:
            select = catalog.views[relation]
            if select:
                pending.extend(r for ref in _named(con, select) for r in catalog.resolve(ref))
        else:
            tables.add(relation)
    return sorted(tables)


# -- Whom those relations hold -------------------------------------------------------------------


def _columns(con: duckdb.DuckDBPyConnection) -> dict[Relation, set[str]]:
    rows = con.execute(
        "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
        "WHERE database_name = current_database()"
    ).fetchall()
    columns: dict[Relation, set[str]] = {}
    for schema, table, column in rows:
        columns.setdefault(Relation(str(schema), str(table)), set()).add(str(column))
    return columns


def _distinct(con: duckdb.DuckDBPyConnection, selects: list[str]) -> list[str]:
    if not selects:
        return []
    result = con.execute(
        f"SELECT DISTINCT s FROM ({' UNION ALL '.join(selects)}) WHERE s IS NOT NULL ORDER BY s"  # noqa: S608
    )
    values: list[str] = []
    while batch := result.fetchmany(50_000):
        values.extend(str(value) for (value,) in batch)
    return values


# The SELECTs below splice in only identifiers of the store's catalogue, quoted with ident().
def tables_subjects(
    con: duckdb.DuckDBPyConnection, tables: Iterable[Relation]
) -> tuple[list[str], list[str]]:
    """(persons, partner records) in ``tables``: see the module's description."""
    columns = _columns(con)
    members = Relation(*MEMBERS)
    links = Relation(*LINKS)
    has_members = {"person_pseudonym", HOUSEHOLD_COLUMN} <= columns.get(members, set())
    has_links = {"record_id", "person_id"} <= columns.get(links, set())
    persons: list[str] = []
    records: list[str] = []
    for table in tables:
        own = columns.get(table, set())
        person_columns = [c for c in PERSON_COLUMNS if c in own]
        for column in person_columns:
            persons.append(f"SELECT {ident(column)}::VARCHAR AS s FROM {table.sql}")  # noqa: S608
        if not person_columns and HOUSEHOLD_COLUMN in own and has_members:
            persons.append(
                f"SELECT person_pseudonym::VARCHAR AS s FROM {members.sql} WHERE "  # noqa: S608
                f"{HOUSEHOLD_COLUMN} IN (SELECT {HOUSEHOLD_COLUMN} FROM {table.sql})"
            )
        for column in (c for c in RECORD_COLUMNS if c in own):
            records.append(f"SELECT {ident(column)}::VARCHAR AS s FROM {table.sql}")  # noqa: S608
            if has_links and table != links:
                persons.append(
                    f"SELECT person_id::VARCHAR AS s FROM {links.sql} WHERE record_id IN "  # noqa: S608
                    f"(SELECT {ident(column)} FROM {table.sql})"
                )
    return _distinct(con, persons), _distinct(con, records)


def query_reads(con: duckdb.DuckDBPyConnection, sql: str) -> Reads:
    """The tables a SELECT reads and every person and partner record in them."""
    tables = referenced_tables(con, sql)
    persons, records = tables_subjects(con, tables)
    return Reads(tables, persons, records)


# -- Caps and limits -----------------------------------------------------------------------------


@dataclass
class Capped:
    rows: list[tuple[Any, ...]]
    by: str | None  # rows, cells or bytes: the cap that cut the result off; None: complete


def _size(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, bytes | bytearray):
        return len(value)
    return len(str(value).encode("utf-8"))


def capped_rows(result: duckdb.DuckDBPyConnection, width: int, limits: QueryLimits) -> Capped:
    """The rows of a result up to the first cap it reaches: whole rows only."""
    rows: list[tuple[Any, ...]] = []
    cells = size = 0
    while batch := result.fetchmany(1_000):
        for row in batch:
            if len(rows) >= limits.max_rows:
                return Capped(rows, ROWS)
            if cells + width > limits.max_cells:
                return Capped(rows, CELLS)
            grown = size + sum(_size(value) for value in row)
            if grown > limits.max_bytes:
                return Capped(rows, BYTES)
            rows.append(tuple(row))
            cells += width
            size = grown
    return Capped(rows, None)


class QueryGuard:
    """Stops one running query: after its time limit (a timer), or when another thread cancels
    it (:meth:`stop`, e.g. because the activity was revoked). DuckDB's ``interrupt()`` ends
    the query; :meth:`check` catches a stop between two statements."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._timer: threading.Timer | None = None
        self.reason: str | None = None  # timeout or cancelled
        self.detail = ""
        self.seconds = 0.0

    def attach(self, con: duckdb.DuckDBPyConnection, *, seconds: float) -> None:
        with self._lock:
            self._con = con
            self.seconds = seconds
            if seconds > 0 and self.reason is None:
                self._timer = threading.Timer(seconds, self.stop, args=(TIMEOUT,))
                self._timer.daemon = True
                self._timer.start()
        self.check()

    def detach(self) -> None:
        with self._lock:
            self._con = None
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    def stop(self, reason: str = CANCELLED, detail: str = "") -> None:
        with self._lock:
            if self.reason is None:
                self.reason, self.detail = reason, detail
            if self._con is not None:
                self._con.interrupt()

    def check(self) -> None:
        if self.reason is not None:
            raise self.refusal()

    def refusal(self) -> SqlRefused:
        if self.reason == TIMEOUT:
            return SqlRefused(
                f"the query was stopped after {self.seconds:g} s, the time limit of a "
                "query; aggregate (GROUP BY) or narrow it (WHERE, LIMIT)",
                reason=TIMEOUT,
            )
        why = f" ({self.detail})" if self.detail else ""
        return SqlRefused(
            f"the query was stopped{why}; nothing of its result is shown",
            reason=CANCELLED,
            detail=self.detail,
        )


def memory_refusal(limits: QueryLimits) -> SqlRefused:
    spill = f" and {limits.spill} on disk" if limits.spills else ""
    return SqlRefused(
        f"the query needs more memory than the limit of {limits.memory}{spill} for one query; "
        "aggregate (GROUP BY) or narrow it (WHERE, fewer columns)",
        reason=MEMORY,
    )


__all__ = [
    "BYTES",
    "CANCELLED",
    "CELLS",
    "FUNCTION",
    "MEMORY",
    "PERSON_COLUMNS",
    "RECORD_COLUMNS",
    "REFUSED",
    "ROWS",
    "TIMEOUT",
    "Capped",
    "QueryGuard",
    "QueryLimits",
    "Reads",
    "Relation",
    "SqlRefused",
    "capped_rows",
    "check_table_functions",
    "memory_refusal",
    "query_reads",
    "referenced_tables",
    "table_functions",
    "tables_subjects",
]
