"""The privacy officer's floors for publications under an activity.

An analyst publishing a table under the activity may make the rules of disclosure control
stricter than these, never weaker (``meedoen table`` and the web app check it before anything is
computed). Defaults follow CBS: at least 10 units per cell, dominance (1, 50), p% 10, the group
rule on, protection as wide as the minimum frequency.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class Floor:
    min_frequency: int = 10
    #: (n, k): the n largest contributions may make up at most k% of a cell.
    dominance: tuple[int, float] = (1, 50.0)
    p_percent: float = 10.0
    group: bool = True
    #: Width an attacker's interval must keep around an unsafe cell; None: min_frequency.
    protection: float | None = None

    def as_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values["dominance"] = list(self.dominance)
        return values

    def describe(self) -> str:
        """One line for pages and the command line."""
        n, k = self.dominance
        protection = self.min_frequency if self.protection is None else self.protection
        return (
            f"minimum frequency {self.min_frequency}, dominance ({n}, {k:g}), "
            f"p% {self.p_percent:g}, group rule {'on' if self.group else 'off'}, "
            f"protection {protection:g}"
        )


DEFAULT_FLOOR = Floor()


def floor_make(
    *,
    min_frequency: int = DEFAULT_FLOOR.min_frequency,
    dominance: tuple[int, float] | list[float] = DEFAULT_FLOOR.dominance,
    p_percent: float = DEFAULT_FLOOR.p_percent,
    group: bool = DEFAULT_FLOOR.group,
    protection: float | None = DEFAULT_FLOOR.protection,
) -> Floor:
    """A floor from the privacy officer's values; nonsense is refused with the reason."""
    n, k = int(dominance[0]), float(dominance[1])
    if min_frequency < 1:
        raise ValidationError(f"the minimum frequency must be at least 1, not {min_frequency}")
    if not 1 <= n <= 3 or not 0 < k < 100:
        raise ValidationError(f"dominance (n, k) needs 1 <= n <= 3 and 0 < k < 100: {n}, {k:g}")
    if not 0 < p_percent < 100:
        raise ValidationError(f"p% needs 0 < p < 100, not {p_percent:g}")
    if protection is not None and protection <= 0:
        raise ValidationError(f"the protection must be positive, not {protection:g}")
    return Floor(
        min_frequency=int(min_frequency),
        dominance=(n, k),
        p_percent=float(p_percent),
        group=bool(group),
        protection=None if protection is None else float(protection),
    )


def floor_from(stored: dict[str, Any] | None) -> Floor:
    """The floor stored with an approval ({} before approval, or for older approvals: the
    defaults)."""
    if not stored:
        return DEFAULT_FLOOR
    return floor_make(
        min_frequency=stored.get("min_frequency", DEFAULT_FLOOR.min_frequency),
        dominance=stored.get("dominance", DEFAULT_FLOOR.dominance),
        p_percent=stored.get("p_percent", DEFAULT_FLOOR.p_percent),
        group=stored.get("group", DEFAULT_FLOOR.group),
        protection=stored.get("protection", DEFAULT_FLOOR.protection),
    )
