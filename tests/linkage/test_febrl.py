"""FEBRL4 (the standard linkage benchmark: 5,000 + 5,000 records, 5,000 true links) through our
engine: the model of ``benchmarks/febrl.py``, Splink training and scoring, best candidate per
record and the threshold chosen from the model's own estimates — no truth is used until the end.
"""

from __future__ import annotations

from benchmarks.febrl import febrl4, ours


def test_febrl4_through_our_engine_has_f1_of_at_least_0_99() -> None:
    a, b, truth = febrl4()
    assert len(a) == len(b) == len(truth) == 5000

    result = ours(a, b, truth)

    assert result.f1 >= 0.99, (result.precision, result.recall, result.threshold)
    # One link at most per A record, and the threshold is one of threshold_choose's candidates.
    assert len({x for x, _ in result.links}) == len(result.links)
    assert result.threshold is not None and 0.5 <= result.threshold < 1
