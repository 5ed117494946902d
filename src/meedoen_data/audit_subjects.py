"""The subject register: a serial number for every data subject, kept in the identity vault.

The audit log stores large sets of data subjects as sets of serial numbers
(:mod:`meedoen_data.audit_sets`, ADR 0011): two bytes a member instead of a 16-byte pseudonym
or a record per person. The numbers come from here. A subject is registered the first time it
is logged, under its *kind* (``person``: by BSN; ``record:DOMAIN``: a partner's record by its
record number) and keeps its number for good; numbers are dense (0, 1, 2, … per kind) and handed
out in a random order within one registration, so that a number says nothing about a person's
place in a delivery. The register holds identifiers, so it lives in the vault
(``vault.audit.subject``); the audit log holds only numbers.

Every function takes an open DuckDB connection with the vault attached as ``vault`` (the
intake's and the activity stores' connections), so registering runs inside their transaction
when they have one. Registrations of one kind must not run at the same time (two would hand
out the same numbers): callers hold the vault's writer lock, as the intake does.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import numpy as np
import numpy.typing as npt

from meedoen_data.audit_sets import MAX_SERIAL

PERSON = "person"

REGISTER_DDL = """
CREATE SCHEMA IF NOT EXISTS vault.audit;
CREATE TABLE IF NOT EXISTS vault.audit.subject (
    kind VARCHAR NOT NULL, identifier VARCHAR NOT NULL, serial UINTEGER NOT NULL);
"""


class SubjectRegisterError(ValueError):
    """The register cannot give numbers: an unknown kind, an empty identifier, no numbers left."""


def record_kind(domain: str) -> str:
    """The kind of a partner's records (by record number) in the register."""
    return f"record:{domain}"


def register_ensure(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(REGISTER_DDL)


def register_exists(con: duckdb.DuckDBPyConnection) -> bool:
    """The attached vault (``vault``) has a register (without creating one: a read-only
    attach cannot)."""
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'vault' "
        "AND schema_name = 'audit' AND table_name = 'subject'"
    ).fetchone()
    return bool(row and row[0])


def subjects_register(
    con: duckdb.DuckDBPyConnection, *, kind: str, identifiers: duckdb.DuckDBPyRelation
) -> npt.NDArray[np.uint32]:
    """The serial numbers of ``identifiers`` (a relation of one column, on ``con``), sorted and
    without duplicates; identifiers not registered yet get new numbers first, in random order.
    NULLs and empty identifiers are left out."""
    _check_kind(kind)
    register_ensure(con)
    if len(identifiers.columns) != 1:
        raise SubjectRegisterError("the identifiers to register are one column")
    column = identifiers.columns[0]
    wanted = identifiers.select(
        duckdb.ColumnExpression(column).cast(duckdb.sqltype("VARCHAR")).alias("identifier")
    ).filter("identifier IS NOT NULL AND identifier <> ''")
    wanted.create_view("meedoen_subject_given", replace=True)
    # One pass over the identifiers and the register: each distinct identifier with its
    # number, NULL for the new ones.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE meedoen_subject_wanted AS
        SELECT w.identifier, s.serial
        FROM (SELECT DISTINCT identifier FROM meedoen_subject_given) w
        LEFT JOIN (SELECT identifier, serial FROM vault.audit.subject WHERE kind = $kind) s
            ON s.identifier = w.identifier
        """,
        {"kind": kind},
    )
    (first, added) = con.execute(
        "SELECT (SELECT coalesce(max(serial) + 1, 0) FROM vault.audit.subject "
        "WHERE kind = $kind), (SELECT count(*) FROM meedoen_subject_wanted WHERE serial IS NULL)",
        {"kind": kind},
    ).fetchone() or (0, 0)
    if int(first) + int(added) - 1 > MAX_SERIAL:
        raise SubjectRegisterError(f"the register of {kind} has no numbers left")
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE meedoen_subject_new AS
        SELECT identifier, ($first + row_number() OVER (ORDER BY shuffle) - 1)::UINTEGER AS serial
        FROM (SELECT identifier, random() AS shuffle FROM meedoen_subject_wanted
              WHERE serial IS NULL)
        """,
        {"first": int(first)},
    )
    con.execute(
        "INSERT INTO vault.audit.subject SELECT $kind, identifier, serial FROM meedoen_subject_new",
        {"kind": kind},
    )
    serials = con.execute(
        """
        SELECT serial FROM meedoen_subject_wanted WHERE serial IS NOT NULL
        UNION ALL SELECT serial FROM meedoen_subject_new ORDER BY 1
        """
    ).fetchnumpy()["serial"]
    con.execute("DROP TABLE meedoen_subject_new")
    con.execute("DROP TABLE meedoen_subject_wanted")
    con.execute("DROP VIEW meedoen_subject_given")
    return np.asarray(serials, dtype=np.uint32)


def subject_serial(con: duckdb.DuckDBPyConnection, *, kind: str, identifier: str) -> int | None:
    """The number of one registered subject, or None (never logged in a set)."""
    _check_kind(kind)
    register_ensure(con)
    found = con.execute(
        "SELECT serial FROM vault.audit.subject WHERE kind = ? AND identifier = ?",
        [kind, identifier],
    ).fetchone()
    return None if found is None else int(found[0])


def subject_identifiers(
    con: duckdb.DuckDBPyConnection, *, kind: str, serials: Sequence[int] | npt.NDArray[np.uint32]
) -> dict[int, str]:
    """The identifiers of registered numbers (for the export per data subject)."""
    _check_kind(kind)
    register_ensure(con)
    wanted = [int(s) for s in serials]
    if not wanted:
        return {}
    rows = con.execute(
        "SELECT serial, identifier FROM vault.audit.subject "
        "WHERE kind = $kind AND serial IN (SELECT unnest($serials::UINTEGER[]))",
        {"kind": kind, "serials": wanted},
    ).fetchall()
    return {int(serial): str(identifier) for serial, identifier in rows}


def _check_kind(kind: str) -> None:
    if kind != PERSON and not (kind.startswith("record:") and len(kind) > len("record:")):
        raise SubjectRegisterError(
            f"unknown kind of data subject {kind!r}: {PERSON!r} or 'record:DOMAIN'"
        )


__all__ = [
    "PERSON",
    "REGISTER_DDL",
    "SubjectRegisterError",
    "record_kind",
    "register_ensure",
    "register_exists",
    "subject_identifiers",
    "subject_serial",
    "subjects_register",
]
