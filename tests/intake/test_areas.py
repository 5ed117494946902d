"""The optional ``gebied`` table: loaded as delivered, with a level that does not match its code
or a parent that is not the level above sent to quarantine with the file's row and column, and a
name that holds a person's name or a BSN quarantined like any free text."""

from __future__ import annotations

from meedoen_data.areas import Area, areas_read
from meedoen_data.intake import ingest_directory, quarantine_show
from tests.intake.conftest import PERSON_HEADER, person_rows, valid_bsns

HEADER = "code,naam,niveau,bovenliggend"


def test_areas_load_and_wrong_levels_or_parents_go_to_quarantine(home, delivery) -> None:
    rows = [
        "GM0784,Gilze en Rijen,gemeente,",
        "WK078400,Rijen-Centrum,wijk,GM0784",
        "BU07840000,Lindenhof,buurt,WK078400",
        "BU07840001,Kerkakker,wijk,WK078400",  # row 4: a buurt code with level wijk
        "BU07840002,Molenveld,buurt,GM0784",  # row 5: a buurt directly in a gemeente
        "WK078401,Gilze,wijk,",  # a wijk without its parent: allowed
    ]
    result = ingest_directory(
        home=home,
        user="t",
        directory=delivery("gebied.csv", "\n".join([HEADER, *rows])),
        max_reject_share=1,
    ).files[0]
    assert (result.status, result.rows_loaded, result.rows_quarantined) == ("loaded", 4, 2)
    reasons = {
        (r["row_number"], r["column_name"], r["reason"])
        for r in quarantine_show(home=home, batch_id=result.batch_id)
    }
    assert reasons == {
        (4, "niveau", "niveau does not match the code (GM is a gemeente, WK a wijk, BU a buurt)"),
        (
            5,
            "bovenliggend",
            "bovenliggend is not the level above the code (a buurt lies in a wijk, a wijk in a "
            "gemeente)",
        ),
    }
    assert areas_read(home=home) == [
        Area("BU07840000", "Lindenhof", "buurt", "WK078400"),
        Area("GM0784", "Gilze en Rijen", "gemeente", ""),
        Area("WK078400", "Rijen-Centrum", "wijk", "GM0784"),
        Area("WK078401", "Gilze", "wijk", ""),
    ]


def test_an_area_name_that_names_a_person_is_quarantined(home, delivery) -> None:
    ingest_directory(
        home=home,
        user="t",
        directory=delivery("ingeschrevenpersoon.csv", "\n".join([PERSON_HEADER, *person_rows(3)])),
    )
    bsn = valid_bsns(1)[0]
    rows = ["WK078400,Rijen-Centrum,wijk,GM0784", f"WK078401,Anna Jansen0 {bsn},wijk,GM0784"]
    result = ingest_directory(
        home=home,
        user="t",
        directory=delivery("gebied.csv", "\n".join([HEADER, *rows])),
        max_reject_share=1,
    ).files[0]
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    assert [a.name for a in areas_read(home=home)] == ["Rijen-Centrum"]


def test_no_areas_without_a_delivery(home) -> None:
    assert areas_read(home=home) == []


def test_an_outline_is_a_geometry_and_nothing_else(home, delivery) -> None:
    """geometrie is a GeoJSON Polygon or MultiPolygon of numbers: a name in its properties, or
    a nine-digit number (a BSN) as a coordinate, goes to quarantine."""
    square = "[[[0, 0], [1, 0], [1, 1], [0, 0]]]"
    rows = [
        f'WK078400,Rijen,wijk,,"{{""type"": ""Polygon"", ""coordinates"": {square}}}"',
        f'WK078401,Gilze,wijk,,"{{""type"": ""Polygon"", ""coordinates"": {square}, '
        '""properties"": {""naam"": ""Jan Jansen""}}"',
        'WK078402,Hulten,wijk,,"{""type"": ""Polygon"", ""coordinates"": [[[123456782, 1]]]}"',
    ]
    result = ingest_directory(
        home=home,
        user="t",
        directory=delivery("gebied.csv", "\n".join([HEADER + ",geometrie", *rows])),
        max_reject_share=1,
    ).files[0]
    assert (result.rows_loaded, result.rows_quarantined) == (1, 2)
    reasons = {r["column_name"] for r in quarantine_show(home=home, batch_id=result.batch_id)}
    assert reasons == {"geometrie"}
    [area] = areas_read(home=home)
    assert area.geometry.startswith('{"type": "Polygon"')
