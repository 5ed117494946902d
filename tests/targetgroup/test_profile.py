"""The profile table of a group's segments from released counts (issue 19): what stands out is
relatively more often (share, lift against the group and the population), never guessed from a
withheld count."""

from __future__ import annotations

import pytest

from meedoen_data.targetgroup import segment_profile

T = "Totaal"


def counts(cells: dict[tuple[str, str], int | None]) -> dict[tuple[str, str], int | None]:
    return cells


TYPE = counts(
    {
        (T, T): 100,
        (T, "1"): 60,
        (T, "2"): 40,
        ("eenouder", T): 30,
        ("eenouder", "1"): 28,
        ("eenouder", "2"): 2,
        ("eenpersoons", T): 70,
        ("eenpersoons", "1"): 32,
        ("eenpersoons", "2"): 38,
    }
)


def test_a_category_stands_out_where_the_segment_has_it_relatively_more_often() -> None:
    profile = segment_profile({"household_type": TYPE}, segments=("1", "2"))
    assert profile.households == {"1": 60, "2": 40}
    [one] = profile.cells[("household_type", "1")]
    # 28 of 60 (47%) against 30 of 100 (30%) in the group: a lift of 1.56.
    assert one.category == "eenouder" and one.share == pytest.approx(28 / 60)
    assert one.lift == pytest.approx((28 / 60) / 0.3)
    # Segment 2: 95% eenpersoons against 70% in the group is a lift of 1.36 only: nothing.
    assert profile.cells[("household_type", "2")] == ()


def test_the_population_share_can_take_a_standout_away() -> None:
    population = {"household_type": {"eenouder": 0.4, "eenpersoons": 0.4}}
    profile = segment_profile({"household_type": TYPE}, segments=("1", "2"), population=population)
    # 47% eenouder is not one and a half times the population's 40%.
    assert profile.cells[("household_type", "1")] == ()


def test_a_withheld_count_is_never_guessed() -> None:
    hidden = dict(TYPE)
    hidden[("eenouder", "1")] = None
    hidden[(T, "2")] = None
    profile = segment_profile({"household_type": hidden}, segments=("1", "2"))
    assert profile.cells[("household_type", "1")] == ()
    assert profile.households["2"] is None
    assert profile.cells[("household_type", "2")] == ()


def test_a_rare_category_does_not_stand_out_however_large_its_lift() -> None:
    rare = {
        (T, T): 100,
        (T, "1"): 50,
        (T, "2"): 50,
        ("1", T): 4,
        ("1", "1"): 4,
        ("1", "2"): 0,
        ("0", T): 96,
        ("0", "1"): 46,
        ("0", "2"): 50,
    }
    profile = segment_profile({"ind_schuldhulp": rare}, segments=("1", "2"))
    # 8% of segment 1 against 4% of the group: a lift of 2, but under 30% of the segment.
    assert profile.cells[("ind_schuldhulp", "1")] == ()
    assert profile.standing_out("1") == []
