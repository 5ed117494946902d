"""Surprising indicators at group level, on the generator's world: the planted pattern (small
water arrears, followed by debt help far more often) is found and holds on the hold-out period;
with the plant switched off it is not reported, and neither is anything when the outcome is
shuffled (no effect where none was planted); small groups are withheld; the protected
characteristic is never a candidate, only checked."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from meedoen_data.activity_store import activity_key_create, store_prepare
from meedoen_data.categories import HOUSEHOLD_DETAIL
from meedoen_data.households import household_build
from meedoen_data.intake import ingest_directory
from meedoen_data.linkage.signals import link_signals
from meedoen_data.signals.discover import (
    FEATURES,
    PROTECTED,
    DiscoveryError,
    Units,
    discover,
    units_read,
)
from meedoen_data.synth import synth_municipality
from meedoen_data.workspace import workspace_init

SOURCES = ["brp", "signalen", "schulden", "participatie", "cbs", "wmo", "jeugd"]
PLANTED = ("bedrag:<100",)


def _world(root: Path, *, plant: bool) -> Units:
    sources, home = root / "sources", root / "home"
    synth_municipality(
        gemeente="GM0363", out=sources, seed=5, persons=50_000, plant_indicator=plant
    )
    workspace_init(home=home)
    ingest_directory(home=home, directory=sources, user="test")
    activity_key_create(home=home, activity_id=3)
    store_prepare(home=home, activity_id=3, sources=SOURCES, fine=HOUSEHOLD_DETAIL)
    household_build(home=home, activity_id=3, peildatum=date(2025, 1, 1), domains=SOURCES)
    link_signals(home=home, activity_id=3, publish=True)
    return units_read(home=home, activity_id=3)


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Units:
    return _world(tmp_path_factory.mktemp("planted"), plant=True)


@pytest.fixture(scope="module")
def unplanted(tmp_path_factory: pytest.TempPathFactory) -> Units:
    return _world(tmp_path_factory.mktemp("unplanted"), plant=False)


def test_the_planted_pattern_is_found_and_holds_on_the_hold_out(planted: Units) -> None:
    found = discover(planted)
    assert found.validated, [c.features for c in found.candidates[:5]]
    best = found.validated[0]
    assert "bedrag:<100" in best.features  # small arrears: what the generator planted
    assert best.train.lift > 2 and best.train.low > 1
    assert best.holdout is not None and best.holdout.low > 1
    assert found.train_months[1] < found.holdout_months[0]  # two periods, apart
    # What is validated is the plant (water, small amounts) and nothing else.
    for candidate in found.validated:
        assert set(candidate.features) & {"bedrag:<100", "partner:WATER"}, candidate.features
    # Disclosure: counts are multiples of 5, and every candidate passed the frequency rule.
    for candidate in found.candidates:
        assert candidate.train.n % 5 == 0 and candidate.train.events % 5 == 0
        assert candidate.train.events >= found.min_frequency - 2
    assert found.withheld > 0  # small groups were not reported


def test_no_effect_where_none_was_planted(unplanted: Units) -> None:
    found = discover(unplanted)
    assert not [c for c in found.validated if set(c.features) & set(PLANTED)]
    assert not found.validated, [c.features for c in found.validated]


def test_a_shuffled_outcome_gives_no_indicator(planted: Units) -> None:
    rng = np.random.default_rng(3)
    for _ in range(5):
        shuffled = Units(
            planted.month, rng.permutation(planted.outcome), planted.features, planted.protected
        )
        assert not discover(shuffled).validated


def test_the_protected_characteristic_is_checked_never_a_candidate(planted: Units) -> None:
    assert not any(PROTECTED in name for name in FEATURES)
    found = discover(planted)
    checked = [c for c in found.candidates if c.fairness is not None]
    assert checked
    for candidate in checked:
        fair = candidate.fairness
        assert fair is not None and 0 <= fair.share_overall <= 1
        if fair.share_in_group is not None:
            assert 0 <= fair.share_in_group <= 1
        if fair.ratio is not None and fair.ratio >= 1.6:
            assert fair.warning
        if fair.lift_without is not None and fair.lift_without < 0.95:
            assert fair.warning
    assert any(c.fairness and c.fairness.share_in_group is not None for c in checked)


def test_refusals(tmp_path: Path) -> None:
    home = tmp_path / "home"
    workspace_init(home=home)
    with pytest.raises(DiscoveryError, match="has no store yet"):
        units_read(home=home, activity_id=9)
    empty = Units(np.zeros(0, np.int64), np.zeros(0, bool), {}, np.zeros(0))
    with pytest.raises(DiscoveryError, match="nothing to learn from yet"):
        discover(empty)
