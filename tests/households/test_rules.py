"""Each household rule of docs/households.md on a hand-made case whose answer is obvious."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from meedoen_data.activity_store import ActivityStoreError
from meedoen_data.categories import COARSE_SQL, COARSENED, coarsening
from meedoen_data.households import household_build
from meedoen_data.households.build import BuildReport
from tests.households.town import PEILDATUM, Town, households, pid


def test_family_with_grandparent_is_one_household(tmp_path: Path) -> None:
    town = Town()
    for name, born in (("vader", 1980), ("moeder", 1982), ("kind1", 2012), ("kind2", 2015)):
        town.person(name, born)
        town.live(name, "A")
    town.person("opa", 1950)
    town.live("opa", "A")
    town.marry("vader", "moeder")
    for kid in ("kind1", "kind2"):
        town.parent("vader", kid)
        town.parent("moeder", kid)
    town.parent("opa", "vader")
    town.build(tmp_path)
    assert households(tmp_path) == {
        frozenset({"vader", "moeder", "kind1", "kind2", "opa"}): "paar_met_kinderen"
    }


def test_single_parent_and_lodger_are_two_households(tmp_path: Path) -> None:
    town = Town()
    town.person("moeder", 1985)
    town.person("kind", 2015)
    town.person("kostganger", 1955, sex="M")
    for name in ("moeder", "kind", "kostganger"):
        town.live(name, "A")
    town.parent("moeder", "kind")
    town.build(tmp_path)
    assert households(tmp_path) == {
        frozenset({"moeder", "kind"}): "eenouder",
        frozenset({"kostganger"}): "eenpersoons",
    }


def test_unmarried_partner_of_a_single_parent_makes_a_stepfamily(tmp_path: Path) -> None:
    town = Town()
    town.person("moeder", 1985)
    town.person("kind", 2015)
    town.person("vriend", 1983, sex="M")
    for name in ("moeder", "kind", "vriend"):
        town.live(name, "A")
    town.parent("moeder", "kind")
    town.build(tmp_path)
    assert households(tmp_path) == {frozenset({"moeder", "kind", "vriend"}): "paar_met_kinderen"}


def test_unmarried_parents_are_a_couple_by_their_common_child(tmp_path: Path) -> None:
    town = Town()
    for name, born in (("a", 1970), ("b", 1995), ("kind", 2020), ("huisgenoot", 1990)):
        town.person(name, born)
        town.live(name, "A")
    town.parent("a", "kind")
    town.parent("b", "kind")
    town.build(tmp_path)
    # 25 years apart, yet parents of the same child; the third adult stays on their own.
    assert households(tmp_path) == {
        frozenset({"a", "b", "kind"}): "paar_met_kinderen",
        frozenset({"huisgenoot"}): "eenpersoons",
    }


def test_cohabiting_needs_a_plausible_age_gap_and_no_family_tie(tmp_path: Path) -> None:
    town = Town()
    pairs = {
        "B": (("p1", 1990), ("p2", 1994)),  # likely couple
        "C": (("q1", 1950), ("q2", 1990)),  # 40 years apart: not a couple
        "D": (("zus", 1990), ("broer", 1993)),  # siblings: a common parent elsewhere
    }
    for address, people in pairs.items():
        for name, born in people:
            town.person(name, born)
            town.live(name, address)
    town.person("ouder", 1960)
    town.live("ouder", "E")
    town.parent("ouder", "zus")
    town.parent("ouder", "broer")
    town.build(tmp_path)
    found = households(tmp_path)
    assert found[frozenset({"p1", "p2"})] == "paar_zonder_kinderen"
    assert found[frozenset({"q1", "q2"})] == "overig"
    assert found[frozenset({"zus", "broer"})] == "overig"


def test_three_unrelated_adults_are_one_other_household(tmp_path: Path) -> None:
    town = Town()
    for name, born in (("s1", 2000), ("s2", 2001), ("s3", 2002)):
        town.person(name, born)
        town.live(name, "A")
    town.build(tmp_path)
    assert households(tmp_path) == {frozenset({"s1", "s2", "s3"}): "overig"}


def test_institution_by_many_unrelated_residents_but_not_a_large_family(tmp_path: Path) -> None:
    town = Town()
    for n in range(12):
        town.person(f"bewoner{n}", 1935 + n)
        town.live(f"bewoner{n}", "zorg")
    town.person("v", 1975)
    town.person("m", 1976)
    town.marry("v", "m")
    family = {"v", "m"}
    for n in range(8):
        kid = town.person(f"k{n}", 2003 + n)
        family.add(kid)
        town.parent("v", kid)
        town.parent("m", kid)
    for name in family | {"v", "m"}:
        town.live(name, "groot")
    town.build(tmp_path)
    found = households(tmp_path)
    assert found[frozenset(f"bewoner{n}" for n in range(12))] == "institutioneel"
    assert found[frozenset(family)] == "paar_met_kinderen"


def test_only_residents_alive_at_the_peildatum_count(tmp_path: Path) -> None:
    town = Town()
    town.person("weduwe", 1940)
    town.person("overleden", 1938, sex="M", died=date(2024, 3, 2))
    town.marry("weduwe", "overleden", since=196001)
    town.live("weduwe", "A")
    town.live("overleden", "A", until=202403)
    town.person("vertrokken", 1990)
    town.live("vertrokken", "B", until=202406)
    town.person("verhuisd", 1991)
    town.live("verhuisd", "C", until=202205)
    town.live("verhuisd", "D", since=202205)
    town.person("nieuw", 1992)
    town.live(
        "nieuw", "E", since=PEILDATUM.year * 100 + PEILDATUM.month
    )  # after the evening before
    town.build(tmp_path)
    assert households(tmp_path) == {
        frozenset({"weduwe"}): "eenpersoons",
        frozenset({"verhuisd"}): "eenpersoons",
    }


def test_ended_and_registered_partnerships(tmp_path: Path) -> None:
    town = Town()
    town.person("ex1", 1960)
    town.person("ex2", 1990, sex="M")
    town.marry("ex1", "ex2", since=201001, until=201801)  # divorced, still at one address
    town.person("gp1", 1970)
    town.person("gp2", 1995)
    town.marry("gp1", "gp2", kind="P")  # registered partners, 25 years apart
    for name, address in (("ex1", "A"), ("ex2", "A"), ("gp1", "B"), ("gp2", "B")):
        town.live(name, address)
    town.build(tmp_path)
    assert households(tmp_path) == {
        frozenset({"ex1", "ex2"}): "overig",  # no partnership now and 30 years apart
        frozenset({"gp1", "gp2"}): "paar_zonder_kinderen",
    }


def test_columns_of_uncovered_domains_are_null_not_zero(tmp_path: Path) -> None:
    town = Town()
    town.person("moeder", 1985)
    town.person("kind", 2015)
    town.parent("moeder", "kind")
    for name in ("moeder", "kind"):
        town.live(name, "A")
    town.care("kind", "JEUGDWET", "45", date(2024, 3, 1), None)
    town.care("moeder", "WMO", "02", date(2019, 1, 1), date(2020, 6, 30))
    report = town.build(tmp_path, domains=("brp", "jeugd"))
    assert "inkomensvoorziening" in report.not_covered
    con = duckdb.connect(str(tmp_path / "activities" / "activity-1.duckdb"), read_only=True)
    rows = con.execute(
        "SELECT period, jeugd_zonder_verblijf, jeugd_verwijzer_01, wmo_02, participatiewet "
        "FROM household.household_year ORDER BY period"
    ).fetchall()
    # Jeugd covered: counted per period (the care started in period 0); Wmo and
    # Participatiewet not covered: NULL in every period, although a Wmo record exists.
    assert rows == [
        (0, 1, 1, None, None),
        (1, 0, 0, None, None),
        (2, 0, 0, None, None),
        (3, 0, 0, None, None),
        (4, 0, 0, None, None),
    ]
    assert con.execute("SELECT count(*) FROM household.household_stacking").fetchone() == (0,)
    con.close()
    town.build(tmp_path, domains=("brp", "jeugd", "wmo"))
    con = duckdb.connect(str(tmp_path / "activities" / "activity-1.duckdb"), read_only=True)
    wmo = con.execute(
        "SELECT period, wmo_02 FROM household.household_year ORDER BY period"
    ).fetchall()
    con.close()
    assert wmo == [(0, 0), (1, 0), (2, 0), (3, 0), (4, 1)]  # 2019-01 to 2020-06: period 4


def test_rebuilding_replaces_its_peildatum_and_keeps_others(tmp_path: Path) -> None:
    town = Town()
    town.person("a", 1980)
    town.person("b", 1981)
    town.live("a", "A", since=201001)
    town.live("b", "A", since=202301)
    town.write(tmp_path)

    def build(day: date) -> BuildReport:
        return household_build(home=tmp_path, activity_id=1, peildatum=day, domains=["brp"])

    first = build(date(2022, 1, 1))
    build(PEILDATUM)
    again = build(date(2022, 1, 1))  # replaces only its own rows
    con = duckdb.connect(str(tmp_path / "activities" / "activity-1.duckdb"), read_only=True)
    counts = con.execute(
        "SELECT peildatum, household_type, count(*) FROM household.household GROUP BY ALL "
        "ORDER BY ALL"
    ).fetchall()
    ids = con.execute(
        "SELECT peildatum, household_id FROM household.household_member "
        "WHERE person_id = ? ORDER BY peildatum",
        [pid("a")],
    ).fetchall()
    con.close()
    assert first.households == again.households == 1
    assert counts == [
        (date(2022, 1, 1), "eenpersoons", 1),
        (date(2025, 1, 1), "paar_zonder_kinderen", 1),
    ]
    # The id follows the nucleus at its address: it changes when the household does.
    assert ids[0][1] != ids[1][1]


def _coarsen(path: Path) -> None:
    """Make a hand-made store (days) into one at the default detail: the month of every date of
    an allocation, the year of death, under their new names, as an activity's store holds them."""
    con = duckdb.connect(str(path))
    for table, dates in (
        ("ingeschrevenpersoon", ("datumoverlijden",)),
        ("toewijzing", ("datumtoewijzing", "datumstarttoewijzing", "datumeindetoewijzing")),
    ):
        coarse = ", ".join(
            f"{COARSE_SQL[coarsening(d)].format(value=d)} AS {COARSENED[d]}" for d in dates
        )
        con.execute(
            f"CREATE TABLE source.coarse AS SELECT * EXCLUDE ({', '.join(dates)}), {coarse} "
            f"FROM source.{table}"
        )
        con.execute(f"DROP TABLE source.{table}")
        con.execute(f"ALTER TABLE source.coarse RENAME TO {table}")
    con.close()


def _tables(home: Path) -> list[list[tuple[object, ...]]]:
    con = duckdb.connect(str(home / "activities" / "activity-1.duckdb"), read_only=True)
    try:
        return [
            con.execute(f"SELECT * FROM household.{name} ORDER BY ALL").fetchall()
            for name in ("household", "household_person", "household_year", "household_stacking")
        ]
    finally:
        con.close()


def _care_town() -> Town:
    town = Town()
    town.person("moeder", 1985)
    town.person("kind", 2015)
    town.person("opa", 1940, sex="M", died=date(2024, 12, 31))  # the last day before
    town.person("oma", 1942, died=date(2025, 1, 1))  # died on the peildatum: still a resident
    town.parent("moeder", "kind")
    for name in ("moeder", "kind", "opa", "oma"):
        town.live(name, "A")
    # Starts and ends on the first and last days of periods and months.
    town.care("kind", "JEUGDWET", "45", date(2024, 1, 1), date(2024, 12, 31))
    town.care("kind", "JEUGDWET", "43", date(2023, 12, 31), None)
    town.care("moeder", "WMO", "02", date(2020, 1, 31), date(2021, 1, 1))
    town.care("moeder", "WMO", "01", date(2025, 1, 1), None)  # after the period
    return town


def test_a_store_at_the_default_detail_gives_the_same_tables_as_one_with_days(
    tmp_path: Path,
) -> None:
    town = _care_town()
    town.build(tmp_path, domains=("brp", "jeugd", "wmo"))
    by_day = _tables(tmp_path)
    _coarsen(town.write(tmp_path))
    household_build(
        home=tmp_path, activity_id=1, peildatum=PEILDATUM, domains=["brp", "jeugd", "wmo"]
    )
    assert _tables(tmp_path) == by_day
    assert households(tmp_path) == {
        frozenset({"moeder", "kind"}): "eenouder",
        frozenset({"oma"}): "eenpersoons",
    }
    con = duckdb.connect(str(tmp_path / "activities" / "activity-1.duckdb"), read_only=True)
    care = con.execute(
        "SELECT period, jeugd_met_verblijf, jeugd_zonder_verblijf, wmo_01, wmo_02 "
        "FROM household.household_year y JOIN household.household_person p USING (household_id)"
        " WHERE p.person_pseudonym = ? ORDER BY period",
        [pid("moeder")],
    ).fetchall()
    con.close()
    assert care == [
        (0, 1, 1, 0, 0),
        (1, 1, 0, 0, 0),
        (2, 0, 0, 0, 0),
        (3, 0, 0, 0, 1),
        (4, 0, 0, 0, 1),
    ]


def test_a_peildatum_other_than_1_january_needs_the_day_of_death(tmp_path: Path) -> None:
    town = _care_town()
    _coarsen(town.write(tmp_path))
    with pytest.raises(ActivityStoreError, match=r"ingeschrevenpersoon\.datumoverlijden"):
        household_build(home=tmp_path, activity_id=1, peildatum=date(2024, 7, 1), domains=["brp"])
    # With the day (approved finer) any peildatum works; the services are still counted in
    # months.
    town.write(tmp_path)
    household_build(home=tmp_path, activity_id=1, peildatum=date(2024, 7, 1), domains=["brp"])
    assert households(tmp_path, date(2024, 7, 1)) == {
        frozenset({"moeder", "kind"}): "eenouder",
        frozenset({"opa", "oma"}): "overig",
    }
