"""Where accepted rows go: pseudonymised into the analytics store, identifiers into the vault.

Commit protocol (a file lands completely or not at all, also when the process is killed):

1. the vault gets the batch's identifier rows and quarantined rows, tagged with the batch id,
   and a ``pending`` batch record, in one transaction;
2. the analytics store gets the pseudonymised rows (replace or upsert) and the lineage record,
   in one transaction — this is the commit point;
3. the vault marks the batch ``loaded`` and drops rows of batches it supersedes.

Before every ingest, :func:`recover` removes vault rows of ``pending`` batches that never
reached step 2, and finishes step 3 for those that did.
"""

from __future__ import annotations

import duckdb

from meedoen_data.contract import Column, Table
from meedoen_data.intake.sql import ident

PERSON_COLUMNS = {
    "burgerservicenummer": "person_pseudonym",
    "gerelateerde_burgerservicenummer": "related_person_pseudonym",
}

VAULT_DDL = """
CREATE SCHEMA IF NOT EXISTS vault.intake;
CREATE SCHEMA IF NOT EXISTS vault.identity;
CREATE TABLE IF NOT EXISTS vault.intake.batch (
    batch_id VARCHAR PRIMARY KEY, table_name VARCHAR, status VARCHAR, started_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS vault.intake.quarantine (
    batch_id VARCHAR, file_name VARCHAR, table_name VARCHAR, row_number BIGINT,
    column_name VARCHAR, reason VARCHAR, raw_row VARCHAR);
CREATE TABLE IF NOT EXISTS vault.intake.rejection (
    batch_id VARCHAR, file_name VARCHAR, file_sha256 VARCHAR, table_name VARCHAR,
    reason VARCHAR, rows_read BIGINT, rows_quarantined BIGINT, user_name VARCHAR,
    rejected_at TIMESTAMP);
"""
ANALYTICS_DDL = """
CREATE SCHEMA IF NOT EXISTS analytics.meta;
CREATE SCHEMA IF NOT EXISTS analytics.source;
CREATE TABLE IF NOT EXISTS analytics.meta.batch (
    batch_id VARCHAR PRIMARY KEY, file_name VARCHAR, file_sha256 VARCHAR, table_name VARCHAR,
    contract_version VARCHAR, load_mode VARCHAR, rows_read BIGINT, rows_loaded BIGINT,
    rows_quarantined BIGINT, user_name VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP);
"""


def analytics_columns(spec: Table) -> list[tuple[str, str]]:
    """(name, SQL expression over ``accepted``) of the analytics table of a contract table."""
    out: list[tuple[str, str]] = []
    for column in spec.columns:
        t = ident("t_" + column.name)
        if column.role == "person":
            out.append((PERSON_COLUMNS[column.name], ident("p_" + column.name)))
        elif column.role == "address":
            out.append(("address_pseudonym", ident("p_" + column.name)))
        elif column.role == "analysis" and column.free_text != "drop":
            out.append((column.name, t))  # free text: scanned at the gate (validate.py)
    for source, derivation in spec.derived:
        t = ident("t_" + source)
        if derivation == "year_month":
            out += [
                ("geboortejaar", f"year({t})::INTEGER"),
                ("geboortemaand", f"month({t})::INTEGER"),
            ]
        elif derivation == "postcode4":
            out.append(("postcode4", f"left({t}, 4)"))
        elif derivation == "month":
            out.append((f"{source}_maand", f"(year({t}) * 100 + month({t}))::INTEGER"))
        elif derivation == "record_pseudonym":
            out.append(("record_pseudonym", ident("p_" + source)))
    return out


def vault_columns(spec: Table) -> list[tuple[str, str]]:
    """Identifiers with their pseudonyms: the vault's copy of what analytics may not hold. A
    table read whole by case work (``Table.vault_whole``) keeps its other columns there too."""
    out: list[tuple[str, str]] = [("row_number", "_row")]
    for column in spec.columns:
        if column.role in {"person", "address", "identifier"} or (
            spec.vault_whole and column.free_text != "drop"
        ):
            out.append((column.name, ident("t_" + column.name)))
            if (
                column.role in {"person", "address"}
                or (column.name, "record_pseudonym") in spec.derived
            ):
                out.append((column.name + "_pseudonym", ident("p_" + column.name)))
    return out


def analytics_key(spec: Table) -> list[str]:
    names = dict(analytics_columns(spec))
    key = []
    for k in spec.key:
        column: Column = spec.column(k)
        if column.role == "person":
            key.append(PERSON_COLUMNS[k])
        elif column.role == "address":
            key.append("address_pseudonym")
        elif column.role == "identifier" and (k, "record_pseudonym") in spec.derived:
            key.append("record_pseudonym")
        elif k in names:
            key.append(k)
    return key


def ensure_schemas(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(VAULT_DDL)
    con.execute(ANALYTICS_DDL)


def recover(con: duckdb.DuckDBPyConnection, only: str | None = None) -> list[str]:
    """Undo vault writes of batches that never committed; finish the ones that did. With
    ``only`` (a batch id), that batch alone (other workers' batches may be pending right now)."""
    pending = [
        r[0]
        for r in con.execute(
            "SELECT batch_id FROM vault.intake.batch WHERE status = 'pending' "
            "AND ($b IS NULL OR batch_id = $b)",
            {"b": only},
        ).fetchall()
    ]
    undone = []
    for batch_id in pending:
        committed = con.execute(
            "SELECT count(*) FROM analytics.meta.batch WHERE batch_id = ?", [batch_id]
        ).fetchone()
        table = con.execute(
            "SELECT table_name FROM vault.intake.batch WHERE batch_id = ?", [batch_id]
        ).fetchone()
        if committed and committed[0]:
            finish(con, batch_id, str(table[0]) if table else "", replace=None)
        else:
            con.execute("BEGIN")
            for (name,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = 'vault' "
                "AND schema_name = 'identity'"
            ).fetchall():
                con.execute(
                    f"DELETE FROM vault.identity.{ident(name)} WHERE batch_id = ?", [batch_id]
                )
            con.execute("DELETE FROM vault.intake.quarantine WHERE batch_id = ?", [batch_id])
            con.execute("DELETE FROM vault.intake.batch WHERE batch_id = ?", [batch_id])
            con.execute("COMMIT")
            undone.append(batch_id)
    return undone


def finish(con: duckdb.DuckDBPyConnection, batch_id: str, table: str, replace: bool | None) -> None:
    """Step 3: mark the batch loaded; a replacing delivery drops older identity rows."""
    if replace is None:
        mode = con.execute(
            "SELECT load_mode FROM analytics.meta.batch WHERE batch_id = ?", [batch_id]
        ).fetchone()
        replace = bool(mode and mode[0] == "replace")
    con.execute("BEGIN")
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'vault' "
        "AND schema_name = 'identity' AND table_name = ?",
        [table],
    ).fetchone()
    if replace and exists and exists[0]:
        con.execute(f"DELETE FROM vault.identity.{ident(table)} WHERE batch_id <> ?", [batch_id])
    con.execute("UPDATE vault.intake.batch SET status = 'loaded' WHERE batch_id = ?", [batch_id])
    con.execute("COMMIT")
