"""The generator writes the source data contract exactly, with valid keys and references."""

from __future__ import annotations

import csv
from datetime import date

from meedoen_data.bsn import bsn_is_valid
from meedoen_data.contract import PARTNER_FILE_COLUMNS, TABLES
from tests.synth.conftest import one


def test_every_contract_table_with_exactly_its_columns(gilze) -> None:
    for table, columns in TABLES.items():
        with (gilze.out / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
            assert tuple(next(csv.reader(handle))) == columns, table
    with (gilze.out / "voedselbank.csv").open(encoding="utf-8", newline="") as handle:
        assert tuple(next(csv.reader(handle))) == PARTNER_FILE_COLUMNS


def test_bsns_are_valid_and_unique(sql) -> None:
    values = [row[0] for row in sql("SELECT burgerservicenummer::VARCHAR FROM ingeschrevenpersoon")]
    assert len(values) == len(set(values))
    assert all(bsn_is_valid(value.zfill(9)) for value in values)


def test_references_resolve(sql) -> None:
    assert (
        one(
            sql,
            """SELECT count(*) FROM verblijfplaats v ANTI JOIN nummeraanduiding n
                       USING (adresseerbaarobjectidentificatie)""",
        )
        == 0
    )
    for table in (
        "verblijfplaats",
        "relatie",
        "toewijzing",
        "inkomensvoorziening",
        "schuldhulptraject",
        "cbs_persoon",
        "cbs_inkomen",
    ):
        assert (
            one(
                sql,
                f"""SELECT count(*) FROM {table} t ANTI JOIN ingeschrevenpersoon p
                           USING (burgerservicenummer)""",
            )
            == 0
        ), table
    assert (
        one(
            sql,
            """SELECT count(*) FROM vroegsignaal s WHERE burgerservicenummer IS NOT NULL
                       AND burgerservicenummer NOT IN (SELECT burgerservicenummer
                                                       FROM ingeschrevenpersoon)""",
        )
        == 0
    )


def test_relations_are_symmetric(sql) -> None:
    assert (
        one(
            sql,
            """SELECT count(*) FROM relatie a ANTI JOIN relatie b
        ON a.burgerservicenummer = b.gerelateerde_burgerservicenummer
       AND a.gerelateerde_burgerservicenummer = b.burgerservicenummer
       AND (a.soortrelatie = 'partner') = (b.soortrelatie = 'partner')""",
        )
        == 0
    )
    assert sql("SELECT DISTINCT soortrelatie FROM relatie ORDER BY 1") == [
        ("kind",),
        ("ouder",),
        ("partner",),
    ]
    assert (
        one(
            sql,
            """SELECT count(*) FROM relatie WHERE soortrelatie = 'partner'
                       AND soortverbintenis NOT IN ('H', 'P')""",
        )
        == 0
    )


def test_codes_and_formats(sql) -> None:
    assert (
        one(
            sql,
            "SELECT count(*) FROM nummeraanduiding WHERE NOT regexp_full_match("
            "identificatie::VARCHAR, '0784200[0-9]{9}')",
        )
        == 0
    )
    assert (
        one(
            sql,
            "SELECT count(*) FROM nummeraanduiding WHERE NOT regexp_full_match("
            "buurtcode, 'BU0784[0-9]{4}') OR NOT regexp_full_match(wijkcode, "
            "'WK0784[0-9]{2}') OR NOT regexp_full_match(postcode, '[1-9][0-9]{3}[A-Z]{2}')",
        )
        == 0
    )
    assert (
        one(
            sql,
            "SELECT count(*) FROM toewijzing WHERE soortverwijzer NOT IN "
            "('01','02','03','04','05','06','08')",
        )
        == 0
    )
    assert {r[0] for r in sql("SELECT DISTINCT signaalpartner FROM vroegsignaal")} <= {
        "HUUR",
        "ENERGIE",
        "WATER",
        "ZORGVERZEKERAAR",
        "CAK",
    }


def test_dates_lie_before_the_peildatum(sql) -> None:
    assert one(sql, "SELECT max(datumgeboorte) FROM ingeschrevenpersoon") < date(2025, 1, 1)
    assert one(sql, "SELECT max(datumvan) FROM verblijfplaats") < date(2025, 1, 1)
    assert one(sql, "SELECT count(*) FROM verblijfplaats WHERE datumtot < datumvan") == 0
    assert (
        one(sql, "SELECT count(*) FROM ingeschrevenpersoon WHERE datumoverlijden < datumgeboorte")
        == 0
    )


def test_every_area_of_the_addresses_has_a_name_and_its_parent(sql) -> None:
    """gebied names the gemeente, every wijk and every buurt the addresses use, each once, and
    a buurt lies in the wijk its addresses say (issue 17: names next to codes)."""
    for column in ("buurtcode", "wijkcode", "gemeentecode"):
        missing = one(
            sql,
            f"SELECT count(DISTINCT {column}) FROM nummeraanduiding "
            f"WHERE {column} NOT IN (SELECT code FROM gebied)",
        )
        assert missing == 0, column
    assert one(sql, "SELECT count(*) - count(DISTINCT naam) FROM gebied") == 0
    wrong_parent = one(
        sql,
        """SELECT count(*) FROM (SELECT DISTINCT buurtcode, wijkcode FROM nummeraanduiding) n
           JOIN gebied g ON g.code = n.buurtcode WHERE g.bovenliggend <> n.wijkcode""",
    )
    assert wrong_parent == 0
    levels = dict(sql("SELECT niveau, count(*) FROM gebied GROUP BY niveau"))
    assert levels["gemeente"] == 1 and levels["wijk"] > 1 and levels["buurt"] > levels["wijk"]
    assert sql("SELECT naam FROM gebied WHERE niveau = 'gemeente'") == [("Gilze en Rijen",)]


def test_every_area_has_an_outline_and_a_buurt_lies_inside_its_wijk(sql) -> None:
    """gebied.geometrie: GeoJSON squares in RD New for the map (issue 18); a buurt's cell lies
    within its wijk's square, and the cells of a wijk cover it."""
    import json

    rows = sql("SELECT code, niveau, bovenliggend, geometrie FROM gebied")
    shapes = {code: json.loads(geometry) for code, _, _, geometry in rows}
    assert all(s["type"] in ("Polygon", "MultiPolygon") for s in shapes.values())

    def box(shape: dict) -> tuple[float, float, float, float]:
        points = [p for ring in shape["coordinates"] for p in ring]
        return (min(p[0] for p in points), min(p[1] for p in points),
                max(p[0] for p in points), max(p[1] for p in points))  # fmt: skip

    covered: dict[str, float] = {}
    for code, level, parent, _ in rows:
        if level != "buurt":
            continue
        b, w = box(shapes[code]), box(shapes[parent])
        assert w[0] <= b[0] < b[2] <= w[2] and w[1] <= b[1] < b[3] <= w[3], code
        covered[parent] = covered.get(parent, 0) + (b[2] - b[0]) * (b[3] - b[1])
    for wijk, area in covered.items():
        w = box(shapes[wijk])
        assert area == (w[2] - w[0]) * (w[3] - w[1]), wijk
