"""Rotating a domain's pseudonym key: every stored pseudonym of the domain is re-derived.

Procedure (docs/intake.md): the new key is created beside the old one (``…-next``); the
analytics store maps old to new pseudonyms in one transaction and records the rotation (the
commit point); the vault follows; finally the new key replaces the old file. Running it again
after an interruption completes the same rotation: each step is idempotent.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from meedoen_data.contract import SPECS, Table, partner_spec
from meedoen_data.intake import _connect, store
from meedoen_data.intake.pseudonyms import ADDRESS_DOMAIN, hmac_pads, hmac_sql, key_name
from meedoen_data.intake.sql import ident
from meedoen_data.keystore import KeyStoreError
from meedoen_data.workspace import Workspace


@dataclass
class RotationReport:
    domain: str
    analytics_rows: int
    vault_rows: int
    completed_interrupted_run: bool
    #: The data subjects whose pseudonyms changed, under their new pseudonym (audit log).
    subjects: list[str] = field(default_factory=list, repr=False)


def _columns(spec: Table, domain: str) -> list[tuple[str, str]]:
    """(vault raw column, analytics column) pairs whose pseudonyms use ``domain``'s key."""
    out = []
    for column in spec.columns:
        if column.role == "person" and (
            spec.domain == domain or (spec.domain == "by_wet" and domain in {"wmo", "jeugd"})
        ):
            out.append((column.name, store.PERSON_COLUMNS[column.name]))
        elif column.role == "address" and domain == ADDRESS_DOMAIN:
            out.append((column.name, "address_pseudonym"))
        elif (column.name, "record_pseudonym") in spec.derived and spec.domain == domain:
            out.append((column.name, "record_pseudonym"))
    return out


def rotate_domain_key(*, home: Path, domain: str) -> RotationReport:
    workspace = Workspace(home)
    keys = workspace.keys
    current, upcoming = key_name(domain), key_name(domain) + "-next"
    if not keys.exists(current):
        raise KeyStoreError(f"no key for domain {domain!r} in {keys.directory}")
    resumed = not keys.create(upcoming)
    old_i, old_o = hmac_pads(keys.read(current))
    new_i, new_o = hmac_pads(keys.read(upcoming))
    fingerprint = hashlib.sha256(keys.read(upcoming)).hexdigest()[:16]
    params = {"oi": old_i, "oo": old_o, "ni": new_i, "no": new_o}
    analytics_rows = vault_rows = 0
    with _connect(home, person_index="rebuild") as con:
        store.recover(con)
        con.execute(
            "CREATE TABLE IF NOT EXISTS analytics.meta.rotation (domain VARCHAR, "
            "key_fingerprint VARCHAR, rotated_at TIMESTAMP DEFAULT current_timestamp)"
        )
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = 'vault' "
                "AND schema_name = 'identity'"
            ).fetchall()
        ]
        plan = [
            (t, raw, col)
            for t in tables
            for raw, col in _columns(SPECS.get(t) or partner_spec(t), domain)
        ]
        con.execute(
            "CREATE OR REPLACE TEMP TABLE mapping "
            "(raw VARCHAR, old VARCHAR, new VARCHAR, subject BOOLEAN)"
        )
        for table, raw, column in plan:
            con.execute(
                f"INSERT INTO mapping SELECT DISTINCT {ident(raw)}, "
                f"{hmac_sql(ident(raw), '$oi', '$oo')}, {hmac_sql(ident(raw), '$ni', '$no')}, "
                f"{'true' if column != 'address_pseudonym' else 'false'} "
                f"FROM vault.identity.{ident(table)} WHERE {ident(raw)} IS NOT NULL",
                params,
            )
        subjects = [
            str(r[0])
            for r in con.execute(
                "SELECT DISTINCT new FROM mapping WHERE subject ORDER BY 1"
            ).fetchall()
        ]
        done = con.execute(
            "SELECT count(*) FROM analytics.meta.rotation WHERE domain = ? AND key_fingerprint = ?",
            [domain, fingerprint],
        ).fetchone()
        if not (done and done[0]):
            con.execute("BEGIN")
            for table, _, column in plan:
                analytics_rows += _remap(con, f"analytics.source.{ident(table)}", column)
            con.execute(
                "INSERT INTO analytics.meta.rotation (domain, key_fingerprint) VALUES (?, ?)",
                [domain, fingerprint],
            )
            con.execute("COMMIT")
        con.execute("BEGIN")
        for table, raw, _ in plan:
            vault_rows += _remap(con, f"vault.identity.{ident(table)}", f"{raw}_pseudonym")
        con.execute("COMMIT")
    os.replace(keys.path(upcoming), keys.path(current))
    return RotationReport(domain, analytics_rows, vault_rows, resumed, subjects)


def _remap(con: duckdb.DuckDBPyConnection, table: str, column: str) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.columns WHERE "
        "table_catalog || '.' || table_schema || '.\"' || table_name || '\"' "
        "= ? AND column_name = ?",
        [table, column],
    ).fetchone()
    if not (exists and exists[0]):
        return 0
    row = con.execute(
        f"UPDATE {table} AS t SET {ident(column)} = m.new FROM (SELECT DISTINCT old, new "
        f"FROM mapping) m WHERE t.{ident(column)} = m.old"
    ).fetchone()
    return int(row[0]) if row else 0
