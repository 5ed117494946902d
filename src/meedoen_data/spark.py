"""Apache Spark sessions for the engines that can run on Spark (households, linkage).

Spark always gets its inputs as Parquet in an *exchange folder* and writes its outputs there;
DuckDB reads them back. Nothing passes through pandas. In local mode (the default) Spark runs
inside this machine; ``MEEDOEN_SPARK_MASTER`` (e.g. ``spark://host:7077``) and
``MEEDOEN_SPARK_DIR`` (a folder every executor can read and write) point it at a cluster.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class SparkError(Exception):
    """Spark cannot run (pyspark not installed, no Java, the cluster unreachable)."""


@contextmanager
def exchange_folder(workdir: Path) -> Iterator[Path]:
    """A fresh folder for Spark's inputs and outputs, removed afterwards."""
    # MEEDOEN_SPARK_DIR: a folder every Spark executor can read and write (default: a folder
    # of the workspace next to the data); each run uses a fresh subfolder of it and removes it
    # afterwards. A linkage puts identifying data there: keep it as protected as HOME/vault.
    shared = os.environ.get("MEEDOEN_SPARK_DIR")
    base = Path(shared) if shared else workdir.parent
    exchange = base / f"{workdir.name}-{uuid.uuid4().hex[:8]}"
    exchange.mkdir(mode=0o700, parents=True)
    try:
        yield exchange
    finally:
        shutil.rmtree(exchange, ignore_errors=True)


@contextmanager
def spark_session(workdir: Path, *, app: str) -> Iterator[Any]:
    """A Spark session: local mode on this machine unless MEEDOEN_SPARK_MASTER says otherwise.

    Every session carries the jar of similarity functions Splink ships (Jaro-Winkler,
    Damerau-Levenshtein; linkage needs them): the first session of a process starts Spark's
    JVM, and a jar named by a later session would not reach it."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkError(
            "the Spark engine needs pyspark: pip install 'meedoen[spark]' (and Java 17)"
        ) from None
    # MEEDOEN_SPARK_MASTER: Spark master URL for --engine spark (default local[*]).
    master = os.environ.get("MEEDOEN_SPARK_MASTER", "local[*]")
    # MEEDOEN_SPARK_MEMORY: driver memory for --engine spark in local mode (default 4g).
    memory = os.environ.get("MEEDOEN_SPARK_MEMORY", "4g")
    builder = (
        SparkSession.builder.master(master)
        .appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.driver.memory", memory)
        .config("spark.local.dir", str(workdir / "spark-local"))
        # Hadoop's file system applies its own umask (022) to what Spark writes; the exchange
        # holds pseudonyms and, for a linkage, identifiers: owner only (0600 / 0700).
        .config("spark.hadoop.fs.permissions.umask-mode", "077")
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    from splink.backends.spark import similarity_jar_location

    builder = builder.config("spark.jars", similarity_jar_location())
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # Java missing or the cluster unreachable
        raise SparkError(f"Spark could not start: {str(exc).splitlines()[0]}") from None
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()


def sql_path(path: Path) -> str:
    """A file path as a SQL string literal body (it comes from the workspace, not from input)."""
    return str(path).replace("'", "''")
