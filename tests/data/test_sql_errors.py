"""DuckDB's errors taken apart into a stable code, a name and the place in the query as the user
wrote it (meedoen_data.sql_errors), so that the SQL page can say them in Dutch."""

from __future__ import annotations

import duckdb
import pytest

from meedoen_data.sql_errors import sql_problem


def error_of(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    with pytest.raises(duckdb.Error) as raised:
        con.execute(sql)
    return str(raised.value)


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute("CREATE TABLE t (a INTEGER)")
    return connection


@pytest.mark.parametrize(
    ("sql", "code", "name", "line", "column"),
    [
        ("SELEKT 1", "syntax", "SELEKT", 1, 1),
        ("SELECT * FROM nope", "unknown_table", "nope", 1, 15),
        ("SELECT b FROM t", "unknown_column", "b", 1, 8),
        ("SELECT a\nFROM t\nWHERE x = 1", "unknown_column", "x", 3, 7),
        ("SELECT 'a' + 1", "query_error", "", 1, None),
    ],
)
def test_each_kind_of_error_gets_its_code_name_and_place(
    con, sql, code, name, line, column
) -> None:  # type: ignore[no-untyped-def]
    problem = sql_problem(error_of(con, sql), sql=sql)
    assert (problem.code, problem.name) == (code, name)
    if column is not None:  # DuckDB points at the place
        assert (problem.line, problem.column) == (line, column)
    assert problem.message and "\n" not in problem.message


def test_the_place_is_in_the_query_as_written_also_when_duckdb_ran_it_inside_explain(con) -> None:  # type: ignore[no-untyped-def]
    sql = "SELECT count(*) FROM source.bestaat_niet"
    problem = sql_problem(error_of(con, f"EXPLAIN (FORMAT JSON) {sql}"), sql=sql)
    assert problem.code == "unknown_table" and problem.name.endswith("bestaat_niet")
    assert (problem.line, problem.column) == (1, 22)  # not 44: after "EXPLAIN (FORMAT JSON) "


def test_a_message_without_a_place_still_has_its_code() -> None:
    problem = sql_problem("Parser Error: syntax error at end of input", parsing=True)
    assert (problem.code, problem.name, problem.line, problem.column) == ("syntax", "", None, None)
