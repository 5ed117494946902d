"""The vault's index of persons by pseudonym: a point read instead of a scan (issue 16).

The privacy officer looks a person up by one of their pseudonyms (``logged_person``); without an
index that is a scan of the vault's identity tables for the pseudonym, and then of the subject
register for the person's number: at national scale (18.7 million persons) about 1.8 s. This
table holds, for every pseudonym of a person in the identity tables, the first 64 bits of the
pseudonym as a number, the BSN and the person's number in the register (when they have one),
sorted by those 64 bits: DuckDB's zone maps then leave one row group of 122,880 rows to read
(about 1 ms), and 12 bytes a row plus the BSN keep it small. 64 bits of a keyed hash can
collide, so a reader checks the candidate by deriving the full pseudonym from the BSN again
(:mod:`meedoen_data.audit_person`).

The index is derived: every intake and key rotation drops it when it opens the vault for
writing and builds it again when it closes the vault after a run without an exception
(:func:`meedoen_data.intake._connect`). While it is missing (a run that failed, a workspace from
before this index) readers fall back to the scans, so it can never hide a person, and it can
never name one whose identity rows are gone: a deletion happens only inside such a run.
"""

from __future__ import annotations

import duckdb

from meedoen_data.audit_subjects import PERSON, register_exists
from meedoen_data.intake.pseudonyms import PSEUDONYM_HEX
from meedoen_data.intake.sql import ident
from meedoen_data.intake.store import PERSON_COLUMNS

SCHEMA = "vault.lookup"
TABLE = f"{SCHEMA}.person"
PREFIX_HEX = 16  # 64 bits: the sort key
COLUMNS = "(prefix UBIGINT, bsn VARCHAR, serial UINTEGER)"
_HEX = frozenset("0123456789abcdef")


def person_index_drop(con: duckdb.DuckDBPyConnection) -> None:
    """Before the vault's identity tables change (``vault`` attached for writing)."""
    con.execute(f"DROP TABLE IF EXISTS {TABLE}")


def person_index_build(con: duckdb.DuckDBPyConnection) -> int:
    """(Re)build the index from the attached vault's identity tables and register; the rows."""
    selects = [
        # Names from the catalog, quoted; nothing from a user.
        f"SELECT DISTINCT CAST({ident(raw)} AS VARCHAR) AS bsn, "
        f"{ident(raw + '_pseudonym')} AS pseudonym FROM vault.identity.{ident(table)} "
        f"WHERE {ident(raw + '_pseudonym')} IS NOT NULL AND {ident(raw)} IS NOT NULL"
        for table, raw in _person_columns(con)
    ]
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    if not selects:
        con.execute(f"CREATE OR REPLACE TABLE {TABLE} {COLUMNS}")
        return 0
    numbered = register_exists(con)
    register = (
        "(SELECT identifier, serial FROM vault.audit.subject WHERE kind = $kind)"
        if numbered
        else "(SELECT NULL::VARCHAR AS identifier, NULL::UINTEGER AS serial)"
    )
    con.execute(
        f"CREATE OR REPLACE TABLE {TABLE} AS "  # the selects above
        f"SELECT ('0x' || left(n.pseudonym, {PREFIX_HEX}))::UBIGINT AS prefix, n.bsn, s.serial "
        f"FROM (SELECT DISTINCT * FROM ({' UNION ALL '.join(selects)})) n "
        f"LEFT JOIN {register} s ON s.identifier = n.bsn ORDER BY prefix",
        {"kind": PERSON} if numbered else {},
    )
    row = con.execute(f"SELECT count(*) FROM {TABLE}").fetchone()
    return int(row[0]) if row else 0


def person_index_exists(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'vault' "
        "AND schema_name = 'lookup' AND table_name = 'person'"
    ).fetchone()
    return bool(row and row[0])


def pseudonym_prefix(pseudonym: str) -> int | None:
    """The sort key of a pseudonym; None for a value that is no pseudonym (no index row)."""
    value = pseudonym.strip().lower()
    if len(value) != PSEUDONYM_HEX or not set(value) <= _HEX:
        return None
    return int(value[:PREFIX_HEX], 16)


def person_index_candidates(
    con: duckdb.DuckDBPyConnection, *, prefixes: list[int]
) -> list[tuple[str, int | None]]:
    """(BSN, register number) of the rows under these sort keys: candidates the caller checks
    (64 bits can collide). The index must exist (:func:`person_index_exists`)."""
    rows: set[tuple[str, int | None]] = set()
    for prefix in sorted(set(prefixes)):
        # One equality per key: the zone maps prune to a row group for each.
        for bsn, serial in con.execute(
            f"SELECT bsn, serial FROM {TABLE} WHERE prefix = $p",
            {"p": prefix},
        ).fetchall():
            rows.add((str(bsn), None if serial is None else int(serial)))
    return sorted(rows, key=lambda r: (r[0], -1 if r[1] is None else r[1]))


def _person_columns(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(table, BSN column) of the vault's identity tables that keep a pseudonym beside it."""
    return [
        (str(table), str(column).removesuffix("_pseudonym"))
        for table, column in con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = 'vault' "
            "AND schema_name = 'identity' AND suffix(column_name, '_pseudonym') ORDER BY ALL"
        ).fetchall()
        if str(column).removesuffix("_pseudonym") in PERSON_COLUMNS
    ]


__all__ = [
    "person_index_build",
    "person_index_candidates",
    "person_index_drop",
    "person_index_exists",
    "pseudonym_prefix",
]
