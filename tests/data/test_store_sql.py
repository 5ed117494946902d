"""meedoen_data.store_sql and store_lock on a small store: whom a query reads, its caps and
limits, and the store's lock (the attacks themselves are in tests/security/)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from meedoen_data.store_lock import StoreLockTimeout, store_lock
from meedoen_data.store_sql import (
    QueryGuard,
    QueryLimits,
    Relation,
    SqlRefused,
    capped_rows,
    query_reads,
    referenced_tables,
)

P = [f"{i:032x}" for i in range(10)]  # person pseudonyms
R = [f"{i + 100:032x}" for i in range(3)]  # partner records


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    path = tmp_path / "activity-1.duckdb"
    setup = duckdb.connect(str(path))
    for schema in ("source", "household", "link"):
        setup.execute(f"CREATE SCHEMA {schema}")
    setup.execute("CREATE TABLE source.person AS SELECT unnest(?) AS person_pseudonym", [P])
    setup.execute(
        "CREATE TABLE source.relatie AS SELECT ? AS person_pseudonym, "
        "? AS related_person_pseudonym",
        [P[0], P[9]],
    )
    setup.execute("CREATE TABLE source.address AS SELECT 'a' AS address_pseudonym")
    setup.execute(
        "CREATE TABLE household.household_person AS SELECT unnest(?) AS person_pseudonym, "
        "unnest(['h1', 'h1', 'h2']) AS household_id",
        [P[1:4]],
    )
    setup.execute("CREATE TABLE household.household AS SELECT 'h1' AS household_id, 2 AS size")
    setup.execute(
        "CREATE VIEW household.household_member AS "
        "SELECT person_pseudonym AS person_id, household_id FROM household.household_person"
    )
    setup.execute("CREATE TABLE source.voedselbank AS SELECT unnest(?) AS record_pseudonym", [R])
    setup.execute("CREATE TABLE link.record AS SELECT ? AS record_id, ? AS person_id", [R[0], P[5]])
    setup.execute(
        "CREATE VIEW link.partner_link AS SELECT r.record_id, r.person_id FROM "
        "(link.record AS r INNER JOIN (SELECT record_id FROM link.record) AS l USING (record_id))"
    )
    setup.close()
    connection = duckdb.connect(str(path), read_only=True, config=QueryLimits().config())
    yield connection
    connection.close()


def tables(con: duckdb.DuckDBPyConnection, sql: str) -> list[str]:
    return [str(t) for t in referenced_tables(con, sql)]


def test_functions_of_a_pseudonym_read_every_person_of_the_table(con) -> None:
    for sql in (
        "SELECT upper(person_pseudonym) FROM source.person LIMIT 1",
        "SELECT md5(person_pseudonym) FROM source.person WHERE false",
        "SELECT string_agg(person_pseudonym, ',') FROM source.person",
        "SELECT count(*) FROM source.person",
    ):
        reads = query_reads(con, sql)
        assert reads.tables == [Relation("source", "person")] and reads.persons == P, sql


def test_both_person_columns_count(con) -> None:
    assert query_reads(con, "SELECT 1 FROM source.relatie").persons == [P[0], P[9]]


def test_a_household_table_reads_its_households_members(con) -> None:
    reads = query_reads(con, "SELECT size FROM household.household")
    assert reads.persons == P[1:3]  # household h1 only


def test_views_are_expanded_recursively(con) -> None:
    assert tables(con, "SELECT count(*) FROM household.household_member") == [
        "household.household_person"
    ]
    reads = query_reads(con, "SELECT count(*) FROM link.partner_link")
    assert reads.tables == [Relation("link", "record")]
    assert reads.persons == [P[5]] and reads.records == [R[0]]


def test_a_partner_file_reads_its_records_and_the_persons_linked_to_them(con) -> None:
    reads = query_reads(con, "SELECT count(*) FROM source.voedselbank")
    assert reads.records == R and reads.persons == [P[5]]


def test_ctes_subqueries_and_qualified_names(con) -> None:
    assert tables(con, "WITH x AS (SELECT * FROM source.person) SELECT count(*) FROM x") == [
        "source.person"
    ]
    assert tables(con, "WITH person AS (SELECT 1) SELECT * FROM person") == []
    assert tables(
        con,
        "SELECT 1 WHERE EXISTS (SELECT 1 FROM source.relatie) "
        'AND 2 IN (SELECT size FROM "activity-1".household.household)',
    ) == ["household.household", "source.relatie"]
    assert tables(con, "SELECT count(*) FROM source.address, range(3)") == ["source.address"]
    assert query_reads(con, "SELECT count(*) FROM source.address").persons == []
    assert tables(con, "SELECT count(*) FROM duckdb_tables()") == []


@pytest.mark.parametrize(
    ("sql", "function"),
    [
        ("SELECT * FROM query_table('source.person')", "query_table"),
        ("SELECT * FROM query('SELECT * FROM source.person')", "query"),
        ("SELECT (SELECT count(*) FROM read_csv('/etc/passwd'))", "read_csv"),
    ],
)
def test_table_functions_that_read_by_name_are_refused(con, sql: str, function: str) -> None:
    with pytest.raises(SqlRefused, match=f"table function {function}\\(\\) is not allowed") as e:
        referenced_tables(con, sql)
    assert e.value.reason == "function"


def test_caps_cut_whole_rows_and_name_the_cap(con) -> None:
    sql = "SELECT person_pseudonym, 1 AS one FROM source.person ORDER BY 1"
    capped = capped_rows(con.execute(sql), 2, QueryLimits(max_rows=3))
    assert len(capped.rows) == 3 and capped.by == "rows"
    capped = capped_rows(con.execute(sql), 2, QueryLimits(max_cells=7))
    assert len(capped.rows) == 3 and capped.by == "cells"
    capped = capped_rows(con.execute(sql), 2, QueryLimits(max_bytes=70))
    assert len(capped.rows) == 2 and capped.by == "bytes"  # 33 bytes a row
    capped = capped_rows(con.execute(sql), 2, QueryLimits())
    assert len(capped.rows) == 10 and capped.by is None


def test_a_guard_stops_a_query_at_its_time_limit_or_when_cancelled(con) -> None:
    slow = "SELECT count(*) FROM range(100000000000) t(x) WHERE x % 7 = 3"
    guard = QueryGuard()
    guard.attach(con, seconds=0.3)
    started = time.monotonic()
    with pytest.raises(duckdb.InterruptException):
        con.execute(slow).fetchall()
    guard.detach()
    assert guard.reason == "timeout" and time.monotonic() - started < 5
    assert "stopped after 0.3 s" in str(guard.refusal())
    guard = QueryGuard()
    guard.attach(con, seconds=0)
    threading.Timer(0.2, guard.stop, args=("cancelled", "revoked")).start()
    with pytest.raises(duckdb.InterruptException):
        con.execute(slow).fetchall()
    guard.detach()
    with pytest.raises(SqlRefused, match="stopped \\(revoked\\)"):
        guard.check()


def test_the_store_lock_shared_exclusive_and_bounded(tmp_path: Path) -> None:
    def lock(exclusive: bool, wait: float = 0):  # type: ignore[no-untyped-def]
        return store_lock(home=tmp_path, activity_id=1, exclusive=exclusive, wait=wait)

    with lock(False), lock(False):
        started = time.monotonic()
        with pytest.raises(StoreLockTimeout), lock(True, 0.3):  # readers share; a writer waits
            pass
        assert time.monotonic() - started >= 0.3
    with lock(True), pytest.raises(StoreLockTimeout), lock(False):
        pass
    assert (tmp_path / "activities" / "activity-1.lock").stat().st_mode & 0o777 == 0o600
