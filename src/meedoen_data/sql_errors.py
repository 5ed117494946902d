"""Why a query is not valid or could not run, as a stable code with what to show, taken apart
from DuckDB's English message: the pages say it in the user's language with the place in the
query; the command line keeps DuckDB's message.

DuckDB writes ``Parser Error: syntax error at or near "SELEKT"`` and, for most errors, the line
of the query with a caret under the place (``LINE 1: SELEKT 1`` / ``^^^^^^``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: The codes (:attr:`SqlProblem.code`): not SQL; not one statement; not a SELECT; a table or a
#: column that does not exist; anything else DuckDB refused while running it.
SYNTAX, STATEMENTS, NOT_SELECT = "syntax", "statements", "not_select"
UNKNOWN_TABLE, UNKNOWN_COLUMN, QUERY_ERROR = "unknown_table", "unknown_column", "query_error"
CODES = (SYNTAX, STATEMENTS, NOT_SELECT, UNKNOWN_TABLE, UNKNOWN_COLUMN, QUERY_ERROR)

_LINE = re.compile(r"^LINE (\d+): (.*)$", re.M)
_NEAR = re.compile(r'at or near "([^"]*)"')
_TABLE = re.compile(r"Table with name (\S+) does not exist")
_COLUMN = re.compile(r'Referenced column "([^"]+)" not found')


@dataclass(frozen=True)
class SqlProblem:
    code: str  # one of CODES
    name: str = ""  # what it is about: the word near the error, the table, the column, …
    line: int | None = None  # 1-based place in the query, when DuckDB gives one
    column: int | None = None
    message: str = ""  # DuckDB's first line, in English (the command line shows it)


def sql_problem(message: str, *, sql: str = "", parsing: bool = False) -> SqlProblem:
    """The problem a DuckDB error message describes; ``parsing``: it came from reading the
    query (a syntax error), not from running it; ``sql``: the query as the user wrote it, for
    the place when DuckDB ran it inside something else (``EXPLAIN …``)."""
    first = message.splitlines()[0] if message else ""
    line, column = _place(message, sql)
    if parsing or first.startswith("Parser Error"):
        near = _NEAR.search(first)
        return SqlProblem(SYNTAX, near.group(1) if near else "", line, column, first)
    if table := _TABLE.search(first):
        return SqlProblem(UNKNOWN_TABLE, table.group(1).strip('"'), line, column, first)
    if found := _COLUMN.search(first):
        return SqlProblem(UNKNOWN_COLUMN, found.group(1), line, column, first)
    return SqlProblem(QUERY_ERROR, "", line, column, first)


def _place(message: str, sql: str) -> tuple[int | None, int | None]:
    """The line and column (1-based) in ``sql`` that DuckDB's caret points at."""
    lines = message.splitlines()
    for number, text in enumerate(lines):
        found = _LINE.match(text)
        if found and number + 1 < len(lines) and "^" in lines[number + 1]:
            line, shown = int(found.group(1)), found.group(2)
            column = lines[number + 1].index("^") - (len(text) - len(shown)) + 1
            start = sql.splitlines()[0][:20] if sql.strip() and line == 1 else ""
            wrapped = shown.find(start) if start else -1
            if wrapped > 0 and column > wrapped:  # e.g. EXPLAIN (FORMAT JSON) before the query
                column -= wrapped
            return line, column
    return None, None


__all__ = ["CODES", "SqlProblem", "sql_problem"]
