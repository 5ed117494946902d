"""Where the derivation runs: DuckDB (default) or Apache Spark.

Both engines get the same list of :class:`~meedoen_data.households.derivation.Step` and leave
the output steps as tables named after them in a DuckDB connection (temporary tables of the
activity's store), from which :mod:`meedoen_data.households.build` writes them into the store.

- **DuckDB** runs each step as written, as a temporary table of the activity's store.
- **Spark** gets the input tables as Parquet files, runs every step transpiled to Spark SQL by
  sqlglot and materialises it as Parquet (each step is computed once, as in DuckDB), then DuckDB
  reads the output steps back. In local mode (the default) Spark runs inside this machine; set
  ``MEEDOEN_SPARK_MASTER`` (e.g. ``spark://host:7077``) and ``MEEDOEN_SPARK_DIR`` (a folder
  every executor can read and write, e.g. on a shared file system) to use a cluster.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import sqlglot

from meedoen_data.categories import COARSE_SQL, coarsening
from meedoen_data.households.derivation import Plan, Step, period_months, periods
from meedoen_data.intake.sql import ident
from meedoen_data.spark import SparkError, exchange_folder, spark_session, sql_path

Progress = Callable[[str, int, int], None]
ENGINES = ("duckdb", "spark")

#: Columns of the optional inputs that the derivation reads, for an activity without them.
EMPTY_INPUTS: dict[str, str] = {
    "toewijzing": (
        "person_pseudonym VARCHAR, wet VARCHAR, productcategorie VARCHAR, "
        "soortverwijzer VARCHAR, datumstarttoewijzing_maand INTEGER, "
        "datumeindetoewijzing_maand INTEGER"
    ),
    "inkomensvoorziening": (
        "person_pseudonym VARCHAR, wet VARCHAR, ingangsdatum_maand INTEGER, einddatum_maand INTEGER"
    ),
    "schuldhulptraject": (
        "person_pseudonym VARCHAR, startdatum_maand INTEGER, einddatum_maand INTEGER"
    ),
    "vroegsignaal": "signaalid VARCHAR, person_pseudonym VARCHAR, signaaldatum_maand INTEGER",
    "cbs_persoon": (
        "person_pseudonym VARCHAR, opleidingsniveau VARCHAR, migratieachtergrond VARCHAR"
    ),
    "cbs_inkomen": (
        "person_pseudonym VARCHAR, jaar BIGINT, besteedbaar_huishoudinkomen DECIMAL(18,2), "
        "ww BIGINT, ao BIGINT, huurtoeslag BIGINT, woningbezit VARCHAR"
    ),
}
REQUIRED_INPUTS = ("ingeschrevenpersoon", "verblijfplaats", "relatie", "nummeraanduiding")

#: Dates the derivation reads coarsened, per input: (the date, its coarse column). A store holds
#: the coarse column by default (:mod:`meedoen_data.categories`); a store that holds the day
#: (approved at finer detail) gets it made from the day, as the store would have made it.
COARSE_INPUTS: dict[str, tuple[tuple[str, str], ...]] = {
    "ingeschrevenpersoon": (("datumoverlijden", "datumoverlijden_jaar"),),
    "toewijzing": (
        ("datumstarttoewijzing", "datumstarttoewijzing_maand"),
        ("datumeindetoewijzing", "datumeindetoewijzing_maand"),
    ),
    "inkomensvoorziening": (
        ("ingangsdatum", "ingangsdatum_maand"),
        ("einddatum", "einddatum_maand"),
    ),
    "schuldhulptraject": (("startdatum", "startdatum_maand"), ("einddatum", "einddatum_maand")),
    "vroegsignaal": (("signaaldatum", "signaaldatum_maand"),),
}


class EngineError(Exception):
    """The engine cannot run (Spark not installed, no Java, a step failed)."""


def prepare_inputs(con: duckdb.DuckDBPyConnection, plan: Plan) -> list[str]:
    """Temporary views with the bare names the steps read; returns the inputs that are empty
    because the activity does not cover them."""
    present = {
        str(r[0])
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'source' "
            "AND database_name = current_database()"
        ).fetchall()
    }
    missing = [t for t in REQUIRED_INPUTS if t not in present]
    if missing:
        raise EngineError(
            f"the activity's store has no {', '.join(missing)}: households need the BRP "
            "(ingeschrevenpersoon, verblijfplaats, relatie) and the BAG (nummeraanduiding); "
            "ingest them and make sure the activity covers brp"
        )
    empty = []
    for table in (*REQUIRED_INPUTS, *EMPTY_INPUTS):
        if table in present:
            extra = "".join(f", {sql}" for sql in _coarse_columns(con, table))
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW {ident(table)} AS "
                f"SELECT *{extra} FROM source.{ident(table)}"
            )
        else:
            empty.append(table)
            con.execute(f"CREATE OR REPLACE TEMP TABLE {ident(table)} ({EMPTY_INPUTS[table]})")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE period (period INTEGER, period_start DATE, period_end DATE, "
        "month_start INTEGER, month_end INTEGER)"
    )
    con.executemany("INSERT INTO period VALUES (?, ?, ?, ?, ?)", periods(plan.peildatum))
    con.execute("CREATE OR REPLACE TEMP TABLE period_month (period INTEGER, month INTEGER)")
    con.executemany("INSERT INTO period_month VALUES (?, ?)", period_months(plan.peildatum))
    return empty


def _coarse_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The coarse columns of :data:`COARSE_INPUTS` that the store's ``table`` lacks, made from
    the day it holds instead (SQL select items)."""
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'source' "
        "AND database_name = current_database() AND table_name = ?",
        [table],
    ).fetchall()
    present = {str(r[0]) for r in rows}
    out = []
    for day, coarse in COARSE_INPUTS.get(table, ()):
        if coarse in present:
            continue
        if day not in present:
            raise EngineError(
                f"the activity's store has no {table}.{day}: a household build reads it (as "
                f"{coarse}); request an activity with this column"
            )
        value = COARSE_SQL[coarsening(day)].format(value=ident(day))
        out.append(f"{value} AS {ident(coarse)}")
    return out


def input_names() -> list[str]:
    return [*REQUIRED_INPUTS, *EMPTY_INPUTS, "period", "period_month"]


def last_readers(plan_steps: list[Step]) -> dict[str, int]:
    """For every intermediate step, the index of the last step that reads it (itself if none)."""
    last = {}
    for index, step in enumerate(plan_steps):
        if step.keep:
            continue
        pattern = re.compile(rf"\b{re.escape(step.name)}\b")
        last[step.name] = max(
            [index] + [i for i, later in enumerate(plan_steps) if pattern.search(later.sql)]
        )
    return last


def run_duckdb(
    con: duckdb.DuckDBPyConnection, plan_steps: list[Step], progress: Progress | None
) -> None:
    """Each step as a temporary table; an intermediate one is dropped after its last reader,
    so that a national build keeps only what is still needed (less memory and spill)."""
    drop_after: dict[int, list[str]] = {}
    for name, index in last_readers(plan_steps).items():
        drop_after.setdefault(index, []).append(name)
    for number, step in enumerate(plan_steps):
        if progress is not None:
            progress(step.name, number, len(plan_steps))
        con.execute(f"CREATE OR REPLACE TEMP TABLE {ident(step.name)} AS {step.sql}")
        for name in drop_after.get(number, []):
            con.execute(f"DROP TABLE temp.main.{ident(name)}")


def spark_sql(step: Step) -> str:
    """A step in Spark's dialect."""
    return str(sqlglot.transpile(step.sql, read="duckdb", write="spark")[0])


def run_spark(
    con: duckdb.DuckDBPyConnection,
    plan_steps: list[Step],
    workdir: Path,
    progress: Progress | None,
) -> None:
    """Run the steps on Spark; the output steps come back as temporary tables in ``con``."""
    with exchange_folder(workdir) as exchange:
        for name in input_names():
            target = exchange / "in" / f"{name}.parquet"
            target.parent.mkdir(mode=0o700, exist_ok=True)
            con.execute(
                f"COPY (SELECT * FROM {ident(name)}) TO '{sql_path(target)}' (FORMAT parquet)"
            )
        try:
            with spark_session(exchange, app="meedoen-build") as spark:
                _spark_steps(spark, exchange, plan_steps, progress)
        except SparkError as exc:
            raise EngineError(str(exc)) from None
        for step in plan_steps:
            if step.keep:
                source = sql_path(exchange / "steps" / step.name / "*.parquet")
                con.execute(
                    f"CREATE OR REPLACE TEMP TABLE {ident(step.name)} AS "
                    f"SELECT * FROM read_parquet('{source}')"
                )


def _spark_steps(
    spark: Any, exchange: Path, plan_steps: list[Step], progress: Progress | None
) -> None:
    for name in input_names():
        spark.read.parquet(str(exchange / "in" / f"{name}.parquet")).createOrReplaceTempView(name)
    for number, step in enumerate(plan_steps):
        if progress is not None:
            progress(step.name, number, len(plan_steps))
        target = exchange / "steps" / step.name
        try:
            spark.sql(spark_sql(step)).write.mode("overwrite").parquet(str(target))
        except Exception as exc:
            raise EngineError(
                f"Spark failed in step {step.name}: {str(exc).splitlines()[0]}"
            ) from None
        spark.read.parquet(str(target)).createOrReplaceTempView(step.name)
