"""Cases as the case-management system delivers them (contract table ``casus``, kept whole in the
vault): the rows the web project turns into cases on each worker's caseload."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from meedoen_data.casework.family import _has, zone_open


@dataclass(frozen=True)
class CaseFileRow:
    number: str
    bsn: str
    worker: str  # the case worker's user name in meedoen
    team: str
    start: date
    end: date | None


def caseload_file_rows(*, home: Path) -> list[CaseFileRow]:
    """Every case of the newest ``casus`` delivery, by case number (empty when none came)."""
    with zone_open(home) as con:
        if not _has(con, "vault", "identity", "casus"):
            return []
        rows = con.execute(
            "SELECT casusnummer, burgerservicenummer, medewerker, coalesce(team, ''), "
            "startdatum, einddatum FROM vault.identity.casus ORDER BY casusnummer"
        ).fetchall()
    return [CaseFileRow(str(r[0]), str(r[1]), str(r[2] or ""), str(r[3]), r[4], r[5]) for r in rows]
