"""A person as the audit log knows them: every name it may use for them (ADR 0011, 0012).

The log names a person by the pseudonym of the record's subject type: a domain pseudonym
(``pseudonym-brp``: HMAC of the BSN under the domain's key), an activity pseudonym
(``pseudonym-activity-7``) or, in a subject set, their number in the vault's register. To
answer "which processing touched this person" (the privacy officer's lookup, an access request
under the AVG) all of them are needed. The privacy officer names the person by BSN or by any
one of those pseudonyms; this module finds the BSN (through the vault's identity tables, the
activities' subject maps and the register) and derives the rest from the workspace's keys.
The vault's index of the BRP's persons by pseudonym (:mod:`meedoen_data.intake.person_index`)
makes the search by a BRP pseudonym a point read; other pseudonyms are found by scans. A
pseudonym of an activity whose key was destroyed cannot be derived any more, on purpose; the
register number still finds the person in that activity's sets.

Runs in the identity zone: it reads the vault and the keys, writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from meedoen_data.activity_store import activity_key_name
from meedoen_data.activity_subjects import subject_map_lookup
from meedoen_data.audit_subjects import PERSON, register_exists
from meedoen_data.bsn import bsn_is_valid
from meedoen_data.contract import SPECS
from meedoen_data.intake import vault_path
from meedoen_data.intake.person_index import SOURCE as PERSON_INDEX_SOURCE
from meedoen_data.intake.person_index import person_index_candidates, person_index_exists
from meedoen_data.intake.pseudonyms import ADDRESS_DOMAIN, key_name, pseudonym
from meedoen_data.intake.sql import ident
from meedoen_data.intake.subjects import SUFFIX, VaultBusy, identity_columns, vault_attach
from meedoen_data.workspace import Workspace

#: The subject type of an activity's person pseudonyms, as the activities log them.
ACTIVITY_TYPE = "pseudonym-activity-{}"


class PersonNotFound(Exception):
    """The pseudonym names no person the vault knows (or a partner's record, not a person)."""


@dataclass(frozen=True)
class LoggedPerson:
    """Every name the audit log may use for one person."""

    known: bool  # the vault holds this BSN (delivered at least once)
    serial: int | None  # the number in the register (None: never in a subject set)
    pseudonyms: dict[str, str] = field(default_factory=dict)  # subject type -> pseudonym

    def as_json(self) -> dict[str, object]:
        """What may be shown: never the BSN."""
        return {"known": self.known, "serial": self.serial, "pseudonyms": self.pseudonyms}


def logged_person(*, home: Path, bsn: str | None = None, name: str | None = None) -> LoggedPerson:
    """The person with this BSN, or the person one of their pseudonyms (``name``) names.
    PersonNotFound when the pseudonym names nobody the vault knows; ValueError for a BSN that
    fails the 11-proef; VaultBusy while an intake holds the vault."""
    if (bsn is None) == (name is None):
        raise ValueError("name the person by a BSN or by a pseudonym, not both")
    workspace = Workspace(home)
    path = vault_path(workspace)
    con = duckdb.connect()
    try:
        if path.exists():
            vault_attach(con, path)
        attached = path.exists()
        index = attached and person_index_exists(con)
        if name is not None:
            found = _bsn_of(con, workspace, name, index=index) if attached else None
            if found is None:
                raise PersonNotFound(
                    "this pseudonym names no person the vault knows (a partner's record, a "
                    "person of a deleted activity, or a mistyped value)"
                )
            bsn = found
        assert bsn is not None
        if not bsn_is_valid(bsn):
            raise ValueError("not a valid BSN (9 digits, 11-proef)")
        serial = _serial(con, bsn) if attached else None
        # Numbered in the register: delivered (the intake numbers everyone it loads).
        known = serial is not None or (attached and _in_vault(con, bsn))
    finally:
        con.close()
    return LoggedPerson(known, serial, _pseudonyms(workspace, bsn))


def _pseudonyms(workspace: Workspace, bsn: str) -> dict[str, str]:
    """The person's pseudonym under every domain key (but addresses') and activity key."""
    out: dict[str, str] = {}
    for key in workspace.keys.names():
        if key.startswith("pseudonym-") and key != key_name(ADDRESS_DOMAIN):
            out[key] = pseudonym(workspace.keys.read(key), bsn)
        number = key.removeprefix("activity-")
        if number.isdigit() and key == activity_key_name(int(number)):
            out[ACTIVITY_TYPE.format(int(number))] = pseudonym(workspace.keys.read(key), bsn)
    return out


def _person_columns(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(table, BSN column) of the vault's identity tables that keep a pseudonym beside it."""
    return [(table, raw) for table, raw, kind in identity_columns(con) if kind == PERSON]


def _search_order(columns: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Where to look for a pseudonym first: a domain's persons carry the same pseudonym in all
    its tables, so one table per domain answers for nearly everyone (the BRP's register of
    persons first), and the other tables only for the rest (a relation outside the register).
    Each table is a scan of the vault: at national scale about 0.15 s."""

    def domain(table: str) -> str:
        spec = SPECS.get(table)
        return spec.domain if spec is not None else table

    ordered = sorted(
        columns,
        key=lambda tc: (
            domain(tc[0]) != "brp",
            tc[0] != "ingeschrevenpersoon",
            tc[1] != "burgerservicenummer",
            tc,
        ),
    )
    first: list[tuple[str, str]] = []
    rest: list[tuple[str, str]] = []
    seen: set[str] = set()
    for table, column in ordered:
        (rest if domain(table) in seen else first).append((table, column))
        seen.add(domain(table))
    return first + rest


def _bsn_of(
    con: duckdb.DuckDBPyConnection, workspace: Workspace, name: str, *, index: bool
) -> str | None:
    """The BSN a pseudonym names: first from the vault's index of the BRP's persons when it has
    one (a point read; a candidate counts only when its BRP pseudonym is ``name``), then by a
    scan of the identity tables (those the index does not cover), then through the activities'
    subject maps."""
    covered = PERSON_INDEX_SOURCE if index else None
    if index:
        brp = key_name("brp")
        key = workspace.keys.read(brp) if brp in workspace.keys.names() else None
        for bsn in person_index_candidates(con, pseudonym=name):
            if key is not None and pseudonym(key, bsn) == name:
                return bsn
    for table, column in _search_order(_person_columns(con)):
        if (table, column) == covered:
            continue
        row = con.execute(
            f"SELECT CAST({ident(column)} AS VARCHAR) FROM vault.identity.{ident(table)} "  # noqa: S608
            f"WHERE {ident(column + SUFFIX)} = $p LIMIT 1",  # identifiers from the catalog
            {"p": name},
        ).fetchone()
        if row and row[0]:
            return str(row[0])
    serial = subject_map_lookup(home=workspace.home, pseudonym=name).get(PERSON)
    if serial is None or not register_exists(con):
        return None
    row = con.execute(
        "SELECT identifier FROM vault.audit.subject WHERE kind = $k AND serial = $s",
        {"k": PERSON, "s": serial},
    ).fetchone()
    return str(row[0]) if row else None


def _in_vault(con: duckdb.DuckDBPyConnection, bsn: str) -> bool:
    for table, column in _person_columns(con):
        row = con.execute(
            f"SELECT 1 FROM vault.identity.{ident(table)} "  # noqa: S608
            f"WHERE CAST({ident(column)} AS VARCHAR) = $b LIMIT 1",  # names from the catalog
            {"b": bsn},
        ).fetchone()
        if row:
            return True
    return False


def _serial(con: duckdb.DuckDBPyConnection, bsn: str) -> int | None:
    if not register_exists(con):
        return None
    row = con.execute(
        "SELECT serial FROM vault.audit.subject WHERE kind = $k AND identifier = $b",
        {"k": PERSON, "b": bsn},
    ).fetchone()
    return int(row[0]) if row else None


__all__ = ["ACTIVITY_TYPE", "LoggedPerson", "PersonNotFound", "VaultBusy", "logged_person"]
