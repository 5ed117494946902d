"""The group beside the population (issue 19, first part): shares, differences with 95%
intervals that cover the truth as often as they promise, Holm's correction, withheld counts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from meedoen_data.targetgroup import holm, shares_compare
from meedoen_data.targetgroup.compare import fisher_exact


def test_a_food_bank_like_group_beside_all_households() -> None:
    # 191 client households in 11,346 (the Smart Start study's sizes): one-parent households
    # 40 of 191 against 850 of 11,346; owner-occupied 20 of 191 against 6,500.
    found = shares_compare(
        {
            "household_type": {"eenouder": (40, 850), "paar": (30, 5000)},
            "woningbezit": {"koop": (20, 6500)},
            "ww": {"1": (4, 230)},
        },
        group_households=191,
        population_households=11346,
    )
    rows = {(r.characteristic, r.category): r for r in found.rows}
    eenouder = rows[("household_type", "eenouder")]
    assert eenouder.group_share == pytest.approx(40 / 191)
    assert eenouder.population_share == pytest.approx(850 / 11346)
    assert eenouder.difference == pytest.approx(40 / 191 - 850 / 11346)
    assert eenouder.lower < eenouder.difference < eenouder.upper
    assert eenouder.ratio == pytest.approx((40 / 191) / (850 / 11346))
    assert eenouder.stands_out and rows[("woningbezit", "koop")].stands_out
    # 4 of 191 against 230 of 11,346: the same share, nothing stands out.
    assert not rows[("ww", "1")].stands_out
    assert {(r.characteristic, r.category) for r in found.standing_out} == {
        ("household_type", "eenouder"),
        ("household_type", "paar"),
        ("woningbezit", "koop"),
    }


def test_a_withheld_count_gives_a_withheld_row_and_no_test() -> None:
    found = shares_compare(
        {"household_type": {"eenouder": (None, 850), "paar": (30, None)}},
        group_households=191,
        population_households=11346,
    )
    assert all(r.withheld and r.p_value is None and not r.stands_out for r in found.rows)


def test_counts_that_cannot_be_are_refused() -> None:
    with pytest.raises(ValueError, match="do not fit"):
        shares_compare({"x": {"1": (200, 300)}}, group_households=191, population_households=400)
    with pytest.raises(ValueError, match="must be part of a larger population"):
        shares_compare({}, group_households=10, population_households=10)


def test_holm_rejects_step_down() -> None:
    # m = 4: 0.01 <= 0.05/4, 0.015 <= 0.05/3, 0.03 > 0.05/2 stops.
    assert holm([0.03, 0.01, 0.5, 0.015]) == [False, True, False, True]
    assert holm([]) == []


def test_the_intervals_cover_the_truth_as_often_as_promised() -> None:
    """Draw many populations with a known difference; the 95% interval of the difference
    between the group's share and the population's should hold it about 95% of the time."""
    rng = np.random.default_rng(19)
    n1, n0 = 400, 6000
    p1, p0 = 0.30, 0.18
    covered = 0
    draws = 4000
    for g, r in zip(rng.binomial(n1, p1, draws), rng.binomial(n0, p0, draws), strict=True):
        g, r = int(g), int(r)
        row = shares_compare(
            {"x": {"1": (g, g + r)}}, group_households=n1, population_households=n1 + n0
        ).rows[0]
        truth = p1 - (n1 * p1 + n0 * p0) / (n1 + n0)
        covered += row.lower <= truth <= row.upper
    assert 0.94 <= covered / draws <= 0.96  # 95% +- 3 standard errors of 4,000 draws


@given(
    st.integers(min_value=20, max_value=2000),
    st.integers(min_value=20, max_value=20000),
    st.floats(min_value=0.0, max_value=1.0),
    st.floats(min_value=0.0, max_value=1.0),
)
def test_every_row_is_consistent(n1: int, n0: int, a: float, b: float) -> None:
    g, r = round(a * n1), round(b * n0)
    row = shares_compare(
        {"x": {"1": (g, g + r)}}, group_households=n1, population_households=n1 + n0
    ).rows[0]
    assert row.group_share == pytest.approx(g / n1)
    assert row.population_share == pytest.approx((g + r) / (n1 + n0))
    assert row.difference == pytest.approx(row.group_share - row.population_share, abs=1e-12)
    if row.lower is not None:
        assert row.lower <= row.difference <= row.upper
        assert 0.0 <= row.p_value <= 1.0


@pytest.mark.parametrize(
    "table",
    [(3, 190, 14, 11139), (35, 158, 170, 10985), (0, 20, 5, 100), (8, 2, 1, 5), (1, 0, 0, 1)],
)
def test_fishers_exact_test_agrees_with_scipy(table: tuple[int, int, int, int]) -> None:
    from scipy.stats import fisher_exact as scipy_fisher

    a, b, c, d = table
    expected = scipy_fisher([[a, b], [c, d]], alternative="two-sided").pvalue
    assert fisher_exact(a, b, c, d) == pytest.approx(expected, rel=1e-6)


def test_a_rare_characteristic_is_tested_exactly() -> None:
    # 35 of 193 clients stack help from several domains against 170 of 11,348 households:
    # fewer than 5 expected in the group, so no interval, but the exact test still flags it.
    found = shares_compare(
        {"ind_stapeling": {"1": (35, 170)}}, group_households=193, population_households=11348
    )
    [row] = found.rows
    assert row.lower is None and row.p_value is not None and row.p_value < 1e-10
    assert row.stands_out


def test_a_group_at_its_start_is_compared_as_an_independent_sample() -> None:
    # The clients' households when they became clients are not counted among the households
    # of the peildatum: the difference is the group's share minus the population's, unscaled,
    # and a population smaller than the group is no error.
    found = shares_compare(
        {"household_type": {"eenouder": (40, 30)}},
        group_households=191,
        population_households=150,
        independent=True,
    )
    [row] = found.rows
    assert row.difference == pytest.approx(40 / 191 - 30 / 150)
    s1, s0 = 40 / 191, 30 / 150
    half = 1.959963984540054 * (s1 * (1 - s1) / 191 + s0 * (1 - s0) / 150) ** 0.5
    assert row.lower == pytest.approx(row.difference - half)
    # The same counts as part of the population: the scaled difference of the rest.
    inside = shares_compare(
        {"household_type": {"eenouder": (40, 850)}},
        group_households=191,
        population_households=11346,
    )
    apart = shares_compare(
        {"household_type": {"eenouder": (40, 850)}},
        group_households=191,
        population_households=11346,
        independent=True,
    )
    assert apart.rows[0].difference == pytest.approx(40 / 191 - 850 / 11346)
    assert inside.rows[0].difference == pytest.approx(apart.rows[0].difference)
    assert apart.rows[0].stands_out
    with pytest.raises(ValueError, match="do not fit"):
        shares_compare(
            {"x": {"1": (10, 500)}},
            group_households=191,
            population_households=400,
            independent=True,
        )


def test_a_difference_whose_p_value_underflows_to_zero_stands_out() -> None:
    # National scale (the benchmark's food bank: 142,075 households in 8,359,191): low
    # education 60% against 18% gives a p-value of exactly 0.0 in floating point. It once
    # counted as 1.0 (`p or 1.0`): the largest differences of the country did not stand out.
    found = shares_compare(
        {"opleidingsniveau": {"laag": (85_269, 1_525_131)}},
        group_households=142_075,
        population_households=8_359_191,
    )
    [row] = found.rows
    assert row.p_value == 0.0
    assert row.stands_out
