"""Row checks in SQL: every failing (row, column, reason) goes to quarantine.

Reasons name the column and the rule, never the value of a BSN, name, date of birth or address
(they are written to logs and screens); code columns show the offending code, which is not
personal.
"""

from __future__ import annotations

import duckdb

from meedoen_data.contract import Column, Table
from meedoen_data.intake.sql import ident

DATE_SQL = "coalesce(try_strptime({v}, '%Y-%m-%d'), try_strptime({v}, '%d-%m-%Y'))::DATE"
DECIMAL_SQL = (
    "try_cast(CASE WHEN {v} LIKE '%,%' THEN replace(replace({v}, '.', ''), ',', '.') "
    "ELSE {v} END AS DECIMAL(18, 2))"
)

MACROS = """
CREATE OR REPLACE TEMP MACRO bsn_norm(s) AS
    CASE WHEN regexp_full_match(s, '[0-9]{8,9}') THEN lpad(s, 9, '0') END;
CREATE OR REPLACE TEMP MACRO bsn_ok(s) AS
    s IS NOT NULL AND s <> '000000000' AND (
        9 * substr(s, 1, 1)::INT + 8 * substr(s, 2, 1)::INT + 7 * substr(s, 3, 1)::INT
      + 6 * substr(s, 4, 1)::INT + 5 * substr(s, 5, 1)::INT + 4 * substr(s, 6, 1)::INT
      + 3 * substr(s, 7, 1)::INT + 2 * substr(s, 8, 1)::INT - substr(s, 9, 1)::INT) % 11 = 0;
"""


def typed_sql(column: Column) -> str:
    """The typed value of a raw text column (NULL when empty or invalid)."""
    v = ident(column.name)
    match column.type:
        case "bsn":
            return f"bsn_norm({v})"
        case "date":
            return DATE_SQL.format(v=v)
        case "int":
            return f"try_cast({v} AS BIGINT)"
        case "decimal":
            return DECIMAL_SQL.format(v=v)
        case "flag":
            return f"upper({v})"
        case "postcode":
            return f"upper(replace({v}, ' ', ''))"
        case _:
            return v


def invalid_sql(column: Column) -> tuple[str, str] | None:
    """(condition on raw ``v`` and typed ``t``, reason) for a present but invalid value."""
    v, t = ident(column.name), f"t_{column.name}"
    match column.type:
        case "bsn":
            return (f"NOT bsn_ok({t})", "not a valid BSN (9 digits, 11-proef)")
        case "date":
            return (
                f"{t} IS NULL OR year({t}) NOT BETWEEN 1880 AND 2100",
                "not a valid date (expected YYYY-MM-DD or DD-MM-YYYY)",
            )
        case "int":
            return (f"{t} IS NULL", "not a whole number")
        case "decimal":
            return (f"{t} IS NULL", "not an amount (e.g. 1234.56 or 1.234,56)")
        case "flag":
            return (f"{t} NOT IN ('J', 'N')", "not J or N")
        case "bag":
            return (
                f"NOT regexp_full_match({v}, '[0-9]{{16}}')",
                "not a BAG identification (16 digits)",
            )
        case "postcode":
            return (
                f"NOT regexp_full_match({t}, '[1-9][0-9]{{3}}[A-Z]{{2}}')",
                "not a postcode (1234AB)",
            )
        case "pattern":
            pattern = column.pattern.replace("'", "''")
            return (
                f"NOT regexp_full_match({v}, '{pattern}')",
                f"does not match the pattern {column.pattern}",
            )
        case "code":
            return None  # handled with the value in the message, see below
        case _:
            return None


def validate(con: duckdb.DuckDBPyConnection, spec: Table) -> None:
    """Create temp tables ``typed`` (raw + t_<column>) and ``errors`` (_row, column, reason)."""
    con.execute(MACROS)
    typed_columns = ", ".join(f"{typed_sql(c)} AS {ident('t_' + c.name)}" for c in spec.columns)
    con.execute(f"CREATE OR REPLACE TEMP TABLE typed AS SELECT *, {typed_columns} FROM raw")
    checks: list[str] = []
    for column in spec.columns:
        v = ident(column.name)
        name = column.name.replace("'", "''")
        if column.required:
            checks.append(
                f"SELECT _row, '{name}', 'required value missing' FROM typed WHERE {v} IS NULL"
            )
        rule = invalid_sql(column)
        if rule is not None:
            condition, reason = rule
            condition = condition.replace(f"t_{column.name}", ident("t_" + column.name))
            checks.append(
                f"SELECT _row, '{name}', '{reason}' FROM typed "
                f"WHERE {v} IS NOT NULL AND ({condition})"
            )
        if column.type == "code":
            allowed = ", ".join("'" + c.replace("'", "''") + "'" for c in column.codes)
            shown = ", ".join(column.codes)
            checks.append(
                f"SELECT _row, '{name}', 'code ' || {v} || ' is not in its list ({shown})' "
                f"FROM typed WHERE {v} IS NOT NULL AND {v} NOT IN ({allowed})"
            )
    for start, end in spec.date_order:
        ts, te = ident("t_" + start), ident("t_" + end)
        checks.append(
            f"SELECT _row, '{end}', '{end} is before {start}' FROM typed WHERE {te} < {ts}"
        )
    key = ", ".join(ident("t_" + k) for k in spec.key)
    checks.append(
        f"SELECT _row, '{', '.join(spec.key)}', "
        f"'duplicate key (same ' || '{', '.join(spec.key)}' || ' as row ' || first_row || ')' "
        f"FROM (SELECT _row, min(_row) OVER (PARTITION BY {key}) AS first_row FROM typed) "
        "WHERE _row > first_row"
    )
    union = " UNION ALL ".join(f"({c})" for c in checks)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE errors AS SELECT * FROM "
        f"({union}) AS e(_row, column_name, reason)"
    )
