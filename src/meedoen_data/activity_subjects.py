"""Whom an activity's processing is about, as subject sets of register numbers (ADR 0011).

Inside an activity every person and partner record has the activity's own pseudonym
(:mod:`meedoen_data.activity_store`). The audit log keeps large sets of subjects as the numbers
of the vault's subject register (:mod:`meedoen_data.audit_subjects`), which are given to a
person by BSN and to a partner's record by its record number. To log a build, a query or a
linkage of an activity as one record with a set, its pseudonyms are turned into those numbers
through the activity's *subject map*: a vault-side file
(``HOME/vault/audit/activity-ID.duckdb``) with one row per pseudonym of the activity — the
pseudonym, the kind (``person``, ``record:DOMAIN``) and the register number. The map is made
with the store (from the vault's identities, the activity key and the register), never inside
the store itself: the numbers are the same in every activity, so in an analyst's hands they
would link activities. It is deleted with the store and the key.

Subjects the register does not know (a workspace loaded before the register existed) are
returned as they came, so the caller can still log them one by one.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from meedoen_data.audit_subjects import PERSON, record_kind, register_exists
from meedoen_data.contract import Table
from meedoen_data.intake.pseudonyms import hmac_sql
from meedoen_data.intake.sql import ident
from meedoen_data.workspace import Workspace


def subject_map_path(workspace: Workspace, activity_id: int) -> Path:
    """The activity's subject map, beside the vault (readable only with it)."""
    return workspace.vault_dir / "audit" / f"activity-{activity_id}.duckdb"


def subject_map_files(workspace: Workspace, activity_id: int) -> list[Path]:
    """The map and what a build may leave beside it (deleted with the activity's store)."""
    path = subject_map_path(workspace, activity_id)
    building = path.with_suffix(".building")
    return [path, path.with_suffix(".duckdb.wal"), building, building.with_suffix(".building.wal")]


def subject_map_write(
    con: duckdb.DuckDBPyConnection,
    *,
    workspace: Workspace,
    activity_id: int,
    tables: Sequence[Table],
    ipad: bytes,
    opad: bytes,
    excluded: Sequence[str] = (),
) -> int:
    """Make the activity's subject map from ``con`` (the vault attached as ``vault``) for the
    persons and partner records of ``tables``, the way the store makes their pseudonyms:
    HMAC(activity key, BSN) and HMAC(activity key, ``"DOMAIN:" + record number``). Written to a
    new file that replaces the old one when complete. Returns the rows of the map.

    ``excluded``: BSNs of persons left out of the store on objection. No row of the vault that
    names one of them (in any person column) contributes, so neither they nor their records
    are in the map, and processing under the activity is not logged as being about them."""
    target = subject_map_path(workspace, activity_id)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    building = target.with_suffix(".building")
    for stale in (building, building.with_suffix(".building.wal")):
        stale.unlink(missing_ok=True)
    selects: list[str] = []
    params: dict[str, object] = {"ipad": ipad, "opad": opad}
    if register_exists(con):
        for spec in tables:
            # Rows naming a person left out (bound list; contract column names, quoted).
            kept = "".join(
                f" AND NOT coalesce(list_contains($excluded, CAST({ident(column.name)} AS "
                "VARCHAR)), false)"
                for column in spec.columns
                if excluded and column.role == "person"
            )
            if kept:
                params["excluded"] = sorted(set(excluded))
            for kind, raw, prefix in _identifiers(spec):
                number = len(params)
                params[f"k{number}"] = kind
                value = f"$p{number} || v.raw" if prefix else "v.raw"
                if prefix:
                    params[f"p{number}"] = prefix
                # Contract names only (quoted); kinds and prefixes are bound parameters.
                selects.append(
                    f"SELECT {hmac_sql(value, '$ipad', '$opad')} AS pseudonym, "  # noqa: S608
                    f"s.kind, s.serial FROM (SELECT DISTINCT CAST({ident(raw)} AS VARCHAR) AS raw "
                    f"FROM vault.identity.{ident(spec.name)} WHERE {ident(raw)} IS NOT NULL{kept}) "
                    f"v JOIN vault.audit.subject s ON s.kind = $k{number} AND s.identifier = v.raw"
                )
    con.execute("ATTACH ? AS subject_map", [str(building)])
    try:
        os.chmod(building, 0o600)
        if selects:
            con.execute(
                "CREATE TABLE subject_map.subject AS SELECT DISTINCT * FROM "  # noqa: S608
                f"({' UNION ALL '.join(selects)}) ORDER BY pseudonym",  # the selects above
                params,
            )
        else:
            con.execute(
                "CREATE TABLE subject_map.subject "
                "(pseudonym VARCHAR, kind VARCHAR, serial UINTEGER)"
            )
        row = con.execute("SELECT count(*) FROM subject_map.subject").fetchone()
    finally:
        con.execute("DETACH subject_map")
    os.replace(building, target)
    return int(row[0]) if row else 0


@dataclass
class Numbered:
    """Subjects of one activity as register numbers per kind, and those the register lacks."""

    serials: dict[str, npt.NDArray[np.uint32]] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)


def subject_map_numbers(*, home: Path, activity_id: int, pseudonyms: Iterable[str]) -> Numbered:
    """The register numbers of the activity's ``pseudonyms`` (persons or partner records), per
    kind; pseudonyms not in the map (or no map: the store was never built) are ``unknown``."""
    wanted = pa.table({"pseudonym": pa.array(list(pseudonyms), type=pa.string())})
    path = subject_map_path(Workspace(home), activity_id)
    if not wanted.num_rows:
        return Numbered()
    if not path.exists():
        return Numbered(unknown=sorted(set(wanted.column(0).to_pylist())))
    con = duckdb.connect()
    try:
        con.execute("ATTACH ? AS subject_map (READ_ONLY)", [str(path)])
        con.register("meedoen_wanted", wanted)
        numbered = Numbered()
        for (kind,) in con.execute(
            "SELECT DISTINCT kind FROM subject_map.subject ORDER BY kind"
        ).fetchall():
            found = con.execute(
                "SELECT DISTINCT m.serial FROM subject_map.subject m "
                "SEMI JOIN meedoen_wanted w ON w.pseudonym = m.pseudonym "
                "WHERE m.kind = $kind ORDER BY 1",
                {"kind": kind},
            ).fetchnumpy()["serial"]
            if len(found):
                numbered.serials[str(kind)] = np.asarray(found, dtype=np.uint32)
        numbered.unknown = [
            str(value)
            for (value,) in con.execute(
                "SELECT DISTINCT w.pseudonym FROM meedoen_wanted w "
                "ANTI JOIN subject_map.subject m ON m.pseudonym = w.pseudonym "
                "WHERE w.pseudonym IS NOT NULL ORDER BY 1"
            ).fetchall()
        ]
        return numbered
    finally:
        con.close()


def subject_map_lookup(*, home: Path, pseudonym: str) -> dict[str, int]:
    """The register numbers (per kind) of the subject an activity pseudonym names, searched in
    every activity's map: what finds the subject in the audit log's serial sets."""
    folder = Workspace(home).vault_dir / "audit"
    found: dict[str, int] = {}
    for path in sorted(folder.glob("activity-*.duckdb")) if folder.is_dir() else []:
        try:
            con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error:
            continue  # being replaced by a build right now
        try:
            for kind, serial in con.execute(
                "SELECT kind, serial FROM subject WHERE pseudonym = ?", [pseudonym]
            ).fetchall():
                found.setdefault(str(kind), int(serial))
        finally:
            con.close()
        if found:
            break  # a pseudonym belongs to one activity
    return found


def _identifiers(spec: Table) -> list[tuple[str, str, str]]:
    """(kind, vault column, prefix of the pseudonymised value) of the table's data subjects,
    as :func:`meedoen_data.activity_store._rekeyed` pseudonymises them."""
    out = []
    for column in spec.columns:
        if column.role == "person":
            out.append((PERSON, column.name, ""))
        elif (column.name, "record_pseudonym") in spec.derived:
            out.append((record_kind(spec.domain), column.name, f"{spec.domain}:"))
    return out


__all__ = [
    "Numbered",
    "subject_map_files",
    "subject_map_lookup",
    "subject_map_numbers",
    "subject_map_path",
    "subject_map_write",
]
