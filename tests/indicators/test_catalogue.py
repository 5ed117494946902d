"""The indicator catalogue (issue 18): the product's own covers the six dimensions of Positieve
Gezondheid with every aspect of "meedoen", names only columns a household build makes and panel
items the contract has, and every mistake in an installation's addition is refused with the file,
the indicator and the field."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from meedoen_data.indicators import DIMENSIONS, MEEDOEN_ASPECTS, CatalogueError, catalogue_load
from meedoen_data.indicators.catalogue import DERIVED_COLUMNS, HOUSEHOLD_COLUMNS, YEAR_COLUMNS
from tests.households.town import Town

GOOD = """
[[indicator]]
id = "sportclub"
naam = "Lid van een sportclub"
vraag = "Hoeveel inwoners sporten bij een club?"
uitleg = "Het deel van de inwoners dat lid is van een sportclub."
dimensie = "meedoen"
aspect = "samen leuke dingen doen"
eenheid = "respondent"
richting = "hoger_beter"
niveaus = ["gemeente", "wijk"]
status = "geen_data"
nodig = "Ledenaantallen van de sportclubs per wijk."
"""


def test_the_catalogue_covers_every_dimension_and_every_aspect_of_meedoen() -> None:
    catalogue = catalogue_load()
    assert len(catalogue.indicators) >= 25
    grouped = catalogue.by_dimension()
    assert set(grouped) == set(DIMENSIONS) and all(grouped.values())
    meedoen = {i.aspect for i in grouped["meedoen"]}
    assert set(MEEDOEN_ASPECTS) <= meedoen
    statuses = {i.status for i in catalogue.indicators}
    assert statuses == {"register", "panel", "geen_data"}
    assert catalogue.get("sociale_media").needed  # the gap Delft named
    assert catalogue.get("voedselbank").scale == 1000


def test_every_column_a_register_indicator_may_name_is_made_by_a_household_build(
    tmp_path: Path,
) -> None:
    town = Town()
    town.person("moeder", 1985)
    town.person("kind", 2015)
    for name in ("moeder", "kind"):
        town.live(name, "A")
    town.parent("moeder", "kind")
    town.build(tmp_path)
    con = duckdb.connect(str(tmp_path / "activities" / "activity-1.duckdb"), read_only=True)
    made = {
        table: {row[0] for row in con.execute(f"DESCRIBE household.{table}").fetchall()}
        for table in ("household", "household_year")
    }
    con.close()
    assert set(HOUSEHOLD_COLUMNS) <= made["household"]
    assert set(YEAR_COLUMNS) <= made["household_year"]
    assert not set(DERIVED_COLUMNS) & (made["household"] | made["household_year"])


def test_an_installation_adds_its_own_indicators(tmp_path: Path) -> None:
    (tmp_path / "indicators").mkdir()
    (tmp_path / "indicators" / "eigen.toml").write_text(GOOD, encoding="utf-8")
    catalogue = catalogue_load(home=tmp_path)
    added = catalogue.get("sportclub")
    assert added.origin == "eigen.toml" and not added.has_data
    assert len(catalogue.indicators) == len(catalogue_load().indicators) + 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('id = "sportclub"', 'id = "bijstand"'),
            "eigen.toml: indicator 'bijstand' exists already",
        ),
        (('dimensie = "meedoen"', 'dimensie = "geluk"'), "indicator 'sportclub': dimensie 'geluk'"),
        (('naam = "Lid van een sportclub"\n', ""), "indicator 'sportclub': missing naam"),
        (('status = "geen_data"', 'status = "panel"'), "item '' is not one of meedoen_"),
        (
            ('nodig = "Ledenaantallen van de sportclubs per wijk."', 'kleur = "blauw"'),
            "unknown field kleur",
        ),
        (
            (
                'status = "geen_data"',
                'status = "register"\nbronnen = ["brp"]\ngrondslag = "x"\n'
                'teller = [{ kolom = "sport; DROP TABLE x", is = "=", waarde = 1 }]',
            ),
            "teller 1: kolom 'sport; DROP TABLE x' is not one of",
        ),
    ],
)
def test_a_wrong_addition_is_refused_naming_file_indicator_and_field(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    text = GOOD.replace(*change)
    (tmp_path / "indicators").mkdir()
    (tmp_path / "indicators" / "eigen.toml").write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError) as refused:
        catalogue_load(home=tmp_path)
    assert message in str(refused.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("versie = 2\n" + GOOD, "eigen.toml: versie must be 1"),
        (GOOD.replace('id = "sportclub"', 'id = "sportclub'), "eigen.toml: not valid TOML"),
    ],
)
def test_a_file_that_is_not_a_catalogue_is_refused(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "indicators").mkdir()
    (tmp_path / "indicators" / "eigen.toml").write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError, match=message):
        catalogue_load(home=tmp_path)


def test_the_command_lists_the_catalogue_and_refuses_a_wrong_addition(tmp_path: Path) -> None:
    from tests.helpers import meedoen, meedoen_json

    listed = meedoen_json("indicator", "list", "--home", str(tmp_path), "--json")
    assert len(listed) == len(catalogue_load().indicators)
    assert any(row["id"] == "bijstand" and row["status"] == "register" for row in listed)
    (tmp_path / "indicators").mkdir()
    (tmp_path / "indicators" / "eigen.toml").write_text(
        GOOD.replace('eenheid = "respondent"', 'eenheid = "gezin"'), encoding="utf-8"
    )
    refused = meedoen("indicator", "list", "--home", str(tmp_path))
    assert refused.returncode == 2
    assert "eigen.toml, indicator 'sportclub': eenheid 'gezin' is not one of" in refused.stderr


def test_a_changed_addition_is_read_again(tmp_path: Path) -> None:
    """The catalogue is kept between reads (pages label releases by it) until a file changes."""
    (tmp_path / "indicators").mkdir()
    addition = tmp_path / "indicators" / "eigen.toml"
    addition.write_text(GOOD, encoding="utf-8")
    assert catalogue_load(home=tmp_path) is catalogue_load(home=tmp_path)
    addition.write_text(GOOD.replace("Lid van een sportclub", "Lid van een club"), encoding="utf-8")
    assert catalogue_load(home=tmp_path).get("sportclub").name == "Lid van een club"
    addition.unlink()
    with pytest.raises(KeyError):
        catalogue_load(home=tmp_path).get("sportclub")
