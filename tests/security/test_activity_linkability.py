"""Pseudonyms of two activities were linkable, and stores held more than was approved.

The attack: an analyst with two approved activities joined their stores on the record numbers
copied verbatim into both (`toewijzingnummer`, `signaalid`, `respondent_id`) and so matched the
persons of one activity to those of the other, although each activity has its own person
pseudonyms. Even without record numbers, sex, birth year and month, country of birth and the
months of every move single out most residents (21,443 of the demo's 25,420 persons were
unique on them). And a store held every column of its sources, whatever the privacy officer
had read in the request.

Now record numbers are pseudonymised per activity like persons; a store holds only the columns
the privacy officer approved (chosen at the request, shown in the decision); the birth month is
left out and months of moves and relations become years unless finer detail was approved with
a reason.

The attack across stores on dates of events: two activities over the same sources hold, for
the same persons, their sex and birth year and the dates of the same events, which the
analytics store keeps to the day. A person whose sex, birth year and dates occur once in each
store is re-linked: the two pseudonyms with that profile are one person. In a municipality of
25,000 (seed 1) the day of death re-links 647 of the 655 dead, the days of allocations 2,285 of
the 2,285 persons with one. Now a store holds the month of an event (`<date>_maand`) and the
year of a death (`datumoverlijden_jaar`) unless the day was approved with a reason: the year of
death re-links 117 of the dead (18%). Months of allocations do not protect against this attack:
they still re-link 2,241 of 2,285 (years would still re-link 1,388): a person's allocations
with their decision, start and end are unique at any detail an analysis can use, so two stores
that hold the same allocations stay joinable on them. Only the privacy officer's choice of
columns keeps such stores apart (docs/governance.md); the months remove the day, which no
analysis needs, and this test keeps the day out of a default store.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pytest

from meedoen.activities.enforcement import activity_store_open
from meedoen.activities.selectors import activity_current
from meedoen.activities.services import Actor, activity_approve, activity_request
from meedoen.audits.trace import TraceContext
from meedoen_data.activity_store import activity_pseudonyms, store_path, store_prepare
from meedoen_data.categories import EVENT_DATES, categories_default
from meedoen_data.intake import ingest_directory
from meedoen_data.synth import synth_municipality
from meedoen_data.workspace import Workspace, workspace_init
from tests.security.conftest import approved

DEATH = "ingeschrevenpersoon.datumoverlijden"

pytestmark = pytest.mark.django_db


def _store(home: Path, analyst, activity_id: int) -> duckdb.DuckDBPyConnection:  # type: ignore[no-untyped-def]
    activity_store_open(
        activity_id=activity_id,
        actor=Actor(analyst.username, analyst),
        trace=TraceContext.start(),
        channel="cli",
    )
    return duckdb.connect(str(store_path(Workspace(home), activity_id)), read_only=True)


def _values(con: duckdb.DuckDBPyConnection, sql: str) -> set[object]:
    return {row[0] for row in con.execute(sql).fetchall()}


def test_record_numbers_do_not_link_two_activities(home, analyst, officer) -> None:
    sources = ["brp", "wmo", "jeugd", "signalen"]
    first = _store(home, analyst, _activity(analyst, officer, sources))
    second = _store(home, analyst, _activity(analyst, officer, sources))
    analytics = duckdb.connect(str(Workspace(home).analytics_path), read_only=True)
    try:
        for table, column in (
            ("toewijzing", "toewijzingnummer"),
            ("vroegsignaal", "signaalid"),
            ("inwonerspanel", "respondent_id"),
        ):
            sql = f"SELECT {column} FROM source.{table}"
            a, b, raw = _values(first, sql), _values(second, sql), _values(analytics, sql)
            assert raw and len(a) == len(b) == len(raw), table
            assert not a & b, f"{table}.{column} is shared by two activities"
            assert not a & raw, f"{table}.{column} is copied verbatim"
    finally:
        for con in (first, second, analytics):
            con.close()


def test_a_store_holds_only_the_approved_columns(home, analyst, officer) -> None:
    actor = Actor(analyst.username, analyst)
    activity_id = activity_request(
        actor=actor,
        name="Smal",
        purpose="Leeftijdsopbouw",
        legal_basis="Wmo 2015",
        sources=["brp"],
        retention_days=5,
        data_categories="Huishoudens (BRP)",
        recipients="Analisten",
        dpia_reference="DPIA-1",
        columns=["ingeschrevenpersoon.geboortejaar", "ingeschrevenpersoon.geslachtsaanduiding"],
    ).pk
    state = activity_current(activity_id=activity_id)
    assert state.columns == [
        "ingeschrevenpersoon.geboortejaar",
        "ingeschrevenpersoon.geslachtsaanduiding",
    ]
    activity_approve(
        activity_id=activity_id, actor=Actor(officer.username, officer), motivation="ok", version=1
    )
    con = _store(home, analyst, activity_id)
    try:
        tables = {
            str(t): [str(c) for c in cols]
            for t, cols in con.execute(
                "SELECT table_name, list(column_name ORDER BY column_index) FROM duckdb_columns() "
                "WHERE schema_name = 'source' GROUP BY 1"
            ).fetchall()
        }
    finally:
        con.close()
    assert tables["ingeschrevenpersoon"] == [
        "person_pseudonym",
        "geslachtsaanduiding",
        "geboortejaar",
    ]
    # Tables of the BRP of which no column was approved are not in the store at all.
    assert "verblijfplaats" not in tables and "relatie" not in tables


def _unique(con: duckdb.DuckDBPyConnection, moves: str, birth: str) -> int:
    """Persons singled out by sex, birth, country of birth and the dates of their moves."""
    row = con.execute(
        f"""
        WITH profile AS (
            SELECT p.person_pseudonym,
                   any_value(row(p.geslachtsaanduiding, {birth}, p.geboorteland))
                       || list({moves} ORDER BY {moves})::VARCHAR AS profile
            FROM source.ingeschrevenpersoon p
            LEFT JOIN source.verblijfplaats v USING (person_pseudonym)
            GROUP BY p.person_pseudonym)
        SELECT count(*) FROM (SELECT profile FROM profile GROUP BY profile HAVING count(*) = 1)
        """
    ).fetchone()
    return int(row[0]) if row else 0


def test_quasi_identifiers_are_coarsened_unless_approved_finer(home, analyst, officer) -> None:
    coarse_id = activity_request(
        actor=Actor(analyst.username, analyst),
        name="Grof",
        purpose="Verhuizingen per jaar",
        legal_basis="Wmo 2015",
        sources=["brp"],
        retention_days=5,
        data_categories="Huishoudens (BRP)",
        recipients="Analisten",
        dpia_reference="DPIA-1",
    ).pk
    activity_approve(
        activity_id=coarse_id, actor=Actor(officer.username, officer), motivation="ok", version=1
    )
    coarse = _store(home, analyst, coarse_id)
    fine = _store(home, analyst, approved(analyst, officer, sources=["brp"]))
    try:
        columns = _values(
            coarse,
            "SELECT table_name || '.' || column_name FROM duckdb_columns() "
            "WHERE schema_name = 'source'",
        )
        assert "ingeschrevenpersoon.geboortemaand" not in columns
        assert "verblijfplaats.datumvan_maand" not in columns
        assert "verblijfplaats.datumvan_jaar" in columns
        assert _values(coarse, "SELECT max(datumvan_jaar) FROM source.verblijfplaats") <= set(
            range(1900, 2100)
        )
        singled_out_fine = _unique(fine, "datumvan_maand", "p.geboortejaar, p.geboortemaand")
        singled_out_coarse = _unique(coarse, "datumvan_jaar", "p.geboortejaar")
    finally:
        coarse.close()
        fine.close()
    assert singled_out_coarse < singled_out_fine, (singled_out_coarse, singled_out_fine)


# -- The attack across stores on dates of events ------------------------------------------------

#: Persons of the municipality of the attack: the demo's size. In a town of a few hundred, sex
#: and birth year alone single out most of those with an allocation or a death.
PERSONS = 25_000


@pytest.fixture(scope="module")
def municipality(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("municipality")
    home = root / "home"
    workspace_init(home=home)
    synth_municipality(gemeente="GM0784", out=root / "sources", persons=PERSONS)
    report = ingest_directory(home=home, directory=root / "sources", user="test")
    assert {f.status for f in report.files} == {"loaded"}, report.files
    return home


@pytest.fixture
def town(municipality: Path, tmp_path: Path, settings) -> Path:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    shutil.copytree(municipality, home)
    settings.MEEDOEN_HOME = home
    settings.WORKSPACE = workspace_init(home=home).workspace
    return home


def _activity(analyst, officer, sources: list[str], fine: Sequence[str] = ()) -> int:  # type: ignore[no-untyped-def]
    """An activity over every column of ``sources``, at the default detail unless ``fine``."""
    activity_id = activity_request(
        actor=Actor(analyst.username, analyst),
        name="Twee keer dezelfde gegevens",
        purpose="Voorzieningen per leeftijd",
        legal_basis="Wmo 2015",
        sources=sources,
        retention_days=5,
        data_categories="Huishoudens (BRP)",
        recipients="Analisten",
        dpia_reference="DPIA-1",
        fine_columns=list(fine),
        fine_reason="de dag is nodig" if fine else "",
        # The early-warning signals only for the task the law binds them to (Wgs).
        task="schuldhulpverlening" if "signalen" in sources else "",
    ).pk
    activity_approve(
        activity_id=activity_id, actor=Actor(officer.username, officer), motivation="ok", version=1
    )
    return activity_id


def _relinked(home: Path, stores: dict[int, duckdb.DuckDBPyConnection], sql: str) -> float:
    """The share of the persons in ``sql``'s result (person_pseudonym, profile) of the first
    store whose profile occurs once in each store and belongs to the same person in both."""
    (a, first), (b, second) = stores.items()
    profiles = [dict(con.execute(sql).fetchall()) for con in (first, second)]
    counts = [Counter(p.values()) for p in profiles]
    unique_b = {v: k for k, v in profiles[1].items() if counts[1][v] == 1}
    candidates = {
        k: unique_b[v] for k, v in profiles[0].items() if counts[0][v] == 1 and v in unique_b
    }
    vault = duckdb.connect(str(Workspace(home).vault_dir / "vault.duckdb"), read_only=True)
    try:
        rows = vault.execute(
            "SELECT DISTINCT burgerservicenummer FROM identity.ingeschrevenpersoon"
        ).fetchall()
    finally:
        vault.close()
    bsns = [str(r[0]) for r in rows]
    person = [
        dict(zip(activity_pseudonyms(home=home, activity_id=i, bsns=bsns), bsns, strict=True))
        for i in (a, b)
    ]
    right = sum(1 for k, other in candidates.items() if person[0][k] == person[1][other])
    return right / len(profiles[0])


def _prepared(home: Path, activity_id: int) -> duckdb.DuckDBPyConnection:
    """The activity's store as :func:`activity_store_open` builds it, without its audit records
    (one per person: slow for 25,000)."""
    state = activity_current(activity_id=activity_id)
    store_prepare(
        home=home,
        activity_id=activity_id,
        sources=state.sources,
        columns=state.columns,
        fine=state.fine_columns,
    )
    return duckdb.connect(str(store_path(Workspace(home), activity_id)), read_only=True)


def _stores(home: Path, ids: Sequence[int]) -> dict[int, duckdb.DuckDBPyConnection]:
    return {i: _prepared(home, i) for i in ids}


def _profile(death: str) -> str:
    return (
        "SELECT person_pseudonym, row(geslachtsaanduiding, geboortejaar, "
        f"{death})::VARCHAR FROM source.ingeschrevenpersoon WHERE {death} IS NOT NULL"
    )


def _allocations(dates: Sequence[str]) -> str:
    values = ", ".join(f"t.{d}" for d in dates)
    return (
        "SELECT t.person_pseudonym, any_value(row(p.geslachtsaanduiding, p.geboortejaar))::VARCHAR"
        f" || list(row({values}) ORDER BY row({values}))::VARCHAR "
        "FROM source.toewijzing t JOIN source.ingeschrevenpersoon p USING (person_pseudonym) "
        "GROUP BY t.person_pseudonym"
    )


def test_the_year_of_death_does_not_link_two_stores(town, analyst, officer) -> None:
    days = _stores(town, [_activity(analyst, officer, ["brp"], [DEATH]) for _ in "ab"])
    default = _stores(town, [_activity(analyst, officer, ["brp"]) for _ in "ab"])
    try:
        by_day = _relinked(town, days, _profile("datumoverlijden"))
        by_year = _relinked(town, default, _profile("datumoverlijden_jaar"))
        columns = _values(
            next(iter(default.values())),
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'source' "
            "AND table_name = 'ingeschrevenpersoon'",
        )
    finally:
        for con in (*days.values(), *default.values()):
            con.close()
    assert "datumoverlijden" not in columns and "datumoverlijden_jaar" in columns
    assert by_day > 0.9, by_day  # the attack works on the day (647 of 655)
    assert by_year < 0.25, by_year  # the year no longer singles out most of the dead (117)


def test_a_default_store_holds_no_day_of_an_event(town, analyst, officer) -> None:
    sources = ["brp", "wmo", "jeugd", "participatie", "schulden", "signalen", "partner-voedselbank"]
    events = [c for c in categories_default(sources) if c.partition(".")[2] in EVENT_DATES]
    days = _stores(town, [_activity(analyst, officer, sources, events) for _ in "ab"])
    default = _prepared(town, _activity(analyst, officer, sources))
    try:
        dates = ["datumtoewijzing", "datumstarttoewijzing", "datumeindetoewijzing"]
        by_day = _relinked(town, days, _allocations(dates))
        kinds = {
            (str(t), str(c)): str(k)
            for t, c, k in default.execute(
                "SELECT table_name, column_name, data_type FROM duckdb_columns() "
                "WHERE schema_name = 'source'"
            ).fetchall()
        }
    finally:
        for con in (*days.values(), default):
            con.close()
    # On the days the attack re-links every person with an allocation (2,285 of 2,285).
    assert by_day > 0.95, by_day
    # A store at the default detail holds no day: each date of an event is its month (the
    # date of death its year), under a new name. (Months still re-link most persons whose
    # allocations both stores hold: see the docstring.)
    assert [f"{t}.{c}" for (t, c), kind in kinds.items() if kind == "DATE"] == []
    for event in events:
        table, _, column = event.partition(".")
        coarse = f"{column}_jaar" if column == "datumoverlijden" else f"{column}_maand"
        assert kinds.get((table, coarse)) == "INTEGER", event
        assert (table, column) not in kinds, event
