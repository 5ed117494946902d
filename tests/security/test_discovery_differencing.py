"""An analyst subtracts one discovery result from another (found in review, issue 21).

`meedoen indicator discover` reports each feature alone and every pair. Before this test, a
pair ("water" and "amount under € 100") was released beside the feature alone ("water"), so
subtracting the two gave the households with water arrears *not* under € 100 — a group that
could be far below the minimum frequency. And counts were rounded to 5 while the rate beside
them was exact, so the exact count came back as rate x rounded count. Now a pair is withheld
unless both differences with its single features pass the frequency rule, and rates and ratios
are rounded too."""

from __future__ import annotations

import numpy as np

from meedoen_data.signals.discover import FEATURES, Units, discover


def _units(n: int, small: int) -> Units:
    """``n`` households over 24 months; "water" for most, "under € 100" for all water
    households except ``small`` of them; the outcome mostly among the water households."""
    rng = np.random.default_rng(7)
    month = np.repeat(np.arange(24, dtype=np.int64), n // 24)
    n = month.shape[0]
    features = {name: np.zeros(n, dtype=bool) for name in FEATURES}
    water = rng.random(n) < 0.5
    small_water = water.copy()
    small_water[np.flatnonzero(water)[:small]] = False  # water, but not under € 100
    features["partner:WATER"] = water
    features["bedrag:<100"] = small_water
    outcome = np.where(water, rng.random(n) < 0.5, rng.random(n) < 0.1)
    return Units(month, outcome, features, np.full(n, np.nan))


def test_a_pair_and_its_feature_alone_never_differ_by_a_small_group() -> None:
    found = discover(_units(2400, small=4), min_frequency=10)
    released = {c.features for c in found.candidates}
    # "water" alone is released; the pair would leave 4 households as the difference: withheld.
    assert ("partner:WATER",) in released
    assert ("partner:WATER", "bedrag:<100") not in released
    # With a large enough difference the pair is released.
    larger = {c.features for c in discover(_units(2400, small=120), min_frequency=10).candidates}
    assert ("partner:WATER", "bedrag:<100") in larger


def test_no_exact_rate_beside_a_rounded_count() -> None:
    found = discover(_units(2400, small=120), min_frequency=10)
    for candidate in found.candidates:
        for stat in (candidate.train, candidate.holdout):
            if stat is None:
                continue
            assert stat.n % 5 == 0 and stat.events % 5 == 0
            assert stat.rate == round(stat.rate, 2) and stat.rest_rate == round(stat.rest_rate, 2)
            assert stat.lift == round(stat.lift, 1) and stat.low == round(stat.low, 1)
