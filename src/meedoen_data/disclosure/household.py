"""Tables of households (``meedoen table``) from an activity's household table.

Units are the households of ``household.household`` at one peildatum (default: the latest
build). Row and column variables are columns of that table (:data:`VARIABLES`); ``buurtcode``
and ``wijkcode`` are hierarchical: a table by buurt also holds the wijk subtotals and the
gemeente total, so that secondary suppression and the audit see the whole hierarchy an
attacker sees. A missing value counts as category ``onbekend``. With ``amount`` the table is a
magnitude table: the sum of that amount per cell, with its largest contributions for the
dominance and p% rules (negative amounts count as 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import duckdb

from meedoen_data.activity_store import ActivityStoreError, store_path
from meedoen_data.disclosure.table import TOP, Cell, Dimension, Table
from meedoen_data.indicators.catalogue import HOUSEHOLD_COLUMNS, Indicator
from meedoen_data.indicators.flags import (
    columns_of,
    flag_relation,
    flag_variables,
    indicator_variable,
    linked_sources,
    population_variable,
)
from meedoen_data.intake.sql import ident
from meedoen_data.workspace import Workspace

#: Variables a table may be made by, with what they mean.
VARIABLES: dict[str, str] = {
    "household_type": "household type (eenpersoons, paar_zonder_kinderen, eenouder, ...)",
    "size": "number of members",
    "children": "number of children",
    "buurtcode": "buurt (with wijk subtotals and the gemeente total)",
    "wijkcode": "wijk",
    "gemeentecode": "gemeente",
    "opleidingsniveau": "highest education level in the household (laag, middelbaar, hoog)",
    "migratieachtergrond": "migration background of the reference person",
    "woningbezit": "owner-occupied or rented",
    "ww": "unemployment benefit in the household (0/1)",
    "ao": "disability benefit in the household (0/1)",
    "huurtoeslag": "housing allowance (0/1)",
}
#: Amounts a magnitude table may sum.
AMOUNTS: dict[str, str] = {
    "besteedbaar_inkomen": "disposable household income of the year before (euro)",
}
UNKNOWN = "onbekend"


class TableError(ValueError):
    """The table asked for cannot be made (unknown variable, no households, ...)."""


@dataclass(frozen=True)
class HouseholdTable:
    table: Table
    peildatum: date
    households: int
    description: str


def _where(
    where: Sequence[tuple[str, str]], known: dict[str, str] = VARIABLES
) -> tuple[str, list[str]]:
    clauses, values = [], []
    for column, value in where:
        if column not in known:
            raise TableError(
                f"cannot filter on {column!r}: choose one of {', '.join(sorted(VARIABLES))}"
            )
        clauses.append(f"coalesce(CAST({ident(column)} AS VARCHAR), '{UNKNOWN}') = ?")
        values.append(value)
    return "".join(f" AND {c}" for c in clauses), values


def household_table(
    *,
    home: Path,
    activity_id: int,
    rowvar: str,
    colvar: str | None = None,
    layervar: str | None = None,
    where: Sequence[tuple[str, str]] = (),
    peildatum: date | None = None,
    amount: str | None = None,
    indicators: Sequence[Indicator] = (),
) -> HouseholdTable:
    """Count (or sum ``amount`` over) the households by ``rowvar`` [x ``colvar`` [x
    ``layervar``]]. Every category of the peildatum gets a row, also where the filter leaves no
    household (0). ``indicators``: register indicators whose flags (``ind_x``, ``pop_x``,
    :mod:`meedoen_data.indicators.flags`) may be variables and filters too."""
    if layervar is not None and colvar is None:
        raise TableError("a third variable needs a second one")
    variables = [v for v in (rowvar, colvar, layervar) if v is not None]
    known = {**VARIABLES, **flag_variables(indicators)}
    for variable in variables:
        if variable not in known:
            raise TableError(
                f"unknown variable {variable!r}: choose one of {', '.join(sorted(VARIABLES))}"
            )
    if len(set(variables)) != len(variables):
        raise TableError("the variables of a table must differ")
    if filtered := {c for c, _ in where} & set(variables):
        raise TableError(
            f"{', '.join(sorted(filtered))} is both a variable of the table and its filter"
        )
    if len({c for c, _ in where}) != len(where):
        raise TableError("filter each variable at most once")
    if amount is not None and amount not in AMOUNTS:
        raise TableError(f"unknown amount {amount!r}: choose one of {', '.join(AMOUNTS)}")
    path = store_path(Workspace(home), activity_id)
    if not path.exists():
        raise ActivityStoreError(f"activity {activity_id} has no tables yet: run meedoen build")
    con = duckdb.connect(str(path), read_only=True)
    try:
        built = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'household'"
            ).fetchall()
        }
        if "household" not in built:
            raise TableError(
                f"activity {activity_id} has no households yet: run meedoen build first"
            )
        if peildatum is None:
            latest = con.execute("SELECT max(peildatum) FROM household.household").fetchall()
            peildatum = latest[0][0]
        if peildatum is None:
            raise TableError(f"activity {activity_id} has no households yet")
        filters, values = _where(where, known)
        used = {*variables, *(c for c, _ in where)} - set(VARIABLES)
        wanted = [
            i for i in indicators if {indicator_variable(i.id), population_variable(i.id)} & used
        ]
        source, flag_values = "household.household", list[object]()
        if wanted:
            _check_indicators(con, wanted, peildatum, activity_id)
            sql, flag_values = flag_relation(wanted)
            source = f"({sql}) AS household"
        keys = [f"coalesce(CAST({ident(v)} AS VARCHAR), '{UNKNOWN}')" for v in variables]
        measures = "count(*)"
        if amount is not None:
            x = f"greatest(coalesce({ident(amount)}, 0), 0)::DOUBLE"
            measures += f", sum({x}), max({x}, {TOP})"
        rows = con.execute(
            # Identifiers come from VARIABLES and AMOUNTS and are quoted; values are bound.
            # The flag relation is written from the catalogue's closed lists, its values bound.
            f"SELECT {', '.join(keys)}, {measures} FROM {source} "  # noqa: S608
            f"WHERE peildatum = ?{filters} GROUP BY ALL",
            [*flag_values, peildatum, *values],
        ).fetchall()
        dimensions = [
            _flag_dimension(v, rows, variables.index(v))
            if v not in VARIABLES
            else _dimension(con, v, peildatum)
            for v in variables
        ]
    finally:
        con.close()
    if not rows:
        raise TableError(f"no households at {peildatum} match the filter")
    n = len(variables)
    leaves = {
        tuple(str(v) for v in row[:n]): Cell(
            int(row[n]),
            None if amount is None else float(row[n + 1]),
            () if amount is None else tuple(float(x) for x in row[n + 2]),
        )
        for row in rows
    }
    name = " x ".join(variables)
    table = Table.from_leaves(
        name, dimensions, leaves, magnitude=amount is not None, given=tuple(where)
    )
    described = f"{'sum of ' + amount if amount else 'households'} by {name} at {peildatum}"
    if where:
        described += " where " + ", ".join(f"{c} = {v}" for c, v in where)
    return HouseholdTable(table, peildatum, sum(c.units for c in leaves.values()), described)


def _flag_dimension(variable: str, rows: list[tuple[object, ...]], position: int) -> Dimension:
    """An indicator's flag: 1 and 0 always (a zero is a count too), onbekend when present."""
    codes = ["1", "0"]
    if any(str(row[position]) == UNKNOWN for row in rows):
        codes.append(UNKNOWN)
    return Dimension.flat(variable, codes)


def _check_indicators(
    con: duckdb.DuckDBPyConnection, indicators: Sequence[Indicator], peildatum: date, activity: int
) -> None:
    """Refuse an indicator whose sources the activity's build did not cover (its columns are
    empty, not zero) or whose partner links are not there."""
    tables = {
        f"{s}.{t}"
        for s, t in con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"  # views too
        ).fetchall()
    }
    for partner in sorted(linked_sources(indicators)):
        if "link.partner_link" not in tables:
            raise TableError(
                f"an indicator needs the links of partner file {partner!r}: run meedoen link "
                f"--activity {activity} --source {partner} first"
            )
    for indicator in indicators:
        year = sorted(columns_of(indicator) - set(HOUSEHOLD_COLUMNS))
        if not year:
            continue
        counts = con.execute(
            "SELECT " + ", ".join(f"count({ident(c)})" for c in year) + " "
            "FROM household.household_year WHERE peildatum = ? AND period = 0",
            [peildatum],
        ).fetchone()
        empty = [c for c, n in zip(year, counts or (), strict=True) if not n]
        if empty:
            lacking = ", ".join(s for s in indicator.sources if s != "brp")
            raise TableError(
                f"indicator {indicator.id!r} needs {', '.join(empty)}, which the households of "
                f"activity {activity} do not have: the activity does not cover {lacking}, its "
                "sources hold nothing for the year before this peildatum, or the build is older "
                "than its sources"
            )


def _dimension(con: duckdb.DuckDBPyConnection, variable: str, peildatum: date) -> Dimension:
    codes = f"coalesce(CAST({ident(variable)} AS VARCHAR), '{UNKNOWN}')"
    if variable == "buurtcode":
        pairs = con.execute(
            f"SELECT DISTINCT {codes}, coalesce(wijkcode, '{UNKNOWN}') "  # noqa: S608
            "FROM household.household WHERE peildatum = ?",
            [peildatum],
        ).fetchall()
        parents = {str(b): str(w) for b, w in pairs}
        hierarchy = Dimension.hierarchy(variable, parents)
        # A wijk subtotal is the same cell as that wijk in a table by wijkcode (linked tables).
        wijken = set(parents.values()) - set(parents)
        return replace(hierarchy, aliases=dict.fromkeys(sorted(wijken), "wijkcode"))
    values = con.execute(
        f"SELECT DISTINCT {codes} FROM household.household WHERE peildatum = ? ORDER BY 1",  # noqa: S608
        [peildatum],
    ).fetchall()
    return Dimension.flat(variable, [str(v[0]) for v in values])


@dataclass(frozen=True)
class HouseholdCategories:
    """What a table of an activity's households may be made of: its peildata (newest first)
    and, at the newest, the categories of every variable (for choosing a filter)."""

    peildata: tuple[date, ...]
    categories: dict[str, tuple[str, ...]]


def household_categories(*, home: Path, activity_id: int) -> HouseholdCategories:
    """The peildata and the categories of :data:`VARIABLES` of an activity's households (no
    counts: only which codes occur). Empty when the activity has no households yet."""
    path = store_path(Workspace(home), activity_id)
    if not path.exists():
        return HouseholdCategories((), {})
    con = duckdb.connect(str(path), read_only=True)
    try:
        built = con.execute(
            "SELECT count(*) FROM duckdb_tables() "
            "WHERE schema_name = 'household' AND table_name = 'household'"
        ).fetchone()
        if not built or not built[0]:
            return HouseholdCategories((), {})
        peildata = tuple(
            r[0]
            for r in con.execute(
                "SELECT DISTINCT peildatum FROM household.household ORDER BY 1 DESC"
            ).fetchall()
        )
        if not peildata:
            return HouseholdCategories((), {})
        categories = {
            variable: tuple(dimension.leaves())
            for variable in VARIABLES
            for dimension in [_dimension(con, variable, peildata[0])]
        }
    finally:
        con.close()
    return HouseholdCategories(peildata, categories)
