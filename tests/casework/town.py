"""A tiny municipality written as source files in code: persons, addresses, relations and
services of a few families, loaded through the real intake gate, so that each family situation
can be tested on a case whose answer is obvious. Tests speak in names; :meth:`Town.bsn` gives a
name's BSN."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from meedoen_data.bsn import bsn_from_index
from meedoen_data.intake import ingest_directory
from meedoen_data.workspace import workspace_init

ON = date(2025, 1, 1)
LONG_AGO = date(2000, 1, 1)


@dataclass
class Town:
    persons: dict[str, dict[str, object]] = field(default_factory=dict)
    rows: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    addresses: dict[str, int] = field(default_factory=dict)

    def bsn(self, name: str) -> str:
        return str(self.persons[name]["burgerservicenummer"])

    def name(self, bsn: str) -> str:
        return next(n for n, p in self.persons.items() if p["burgerservicenummer"] == bsn)

    def _add(self, table: str, **row: object) -> None:
        self.rows.setdefault(table, []).append(row)

    def person(
        self,
        name: str,
        born: date,
        *,
        sex: str = "V",
        died: date | None = None,
        secret: str = "0",
        registered: bool = True,
    ) -> str:
        """A person; ``registered=False``: only their BSN is known (a relation's other end)."""
        number = int(bsn_from_index(np.array([len(self.persons) + 17], dtype=np.int64))[0])
        given, _space, surname = name.partition(" ")
        person = {
            "burgerservicenummer": f"{number:09d}",
            "geslachtsnaam": surname or given,
            "voorvoegsel": "",
            "voornamen": given,
            "datumgeboorte": born,
            "geslachtsaanduiding": sex,
            "datumoverlijden": died,
            "aanduidingnaamgebruik": "E",
            "geboorteland": "Nederland",
            "indicatiegeheim": secret,
        }
        self.persons[name] = person
        if registered:
            self._add("ingeschrevenpersoon", **person)
        return name

    def live(self, name: str, address: str, since: date = LONG_AGO, until: date | None = None):
        number = self.addresses.setdefault(address, len(self.addresses) + 1)
        self._add(
            "verblijfplaats",
            burgerservicenummer=self.bsn(name),
            adresseerbaarobjectidentificatie=f"07840100{number:08d}",
            nummeraanduidingidentificatie=f"07842000{number:08d}",
            datumvan=since,
            datumtot=until,
        )

    def marry(self, a: str, b: str, since: date = LONG_AGO, until: date | None = None) -> None:
        for x, y in ((a, b), (b, a)):
            self._add(
                "relatie",
                burgerservicenummer=self.bsn(x),
                gerelateerde_burgerservicenummer=self.bsn(y),
                soortrelatie="partner",
                soortverbintenis="H",
                datumingang=since,
                datumeinde=until,
            )

    def parent(self, parent: str, child: str) -> None:
        born = self.persons[child]["datumgeboorte"]
        for x, y, kind in ((child, parent, "ouder"), (parent, child, "kind")):
            self._add(
                "relatie",
                burgerservicenummer=self.bsn(x),
                gerelateerde_burgerservicenummer=self.bsn(y),
                soortrelatie=kind,
                soortverbintenis="",
                datumingang=born,
                datumeinde=None,
            )

    def care(
        self, name: str, wet: str, category: str, start: date, end: date | None = None
    ) -> None:
        number = len(self.rows.get("toewijzing", []))
        self._add(
            "toewijzing",
            toewijzingnummer=f"T{number:06d}",
            burgerservicenummer=self.bsn(name),
            wet=wet,
            productcategorie=category,
            productcode=f"{category}A01",
            datumtoewijzing=start,
            datumstarttoewijzing=start,
            datumeindetoewijzing=end,
            omvang=1,
            eenheid="04",
            frequentie="2",
            leveringsvorm="ZIN",
            aanbieder="98000001",
            soortverwijzer="02",
        )

    def benefit(self, name: str, start: date, end: date | None = None) -> None:
        self._add(
            "inkomensvoorziening",
            burgerservicenummer=self.bsn(name),
            wet="PARTICIPATIEWET",
            code="ABB",
            ingangsdatum=start,
            einddatum=end,
            bedrag="1200.00",
        )

    def involve(self, name: str, professional: str, rol: str, start: date, last: date) -> None:
        self._add(
            "betrokkenheid",
            burgerservicenummer=self.bsn(name),
            organisatie="Wijkteam Noord",
            professional=professional,
            rol=rol,
            contact="06-12345678",
            startdatum=start,
            laatstecontact=last,
        )

    def _addresses(self) -> list[dict[str, object]]:
        return [
            {
                "identificatie": f"07842000{n:08d}",
                "adresseerbaarobjectidentificatie": f"07840100{n:08d}",
                "postcode": "5121AB",
                "huisnummer": n,
                "huisletter": "",
                "huisnummertoevoeging": "",
                "openbareruimtenaam": address,
                "woonplaatsnaam": "Rijen",
                "buurtcode": "BU07840101",
                "wijkcode": "WK078401",
                "gemeentecode": "GM0784",
            }
            for address, n in self.addresses.items()
        ]

    def write(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        tables = {**self.rows, "nummeraanduiding": self._addresses()}
        tables.setdefault(
            "aanbieder",
            [
                {
                    "agbcode": "98000001",
                    "naam": "Jeugdhulp Oost",
                    "telefoon": "013 123 4567",
                    "email": "info@jeugdhulpoost.nl",
                }
            ],
        )
        for table, rows in tables.items():
            if not rows:
                continue
            with (directory / f"{table}.csv").open("w", newline="", encoding="utf-8") as out:
                writer = csv.DictWriter(out, fieldnames=list(rows[0]))
                writer.writeheader()
                for row in rows:
                    writer.writerow({k: "" if v is None else v for k, v in row.items()})
        return directory

    def load(self, home: Path) -> Path:
        """A new workspace at ``home`` with the town loaded through the intake gate."""
        workspace_init(home=home)
        report = ingest_directory(home=home, directory=self.write(home / "delivery"), user="t")
        problems = [
            f"{f.file}: {f.message} {f.errors[:3]}"
            for f in report.files
            if f.status != "loaded" or f.rows_quarantined
        ]
        assert not problems, problems
        return home


def step_family(t: Town) -> None:
    """Hanna and Ivo divorced in 2020; Hanna remarried Jan, who brings his son Kees; Ivo has a
    daughter Lotte with Mila, at his new address; the child is Noor, living with her mother."""
    for name, born, sex in (
        ("Hanna de Wit", date(1984, 2, 2), "V"),
        ("Ivo Mulder", date(1982, 3, 3), "M"),
        ("Jan Visser", date(1980, 4, 4), "M"),
        ("Kees Visser", date(2012, 5, 5), "M"),
        ("Mila Kok", date(1990, 6, 6), "V"),
        ("Lotte Mulder", date(2022, 7, 7), "V"),
        ("Noor Mulder", date(2014, 8, 8), "V"),
    ):
        t.person(name, born, sex=sex)
    t.marry("Hanna de Wit", "Ivo Mulder", since=date(2010, 1, 1), until=date(2020, 6, 1))
    t.marry("Hanna de Wit", "Jan Visser", since=date(2022, 1, 1))
    t.parent("Hanna de Wit", "Noor Mulder")
    t.parent("Ivo Mulder", "Noor Mulder")
    t.parent("Jan Visser", "Kees Visser")
    t.parent("Ivo Mulder", "Lotte Mulder")
    t.parent("Mila Kok", "Lotte Mulder")
    for name in ("Hanna de Wit", "Jan Visser", "Kees Visser", "Noor Mulder"):
        t.live(name, "Lindelaan")
    for name in ("Ivo Mulder", "Mila Kok", "Lotte Mulder"):
        t.live(name, "Beukenhof", since=date(2020, 7, 1))
