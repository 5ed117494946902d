"""The group beside the population, one characteristic at a time, from *released* counts.

For every category of a characteristic: the share of the group's households in it, the share of
all households (the group included), the difference with a 95% interval, the ratio, and whether
the difference **stands out** after a correction for testing many categories at once (Holm's
step-down method, family-wise error 5%). The input is what disclosure control released — a
withheld count (None) gives a withheld row, never a guess.

The group is part of the population, so the test compares the group with the *rest* of the
population (two independent samples): with ``d = s_group - s_rest`` and the population share
``s_pop = (n_group s_group + n_rest s_rest) / N``, the difference shown is
``s_group - s_pop = (n_rest / N) d`` and its interval is that of ``d`` scaled by ``n_rest / N``.
Intervals are Wald intervals of two proportions (the z-test for the p-value pools them); with
fewer than 5 expected households in a cell the normal approximation fails: no interval is given
and the p-value is Fisher's exact test (two-sided) of the 2 x 2 table group/rest x in/out.

With ``independent`` the group is *not* counted among the population (its households described
when they became clients, the population at the peildatum): then ``d = s_group - s_pop`` is
tested directly as two independent samples, with no scaling.

"Stands out" means "relatively more (or less) often than in the population", not "only": most
clients of a food bank do not have debt help even where debt help stands out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

#: Family-wise error rate of "stands out".
ALPHA = 0.05
Z95 = 1.959963984540054


@dataclass(frozen=True)
class ShareRow:
    characteristic: str
    category: str
    group: int | None  # households of the group in this category (None: withheld)
    population: int | None  # all households in this category
    group_share: float | None = None
    population_share: float | None = None
    difference: float | None = None  # group share - population share
    lower: float | None = None  # its 95% interval
    upper: float | None = None
    ratio: float | None = None  # group share / population share
    p_value: float | None = None
    stands_out: bool = False

    @property
    def withheld(self) -> bool:
        return self.group is None or self.population is None


@dataclass(frozen=True)
class Comparison:
    group_households: int
    population_households: int
    rows: tuple[ShareRow, ...]

    @property
    def standing_out(self) -> tuple[ShareRow, ...]:
        return tuple(r for r in self.rows if r.stands_out)


def shares_compare(
    counts: Mapping[str, Mapping[str, tuple[int | None, int | None]]],
    *,
    group_households: int,
    population_households: int,
    alpha: float = ALPHA,
    independent: bool = False,
) -> Comparison:
    """``counts``: characteristic -> category -> (households of the group, all households) in
    that category, as released (None where withheld). ``group_households`` and
    ``population_households``: the denominators (the group is part of the population, unless
    ``independent``)."""
    n1, n = group_households, population_households
    if n1 <= 0 or n <= (0 if independent else n1):
        raise ValueError(
            f"a group of {n1} households in a population of {n} cannot be compared: the group "
            "must be part of a larger population"
        )
    rows: list[ShareRow] = []
    for characteristic, categories in counts.items():
        for category, (g, p) in categories.items():
            rows.append(_row(characteristic, category, g, p, n1, n, independent))
    # A p-value of 0.0 (a difference that large underflows at national scale) is the smallest
    # of all, never "missing".
    tested = [(i, r.p_value) for i, r in enumerate(rows) if r.p_value is not None]
    rejected = holm([p for _, p in tested], alpha=alpha)
    for (i, _), out in zip(tested, rejected, strict=True):
        if out:
            rows[i] = replace(rows[i], stands_out=True)
    return Comparison(n1, n, tuple(rows))


def _row(
    characteristic: str,
    category: str,
    g: int | None,
    p: int | None,
    n1: int,
    n: int,
    independent: bool,
) -> ShareRow:
    if g is None or p is None:
        return ShareRow(characteristic, category, g, p)
    # The second sample: the rest of the population, or the whole population when the group
    # is not counted in it.
    n0, other = (n, p) if independent else (n - n1, p - g)
    if not 0 <= g <= n1 or not 0 <= p <= n or not 0 <= other <= n0:
        raise ValueError(
            f"{characteristic} = {category}: {g} of the group and {p} of all households do not "
            f"fit a group of {n1} and a population of {n}"
        )
    s1, s0, sp = g / n1, other / n0, p / n
    d = s1 - s0
    scale = 1.0 if independent else n0 / n
    ratio = s1 / sp if sp > 0 else None
    pooled_share = (g + other) / (n1 + n0)
    expected = min(n1 * pooled_share, n1 * (1 - pooled_share), n0 * pooled_share)
    expected = min(expected, n0 * (1 - pooled_share))
    if expected < 5:
        # Too few for the normal approximation: Fisher's exact test, no interval.
        exact = fisher_exact(g, n1 - g, other, n0 - other)
        return ShareRow(characteristic, category, g, p, s1, sp, scale * d, None, None, ratio, exact)
    se = math.sqrt(s1 * (1 - s1) / n1 + s0 * (1 - s0) / n0)
    pooled = math.sqrt(pooled_share * (1 - pooled_share) * (1 / n1 + 1 / n0))
    z = d / pooled if pooled > 0 else 0.0
    return ShareRow(
        characteristic,
        category,
        g,
        p,
        s1,
        sp,
        scale * d,
        scale * (d - Z95 * se),
        scale * (d + Z95 * se),
        ratio,
        math.erfc(abs(z) / math.sqrt(2)),
    )


def holm(p_values: Sequence[float], *, alpha: float = ALPHA) -> list[bool]:
    """Holm's step-down method: which hypotheses are rejected with family-wise error
    ``alpha`` (in the order given)."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    rejected = [False] * len(p_values)
    m = len(p_values)
    for rank, i in enumerate(order):
        if p_values[i] > alpha / (m - rank):
            break
        rejected[i] = True
    return rejected


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p-value of Fisher's exact test of the table [[a, b], [c, d]]: the
    probability, with the margins fixed, of a table at most as likely as this one."""
    row, col, n = a + b, a + c, a + b + c + d

    def log_p(x: int) -> float:  # hypergeometric: x in the first cell
        return _log_choose(col, x) + _log_choose(n - col, row - x) - _log_choose(n, row)

    observed = log_p(a)
    low, high = max(0, row + col - n), min(row, col)
    total = sum(math.exp(log_p(x)) for x in range(low, high + 1) if log_p(x) <= observed + 1e-7)
    return min(1.0, total)


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
