"""Linkage on Apache Spark (``meedoen link --engine spark``).

The inputs are made in DuckDB as for the default engine (:mod:`inputs`, in the identity zone)
and handed to Splink's Spark backend as Parquet in an exchange folder under ``HOME/vault``
(``MEEDOEN_SPARK_DIR`` on a cluster: it then holds names and birth dates while Spark runs, so it
must be protected like the vault). The address u-probabilities are counted exactly in DuckDB
(:func:`~meedoen_data.linkage.model.address_u`); Spark trains the model and scores the pairs
with the same comparisons, their conditions transpiled to Spark SQL
(:func:`~meedoen_data.linkage.model.level_sql`), and the scored pairs come back to DuckDB, where
deciding, remembering and publishing run as for the default engine. The exchange folder is
removed afterwards.

Bloom filters (encoded mode) are BIT strings in DuckDB; Spark gets them as arrays of bit
positions.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from meedoen_data.intake.sql import ident
from meedoen_data.linkage.model import Model, Trained, address_u, fit_and_score
from meedoen_data.spark import exchange_folder, spark_session, sql_path


def _exported(con: Any, table: str) -> str:
    """SELECT list of ``table`` with BIT columns as INTEGER[] bit positions."""
    columns = con.execute(f"DESCRIBE {ident(table)}").fetchall()
    out = []
    for name, kind, *_ in columns:
        column = ident(name)
        if kind == "BIT":
            out.append(
                f"CASE WHEN {column} IS NULL THEN NULL ELSE "
                f"list_filter(range(bit_length({column}))::INTEGER[], "
                f"lambda i: get_bit({column}, i) = 1) END AS {column}"
            )
        else:
            out.append(column)
    return ", ".join(out)


def spark_train_and_predict(
    con: Any,
    model: Model,
    left: str,
    right: str,
    *,
    workdir: Path,
    seed: int = 42,
    saved_model: dict[str, Any] | None = None,
) -> Trained:
    """As :func:`~meedoen_data.linkage.model.train_and_predict`, with Splink running on Spark;
    the scored pairs end up in temporary table ``spark_predictions`` of ``con``."""
    from splink import SparkAPI

    logging.getLogger("py4j").setLevel(logging.ERROR)
    rows = int(con.execute(f"SELECT count(*) FROM {ident(right)}").fetchall()[0][0])
    exact = address_u(con, model, left, right) if saved_model is None else {}
    with exchange_folder(workdir) as exchange:
        for name, table in (("partner", left), ("register", right)):
            target = sql_path(exchange / f"{name}.parquet")
            con.execute(
                f"COPY (SELECT {_exported(con, table)} FROM {ident(table)}) "
                f"TO '{target}' (FORMAT parquet)"
            )
        with spark_session(exchange, app="meedoen-link") as spark:
            spark.sparkContext.setCheckpointDir(str(exchange / "checkpoints"))
            db = SparkAPI(spark_session=spark, break_lineage_method="parquet")  # type: ignore[no-untyped-call]
            inputs = [
                db.register(
                    spark.read.parquet(str(exchange / f"{name}.parquet")),
                    dataset_display_name=name,
                )
                for name in ("partner", "register")
            ]
            linker, predictions = fit_and_score(
                inputs, model, "spark", exact=exact, rows=rows, seed=seed, saved_model=saved_model
            )
            scored = exchange / "predictions"
            predictions.as_spark_dataframe().write.parquet(str(scored))
            model_json = linker.misc.save_model_to_json()
        con.execute(
            "CREATE OR REPLACE TEMP TABLE spark_predictions AS "
            f"SELECT * FROM read_parquet('{sql_path(scored / '*.parquet')}')"
        )
    return Trained(linker, model_json, "spark_predictions")
