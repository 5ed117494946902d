"""Finding 5 of issue 15: SQL reads escaped the per-person log.

The attack: an analyst ran read-only SQL on an activity's tables (the SQL page, or `meedoen
sql`). The audit log recorded only the persons whose pseudonym appeared *verbatim* in the
result, so wrapping the pseudonym in a function hid every person: `SELECT
upper(person_pseudonym)`, `md5(person_pseudonym)`, `string_agg(person_pseudonym, ',')` (all
25,420 persons of the demo in one cell) logged 0 data subjects; so did every query on a
household-level table (no pseudonym in it at all), on a view such as `link.partner_link`, through
a common table expression, and through `query_table('…')`, which names its table in a string.

Now a query is logged as a read of every person in every relation it references (views expanded
to their tables, CTEs seen through, a household table counts its members, a partner table its
records and the persons they were linked to), and table functions that read a relation named
in a string are refused. Each test below runs the attack on the demo's web app and looks the
real persons' pseudonyms up in the audit log."""

from __future__ import annotations

import csv
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass

import duckdb
import pytest

from meedoen_data.activity_store import activity_pseudonyms
from tests.helpers import meedoen_json, served
from tests.security.sqlweb import (
    Demo,
    WebUser,
    demo_workspace,
    logged,
    page_text,
    result_rows,
)

ACTIVITY = 1  # the demo's approved activity
PERSONS = f"pseudonym-activity-{ACTIVITY}"
RECORDS = f"record-pseudonym-activity-{ACTIVITY}"


@dataclass(frozen=True)
class Target:
    demo: Demo
    analyst: WebUser
    persons: dict[str, set[str]]  # table -> its persons, read from the store itself
    members: set[str]  # every person placed in a household
    linked: set[str]  # every person a partner record was linked to
    records: set[str]  # every partner record of the linkage


def _distinct(con: duckdb.DuckDBPyConnection, sql: str) -> set[str]:
    return {str(r[0]) for r in con.execute(sql).fetchall() if r[0] is not None}


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    demo = demo_workspace(tmp_path_factory.mktemp("sql-audit"))
    store = demo.home / "activities" / f"activity-{ACTIVITY}.duckdb"
    con = duckdb.connect(str(store), read_only=True)
    try:
        persons = {
            table: _distinct(con, f"SELECT person_pseudonym FROM source.{table}")
            for table in ("schuldhulptraject", "inkomensvoorziening", "toewijzing")
        }
        members = _distinct(con, "SELECT person_pseudonym FROM household.household_person")
        linked = _distinct(con, "SELECT person_id FROM link.record")
        records = _distinct(con, "SELECT record_id FROM link.record")
    finally:
        con.close()
    with served(demo.home) as url:
        analyst = WebUser(url).login("analyst", demo.passwords["analyst"])
        yield Target(demo, analyst, persons, members, linked, records)


def attack(target: Target, query: str) -> tuple[str, dict[str, set[str]]]:
    """Run the query on the SQL page in a trace of its own: the page's text and whom the log
    says the query read."""
    trace = uuid.uuid4().hex
    answer = target.analyst.sql(ACTIVITY, query, trace=trace)
    assert answer.status == 200, answer.text[:2000]
    return page_text(answer), logged(target.demo.home, trace)


def test_upper_of_the_pseudonym_logs_every_person_of_the_table(target: Target) -> None:
    text, subjects = attack(
        target, "SELECT upper(person_pseudonym) AS p FROM source.schuldhulptraject LIMIT 3"
    )
    shown = [p for p in target.persons["schuldhulptraject"] if p.upper() in text]
    assert len(shown) == 3  # the attack works: pseudonyms in disguise
    assert subjects[PERSONS] == target.persons["schuldhulptraject"]  # was: nobody
    assert len(subjects[PERSONS]) > 400


def test_md5_of_the_pseudonym_logs_every_person_of_the_table(target: Target) -> None:
    _, subjects = attack(target, "SELECT md5(person_pseudonym) FROM source.inkomensvoorziening")
    assert subjects[PERSONS] == target.persons["inkomensvoorziening"]


def test_string_agg_logs_every_person_in_the_cell_by_their_real_pseudonym(target: Target) -> None:
    text, subjects = attack(
        target, "SELECT string_agg(person_pseudonym, ',') AS everyone FROM source.toewijzing"
    )
    everyone = target.persons["toewijzing"]
    assert all(p in text for p in list(everyone)[:50])  # all of them in one cell
    assert subjects[PERSONS] == everyone
    # A real person: the youth-care client of the delivered file's first row, by the
    # pseudonym the activity's key gives their BSN.
    delivered = target.demo.home / "sources" / "GM0784" / "toewijzing.csv"
    with delivered.open(encoding="utf-8") as rows:
        bsn = next(csv.DictReader(rows))["burgerservicenummer"]
    (pseudonym,) = activity_pseudonyms(home=target.demo.home, activity_id=ACTIVITY, bsns=[bsn])
    assert pseudonym in subjects[PERSONS]


def test_a_household_level_table_logs_every_member(target: Target) -> None:
    text, subjects = attack(
        target, "SELECT household_type, count(*) AS n FROM household.household GROUP BY ALL"
    )
    assert "eenpersoons" in text  # an aggregate, not a pseudonym in sight
    assert subjects[PERSONS] == target.members  # was: nobody
    assert len(target.members) > 20_000


def test_a_view_logs_the_persons_and_records_of_its_tables(target: Target) -> None:
    _, subjects = attack(
        target, "SELECT review_status, count(*) FROM link.partner_link GROUP BY ALL"
    )
    assert subjects[PERSONS] == target.linked and len(target.linked) > 100
    assert subjects[RECORDS] == target.records  # the food bank's clients, linked or not


def test_a_common_table_expression_is_seen_through(target: Target) -> None:
    _, subjects = attack(
        target,
        "WITH debt AS (SELECT upper(person_pseudonym) AS p FROM source.schuldhulptraject) "
        "SELECT count(*) FROM debt",
    )
    assert subjects[PERSONS] == target.persons["schuldhulptraject"]
    # A CTE is not a table: its name alone reads no one.
    _, nobody = attack(target, "WITH toewijzing AS (SELECT 1 AS x) SELECT * FROM toewijzing")
    assert nobody == {"none": {""}}


@pytest.mark.parametrize(
    "query",
    [
        "SELECT count(*) FROM query_table('source.ingeschrevenpersoon')",
        "SELECT * FROM query('SELECT upper(person_pseudonym) FROM source.ingeschrevenpersoon')",
    ],
)
def test_a_table_named_in_a_string_is_refused(target: Target, query: str) -> None:
    trace = uuid.uuid4().hex
    answer = target.analyst.sql(ACTIVITY, query, trace=trace)
    assert answer.status == 200
    assert "is hier niet toegestaan" in page_text(answer)
    assert result_rows(answer) == 0  # nothing of the table is shown
    assert logged(target.demo.home, trace) == {"none": {""}}  # refused, and logged as such


def test_a_count_on_the_register_logs_all_25420_persons_and_answers(target: Target) -> None:
    """Since issue 16 the query is one processing record referencing the set of the 25,420
    persons (their numbers in the vault's register), not 25,420 records; every person's own
    pseudonym still finds it through the product's lookup (`meedoen audit list --subject`)."""
    trace = uuid.uuid4().hex
    answer = target.analyst.sql(
        ACTIVITY, "SELECT count(*) FROM source.ingeschrevenpersoon", trace=trace
    )
    assert answer.status == 200 and result_rows(answer) == 1
    everyone = logged(target.demo.home, trace)[PERSONS]
    assert len(everyone) == 25_420
    with closing(sqlite3.connect(target.demo.home / "web.sqlite3")) as db:
        ((records, counted),) = db.execute(
            "SELECT count(*), sum(subject_count) FROM audits_processingrecord "
            "WHERE trace_id = ? AND name = 'activity.sql'",
            [trace],
        ).fetchall()
    assert (records, counted) == (1, 25_420)
    for pseudonym in sorted(everyone)[:: len(everyone) // 3]:
        found = meedoen_json(
            "audit", "list", "--subject", pseudonym, "--home", str(target.demo.home)
        )
        assert trace in {r["trace_id"] for r in found}, pseudonym
