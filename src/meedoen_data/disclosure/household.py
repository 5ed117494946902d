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
    "leeftijd": "age of the reference person (tot_25, 25_44, 45_59, 60_74, 75_plus)",
    "leeftijd_eerste_kind": "age of the younger parent at the first child's birth (tot_21, "
    "21_25, 26_30, 31_plus; geen_kind when no child is known)",
    "inkomensdeciel": "decile (1-10) of the disposable household income among the households "
    "of the peildatum",
}
#: Variables made from columns of the household table (bands), with their codes in order.
BANDED: dict[str, tuple[str, tuple[str, ...]]] = {
    "leeftijd": (
        "CASE WHEN reference_person_age IS NULL THEN NULL "
        "WHEN reference_person_age < 25 THEN 'tot_25' "
        "WHEN reference_person_age < 45 THEN '25_44' "
        "WHEN reference_person_age < 60 THEN '45_59' "
        "WHEN reference_person_age < 75 THEN '60_74' ELSE '75_plus' END",
        ("tot_25", "25_44", "45_59", "60_74", "75_plus"),
    ),
    # The register holds parents, not mothers: the younger parent's age stands in for the
    # mother's (in the BRP the mother is the younger parent in most couples).
    "leeftijd_eerste_kind": (
        "CASE WHEN coalesce(least(reference_person_age_first_child, partner_age_first_child), "
        "reference_person_age_first_child, partner_age_first_child) IS NULL THEN 'geen_kind' "
        "WHEN least(reference_person_age_first_child, partner_age_first_child) < 21 "
        "THEN 'tot_21' "
        "WHEN least(reference_person_age_first_child, partner_age_first_child) <= 25 "
        "THEN '21_25' "
        "WHEN least(reference_person_age_first_child, partner_age_first_child) <= 30 "
        "THEN '26_30' ELSE '31_plus' END",
        ("geen_kind", "tot_21", "21_25", "26_30", "31_plus"),
    ),
    "inkomensdeciel": (
        "CASE WHEN besteedbaar_inkomen IS NULL THEN NULL ELSE CAST(ntile(10) OVER ("
        "PARTITION BY peildatum, besteedbaar_inkomen IS NULL ORDER BY besteedbaar_inkomen, "
        "household_id) AS VARCHAR) END",
        tuple(str(d) for d in range(1, 11)),
    ),
}
#: A variable ``seg_<run>``: the segment of the household in segmentation run ``<run>``
#: (``meedoen segment``; table ``segment.membership`` of the activity's store).
SEGMENT_PREFIX = "seg_"
#: A variable ``duur_<source>``: how long the household has been a client of partner file
#: ``<source>`` (linked by ``meedoen link``) at the peildatum, from its longest record — months
#: from ``datuminschrijving`` to ``datumuitschrijving`` or the peildatum: ``tot_6``, ``6_12``,
#: ``12_plus``; onbekend for households without a linked record.
DURATION_PREFIX = "duur_"
DURATION_BANDS = ("tot_6", "6_12", "12_plus")
#: A table "at the start" (``at_start``) takes each client's household at the latest build at
#: most this many months before the month its first record started; clients without such a
#: build are not counted (:func:`start_coverage` says how many).
START_WINDOW_MONTHS = 12
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
    at_start: str | None = None,
) -> HouseholdTable:
    """Count (or sum ``amount`` over) the households by ``rowvar`` [x ``colvar`` [x
    ``layervar``]]. Every category of the peildatum gets a row, also where the filter leaves no
    household (0). ``indicators``: register indicators whose flags (``ind_x``, ``pop_x``,
    :mod:`meedoen_data.indicators.flags`) may be variables and filters too.

    ``at_start``: a linked partner file. Then the units are not the households at the
    peildatum but its clients' households *as they were when they became clients*: for every
    linked person whose first record started in or before the peildatum's month, the household
    at the latest build on or before that month, at most :data:`START_WINDOW_MONTHS` earlier
    (each such household once per build). Categories and deciles are those of that build."""
    if layervar is not None and colvar is None:
        raise TableError("a third variable needs a second one")
    variables = [v for v in (rowvar, colvar, layervar) if v is not None]
    every = list(dict.fromkeys([*variables, *(c for c, _ in where)]))
    segments = [v for v in every if v.startswith(SEGMENT_PREFIX)]
    durations = [v for v in every if v.startswith(DURATION_PREFIX)]
    known = {
        **VARIABLES,
        **flag_variables(indicators),
        **{v: f"segment of segmentation run {v[len(SEGMENT_PREFIX) :]}" for v in segments},
        **{v: f"duration as client of {v[len(DURATION_PREFIX) :]}" for v in durations},
    }
    for variable in variables:
        if variable not in known:
            raise TableError(
                f"unknown variable {variable!r}: choose one of {', '.join(sorted(VARIABLES))}"
            )
    if len(set(variables)) != len(variables):
        raise TableError("the variables of a table must differ")
    if at_start is not None and (segments or durations):
        raise TableError(
            "households at the start of their client record cannot be counted by segment or by "
            "duration as client: those belong to the peildatum"
        )
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
        if wanted:
            indicators_check(con, wanted, peildatum, activity_id)
        if segments:
            _check_segments(con, segments, peildatum)
        for variable in durations:
            _check_partner(con, variable[len(DURATION_PREFIX) :], activity_id, variable)
        if at_start is not None:
            _check_partner(con, at_start, activity_id, "at the start")
            # Only at a build: at any month the clients who started by it could be chosen, and
            # two such tables a month apart would show the households of that month's clients.
            built_days = {
                r[0]
                for r in con.execute(
                    "SELECT DISTINCT peildatum FROM household.household"
                ).fetchall()
            }
            if peildatum not in built_days:
                raise TableError(
                    f"households at the start of their client record are counted up to a "
                    f"peildatum households were built for; {peildatum} is not one: choose one of "
                    f"{', '.join(str(d) for d in sorted(built_days))}"
                )
            _check_start_builds(con, at_start, peildatum, activity_id, [*every], wanted)
        source, flag_values = household_relation(
            indicators=wanted,
            banded=[v for v in BANDED if v in {*variables, *(c for c, _ in where)}],
            segments=segments,
            durations=durations,
        )
        if at_start is not None:
            source, flag_values = _at_start(source, flag_values, at_start, peildatum)
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
            _segment_dimension(con, v, rows, variables.index(v))
            if v in segments
            else _bands_dimension(v, DURATION_BANDS, rows, variables.index(v))
            if v in durations
            else _flag_dimension(v, rows, variables.index(v))
            if v not in VARIABLES
            else _banded_dimension(v, rows, variables.index(v))
            if v in BANDED
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
    if at_start is not None:
        described = (
            f"{'sum of ' + amount if amount else 'households'} of the clients of {at_start} by "
            f"{name} at the start of their client record, started by {peildatum}"
        )
    if where:
        described += " where " + ", ".join(f"{c} = {v}" for c, v in where)
    return HouseholdTable(table, peildatum, sum(c.units for c in leaves.values()), described)


def household_relation(
    *,
    indicators: Sequence[Indicator] = (),
    banded: Sequence[str] = (),
    segments: Sequence[str] = (),
    durations: Sequence[str] = (),
) -> tuple[str, list[object]]:
    """``(SQL, parameters)`` of the relation ``household`` a table is counted from: the
    household table, with the flags of ``indicators``, the ``banded`` variables, the segments
    of the ``seg_<run>`` variables and the durations as client of the ``duur_<partner>``
    variables. Names are quoted or come from closed lists; values (a run's id, a partner's
    name) are bound."""
    source, params = "household.household", list[object]()
    if indicators:
        sql, params = flag_relation(indicators)
        source = f"({sql})"
    if banded:
        bands = ", ".join(f"{BANDED[v][0]} AS {ident(v)}" for v in banded)
        source = f"(SELECT *, {bands} FROM {source})"  # noqa: S608
    if segments:
        joins, columns = [], []
        for n, variable in enumerate(segments):
            joins.append(
                f"LEFT JOIN segment.membership s{n} ON s{n}.household_id = b.household_id "
                f"AND s{n}.peildatum = b.peildatum AND s{n}.run_id = ?"
            )
            params.append(variable[len(SEGMENT_PREFIX) :])
            columns.append(f"CAST(s{n}.segment AS VARCHAR) AS {ident(variable)}")
        source = f"(SELECT b.*, {', '.join(columns)} FROM {source} b {' '.join(joins)})"  # noqa: S608
    if durations:
        joins, columns = [], []
        for n, variable in enumerate(durations):
            partner = variable[len(DURATION_PREFIX) :]
            joins.append(
                f"LEFT JOIN ({_DURATION_SQL.format(table=ident(partner))}) d{n} "
                f"ON d{n}.household_id = b.household_id AND d{n}.peildatum = b.peildatum"
            )
            params.append(partner)
            columns.append(
                f"CASE WHEN d{n}.months IS NULL THEN NULL WHEN d{n}.months < 6 THEN 'tot_6' "
                f"WHEN d{n}.months < 12 THEN '6_12' ELSE '12_plus' END AS {ident(variable)}"
            )
        source = f"(SELECT b.*, {', '.join(columns)} FROM {source} b {' '.join(joins)})"  # noqa: S608
    return f"{source} AS household", params


#: Months a household has been a client of a partner file at the peildatum (its longest linked
#: record); months are YYYYMM in the store. ``{table}`` is the quoted partner name, the source
#: a bound value.
_DURATION_SQL = """
SELECT m.household_id, m.peildatum, max(
    least(coalesce(r.datumuitschrijving_maand, 999912),
          CAST(year(m.peildatum) * 100 + month(m.peildatum) AS INTEGER)) // 100 * 12
    + least(coalesce(r.datumuitschrijving_maand, 999912),
            CAST(year(m.peildatum) * 100 + month(m.peildatum) AS INTEGER)) % 100
    - (r.datuminschrijving_maand // 100 * 12 + r.datuminschrijving_maand % 100)) AS months
FROM link.partner_link l
JOIN source.{table} r ON r.record_pseudonym = l.record_id
JOIN household.household_member m ON m.person_id = l.person_id
WHERE l.source = ? AND r.datuminschrijving_maand IS NOT NULL
  AND r.datuminschrijving_maand <= year(m.peildatum) * 100 + month(m.peildatum)
GROUP BY ALL
"""


def _check_partner(
    con: duckdb.DuckDBPyConnection, partner: str, activity_id: int, what: str
) -> None:
    tables = {
        f"{s}.{t}"
        for s, t in con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"
        ).fetchall()
    }
    # Only a partner file that was linked: not any other table of the store's source schema.
    linked = "link.partner_link" in tables and con.execute(
        "SELECT count(*) FROM link.partner_link WHERE source = ?", [partner]
    ).fetchone() != (0,)
    if f"source.{partner}" not in tables or not linked:
        raise TableError(
            f"{what}: activity {activity_id} has no linked partner file {partner!r}: run "
            f"meedoen link --activity {activity_id} --source {partner} first"
        )


#: Each linked client's first month as a client (the first of that month). ``{table}`` is the
#: quoted partner name; the source is bound.
_CLIENT_STARTS_SQL = """
SELECT l.person_id,
       make_date(min(r.datuminschrijving_maand) // 100,
                 min(r.datuminschrijving_maand) % 100, 1) AS started
FROM link.partner_link l
JOIN source.{table} r ON r.record_pseudonym = l.record_id
WHERE l.source = ? AND r.datuminschrijving_maand IS NOT NULL
GROUP BY l.person_id
"""
#: The household each client was in then: at the latest build on or before that month, at most
#: the window earlier; the source, the window and the peildatum's month are bound.
_START_SQL = (  # constants only: the partner's name goes in later, quoted
    "SELECT DISTINCT m.household_id, m.peildatum FROM ("  # noqa: S608
    + _CLIENT_STARTS_SQL
    + """) c
ASOF JOIN (SELECT DISTINCT peildatum FROM household.household) b ON c.started >= b.peildatum
JOIN household.household_member m ON m.person_id = c.person_id AND m.peildatum = b.peildatum
WHERE b.peildatum > c.started - to_months(?)
  AND year(c.started) * 100 + month(c.started) <= ?
"""
)


def _at_start(
    source: str, params: list[object], partner: str, peildatum: date
) -> tuple[str, list[object]]:
    """The relation ``source`` restricted to the partner's clients' households at their start,
    every row dated ``peildatum`` (the table's; the rows keep the categories of their build)."""
    inner = source.removesuffix(" AS household")
    sql = (
        f"(SELECT b.* REPLACE (CAST(? AS DATE) AS peildatum) FROM {inner} b "  # noqa: S608
        f"SEMI JOIN ({_START_SQL.format(table=ident(partner))}) s "
        "ON s.household_id = b.household_id AND s.peildatum = b.peildatum) AS household"
    )
    month = peildatum.year * 100 + peildatum.month
    return sql, [peildatum, *params, partner, START_WINDOW_MONTHS, month]


#: Household columns from other sources than the BRP, by the variable made from them: at an
#: older build the source may hold nothing for the year before (empty or, for the 0/1 flags,
#: all 0), and a table at the start must not count that as "no".
SOURCED = {
    "opleidingsniveau": "opleidingsniveau",
    "migratieachtergrond": "migratieachtergrond",
    "woningbezit": "woningbezit",
    "inkomensdeciel": "besteedbaar_inkomen",
    "ww": "ww",
    "ao": "ao",
    "huurtoeslag": "huurtoeslag",
}
FLAGS_01 = ("ww", "ao", "huurtoeslag")


def _check_start_builds(
    con: duckdb.DuckDBPyConnection,
    partner: str,
    peildatum: date,
    activity_id: int,
    variables: Sequence[str],
    indicators: Sequence[Indicator],
) -> None:
    """Refuse a table at the start when a build it takes households from has no data for one
    of its variables (or indicators)."""
    month = peildatum.year * 100 + peildatum.month
    builds = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT peildatum FROM ({_START_SQL.format(table=ident(partner))}) "  # noqa: S608
            "ORDER BY 1",
            [partner, START_WINDOW_MONTHS, month],
        ).fetchall()
    ]
    if not builds:
        raise TableError(
            f"no client of {partner} who started by {peildatum} has a household at a build at "
            f"most {START_WINDOW_MONTHS} months before the start: build households for the "
            "period the clients started in (meedoen build, one peildatum per year or quarter)"
        )
    columns = [SOURCED[v] for v in variables if v in SOURCED]
    for build in builds:
        if indicators:
            indicators_check(con, indicators, build, activity_id)
        if not columns:
            continue
        tests = ", ".join(
            f"count({ident(c)}) > 0" + (f" AND max({ident(c)}) > 0" if c in FLAGS_01 else "")
            for c in columns
        )
        # Columns come from SOURCED (a closed list) and are quoted; the build is bound.
        found = con.execute(
            f"SELECT {tests} FROM household.household WHERE peildatum = ?",  # noqa: S608
            [build],
        ).fetchone()
        empty = [c for c, ok in zip(columns, found or (), strict=True) if not ok]
        if empty:
            raise TableError(
                f"the households of the build of {build} have no {', '.join(empty)} (its source "
                "holds nothing for the year before): describe the group at a peildatum instead, "
                "or deliver that year's data and build again"
            )


def start_coverage(
    *, home: Path, activity_id: int, partner: str, peildatum: date
) -> dict[str, int]:
    """How many linked clients of ``partner`` started in or before the peildatum's month, and
    how many of them a table at the start counts (in a household at a build at most
    :data:`START_WINDOW_MONTHS` before their start) — the rest started too long after a build,
    before the first one, or were not registered in the municipality then."""
    con = duckdb.connect(str(store_path(Workspace(home), activity_id)), read_only=True)
    try:
        _check_partner(con, partner, activity_id, "at the start")
        row = con.execute(
            f"""
            WITH c AS (
                SELECT * FROM ({_CLIENT_STARTS_SQL.format(table=ident(partner))})
                WHERE year(started) * 100 + month(started) <= ?
            )
            SELECT count(*), count(m.person_id)
            FROM c ASOF LEFT JOIN (SELECT DISTINCT peildatum FROM household.household) b
                ON c.started >= b.peildatum
            LEFT JOIN household.household_member m ON m.person_id = c.person_id
                AND m.peildatum = b.peildatum AND b.peildatum > c.started - to_months(?)
            """,  # noqa: S608 - the partner's name is quoted, values bound
            [partner, peildatum.year * 100 + peildatum.month, START_WINDOW_MONTHS],
        ).fetchone()
    finally:
        con.close()
    clients, counted = (int(v) for v in row or (0, 0))
    return {"clients": clients, "counted": counted}


def _check_segments(
    con: duckdb.DuckDBPyConnection, segments: Sequence[str], peildatum: date
) -> None:
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'segment' "
        "AND table_name = 'membership'"
    ).fetchone()
    for variable in segments:
        run = variable[len(SEGMENT_PREFIX) :]
        known = (
            found
            and found[0]
            and con.execute(
                "SELECT count(*) FROM segment.membership WHERE run_id = ? AND peildatum = ?",
                [run, peildatum],
            ).fetchone()
        )
        if not known or not known[0]:
            raise TableError(
                f"there is no segmentation run {run!r} at {peildatum} in this activity: run "
                "meedoen segment first"
            )


def _segment_dimension(
    con: duckdb.DuckDBPyConnection, variable: str, rows: list[tuple[object, ...]], position: int
) -> Dimension:
    """The segments of the run (every one, also where a filter leaves none), onbekend when
    households outside the run are counted."""
    codes = [
        str(r[0])
        for r in con.execute(
            "SELECT DISTINCT segment FROM segment.membership WHERE run_id = ? ORDER BY 1",
            [variable[len(SEGMENT_PREFIX) :]],
        ).fetchall()
    ]
    if any(str(row[position]) == UNKNOWN for row in rows):
        codes.append(UNKNOWN)
    return Dimension.flat(variable, codes)


def _banded_dimension(variable: str, rows: list[tuple[object, ...]], position: int) -> Dimension:
    return _bands_dimension(variable, BANDED[variable][1], rows, position)


def _bands_dimension(
    variable: str, bands: Sequence[str], rows: list[tuple[object, ...]], position: int
) -> Dimension:
    """Every band in its order, onbekend when a household has no value."""
    codes = list(bands)
    if any(str(row[position]) == UNKNOWN for row in rows):
        codes.append(UNKNOWN)
    return Dimension.flat(variable, codes)


def _flag_dimension(variable: str, rows: list[tuple[object, ...]], position: int) -> Dimension:
    """An indicator's flag: 1 and 0 always (a zero is a count too), onbekend when present."""
    codes = ["1", "0"]
    if any(str(row[position]) == UNKNOWN for row in rows):
        codes.append(UNKNOWN)
    return Dimension.flat(variable, codes)


def indicators_check(
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
            variable: BANDED[variable][1]
            if variable in BANDED
            else tuple(_dimension(con, variable, peildata[0]).leaves())
            for variable in VARIABLES
        }
    finally:
        con.close()
    return HouseholdCategories(peildata, categories)
