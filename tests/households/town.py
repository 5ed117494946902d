"""A tiny hand-made activity store: persons, addresses and relations written in code, so that
each household rule can be tested on a case whose answer is obvious."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from meedoen_data.households import household_build
from meedoen_data.households.build import BuildReport

PEILDATUM = date(2025, 1, 1)


_NAMES: dict[str, str] = {}


def pid(name: str) -> str:
    """A stable 32-hex pseudonym for a readable name (tests speak in names)."""
    value = hashlib.md5(name.encode()).hexdigest()
    _NAMES[value] = name
    return value


@dataclass
class Town:
    persons: list[tuple[object, ...]] = field(default_factory=list)
    residences: list[tuple[object, ...]] = field(default_factory=list)
    relations: list[tuple[object, ...]] = field(default_factory=list)
    addresses: dict[str, str] = field(default_factory=dict)
    allocations: list[tuple[object, ...]] = field(default_factory=list)

    def person(
        self, name: str, born: int, *, month: int = 6, sex: str = "V", died: date | None = None
    ) -> str:
        self.persons.append((pid(name), sex, died, "E", "Nederland", born, month))
        return name

    def live(self, name: str, address: str, since: int = 200001, until: int | None = None) -> None:
        self.addresses.setdefault(address, "BU07840101")
        self.residences.append((pid(name), pid("adres " + address), since, until))

    def marry(
        self, a: str, b: str, since: int = 200501, until: int | None = None, kind: str = "H"
    ) -> None:
        for x, y in ((a, b), (b, a)):
            self.relations.append((pid(x), pid(y), "partner", kind, since, until))

    def parent(self, parent: str, child: str) -> None:
        self.relations.append((pid(parent), pid(child), "kind", None, 200001, None))
        self.relations.append((pid(child), pid(parent), "ouder", None, 200001, None))

    def care(self, name: str, wet: str, category: str, start: date, end: date | None) -> None:
        number = f"T{len(self.allocations):06d}"
        self.allocations.append(
            (number, pid(name), wet, category, category + "A01", start, start, end, "01")
        )

    def write(self, home: Path, activity_id: int = 1) -> Path:
        path = home / "activities" / f"activity-{activity_id}.duckdb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        con = duckdb.connect(str(path))
        con.execute("CREATE SCHEMA source")
        con.execute(
            "CREATE TABLE source.ingeschrevenpersoon (person_pseudonym VARCHAR, "
            "geslachtsaanduiding VARCHAR, datumoverlijden DATE, aanduidingnaamgebruik VARCHAR, "
            "geboorteland VARCHAR, geboortejaar INTEGER, geboortemaand INTEGER)"
        )
        con.executemany(
            "INSERT INTO source.ingeschrevenpersoon VALUES (?, ?, ?, ?, ?, ?, ?)", self.persons
        )
        con.execute(
            "CREATE TABLE source.verblijfplaats (person_pseudonym VARCHAR, "
            "address_pseudonym VARCHAR, datumvan_maand INTEGER, datumtot_maand INTEGER)"
        )
        if self.residences:
            con.executemany(
                "INSERT INTO source.verblijfplaats VALUES (?, ?, ?, ?)", self.residences
            )
        con.execute(
            "CREATE TABLE source.relatie (person_pseudonym VARCHAR, "
            "related_person_pseudonym VARCHAR, soortrelatie VARCHAR, soortverbintenis VARCHAR, "
            "datumingang_maand INTEGER, datumeinde_maand INTEGER)"
        )
        if self.relations:
            con.executemany("INSERT INTO source.relatie VALUES (?, ?, ?, ?, ?, ?)", self.relations)
        con.execute(
            "CREATE TABLE source.nummeraanduiding (address_pseudonym VARCHAR, buurtcode VARCHAR, "
            "wijkcode VARCHAR, gemeentecode VARCHAR, postcode4 VARCHAR)"
        )
        con.executemany(
            "INSERT INTO source.nummeraanduiding VALUES (?, ?, ?, 'GM0784', '5121')",
            [(pid("adres " + a), b, "WK" + b[2:8]) for a, b in self.addresses.items()],
        )
        if self.allocations:
            con.execute(
                "CREATE TABLE source.toewijzing (toewijzingnummer VARCHAR, "
                "person_pseudonym VARCHAR, wet VARCHAR, productcategorie VARCHAR, "
                "productcode VARCHAR, datumtoewijzing DATE, datumstarttoewijzing DATE, "
                "datumeindetoewijzing DATE, soortverwijzer VARCHAR)"
            )
            con.executemany(
                "INSERT INTO source.toewijzing VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                self.allocations,
            )
        con.close()
        return path

    def build(
        self,
        home: Path,
        *,
        domains: tuple[str, ...] = ("brp",),
        peildatum: date = PEILDATUM,
        engine: str = "duckdb",
    ) -> BuildReport:
        self.write(home)
        return household_build(
            home=home, activity_id=1, peildatum=peildatum, domains=domains, engine=engine
        )


def households(home: Path, peildatum: date = PEILDATUM) -> dict[frozenset[str], str]:
    """{member names → household type}, names decoded from the test pseudonyms."""
    con = duckdb.connect(str(home / "activities" / "activity-1.duckdb"), read_only=True)
    rows = con.execute(
        "SELECT household_id, household_type, list(person_id ORDER BY person_id) "
        "FROM household.household_member WHERE peildatum = ? GROUP BY ALL",
        [peildatum],
    ).fetchall()
    con.close()
    return {frozenset(_NAMES[p] for p in members): kind for _, kind, members in rows}
