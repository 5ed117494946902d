"""A tiny municipality with early-warning signals, written as source files and loaded through
the real intake gate (the pattern of ``tests/casework/town.py``): each household's situation
makes its priority obvious. Tests speak in names; :meth:`SignalTown.bsn` gives a name's BSN.

On the work list's day (1 January 2025, signals open for 182 days):

- Lindelaan: Hanna (rent, € 800, in arrears since 1 August) and her husband Jan (health
  insurance, € 300) → *Huur en zorgverzekering samen*, hoog; their son Kees lives there too;
- Stationsweg: Piet, water three months in a row (€ 50 each) → *Drie maanden achter elkaar*,
  hoog; an older water signal (March 2024) is outside the window; a later one (15 January
  2025) comes after the day;
- Kerkstraat: Sara, a crisis signal of the CAK → *Crisissignaal*, hoog;
- Molenweg: Tom, rent, with an open debt-help trajectory → *Al in schuldhulp*, laag;
- Beukenhof: Ivo, energy € 120 → *Alleen energie of water, onder € 250*, wachten;
- Verborgen: Gerda, with a BRP secrecy indication, rent → *Eén signaal*, normaal, no address;
- a health insurer's signal with a BSN the register does not hold: not on a household.
"""

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
WIJK = "WK078401"
WIJK_NAME = "Rijen-Noord"
#: A valid BSN nobody in the town has.
STRANGER = f"{int(bsn_from_index(np.array([9000], dtype=np.int64))[0]):09d}"


@dataclass
class SignalTown:
    persons: dict[str, dict[str, object]] = field(default_factory=dict)
    rows: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    addresses: dict[str, int] = field(default_factory=dict)
    homes: dict[str, str] = field(default_factory=dict)

    def bsn(self, name: str) -> str:
        return str(self.persons[name]["burgerservicenummer"])

    def _add(self, table: str, **row: object) -> None:
        self.rows.setdefault(table, []).append(row)

    def person(self, name: str, born: date, *, sex: str = "V", secret: str = "0") -> str:
        number = int(bsn_from_index(np.array([len(self.persons) + 31], dtype=np.int64))[0])
        given, _space, surname = name.partition(" ")
        person = {
            "burgerservicenummer": f"{number:09d}",
            "geslachtsnaam": surname,
            "voorvoegsel": "",
            "voornamen": given,
            "datumgeboorte": born,
            "geslachtsaanduiding": sex,
            "datumoverlijden": None,
            "aanduidingnaamgebruik": "E",
            "geboorteland": "Nederland",
            "indicatiegeheim": secret,
        }
        self.persons[name] = person
        self._add("ingeschrevenpersoon", **person)
        return name

    def live(self, name: str, address: str) -> None:
        number = self.addresses.setdefault(address, len(self.addresses) + 1)
        self.homes[name] = address
        self._add(
            "verblijfplaats",
            burgerservicenummer=self.bsn(name),
            adresseerbaarobjectidentificatie=f"07840100{number:08d}",
            nummeraanduidingidentificatie=f"07842000{number:08d}",
            datumvan=LONG_AGO,
            datumtot=None,
        )

    def relate(self, a: str, b: str, kind: str, married: str = "") -> None:
        """``b`` is ``a``'s ``kind`` (ouder, kind, partner), as the BRP's relatie says it."""
        self._add(
            "relatie",
            burgerservicenummer=self.bsn(a),
            gerelateerde_burgerservicenummer=self.bsn(b),
            soortrelatie=kind,
            soortverbintenis=married,
            datumingang=LONG_AGO,
            datumeinde=None,
        )

    def signal(
        self,
        name: str | None,
        partner: str,
        day: date,
        amount: str,
        *,
        since: date | None = None,
        crisis: bool = False,
        bsn: str | None = None,
    ) -> str:
        """A partner's signal about ``name`` (with the person's BSN, or ``bsn``); its id."""
        number = len(self.rows.get("vroegsignaal", [])) + 1
        person = self.persons[name] if name else {}
        address = self.homes.get(name or "", "")
        self._add(
            "vroegsignaal",
            signaalid=f"S{number:05d}",
            signaalpartner=partner,
            burgerservicenummer=bsn or (self.bsn(name) if name else ""),
            geslachtsnaam=person.get("geslachtsnaam", "Onbekend"),
            voorvoegsel="",
            voornamen=person.get("voornamen", "X"),
            postcode="5121AB",
            huisnummer=self.addresses.get(address, 99),
            huisnummertoevoeging="",
            bedrag=amount,
            ontstaansdatum=since,
            signaaldatum=day,
            crisissignaal="J" if crisis else "N",
        )
        return f"S{number:05d}"

    def debt_help(self, name: str, start: date) -> None:
        self._add(
            "schuldhulptraject",
            burgerservicenummer=self.bsn(name),
            startdatum=start,
            einddatum=None,
            totaalschuldbedragbijaanvangschuld="4000.00",
            crisisinterventie="N",
            uitstroomreden="",
        )

    def care(self, name: str, start: date) -> None:
        self._add(
            "toewijzing",
            toewijzingnummer=f"T{len(self.rows.get('toewijzing', [])):06d}",
            burgerservicenummer=self.bsn(name),
            wet="WMO",
            productcategorie="01",
            productcode="01A01",
            datumtoewijzing=start,
            datumstarttoewijzing=start,
            datumeindetoewijzing=None,
            omvang=1,
            eenheid="04",
            frequentie="2",
            leveringsvorm="ZIN",
            aanbieder="98000001",
            soortverwijzer="02",
        )

    def write(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        tables = {
            **self.rows,
            "nummeraanduiding": [
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
                    "wijkcode": WIJK,
                    "gemeentecode": "GM0784",
                }
                for address, n in self.addresses.items()
            ],
            "gebied": [
                {
                    "code": "GM0784",
                    "naam": "Gilze en Rijen",
                    "niveau": "gemeente",
                    "bovenliggend": "",
                },
                {"code": WIJK, "naam": WIJK_NAME, "niveau": "wijk", "bovenliggend": "GM0784"},
            ],
            "aanbieder": [
                {
                    "agbcode": "98000001",
                    "naam": "Thuiszorg Rijen",
                    "telefoon": "0161 123 456",
                    "email": "info@thuiszorgrijen.nl",
                }
            ],
        }
        for table, rows in tables.items():
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


def signal_town() -> SignalTown:
    t = SignalTown()
    for name, born, sex in (
        ("Hanna Wit", date(1984, 2, 2), "V"),
        ("Jan Visser", date(1980, 4, 4), "M"),
        ("Kees Visser", date(2012, 5, 5), "M"),
        ("Piet Anders", date(1950, 1, 1), "M"),
        ("Sara Smit", date(1990, 9, 9), "V"),
        ("Tom Bakker", date(1975, 3, 3), "M"),
        ("Ivo Mulder", date(1982, 3, 3), "M"),
    ):
        t.person(name, born, sex=sex)
    t.person("Gerda Geheim", date(1970, 7, 7), secret="7")
    for name in ("Hanna Wit", "Jan Visser", "Kees Visser"):
        t.live(name, "Lindelaan")
    for name, street in (
        ("Piet Anders", "Stationsweg"),
        ("Sara Smit", "Kerkstraat"),
        ("Tom Bakker", "Molenweg"),
        ("Ivo Mulder", "Beukenhof"),
        ("Gerda Geheim", "Verborgen"),
    ):
        t.live(name, street)
    t.relate("Hanna Wit", "Jan Visser", "partner", "H")
    t.relate("Jan Visser", "Hanna Wit", "partner", "H")
    for parent in ("Hanna Wit", "Jan Visser"):
        t.relate("Kees Visser", parent, "ouder")
        t.relate(parent, "Kees Visser", "kind")
    t.care("Piet Anders", date(2024, 1, 1))
    t.debt_help("Tom Bakker", date(2024, 6, 1))
    t.signal("Hanna Wit", "HUUR", date(2024, 11, 15), "800.00", since=date(2024, 8, 1))
    t.signal("Jan Visser", "ZORGVERZEKERAAR", date(2024, 12, 1), "300.00", since=date(2024, 9, 1))
    t.signal("Piet Anders", "WATER", date(2024, 3, 1), "40.00")  # outside the window
    for month in (10, 11, 12):
        t.signal("Piet Anders", "WATER", date(2024, month, 5), "50.00")
    t.signal("Piet Anders", "WATER", date(2025, 1, 15), "60.00")  # after the day
    t.signal("Sara Smit", "CAK", date(2024, 12, 20), "95.50", crisis=True)
    t.signal("Tom Bakker", "HUUR", date(2024, 12, 2), "650.00", since=date(2024, 10, 1))
    t.signal("Ivo Mulder", "ENERGIE", date(2024, 12, 10), "120.00")
    t.signal("Gerda Geheim", "HUUR", date(2024, 12, 12), "900.00", since=date(2024, 9, 1))
    t.signal(None, "ZORGVERZEKERAAR", date(2024, 12, 14), "200.00", bsn=STRANGER)
    return t
