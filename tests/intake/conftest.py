"""Workspaces and delivery files built in code for the intake tests."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pytest

from meedoen_data.bsn import bsn_from_index
from meedoen_data.contract import TABLES
from meedoen_data.intake import ingest_directory
from meedoen_data.workspace import workspace_init

#: A contract v1 person file: without the optional ``indicatiegeheim`` of contract v2 (a
#: delivery without an optional column still loads).
PERSON_HEADER = ",".join(c for c in TABLES["ingeschrevenpersoon"] if c != "indicatiegeheim")


def valid_bsns(n: int, offset: int = 0) -> list[str]:
    return [f"{b:09d}" for b in bsn_from_index(np.arange(offset, offset + n, dtype=np.int64))]


def person_rows(n: int, offset: int = 0) -> list[str]:
    return [
        f"{bsn},Jansen{i},van der,Anna Maria,1980-05-{(i % 28) + 1:02d},V,,E,Nederland"
        for i, bsn in enumerate(valid_bsns(n, offset))
    ]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A workspace the gate has opened once (its lineage and vault tables exist)."""
    workspace_init(home=tmp_path / "home")
    (tmp_path / "empty").mkdir()
    ingest_directory(home=tmp_path / "home", directory=tmp_path / "empty", user="setup")
    return tmp_path / "home"


@pytest.fixture
def delivery(tmp_path: Path) -> Callable[..., Path]:
    """Write one file into a fresh delivery folder: delivery(name, text, encoding='utf-8')."""
    counter = iter(range(1000))

    def write(name: str, text: str | bytes, encoding: str = "utf-8") -> Path:
        folder = tmp_path / f"delivery{next(counter)}"
        folder.mkdir()
        data = text if isinstance(text, bytes) else text.encode(encoding)
        (folder / name).write_bytes(data)
        return folder

    return write


def analytics_fingerprint(home: Path) -> str:
    """A digest of every table and row in the analytics store."""
    digest = hashlib.sha256()
    with duckdb.connect(str(home / "analytics.duckdb"), read_only=True) as con:
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() ORDER BY ALL"
        ).fetchall()
        for schema, table in tables:
            digest.update(f"{schema}.{table}".encode())
            for row in con.execute(f'SELECT * FROM "{schema}"."{table}" ORDER BY ALL').fetchall():
                digest.update(repr(row).encode())
    return digest.hexdigest()


def vault_rows(home: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    with duckdb.connect(str(home / "vault" / "vault.duckdb"), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def analytics_rows(home: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    with duckdb.connect(str(home / "analytics.duckdb"), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()
