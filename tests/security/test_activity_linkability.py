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
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from meedoen.activities.selectors import activity_current
from meedoen.activities.services import Actor, activity_approve, activity_request
from meedoen.activities.stores import activity_store_open
from meedoen.audits.trace import TraceContext
from meedoen_data.activity_store import store_path
from meedoen_data.workspace import Workspace
from tests.security.conftest import approved

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
    first = _store(home, analyst, approved(analyst, officer, sources=["brp", "wmo", "jeugd"]))
    second = _store(home, analyst, approved(analyst, officer, sources=["brp", "wmo", "jeugd"]))
    analytics = duckdb.connect(str(Workspace(home).analytics_path), read_only=True)
    try:
        for table, column in (
            ("toewijzing", "toewijzingnummer"),
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
