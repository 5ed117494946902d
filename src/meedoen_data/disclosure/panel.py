"""Estimates from the anonymous resident panel (``inwonerspanel``) for the dashboard (issue 18).

A panel indicator is the weighted mean of one item (0-10) per wijk and for the whole gemeente,
with a 95% interval. The panel is anonymous, but a mean of a handful of answers still says
what those few people answered, so an area with fewer than ``min_respondents`` answers (30 by
default, as CBS and GGD monitors do) is not shown; and when exactly one wijk is hidden, the
next smallest is hidden too, so that the hidden one cannot be worked out from the gemeente's
mean and the others'. Weights (``weging``) are not published.

The interval uses the variance of a weighted mean (linearisation): sum w_i^2 (x_i - mean)^2 /
(sum w_i)^2, with the normal 1.96; a missing weight counts as 1, a missing answer is left out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import duckdb

from meedoen_data.activity_store import ActivityStoreError, store_path
from meedoen_data.contract import SPECS
from meedoen_data.workspace import Workspace

TOTAL = "Totaal"
MIN_RESPONDENTS = 30
#: The panel's items an estimate may be made of.
ITEMS = tuple(c for c in SPECS["inwonerspanel"].column_names if c.startswith("meedoen_"))
#: Why an estimate is not shown.
TOO_FEW, SECONDARY = "too_few_respondents", "secondary"


class PanelError(ValueError):
    """The estimate cannot be made (unknown item, no panel in the activity's store)."""


@dataclass(frozen=True)
class Estimate:
    area: str  # "Totaal" (the gemeente) or a wijk's code
    respondents: int
    mean: float | None  # None when not shown
    lower: float | None
    upper: float | None
    withheld: str | None = None  # TOO_FEW or SECONDARY


def panel_estimates(
    *, home: Path, activity_id: int, item: str, min_respondents: int = MIN_RESPONDENTS
) -> list[Estimate]:
    """The gemeente first, then every wijk with answers, by code."""
    if item not in ITEMS:
        raise PanelError(f"unknown panel item {item!r}: choose one of {', '.join(ITEMS)}")
    if min_respondents < 1:
        raise PanelError("the minimum number of respondents must be at least 1")
    path = store_path(Workspace(home), activity_id)
    if not path.exists():
        raise ActivityStoreError(f"activity {activity_id} has no tables yet")
    con = duckdb.connect(str(path), read_only=True)
    try:
        found = con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = 'source' AND table_name = 'inwonerspanel'"
        ).fetchone()
        if not found or not found[0]:
            raise PanelError(f"the store of activity {activity_id} holds no resident panel")
        # The item is one of ITEMS (checked above) and quoted; nothing else is written in.
        rows = con.execute(
            f"SELECT coalesce(wijkcode, 'onbekend'), CAST(\"{item}\" AS DOUBLE), "  # noqa: S608
            "coalesce(CAST(weging AS DOUBLE), 1.0) FROM source.inwonerspanel "
            f'WHERE "{item}" IS NOT NULL'
        ).fetchall()
    finally:
        con.close()
    by_area: dict[str, list[tuple[float, float]]] = {TOTAL: []}
    for wijk, value, weight in rows:
        by_area[TOTAL].append((value, weight))
        by_area.setdefault(str(wijk), []).append((value, weight))
    estimates = [
        _estimate(area, answers, min_respondents)
        for area, answers in sorted(by_area.items(), key=lambda kv: (kv[0] != TOTAL, kv[0]))
    ]
    return _secondary(estimates)


def _estimate(area: str, answers: list[tuple[float, float]], minimum: int) -> Estimate:
    n = len(answers)
    total = sum(w for _, w in answers)
    if n < minimum or total <= 0:
        return Estimate(area, n, None, None, None, TOO_FEW)
    mean = sum(x * w for x, w in answers) / total
    variance = sum(w * w * (x - mean) ** 2 for x, w in answers) / (total * total)
    half = 1.96 * math.sqrt(variance)
    return Estimate(area, n, mean, max(0.0, mean - half), min(10.0, mean + half))


def _secondary(estimates: list[Estimate]) -> list[Estimate]:
    """One hidden wijk beside a shown gemeente could be worked out: hide the next smallest."""
    wijken = [e for e in estimates if e.area != TOTAL]
    hidden = [e for e in wijken if e.withheld]
    shown = sorted((e for e in wijken if not e.withheld), key=lambda e: (e.respondents, e.area))
    if len(hidden) != 1 or not shown:
        return estimates
    partner = shown[0]
    return [
        Estimate(e.area, e.respondents, None, None, None, SECONDARY) if e is partner else e
        for e in estimates
    ]
