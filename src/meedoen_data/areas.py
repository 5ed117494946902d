"""The areas a municipality supplied in the contract's ``gebied`` table (code, name, level,
parent), read back from the analytics store for the web app's labels (ADR 0019)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from meedoen_data.workspace import Workspace


@dataclass(frozen=True)
class Area:
    code: str  # GM + 4, WK + 6 or BU + 8 digits
    name: str
    level: str  # gemeente, wijk or buurt
    parent: str  # the code of the area it lies in; empty for a gemeente or when not given
    geometry: str = ""  # GeoJSON Polygon or MultiPolygon (RD New or WGS84); empty when not given


def areas_read(*, home: Path) -> list[Area]:
    """Every area of the last ``gebied`` delivery, by code; empty when none was loaded."""
    con = duckdb.connect(str(Workspace(home).analytics_path), read_only=True)
    try:
        found = con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = 'source' AND table_name = 'gebied'"
        ).fetchone()
        if not found or not found[0]:
            return []
        rows = con.execute(
            "SELECT code, naam, niveau, coalesce(bovenliggend, ''), coalesce(geometrie, '') "
            "FROM source.gebied ORDER BY code"
        ).fetchall()
    finally:
        con.close()
    return [Area(str(c), str(n), str(lv), str(p), str(g)) for c, n, lv, p, g in rows]
