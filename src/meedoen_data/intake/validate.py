"""Row checks in SQL: every failing (row, column, reason) goes to quarantine.

Reasons name the column and the rule, never the value of a BSN, name, date of birth or address
(they are written to logs and screens). A wrong code is shown only when it is short enough to be
a code (``X``, ``99``), never a longer value: that may be a note with a name in it. Free-text
columns are scanned for identifiers (:mod:`meedoen_data.intake.identifiers`); the reason names the
kind of identifier found, never the value.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from meedoen_data.contract import Column, Table
from meedoen_data.intake.identifiers import kinds_text, scan_values, temp_table
from meedoen_data.intake.sql import ident

#: A wrong code short enough to show in a message; anything longer is not shown.
SHOWN_CODE = "[A-Za-z0-9_+-]{1,4}"

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


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    """The BSN macros :func:`typed_columns` and the checks use (once per connection)."""
    con.execute(MACROS)


def typed_columns(spec: Table) -> list[tuple[str, str]]:
    """``(t_<column>, SQL)``: every contract column's typed value, over its text column (what
    :func:`meedoen_data.intake.reader.load_rows` adds to the table ``typed``). A text column's
    typed value is the column itself."""
    return [("t_" + c.name, typed_sql(c)) for c in spec.columns]


def validate(
    con: duckdb.DuckDBPyConnection, spec: Table, *, before_scan: Callable[[], None] | None = None
) -> None:
    """Create temp table ``errors`` (_row, column, reason) from the table ``typed``.
    ``before_scan`` is called before values are scanned for names (the ingest waits there for
    the names other files of the upload bring)."""
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
            shown = ", ".join(column.codes).replace("'", "''")
            checks.append(
                f"SELECT _row, '{name}', CASE WHEN regexp_full_match({v}, '{SHOWN_CODE}') "
                f"THEN 'code ' || {v} || ' is not in its list ({shown})' "
                f"ELSE 'not in its list ({shown}); the value is not shown' END "
                f"FROM typed WHERE {v} IS NOT NULL AND {v} NOT IN ({allowed})"
            )
    for start, end in spec.date_order:
        ts, te = ident("t_" + start), ident("t_" + end)
        checks.append(
            f"SELECT _row, '{end}', '{end} is before {start}' FROM typed WHERE {te} < {ts}"
        )
    for column_name, condition, reason in spec.row_rules:
        checks.append(f"SELECT _row, '{column_name}', '{reason}' FROM typed WHERE {condition}")
    key = ", ".join(ident("t_" + k) for k in spec.key)
    same = " AND ".join(
        f"t.{ident('t_' + k)} IS NOT DISTINCT FROM seen.{ident('t_' + k)}" for k in spec.key
    )
    # Keys seen more than once, grouped (cheaper than a window over every row), then their rows.
    checks.append(
        f"SELECT t._row, '{', '.join(spec.key)}', "
        f"'duplicate key (same ' || '{', '.join(spec.key)}' || ' as row ' || first_row || ')' "
        f"FROM typed t JOIN (SELECT {key}, min(_row) AS first_row FROM typed GROUP BY {key} "
        f"HAVING count(*) > 1) AS seen ON {same} WHERE t._row > seen.first_row"
    )
    union = " UNION ALL ".join(f"({c})" for c in checks)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE errors AS SELECT * FROM "
        f"({union}) AS e(_row, column_name, reason)"
    )
    scan_free_text(con, spec, before_scan=before_scan)


def scan_free_text(
    con: duckdb.DuckDBPyConnection, spec: Table, *, before_scan: Callable[[], None] | None = None
) -> None:
    """Rows whose free text holds an identifier join ``errors``; a wrong code or format that
    holds one gets the kind in its reason. Only distinct values are scanned."""
    own = "typed" if {"geslachtsnaam", "voornamen"} & set(spec.column_names) else None
    for column in spec.columns:
        if column.role != "analysis" or column.free_text == "drop":
            continue
        v, name = ident(column.name), column.name.replace("'", "''")
        if column.free_text == "scan":
            query = f"SELECT DISTINCT {v} FROM typed WHERE {v} IS NOT NULL"
        elif column.type in {"code", "pattern"}:
            query = (
                f"SELECT DISTINCT t.{v} FROM errors e JOIN typed t USING (_row) "
                f"WHERE e.column_name = '{name}' AND t.{v} IS NOT NULL"
            )
        else:
            continue
        values = [str(value) for (value,) in con.execute(query).fetchall()]
        if values and before_scan is not None:
            before_scan()
        hits = scan_values(con, values, own) if values else {}
        if not hits:
            continue
        temp_table(
            con,
            "scan_hits",
            {"value": list(hits), "kinds": [kinds_text(k) for k in hits.values()]},
        )
        if column.free_text == "scan":
            con.execute(
                f"INSERT INTO errors SELECT t._row, '{name}', 'free text holds ' || h.kinds || "
                "'; the row is not loaded and the value is not shown' "
                f"FROM typed t JOIN scan_hits h ON t.{v} = h.value"
            )
        else:
            con.execute(
                "UPDATE errors SET reason = errors.reason || '; it holds ' || h.kinds "
                f"FROM typed t, scan_hits h WHERE errors._row = t._row "
                f"AND errors.column_name = '{name}' AND t.{v} = h.value"
            )
        con.execute("DROP TABLE scan_hits")
