"""Build households and the integrated household table into an activity's store.

The outputs go into schema ``household`` of ``HOME/activities/activity-ID.duckdb``, one set of
rows per peildatum: building a peildatum again replaces its rows (in one transaction, so a failed
build leaves the previous result), other peildata stay. See docs/households.md for every column.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from meedoen_data.activity_store import ActivityStoreError, store_path
from meedoen_data.categories import HOUSEHOLD_DEATH, household_detail
from meedoen_data.households.derivation import OUTPUTS, Plan, Rules, steps
from meedoen_data.households.engines import (
    ENGINES,
    EngineError,
    Progress,
    prepare_inputs,
    run_duckdb,
    run_spark,
)
from meedoen_data.intake.sql import ident
from meedoen_data.workspace import Workspace

SCHEMA = "household"
MEMBER_VIEW = "household_member"


@dataclass
class BuildReport:
    activity_id: int
    peildatum: date
    engine: str
    households: int = 0
    persons: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    stacking: list[tuple[str, int, int | None]] = field(default_factory=list)
    not_covered: list[str] = field(default_factory=list)  # inputs the activity lacks
    seconds: float = 0.0


def _duckdb_config(workspace: Workspace) -> dict[str, str | bool | int | float | list[str]]:
    config: dict[str, str | bool | int | float | list[str]] = {
        "temp_directory": str(workspace.home / "activities" / "tmp")
    }
    # MEEDOEN_DUCKDB_MEMORY: memory limit of DuckDB while building households (e.g. 10GB;
    # default DuckDB's own, 80% of RAM); larger intermediate results spill to disk.
    limit = os.environ.get("MEEDOEN_DUCKDB_MEMORY", "")
    if limit:
        config["memory_limit"] = limit
    return config


def household_build(
    *,
    home: Path,
    activity_id: int,
    peildatum: date,
    domains: Iterable[str],
    engine: str = "duckdb",
    rules: Rules | None = None,
    progress: Progress | None = None,
) -> BuildReport:
    """Derive the households at ``peildatum`` from the activity's store and write the tables.

    ``domains`` are the activity's approved sources: tables of domains it does not cover give
    NULL (unknown) columns, never zeros."""
    if engine not in ENGINES:
        raise EngineError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    workspace = Workspace(home)
    path = store_path(workspace, activity_id)
    if not path.exists():
        raise ActivityStoreError(f"activity {activity_id} has no store yet")
    plan = Plan(peildatum, frozenset(domains), rules or Rules())
    plan_steps = steps(plan)
    started = time.perf_counter()
    (workspace.home / "activities" / "tmp").mkdir(mode=0o700, exist_ok=True)
    con = duckdb.connect(str(path), config=_duckdb_config(workspace))
    try:
        _needs_detail(con, activity_id, peildatum)
        report = BuildReport(activity_id, peildatum, engine)
        report.not_covered = prepare_inputs(con, plan)
        if engine == "duckdb":
            run_duckdb(con, plan_steps, progress)
        else:
            workdir = path.with_suffix(".spark")
            run_spark(con, plan_steps, workdir, progress)
        if progress is not None:
            progress("writing", len(plan_steps), len(plan_steps))
        _summarise(con, report)  # from the temporary tables: exactly what is written
        _write(con, plan, engine, report.not_covered)
    finally:
        con.close()
    report.seconds = time.perf_counter() - started
    return report


def _needs_detail(con: duckdb.DuckDBPyConnection, activity_id: int, peildatum: date) -> None:
    """Refuse a store that lacks what a build at ``peildatum`` needs at finer detail
    (:func:`meedoen_data.categories.household_detail`): who lives where and with whom on the
    peildatum cannot be told from years of moves, relations and births, nor who was alive on a
    peildatum other than 1 January from the year of death."""
    database = str(con.execute("SELECT current_database()").fetchone()[0])  # type: ignore[index]
    missing = []
    for name in household_detail(peildatum):
        table, _, column = name.partition(".")
        present = _columns(con, database, "source", table)
        if present and column not in present:
            missing.append(name)
    if missing:
        death = (
            f"; the day of death is needed for a peildatum other than 1 January ({peildatum})"
            if HOUSEHOLD_DEATH in missing
            else ""
        )
        raise ActivityStoreError(
            f"the store of activity {activity_id} holds {', '.join(missing)} only coarsened (as "
            "years) or not at all: a household build needs them at finer detail, approved with "
            f"a reason{death}"
        )


def _columns(con: duckdb.DuckDBPyConnection, database: str, schema: str, table: str) -> list[str]:
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND schema_name = ? "
        "AND table_name = ? ORDER BY column_index",
        [database, schema, table],
    ).fetchall()
    return [str(r[0]) for r in rows]


def _write(con: duckdb.DuckDBPyConnection, plan: Plan, engine: str, not_covered: list[str]) -> None:
    database = str(con.execute("SELECT current_database()").fetchone()[0])  # type: ignore[index]
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        for name in OUTPUTS:
            fresh = _columns(con, "temp", "main", name)
            kept = _columns(con, database, SCHEMA, name)
            target = f"{SCHEMA}.{ident(name)}"
            if kept and kept != fresh:
                # A newer version of meedoen changed the table: earlier peildata must be rebuilt.
                con.execute(f"DROP TABLE {target} CASCADE")
                kept = []
            if not kept:
                con.execute(
                    f"CREATE TABLE {target} AS SELECT * FROM temp.main.{ident(name)} LIMIT 0"
                )
            con.execute(f"DELETE FROM {target} WHERE peildatum = ?", [plan.peildatum])
            order = "combinatie" if name == "household_stacking" else "household_id"
            con.execute(
                f"INSERT INTO {target} BY NAME SELECT * FROM temp.main.{ident(name)} "
                f"ORDER BY {order}"
            )
        con.execute(
            f"CREATE OR REPLACE VIEW {SCHEMA}.{MEMBER_VIEW} AS "
            "SELECT person_pseudonym AS person_id, household_id, household_type, peildatum "
            f"FROM {SCHEMA}.household_person"
        )
        con.execute(
            f"CREATE TABLE IF NOT EXISTS {SCHEMA}.build (peildatum DATE, engine VARCHAR, "
            "built_at TIMESTAMPTZ, domains VARCHAR[], not_covered VARCHAR[], rules VARCHAR)"
        )
        con.execute(f"DELETE FROM {SCHEMA}.build WHERE peildatum = ?", [plan.peildatum])
        con.execute(
            f"INSERT INTO {SCHEMA}.build VALUES (?, ?, ?, ?, ?, ?)",
            [
                plan.peildatum,
                engine,
                datetime.now(UTC),
                sorted(plan.domains),
                not_covered,
                json.dumps(asdict(plan.rules)),
            ],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    # Write the new rows into the file now: with DuckDB 2.0.0 a large committed insert read back
    # on the same connection before a checkpoint could look empty.
    con.execute("CHECKPOINT")


def _summarise(con: duckdb.DuckDBPyConnection, report: BuildReport) -> None:
    rows = con.execute(
        "SELECT household_type, count(*) FROM temp.main.household GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    report.by_type = {str(t): int(n) for t, n in rows}
    report.households = sum(report.by_type.values())
    row = con.execute("SELECT count(*) FROM temp.main.household_person").fetchone()
    report.persons = int(row[0]) if row else 0
    report.stacking = [
        (str(c), int(n), None if d is None else int(d))
        for c, n, d in con.execute(
            "SELECT combinatie, households, with_schuldhulp FROM temp.main.household_stacking "
            "ORDER BY jeugd + wmo + participatiewet, combinatie"
        ).fetchall()
    ]


def household_subjects(*, home: Path, activity_id: int, peildatum: date) -> Iterator[str]:
    """The persons placed in a household at ``peildatum`` (the data subjects of the build)."""
    path = store_path(Workspace(home), activity_id)
    con = duckdb.connect(str(path), read_only=True)
    try:
        result = con.execute(
            f"SELECT person_pseudonym FROM {SCHEMA}.household_person WHERE peildatum = ? "
            "ORDER BY person_pseudonym",
            [peildatum],
        )
        while batch := result.fetchmany(50_000):
            for (value,) in batch:
                yield str(value)
    finally:
        con.close()


__all__ = [
    "BuildReport",
    "EngineError",
    "household_build",
    "household_subjects",
]
