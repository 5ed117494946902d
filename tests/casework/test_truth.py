"""Every child's family against the generator's truth (issue 20): a synthetic municipality
written with ``--with-truth`` and loaded through the intake gate; for every person under 18 the
members the family view shows, with their roles and whether they live at the address, equal the
planted family (``truth/family``), except housemates where the view hides them on purpose (a
secret address, an institution). The demo municipality (24,300 persons, 5,365 children) is
checked the same way by ``make bench-family`` (benchmarks/results/family.md)."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path

from meedoen_data.casework import family_read, zone_open
from meedoen_data.intake import ingest_directory
from meedoen_data.synth import synth_municipality
from meedoen_data.workspace import workspace_init

PEILDATUM = date(2025, 1, 1)


def truth_families(path: Path) -> dict[str, dict[str, tuple[str, bool]]]:
    families: dict[str, dict[str, tuple[str, bool]]] = defaultdict(dict)
    with path.open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            families[row["burgerservicenummer"]][row["gerelateerde_burgerservicenummer"]] = (
                row["rol"],
                row["woont_op_adres"] == "1",
            )
    return families


def differences(home: Path, families: dict[str, dict[str, tuple[str, bool]]]) -> list[str]:
    """One line per child whose family differs from the truth."""
    wrong = []
    now = datetime.now(UTC).replace(tzinfo=None)
    with zone_open(home) as zone:
        for child, planted in sorted(families.items()):
            family = family_read(
                home=home, bsn=child, on=PEILDATUM, allowed=(), max_age_days=45, now=now, zone=zone
            )
            shown = {m.bsn: (m.role, m.lives_at_address) for m in family.members[1:]}
            want = planted
            if family.address_hidden or family.institution:
                want = {k: v for k, v in planted.items() if v[0] != "huisgenoot"}
            if shown != want:
                wrong.append(f"{child}: shown {shown}, planted {want}")
    return wrong


def test_every_childs_family_equals_the_generators_truth(tmp_path: Path) -> None:
    home, sources = tmp_path / "home", tmp_path / "sources"
    workspace_init(home=home)
    synth_municipality(gemeente="GM0784", out=sources, persons=1000, with_truth=True)
    report = ingest_directory(home=home, directory=sources, user="test")
    assert {f.status for f in report.files} == {"loaded"}
    families = truth_families(sources / "truth" / "family.csv")
    roles = {role for members in families.values() for role, _ in members.values()}
    assert len(families) > 150 and {"ouder", "broer_zus", "stiefouder"} <= roles
    assert differences(home, families) == []
