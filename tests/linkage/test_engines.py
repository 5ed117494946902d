"""The model's comparison levels in each engine's SQL (the Spark run itself is in test_link)."""

from __future__ import annotations

import duckdb
import pytest
import sqlglot

from meedoen_data.linkage.model import CLEAR, ENCODED, comparisons_for, level_sql


@pytest.mark.parametrize("model", [CLEAR, ENCODED], ids=lambda m: m.name)
def test_every_level_parses_in_spark_sql_with_splinks_functions(model) -> None:  # type: ignore[no-untyped-def]
    for comparison in comparisons_for(model, "spark"):
        for level in comparison["comparison_levels"]:
            sql = level["sql_condition"]
            if sql == "ELSE":
                continue
            sqlglot.parse_one(sql, read="spark")  # raises on anything Spark cannot read
            assert "JAROWINKLER" not in sql and "list_" not in sql.lower(), sql
            assert "dice(" not in sql.lower() and "bit_count" not in sql.lower(), sql


def test_jaro_winkler_and_the_date_format_are_mapped() -> None:
    sql = level_sql("jaro_winkler_similarity(a_l, a_r) >= 0.9", "spark")
    assert sql == "jaro_winkler(a_l, a_r) >= 0.9"
    sql = level_sql(
        "damerau_levenshtein(strftime(d_l, '%Y%m%d'), strftime(d_r, '%Y%m%d')) <= 1", "spark"
    )
    assert sql == (
        "DAMERAU_LEVENSHTEIN(DATE_FORMAT(d_l, 'yyyyMMdd'), DATE_FORMAT(d_r, 'yyyyMMdd')) <= 1"
    )


def test_dice_is_the_same_on_bit_strings_and_on_bit_positions() -> None:
    """DuckDB computes Dice on BIT strings; Spark on arrays of positions. Both on one pair."""
    con = duckdb.connect()
    a, b = "1100110000", "1000111000"  # 4 and 4 bits set, 3 in common: Dice 0.75
    duck = level_sql("dice(x_l, x_r)", "duckdb")
    value = con.execute(
        f"SELECT {duck} FROM (SELECT ?::BIT AS x_l, ?::BIT AS x_r)", [a, b]
    ).fetchall()[0][0]
    assert value == pytest.approx(0.75)
    spark = level_sql("dice(x_l, x_r)", "spark")
    assert "SIZE(ARRAY_INTERSECT(x_l, x_r))" in spark
    # The same expression, read back into DuckDB with position lists, gives the same value.
    as_duckdb = sqlglot.transpile(spark, read="spark", write="duckdb")[0]
    positions = con.execute(
        f"SELECT {as_duckdb} FROM (SELECT [0, 1, 4, 5] AS x_l, [0, 4, 5, 6] AS x_r)"
    ).fetchall()[0][0]
    assert positions == pytest.approx(0.75)
