"""Register indicators computed as tables (households by wijk x ``ind_x``) against the same
figures computed here independently from the generator's truth: its households (by BSN and
address) and the source files, per wijk, before any suppression (issue 18)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from meedoen_data.activity_store import activity_key_create, store_prepare
from meedoen_data.categories import HOUSEHOLD_DETAIL
from meedoen_data.disclosure.household import TableError, household_table
from meedoen_data.households import household_build
from meedoen_data.indicators import catalogue_load
from meedoen_data.intake import ingest_directory
from meedoen_data.synth import synth_municipality
from meedoen_data.workspace import workspace_init

PEILDATUM = date(2025, 1, 1)
SOURCES = ["brp", "participatie", "wmo", "jeugd"]


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("indicators")
    sources, home = root / "sources", root / "home"
    synth_municipality(gemeente="GM0784", out=sources, seed=11, persons=8_000, with_truth=True)
    workspace_init(home=home)
    ingest_directory(home=home, directory=sources, user="test")
    activity_key_create(home=home, activity_id=1)
    store_prepare(home=home, activity_id=1, sources=SOURCES, fine=HOUSEHOLD_DETAIL)
    household_build(home=home, activity_id=1, peildatum=PEILDATUM, domains=SOURCES)
    return {"home": home, "sources": sources}


#: Per indicator: which truth households count (SQL over the truth's households ``t`` with the
#: source files), and which make up the denominator.
TRUTH: dict[str, tuple[str, str]] = {
    "bijstand": (
        """EXISTS (SELECT 1 FROM inkomen i WHERE i.burgerservicenummer = t.burgerservicenummer
           AND i.wet = 'PARTICIPATIEWET' AND i.ingangsdatum < DATE '2025-01-01'
           AND (i.einddatum IS NULL OR i.einddatum >= DATE '2024-01-01'))""",
        "TRUE",
    ),
    "dagbesteding": (
        """EXISTS (SELECT 1 FROM toewijzing w WHERE w.burgerservicenummer = t.burgerservicenummer
           AND w.wet = 'WMO' AND w.productcategorie = '07'
           AND w.datumstarttoewijzing < DATE '2025-01-01'
           AND (w.datumeindetoewijzing IS NULL OR w.datumeindetoewijzing >= DATE '2024-01-01'))""",
        "TRUE",
    ),
    "jeugdhulp": (
        """EXISTS (SELECT 1 FROM toewijzing w WHERE w.burgerservicenummer = t.burgerservicenummer
           AND w.wet = 'JEUGDWET' AND w.productcategorie NOT IN ('47', '48')
           AND w.datumstarttoewijzing < DATE '2025-01-01'
           AND (w.datumeindetoewijzing IS NULL OR w.datumeindetoewijzing >= DATE '2024-01-01'))""",
        "t.role = 'child'",
    ),
}


def truth_by_wijk(sources: Path, numerator: str, denominator: str) -> dict[str, tuple[int, int]]:
    """{wijk: (households counted, households in the denominator)} from the truth."""
    con = duckdb.connect()
    for name, file in (
        ("household", "truth/household.csv"),
        ("adres", "nummeraanduiding.csv"),
        ("inkomen", "inkomensvoorziening.csv"),
        ("toewijzing", "toewijzing.csv"),
    ):
        con.read_csv(str(sources / file), header=True, all_varchar=False).create_view(name)
    rows = con.execute(
        f"""
        WITH t AS (SELECT h.*, a.wijkcode FROM household h JOIN adres a
                   USING (adresseerbaarobjectidentificatie)),
        per AS (SELECT household_id, any_value(wijkcode) AS wijkcode,
                       bool_or({numerator}) AS counted, bool_or({denominator}) AS member
                FROM t GROUP BY household_id)
        SELECT wijkcode, count(*) FILTER (WHERE counted AND member), count(*) FILTER (WHERE member)
        FROM per GROUP BY wijkcode
        """
    ).fetchall()
    con.close()
    return {str(w): (int(n), int(d)) for w, n, d in rows}


@pytest.mark.parametrize("indicator_id", sorted(TRUTH))
def test_an_indicator_per_wijk_matches_the_truth(town: dict[str, Any], indicator_id: str) -> None:
    catalogue = catalogue_load()
    indicator = catalogue.get(indicator_id)
    where = [(f"pop_{indicator_id}", "1")] if indicator.denominator else []
    made = household_table(
        home=town["home"],
        activity_id=1,
        rowvar="wijkcode",
        colvar=f"ind_{indicator_id}",
        where=where,
        indicators=catalogue.indicators,
    ).table
    truth = truth_by_wijk(town["sources"], *TRUTH[indicator_id])
    assert set(truth) == {w for w, _ in made.cells if w != "Totaal"}
    for wijk, (counted, members) in truth.items():
        ours = made.cells[(wijk, "1")].units, made.cells[(wijk, "Totaal")].units
        # The derived households differ from the truth's in a few cases (docs/households.md:
        # quality); the counts may differ by that much, not more.
        assert abs(ours[0] - counted) <= max(2, 0.03 * counted), (wijk, ours, counted)
        assert abs(ours[1] - members) <= max(3, 0.02 * members), (wijk, ours, members)
        assert counted > 0


def test_an_indicator_whose_sources_the_activity_lacks_is_refused(town: dict[str, Any]) -> None:
    """The activity covers no CBS data: a WW indicator would count every household as 'no'."""
    catalogue = catalogue_load()
    with pytest.raises(TableError, match="indicator 'ww' needs ww"):
        household_table(
            home=town["home"],
            activity_id=1,
            rowvar="wijkcode",
            colvar="ind_ww",
            indicators=catalogue.indicators,
        )


def test_stacking_counts_what_the_build_s_stacking_table_counts(town: dict[str, Any]) -> None:
    catalogue = catalogue_load()
    made = household_table(
        home=town["home"],
        activity_id=1,
        rowvar="wijkcode",
        colvar="ind_stapeling",
        indicators=catalogue.indicators,
    ).table
    con = duckdb.connect(str(town["home"] / "activities" / "activity-1.duckdb"), read_only=True)
    (stacked,) = con.execute(
        "SELECT sum(households) FROM household.household_stacking "
        "WHERE peildatum = ? AND CAST(jeugd AS INT) + CAST(wmo AS INT) "
        "+ CAST(participatiewet AS INT) >= 2",
        [PEILDATUM],
    ).fetchone()
    con.close()
    assert stacked and made.cells[("Totaal", "1")].units == stacked
