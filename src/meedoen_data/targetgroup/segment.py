"""Segments of a target group (``meedoen segment``, issue 19): latent class analysis of the
group's households on mixed variables, with StepMix.

The households of the group (a register indicator's flag, e.g. the food bank's linked clients)
are described by the comparison's characteristics (categorical, missing allowed) and two
numbers (the logarithm of the disposable income and the reference person's age, standardised;
missing allowed). A latent class model with ``k`` classes is fitted for every ``k`` from 1 to
``max_k`` (``auto``) or for the ``k`` asked; ``auto`` takes the ``k`` with the lowest BIC among
those whose every segment holds at least ``min_size`` households (a segment smaller than the
privacy floor could not be shown). For every ``k`` the report keeps BIC, ICL (BIC plus twice the
classification entropy) and **stability**: the mean adjusted Rand index between the segments of
the full fit and those of fits on bootstrap samples (1 = the same segments every time).

A group of more than :data:`SAMPLE` households is modelled on a random sample of that many
(the national food-bank file has ~150,000 households): BIC, ICL and stability are the sample's,
and the sample's model assigns every household. Segments are numbered by size (1 the largest).
Membership stays inside the activity's store (``segment.run``, ``segment.membership``); what is
published is made from it by disclosure
control (tables "characteristic x segment", :mod:`meedoen_data.disclosure.household`).
"""

from __future__ import annotations

import json
import math
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from meedoen_data.activity_store import ActivityStoreError, store_path
from meedoen_data.disclosure.household import (
    BANDED,
    UNKNOWN,
    TableError,
    household_relation,
    indicators_check,
)
from meedoen_data.indicators.catalogue import Indicator
from meedoen_data.indicators.flags import indicator_variable
from meedoen_data.intake.sql import ident
from meedoen_data.workspace import Workspace

#: Numeric variables of the model: column of the household table -> transformation.
NUMERIC = {"besteedbaar_inkomen": "log", "reference_person_age": "none"}
#: Largest number of segments ``auto`` tries.
MAX_K = 8
#: Bootstrap fits per ``k`` for the stability (each with as many random starts as a fit: with
#: one start a local optimum passes for instability).
BOOTSTRAPS = 3
#: Random starts of every fit (the best likelihood is kept); more for a group of at most
#: :data:`SMALL` households, where starts are cheap and a local optimum more likely (three starts
#: on the demo's 193 households once missed the best six-segment model and chose five).
STARTS = 3
STARTS_SMALL = 10
SMALL = 2_000
#: Convergence of EM: change of the mean log-likelihood per household, and most iterations.
TOLERANCE = 1e-5
MAX_ITER = 500
#: Largest number of households the models are fitted on (a random sample of a larger group).
SAMPLE = 10_000
SCHEMA_DDL = """
CREATE SCHEMA IF NOT EXISTS segment;
CREATE TABLE IF NOT EXISTS segment.run (
    run_id VARCHAR PRIMARY KEY, grp VARCHAR, peildatum DATE, created_at TIMESTAMPTZ,
    k INTEGER, chosen_by VARCHAR, seed INTEGER, min_size INTEGER, households INTEGER,
    variables JSON, fits JSON);
CREATE TABLE IF NOT EXISTS segment.membership (
    household_id VARCHAR, peildatum DATE, segment INTEGER, run_id VARCHAR);
"""

Progress = Callable[[str, int, int], None]
Floats = npt.NDArray[np.float64]


class SegmentError(ValueError):
    """The segmentation asked for cannot be made (no households, too few, unknown group)."""


@dataclass(frozen=True)
class GroupFrame:
    """The group's households with the model's variables: ``categorical`` holds integer codes
    (NaN: missing) of ``codes[variable]``, ``numeric`` standardised numbers (NaN: missing)."""

    household_ids: tuple[str, ...]
    variables: tuple[str, ...]
    codes: dict[str, tuple[str, ...]]
    categorical: Floats
    numeric: Floats
    left_out: dict[str, str] = field(default_factory=dict)  # variable -> why

    @property
    def matrix(self) -> Floats:
        return np.column_stack([self.categorical, self.numeric])


@dataclass(frozen=True)
class Fit:
    k: int
    bic: float
    icl: float
    sizes: tuple[int, ...]
    stability: float | None  # mean bootstrap ARI; None for k = 1


@dataclass(frozen=True)
class Segmentation:
    k: int
    chosen_by: str  # "given" or "bic"
    seed: int
    min_size: int
    labels: npt.NDArray[np.int64]  # 1..k per household of the frame, 1 the largest
    fits: tuple[Fit, ...]
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])

    @property
    def sizes(self) -> tuple[int, ...]:
        return tuple(int(n) for n in np.bincount(self.labels, minlength=self.k + 1)[1:])


def group_frame(
    *,
    home: Path,
    activity_id: int,
    group: Indicator,
    peildatum: date,
    categorical: Sequence[str],
    indicators: Sequence[Indicator] = (),
) -> GroupFrame:
    """The households of ``group`` at ``peildatum`` with the ``categorical`` variables (columns
    of the household table, banded variables or flags ``ind_x`` of ``indicators``) and the
    numeric ones. A variable no household of the group has a value of is left out, and so is
    an indicator the activity's build cannot make (with the reason)."""
    path = store_path(Workspace(home), activity_id)
    if not path.exists():
        raise ActivityStoreError(f"activity {activity_id} has no tables yet: run meedoen build")
    con = duckdb.connect(str(path), read_only=True)
    left_out: dict[str, str] = {}
    try:
        indicators_check(con, [group], peildatum, activity_id)
        wanted = [group]
        for indicator in indicators:
            if indicator.id == group.id:
                continue
            try:
                indicators_check(con, [indicator], peildatum, activity_id)
            except TableError as exc:
                left_out[indicator_variable(indicator.id)] = str(exc)
                continue
            wanted.append(indicator)
        categorical = [v for v in categorical if v not in left_out]
        source, params = household_relation(
            indicators=wanted, banded=[v for v in categorical if v in BANDED]
        )
        columns = ", ".join(
            [
                "household_id",
                *(f"CAST({ident(v)} AS VARCHAR)" for v in categorical),
                *(f"CAST({ident(c)} AS DOUBLE)" for c in NUMERIC),
            ]
        )
        rows = con.execute(
            # Names come from the caller's closed lists and are quoted; values are bound.
            f"SELECT {columns} FROM {source} "  # noqa: S608
            f"WHERE peildatum = ? AND {ident(indicator_variable(group.id))} = '1' "
            "ORDER BY household_id",
            [*params, peildatum],
        ).fetchall()
    finally:
        con.close()
    if not rows:
        raise SegmentError(f"no household of the group {group.id!r} at {peildatum}")
    n_cat = len(categorical)
    kept: list[str] = []
    codes: dict[str, tuple[str, ...]] = {}
    cat_columns: list[Floats] = []
    for j, variable in enumerate(categorical):
        values = [r[1 + j] for r in rows]
        known = sorted({v for v in values if v is not None and v != UNKNOWN})
        if not known:
            left_out[variable] = "no household of the group has a value"
            continue
        index = {v: i for i, v in enumerate(known)}
        cat_columns.append(
            np.array([index.get(v, math.nan) if v is not None else math.nan for v in values])
        )
        kept.append(variable)
        codes[variable] = tuple(known)
    num_columns: list[Floats] = []
    for j, (column, transform) in enumerate(NUMERIC.items()):
        raw = np.array(
            [math.nan if r[1 + n_cat + j] is None else r[1 + n_cat + j] for r in rows], dtype=float
        )
        if transform == "log":
            raw = np.log(np.maximum(raw, 1000.0))
        if np.all(np.isnan(raw)):
            left_out[column] = "no household of the group has a value"
            continue
        spread = float(np.nanstd(raw)) or 1.0
        num_columns.append((raw - float(np.nanmean(raw))) / spread)
        kept.append(column)
    n = len(rows)
    return GroupFrame(
        household_ids=tuple(str(r[0]) for r in rows),
        variables=tuple(kept),
        codes=codes,
        categorical=np.column_stack(cat_columns) if cat_columns else np.empty((n, 0)),
        numeric=np.column_stack(num_columns) if num_columns else np.empty((n, 0)),
        left_out=left_out,
    )


def segments_fit(
    frame: GroupFrame,
    *,
    k: int | None,
    seed: int,
    min_size: int,
    max_k: int = MAX_K,
    bootstraps: int = BOOTSTRAPS,
    sample: int = SAMPLE,
    progress: Progress | None = None,
) -> Segmentation:
    """Fit the latent class models and choose the segments (``k`` None: ``auto``). A group of
    more than ``sample`` households is modelled on a random sample of that many (BIC, ICL and
    stability are the sample's); every household is assigned by the sample's model."""
    n = len(frame.household_ids)
    if n < 2 * min_size:
        raise SegmentError(
            f"the group has {n} households: segments of at least {min_size} need at least "
            f"{2 * min_size}"
        )
    if k is not None and not 1 <= k <= n // max(min_size, 1):
        raise SegmentError(f"k must be between 1 and {n // max(min_size, 1)}, not {k}")
    tried = [k] if k is not None else list(range(1, max_k + 1))
    fits: list[Fit] = []
    labelled: dict[int, npt.NDArray[np.int64]] = {}
    x = frame.matrix
    rng = np.random.default_rng(seed)
    # A large group: the models are fitted on a random sample and assign every household.
    fitted = x if n <= sample else x[np.sort(rng.choice(n, sample, replace=False))]
    starts = STARTS_SMALL if fitted.shape[0] <= SMALL else STARTS
    for number, kk in enumerate(tried):
        if progress is not None:
            progress(str(kk), number, len(tried))
        model = _model(frame, kk, seed, starts)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(fitted)
            labels = np.asarray(model.predict(x), dtype=np.int64)
            bic = float(model.bic(fitted))
            icl = bic + 2 * float(model.entropy(fitted))
        labels = _by_size(labels, kk)
        labelled[kk] = labels
        stability = (
            None if kk == 1 else _stability(frame, fitted, kk, seed, labels, bootstraps, starts)
        )
        sizes = tuple(int(s) for s in np.bincount(labels, minlength=kk + 1)[1:])
        fits.append(Fit(kk, bic, icl, sizes, stability))
    if progress is not None:
        progress("", len(tried), len(tried))
    if k is not None:
        chosen, how = k, "given"
    else:
        allowed = [f for f in fits if min(f.sizes) >= min_size]
        chosen, how = min(allowed, key=lambda f: f.bic).k, "bic"
    return Segmentation(chosen, how, seed, min_size, labelled[chosen], tuple(fits))


def _model(frame: GroupFrame, k: int, seed: int, starts: int = STARTS) -> Any:
    from stepmix import StepMix  # heavy import, only when segmenting

    descriptor: dict[str, dict[str, Any]] = {}
    if frame.categorical.shape[1]:
        descriptor["categorical"] = {
            "model": "categorical_nan",
            "n_columns": frame.categorical.shape[1],
        }
    if frame.numeric.shape[1]:
        descriptor["numeric"] = {"model": "gaussian_diag_nan", "n_columns": frame.numeric.shape[1]}
    return StepMix(
        n_components=k,
        measurement=descriptor,
        n_init=starts,
        # EM stops when the mean log-likelihood per household changes by less than this (the
        # library's 1e-10 runs to max_iter on overfitted models: minutes instead of seconds).
        abs_tol=TOLERANCE,
        max_iter=MAX_ITER,
        random_state=seed,
        verbose=0,
        progress_bar=0,
    )


def _by_size(labels: npt.NDArray[np.int64], k: int) -> npt.NDArray[np.int64]:
    """Segments numbered 1..k by size, the largest first (ties by the model's order)."""
    counts = np.bincount(labels, minlength=k)
    order = sorted(range(k), key=lambda c: (-counts[c], c))
    number = np.empty(k, dtype=np.int64)
    number[order] = np.arange(1, k + 1)
    return number[labels]


def _stability(
    frame: GroupFrame,
    fitted: Floats,
    k: int,
    seed: int,
    labels: npt.NDArray[np.int64],
    bootstraps: int,
    starts: int,
) -> float:
    """Mean adjusted Rand index of the full fit's segments and those of ``bootstraps`` fits on
    samples drawn with replacement from the households the models are fitted on; each sample's
    model assigns every household."""
    from sklearn.metrics import adjusted_rand_score

    rng = np.random.default_rng(seed)
    x = frame.matrix
    scores = []
    for b in range(bootstraps):
        sample = fitted[rng.integers(0, fitted.shape[0], fitted.shape[0])]
        model = _model(frame, k, seed + 1 + b, starts)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                model.fit(sample)
                again = model.predict(x)
            except ValueError:  # a category absent from the sample
                continue
        scores.append(float(adjusted_rand_score(labels, again)))
    return float(np.mean(scores)) if scores else math.nan


def segments_write(
    *,
    home: Path,
    activity_id: int,
    frame: GroupFrame,
    segmentation: Segmentation,
    group: str,
    peildatum: date,
) -> str:
    """Record the run and every household's segment in the activity's store (analysts read
    them with meedoen sql; nothing of it is published). Returns the run's id."""
    path = store_path(Workspace(home), activity_id)
    fits = [
        {
            "k": f.k,
            "bic": f.bic,
            "icl": f.icl,
            "sizes": list(f.sizes),
            "stability": None if f.stability is None or math.isnan(f.stability) else f.stability,
        }
        for f in segmentation.fits
    ]
    con = duckdb.connect(str(path))
    try:
        con.execute(SCHEMA_DDL)
        con.execute("BEGIN")
        con.execute(
            "INSERT INTO segment.run VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                segmentation.run_id,
                group,
                peildatum,
                datetime.now(UTC),
                segmentation.k,
                segmentation.chosen_by,
                segmentation.seed,
                segmentation.min_size,
                len(frame.household_ids),
                json.dumps(list(frame.variables)),
                json.dumps(fits),
            ],
        )
        members = pa.table(
            {
                "household_id": pa.array(frame.household_ids, pa.string()),
                "segment": pa.array(segmentation.labels, pa.int32()),
            }
        )
        con.register("members", members)
        con.execute(
            "INSERT INTO segment.membership SELECT household_id, ?, segment, ? FROM members",
            [peildatum, segmentation.run_id],
        )
        con.execute("COMMIT")
    finally:
        con.close()
    return segmentation.run_id


def segment_subjects(*, home: Path, activity_id: int, run_id: str) -> Iterator[str]:
    """The persons of the households a segmentation run placed (its data subjects)."""
    path = store_path(Workspace(home), activity_id)
    con = duckdb.connect(str(path), read_only=True)
    try:
        result = con.execute(
            "SELECT DISTINCT p.person_pseudonym FROM segment.membership m "
            "JOIN household.household_person p "
            "ON p.household_id = m.household_id AND p.peildatum = m.peildatum "
            "WHERE m.run_id = ? ORDER BY 1",
            [run_id],
        )
        while batch := result.fetchmany(50_000):
            for (value,) in batch:
                yield str(value)
    finally:
        con.close()
