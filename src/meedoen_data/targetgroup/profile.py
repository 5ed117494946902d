"""The profile table of a target group's segments (issue 19), from *released* counts.

Rows are characteristics, columns segments; a cell holds the categories in which the segment is
**relatively over-represented**: at least :data:`MIN_SHARE` of the segment's households have it,
and its share in the segment is at least :data:`MIN_LIFT` times its share in the whole group
and, where the population's share was released, in all households. So a cell says "relatively
more often", never "only" — a segment marked *bijstand* may hold households without it, and a
characteristic shared by the whole group stands out in no segment. A count that disclosure
control withheld (None) is never guessed: that category is left out of the cell.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

TOTAL = "Totaal"
UNKNOWN = "onbekend"
#: Smallest share of the segment's households a category must have to stand out.
MIN_SHARE = 0.3
#: Smallest ratio of the segment's share to the group's (and the population's) share.
MIN_LIFT = 1.5


@dataclass(frozen=True)
class Standout:
    characteristic: str
    category: str
    share: float  # of the segment's households
    group_share: float
    population_share: float | None
    lift: float  # share / group share

    @property
    def population_lift(self) -> float | None:
        if not self.population_share:
            return None
        return self.share / self.population_share


@dataclass(frozen=True)
class Profile:
    segments: tuple[str, ...]
    households: dict[str, int | None]  # per segment, as released (None: withheld)
    cells: dict[tuple[str, str], tuple[Standout, ...]]  # (characteristic, segment) -> standouts

    def standing_out(self, segment: str) -> list[Standout]:
        """Everything that stands out in ``segment``, the largest lift first."""
        found = [s for (_, seg), cell in self.cells.items() if seg == segment for s in cell]
        return sorted(found, key=lambda s: (-s.lift, s.characteristic, s.category))


def segment_profile(
    counts: Mapping[str, Mapping[tuple[str, str], int | None]],
    *,
    segments: tuple[str, ...],
    population: Mapping[str, Mapping[str, float | None]] | None = None,
    min_share: float = MIN_SHARE,
    min_lift: float = MIN_LIFT,
) -> Profile:
    """``counts``: characteristic -> (category, segment or ``Totaal``) -> households of the
    group, as released. ``population``: characteristic -> category -> share of all households
    (from the released comparison), where known."""
    households: dict[str, int | None] = {}
    for segment in segments:
        totals = [c.get((TOTAL, segment)) for c in counts.values()]
        known = [t for t in totals if t is not None]
        households[segment] = known[0] if known else None
    cells: dict[tuple[str, str], tuple[Standout, ...]] = {}
    for characteristic, table in counts.items():
        group_total = table.get((TOTAL, TOTAL))
        categories = dict.fromkeys(c for c, _ in table if c not in (TOTAL, UNKNOWN))
        for segment in segments:
            n = table.get((TOTAL, segment))
            found: list[Standout] = []
            for category in categories:
                x, g = table.get((category, segment)), table.get((category, TOTAL))
                if x is None or g is None or not n or not group_total:
                    continue
                share, group_share = x / n, g / group_total
                if share < min_share or group_share <= 0 or share < min_lift * group_share:
                    continue
                p = (population or {}).get(characteristic, {}).get(category)
                if p is not None and share < min_lift * p:
                    continue
                found.append(
                    Standout(characteristic, category, share, group_share, p, share / group_share)
                )
            cells[(characteristic, segment)] = tuple(sorted(found, key=lambda s: -s.lift))
    return Profile(segments, households, cells)
