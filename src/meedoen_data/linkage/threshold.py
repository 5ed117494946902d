"""Choosing the match threshold from the model's own estimates of precision and recall.

Without truth the model still says how sure it is: for the best candidate of every record, its
match probability is the chance that the pair is a true match. So, for a threshold t,

- estimated precision = the mean probability of the links with probability >= t;
- estimated recall = the sum of those probabilities / the sum over all records' best
  candidates (the expected number of true matches);

and the threshold is the one with the highest estimated F1 among :data:`CANDIDATES` (ties: the
higher threshold). The estimates are only as good as the model's calibration; the synthetic
benchmark compares them with the truth (docs/linkage.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

CANDIDATES = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995, 0.999)


@dataclass(frozen=True)
class ThresholdChoice:
    threshold: float
    precision: float
    recall: float
    links: int
    #: (threshold, estimated precision, estimated recall, links) at every candidate threshold.
    curve: list[tuple[float, float, float, int]] = field(default_factory=list)

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def at(self, threshold: float) -> ThresholdChoice:
        """The same estimates at another (chosen by hand) threshold."""
        point = _point(self._probabilities, threshold) if self._probabilities else None
        if point is None:
            return ThresholdChoice(threshold, 0.0, 0.0, 0, self.curve, self._probabilities)
        return ThresholdChoice(threshold, *point, self.curve, self._probabilities)

    _probabilities: tuple[float, ...] = field(default=(), repr=False, compare=False)


def _point(probabilities: Sequence[float], t: float) -> tuple[float, float, int]:
    expected = sum(probabilities)
    kept = [p for p in probabilities if p >= t]
    precision = sum(kept) / len(kept) if kept else 1.0
    recall = sum(kept) / expected if expected else 0.0
    return precision, recall, len(kept)


def threshold_choose(best: Sequence[float]) -> ThresholdChoice:
    """The threshold with the highest estimated F1 for these best-candidate probabilities
    (one per record; 0 for a record without any candidate)."""
    curve = [(t, *_point(best, t)) for t in CANDIDATES]

    def f1(point: tuple[float, float, float, int]) -> tuple[float, float]:
        _, precision, recall, _ = point
        total = precision + recall
        return (round(2 * precision * recall / total, 6) if total else 0.0, point[0])

    t, precision, recall, links = max(curve, key=f1)
    return ThresholdChoice(t, precision, recall, links, curve, tuple(best))
