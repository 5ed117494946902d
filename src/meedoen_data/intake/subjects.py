"""Whom a loaded batch is about, as a subject set for the audit log (ADR 0011).

The persons of a batch are numbered in the vault's subject register
(:mod:`meedoen_data.audit_subjects`) by the BSNs the vault keeps for the batch; a partner file's
clients by their record numbers. The audit log then holds one record per loaded file that
references the set of those numbers, instead of a record per person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pyarrow as pa

from meedoen_data.activity_subjects import Numbered, subject_map_numbers
from meedoen_data.audit_sets import SubjectSet, subject_set_serials
from meedoen_data.audit_subjects import PERSON, record_kind, register_exists, subjects_register
from meedoen_data.contract import SPECS, partner_spec
from meedoen_data.intake import _connect, _subject_type, vault_path
from meedoen_data.intake import store as intake_store
from meedoen_data.intake.sql import ident
from meedoen_data.workspace import Workspace

SUFFIX = "_pseudonym"


class VaultBusy(Exception):
    """The vault is open for writing by another process (an intake): it cannot be read now."""


def batches_subject_sets(
    *, home: Path, batch_ids: Iterable[str]
) -> dict[str, dict[str, SubjectSet]]:
    """The persons each loaded batch wrote, per pseudonym type the batch used
    (``pseudonym-brp``, and per law for the by-law domain), as sets of their register numbers;
    a partner file's clients (``record-pseudonym-DOMAIN``) by record number; through one
    connection to the vault. New subjects are registered. Empty for tables without persons
    (addresses, the anonymous panel) and unknown batches."""
    with _connect(home) as con:
        return {batch_id: _batch_subject_sets(con, batch_id) for batch_id in batch_ids}


def _batch_subject_sets(con: duckdb.DuckDBPyConnection, batch_id: str) -> dict[str, SubjectSet]:
    found = con.execute(
        "SELECT table_name FROM analytics.meta.batch WHERE batch_id = ?", [batch_id]
    ).fetchone()
    if not found:
        return {}
    spec = SPECS.get(str(found[0])) or partner_spec(str(found[0]))
    vault = f"vault.identity.{ident(spec.name)}"
    persons = [c.name for c in spec.columns if c.role == "person"]
    records = [name for name, d in spec.derived if d == "record_pseudonym"]
    if not persons and records:
        kind = record_kind(spec.domain)
        numbers = con.sql(
            f"SELECT {ident(records[0])} FROM {vault} WHERE batch_id = $b",
            params={"b": batch_id},
        )
        serials = subjects_register(con, kind=kind, identifiers=numbers)
        made = subject_set_serials(subject_type=kind, serials=serials)
        return {f"record-pseudonym-{spec.domain}": made}
    if not persons:
        return {}
    # The by-law domain logs WMO and youth care under their own pseudonym types: the law
    # of a row is in the analytics store, joined to the vault row by its pseudonym.
    laws: dict[str, list[str]] = {}
    if spec.domain == "by_wet":
        for (law,) in con.execute(
            f"SELECT DISTINCT wet FROM analytics.source.{ident(spec.name)} "
            "WHERE batch_id = $b AND wet IS NOT NULL",
            {"b": batch_id},
        ).fetchall():
            laws.setdefault(_subject_type(spec, law), []).append(str(law))
    else:
        laws[_subject_type(spec)] = []
    out: dict[str, SubjectSet] = {}
    for subject_type, of_type in sorted(laws.items()):
        selects, params = [], {"b": batch_id}
        for column in persons:
            bsn, pseudonym = ident(column), ident(column + "_pseudonym")
            if of_type:
                own = ident(intake_store.PERSON_COLUMNS[column])
                selects.append(
                    f"SELECT v.{bsn} AS bsn FROM {vault} v "
                    f"JOIN analytics.source.{ident(spec.name)} a "
                    f"ON a.batch_id = v.batch_id AND a.{own} = v.{pseudonym} "
                    "WHERE v.batch_id = $b AND a.wet IN (SELECT unnest($laws::VARCHAR[]))"
                )
                params["laws"] = of_type  # type: ignore[assignment]
            else:
                selects.append(f"SELECT {bsn} AS bsn FROM {vault} WHERE batch_id = $b")
        bsns = con.sql(" UNION ".join(selects), params=params)
        serials = subjects_register(con, kind=PERSON, identifiers=bsns)
        if serials.size:
            out[subject_type] = subject_set_serials(subject_type=PERSON, serials=serials)
    return out


def subject_serials_of(*, home: Path, pseudonym: str) -> dict[str, int]:
    """The register numbers of the data subject a domain or record pseudonym names, by kind
    (``person``, ``record:DOMAIN``): what finds the subject in the audit log's serial sets.
    Empty when the vault does not know the pseudonym or the subject was never numbered. Reads
    the vault without writing (:class:`VaultBusy` while an intake holds it)."""
    path = vault_path(Workspace(home))
    if not path.exists():
        return {}
    con = duckdb.connect()
    try:
        vault_attach(con, path)
        if not register_exists(con):
            return {}
        found: dict[str, int] = {}
        for table, raw, kind in identity_columns(con):
            if kind in found:
                continue
            row = con.execute(
                f"SELECT s.serial FROM vault.identity.{ident(table)} v "
                "JOIN vault.audit.subject s "
                f"ON s.kind = $k AND s.identifier = CAST(v.{ident(raw)} AS VARCHAR) "
                f"WHERE v.{ident(raw + SUFFIX)} = $p LIMIT 1",
                {"k": kind, "p": pseudonym},
            ).fetchone()
            if row:
                found[kind] = int(row[0])
        return found
    finally:
        con.close()


#: Subject types of an activity's pseudonyms: their numbers come from the activity's map.
_ACTIVITY_TYPE = re.compile(r"(?:record-)?pseudonym-activity-([0-9]+)")


def pseudonyms_numbered(*, home: Path, subject_type: str, pseudonyms: Iterable[str]) -> Numbered:
    """The register numbers of logged pseudonyms of one subject type, per kind, registering
    subjects not numbered yet (for ``meedoen audit compact``: a log written before the
    register). Domain and record pseudonyms are found through the vault's identity tables, an
    activity's through its subject map; pseudonyms found nowhere (an old key's, say) come back
    as ``unknown``. VaultBusy while an intake holds the vault."""
    wanted = sorted({p for p in pseudonyms if p})
    activity = _ACTIVITY_TYPE.fullmatch(subject_type)
    if activity is not None:
        return subject_map_numbers(home=home, activity_id=int(activity.group(1)), pseudonyms=wanted)
    path = vault_path(Workspace(home))
    if not wanted or not path.exists():
        return Numbered(unknown=wanted)
    con = duckdb.connect()
    try:
        vault_attach(con, path, read_only=False)  # new subjects are numbered
        con.register("meedoen_wanted", pa.table({"pseudonym": pa.array(wanted, pa.string())}))
        found: dict[str, list[tuple[str, str]]] = {}  # kind -> (pseudonym, identifier)
        for table, raw, kind in identity_columns(con):
            rows = con.execute(
                f"SELECT DISTINCT w.pseudonym, CAST(v.{ident(raw)} AS VARCHAR) "
                f"FROM meedoen_wanted w JOIN vault.identity.{ident(table)} v "
                f"ON v.{ident(raw + SUFFIX)} = w.pseudonym",  # names from the catalog
            ).fetchall()
            found.setdefault(kind, []).extend((str(p), str(i)) for p, i in rows if i)
        numbered = Numbered()
        known: set[str] = set()
        for kind, pairs in sorted(found.items()):
            if not pairs:
                continue
            identifiers = con.sql(
                "SELECT unnest($i::VARCHAR[]) AS identifier",
                params={"i": sorted({i for _, i in pairs})},
            )
            numbered.serials[kind] = subjects_register(con, kind=kind, identifiers=identifiers)
            known |= {p for p, _ in pairs}
        numbered.unknown = [p for p in wanted if p not in known]
        return numbered
    finally:
        con.close()


def vault_attach(con: duckdb.DuckDBPyConnection, path: Path, *, read_only: bool = True) -> None:
    """Attach the vault as ``vault``; VaultBusy while an intake holds it for writing."""
    try:
        con.execute(f"ATTACH ? AS vault{' (READ_ONLY)' if read_only else ''}", [str(path)])
    except duckdb.Error as exc:
        raise VaultBusy(f"the identity vault is in use: {str(exc).splitlines()[0]}") from None


def identity_columns(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(table, identifier column, register kind) of every identifier the attached vault keeps
    with its pseudonym beside it (``COLUMN_pseudonym``): persons by BSN, partner records by
    record number."""
    out = []
    for table, column in con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = 'vault' "
        "AND schema_name = 'identity' AND suffix(column_name, $s) ORDER BY ALL",
        {"s": SUFFIX},
    ).fetchall():
        raw = str(column).removesuffix(SUFFIX)
        kind = _kind(str(table), raw)
        if kind is not None:
            out.append((str(table), raw, kind))
    return out


def _kind(table: str, column: str) -> str | None:
    """The register's kind of an identifier column of a vault table: persons by BSN, a
    partner's records by record number; None for addresses and the like."""
    if column in intake_store.PERSON_COLUMNS:
        return PERSON
    spec = SPECS.get(table)
    if spec is None:
        try:
            spec = partner_spec(table)
        except (KeyError, ValueError):
            return None
    if (column, "record_pseudonym") in spec.derived:
        return record_kind(spec.domain)
    return None


__all__ = [
    "VaultBusy",
    "batches_subject_sets",
    "identity_columns",
    "pseudonyms_numbered",
    "subject_serials_of",
    "vault_attach",
]
