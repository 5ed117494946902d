"""Segments of a group (issue 19): latent class analysis (StepMix) recovers planted segments
of mixed variables, chooses their number by BIC among those large enough to be shown, reports
its stability, and refuses what it cannot do."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from meedoen_data.targetgroup.segment import GroupFrame, SegmentError, segments_fit

SIZES = (60, 45, 30, 25)


def planted(seed: int = 0, missing: float = 0.05) -> tuple[GroupFrame, np.ndarray]:
    """Four segments over five categorical variables and one number; each variable takes its
    segment's value 90% of the time; some values missing."""
    rng = np.random.default_rng(seed)
    truth = np.repeat(np.arange(len(SIZES)), SIZES)
    n = truth.shape[0]
    centre = np.array([[0, 0, 0, 0, 0], [1, 0, 1, 2, 1], [2, 1, 0, 1, 2], [0, 1, 2, 2, 0]])
    noise = rng.random((n, 5)) < 0.1
    categorical = np.where(noise, rng.integers(0, 3, (n, 5)), centre[truth]).astype(float)
    categorical[rng.random((n, 5)) < missing] = np.nan
    numeric = (np.array([-1.0, 0.0, 1.0, 2.0])[truth] + 0.3 * rng.standard_normal(n))[:, None]
    frame = GroupFrame(
        household_ids=tuple(f"h{i}" for i in range(n)),
        variables=("a", "b", "c", "d", "e", "income"),
        codes={v: ("x", "y", "z") for v in "abcde"},
        categorical=categorical,
        numeric=numeric,
    )
    return frame, truth


def test_auto_recovers_the_planted_segments() -> None:
    frame, truth = planted()
    result = segments_fit(frame, k=None, seed=1, min_size=10, max_k=6, bootstraps=3)
    assert result.chosen_by == "bic" and result.k == len(SIZES)
    assert adjusted_rand_score(truth, result.labels) >= 0.9
    # Numbered by size, the largest first; each at least the minimum size.
    assert result.sizes == tuple(sorted(result.sizes, reverse=True))
    assert min(result.sizes) >= 10
    fit = {f.k: f for f in result.fits}
    assert fit[1].stability is None and fit[len(SIZES)].stability > 0.8
    assert min(fit, key=lambda k: fit[k].bic) == len(SIZES)


def test_a_segment_below_the_minimum_size_is_not_chosen() -> None:
    frame, _truth = planted()
    result = segments_fit(frame, k=None, seed=1, min_size=28, max_k=6, bootstraps=1)
    # Segment 4 (25 households) cannot be shown: fewer segments are chosen.
    assert result.k < len(SIZES) and min(result.sizes) >= 28


def test_the_same_seed_gives_the_same_segments() -> None:
    frame, _truth = planted()
    one = segments_fit(frame, k=3, seed=7, min_size=10, bootstraps=1)
    two = segments_fit(frame, k=3, seed=7, min_size=10, bootstraps=1)
    assert one.chosen_by == "given" and (one.labels == two.labels).all()


def test_a_group_too_small_for_two_segments_is_refused() -> None:
    frame, _truth = planted()
    small = GroupFrame(
        frame.household_ids[:15],
        frame.variables,
        frame.codes,
        frame.categorical[:15],
        frame.numeric[:15],
    )
    with pytest.raises(SegmentError, match="15 households"):
        segments_fit(small, k=None, seed=1, min_size=10)
    with pytest.raises(SegmentError, match="k must be"):
        segments_fit(frame, k=50, seed=1, min_size=10)


def test_a_large_group_is_modelled_on_a_sample_and_every_household_assigned() -> None:
    frame, truth = planted()
    result = segments_fit(frame, k=len(SIZES), seed=1, min_size=10, sample=100, bootstraps=2)
    assert result.labels.shape == truth.shape and set(result.labels) == {1, 2, 3, 4}
    assert adjusted_rand_score(truth, result.labels) >= 0.9
