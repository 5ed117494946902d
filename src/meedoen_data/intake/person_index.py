"""The vault's index of the BRP's persons by pseudonym: a point read instead of a scan (issue 16).

The privacy officer looks a person up by one of their pseudonyms (``logged_person``), nearly
always the BRP pseudonym the audit log page and its exports use. Without an index that is a scan
of the vault's register of persons (``identity.ingeschrevenpersoon``) for the pseudonym: random
hex, so the zone maps skip nothing; at national scale (18.7 million persons) about a second.
This table holds, for every person in that table, the first 64 bits of their BRP pseudonym as a
number and their BSN as a number, sorted by the first: DuckDB's zone maps then leave one row
group of 122,880 rows to read (about 1 ms), in 12 bytes a row. 64 bits of a keyed hash can
collide, so a reader checks a candidate by deriving the full pseudonym from its BSN again
(:mod:`meedoen_data.audit_person`). Pseudonyms of other tables and domains are found by the scans
as before (ADR 0017 says why only this table).

The index is derived: every intake and key rotation drops it when it opens the vault for writing
and builds it again when it closes the vault after a run without an exception
(:func:`meedoen_data.intake._connect`). While it is missing (a run that failed, a workspace from
before this index) readers scan, and a pseudonym it does not hold is looked for by the scans too,
so it can never hide a person; it can never name one whose row is gone, as a deletion happens
only inside such a run.
"""

from __future__ import annotations

import duckdb

from meedoen_data.intake.pseudonyms import PSEUDONYM_HEX
from meedoen_data.intake.sql import ident

SCHEMA = "vault.lookup"
TABLE = f"{SCHEMA}.person"
#: The register of persons and its BSN column: what the index covers.
SOURCE = ("ingeschrevenpersoon", "burgerservicenummer")
PREFIX_HEX = 16  # 64 bits: the sort key
_HEX = frozenset("0123456789abcdef")


def person_index_drop(con: duckdb.DuckDBPyConnection) -> None:
    """Before the vault's identity tables change (``vault`` attached for writing)."""
    con.execute(f"DROP TABLE IF EXISTS {TABLE}")


def person_index_build(con: duckdb.DuckDBPyConnection) -> int:
    """(Re)build the index from the attached vault's register of persons; the rows (none
    before the BRP was delivered)."""
    table, column = SOURCE
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    if not _has_pseudonyms(con):
        con.execute(f"CREATE OR REPLACE TABLE {TABLE} (prefix UBIGINT, bsn UINTEGER)")
        return 0
    pseudonym = ident(column + "_pseudonym")
    con.execute(
        # Names from the contract, quoted; nothing from a user. A BSN is 9 digits: a number.
        f"CREATE OR REPLACE TABLE {TABLE} AS SELECT DISTINCT "
        f"('0x' || left({pseudonym}, {PREFIX_HEX}))::UBIGINT AS prefix, "
        f"TRY_CAST({ident(column)} AS UINTEGER) AS bsn FROM vault.identity.{ident(table)} "
        f"WHERE {pseudonym} IS NOT NULL AND TRY_CAST({ident(column)} AS UINTEGER) IS NOT NULL "
        "ORDER BY prefix"
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


def person_index_candidates(con: duckdb.DuckDBPyConnection, *, pseudonym: str) -> list[str]:
    """The BSNs of the persons whose BRP pseudonym starts with the same 64 bits: candidates the
    caller checks (64 bits can collide). The index must exist (:func:`person_index_exists`)."""
    prefix = pseudonym_prefix(pseudonym)
    if prefix is None:
        return []
    rows = con.execute(f"SELECT bsn FROM {TABLE} WHERE prefix = $p", {"p": prefix}).fetchall()
    return sorted(f"{int(bsn):09d}" for (bsn,) in rows)


def _has_pseudonyms(con: duckdb.DuckDBPyConnection) -> bool:
    """The vault has the register of persons with its BSN's pseudonym (the BRP was delivered)."""
    table, column = SOURCE
    row = con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE database_name = 'vault' "
        "AND schema_name = 'identity' AND table_name = $t AND column_name = $c",
        {"t": table, "c": column + "_pseudonym"},
    ).fetchone()
    return bool(row and row[0])


__all__ = [
    "person_index_build",
    "person_index_candidates",
    "person_index_drop",
    "person_index_exists",
    "pseudonym_prefix",
]
