"""The audit before release: what can an attacker compute from everything published?

Independent of how the cells to hide were chosen: it starts again from the tables as they will
be published (values or hidden), writes down every additive relation of every table — margins,
hierarchy levels, tables published together (a cell with the same meaning is one unknown), the
values earlier releases of the publication made known — and, for every hidden cell, solves two
linear programmes with HiGHS: the smallest and the largest value it can have. An attacker knows
nothing more than that a cell lies between 0 and the largest cell of the publication (a
generous assumption: it makes the attacker stronger, not weaker).

A release is refused when an unsafe cell's interval is narrower than its protection level
(:meth:`~meedoen_data.disclosure.rules.Rules.width`). Hidden cells that were safe in themselves
(secondary suppressions) need no protection; their intervals are reported all the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import highspy
import numpy as np

from meedoen_data.disclosure.rules import Rules
from meedoen_data.disclosure.solver import highs_for_many_objectives
from meedoen_data.disclosure.table import Identity, Key, Table

TOLERANCE = 1e-6


@dataclass(frozen=True)
class Exposure:
    """An unsafe cell an attacker can narrow down too far."""

    table: str
    key: Key
    value: float
    lower: float
    upper: float
    required: float


@dataclass
class Audit:
    #: Every hidden cell (by identity): the interval an attacker can derive.
    intervals: dict[Identity, tuple[float, float]] = field(default_factory=dict)
    exposures: list[Exposure] = field(default_factory=list)
    linear_programmes: int = 0

    @property
    def safe(self) -> bool:
        return not self.exposures


def publication_audit(
    tables: Sequence[Table],
    hidden: Mapping[str, set[Key]],
    unsafe: Mapping[str, set[Key]],
    rules: Rules,
    *,
    known: Mapping[Identity, float] | None = None,
) -> Audit:
    """Attack ``tables`` as published with ``hidden`` cells (per table name); check that every
    ``unsafe`` cell keeps an interval at least its protection level wide."""
    # One unknown per distinct hidden cell; every other cell is a published number.
    truth: dict[Identity, float] = {}
    secret: set[Identity] = set()
    for table in tables:
        for key, cell in table.cells.items():
            identity = table.identity(key)
            truth[identity] = cell.value
            if key in hidden.get(table.name, set()):
                secret.add(identity)
    for identity, value in (known or {}).items():
        if identity in secret and abs(truth[identity] - value) <= TOLERANCE:
            secret.discard(identity)  # an earlier release published it
    ceiling = max([abs(v) for v in truth.values()] + [1.0])
    equations = _equations(tables, secret, truth)
    audit = Audit()
    for cells, rows in _components(secret, equations):
        lp, column = _programme(cells, rows, ceiling)
        for identity in cells:
            low = _extreme(lp, column[identity], +1.0)
            high = _extreme(lp, column[identity], -1.0)
            audit.linear_programmes += 2
            audit.intervals[identity] = (low, high)
    for table in tables:
        for key in unsafe.get(table.name, set()):
            identity = table.identity(key)
            value = table.cells[key].value
            required = min(rules.width(table, key), ceiling)
            low, high = audit.intervals.get(identity, (value, value))
            if high - low < required - TOLERANCE:
                audit.exposures.append(Exposure(table.name, key, value, low, high, required))
    return audit


Equation = tuple[dict[Identity, float], float]  # sum coef * unknown = constant


def _equations(
    tables: Sequence[Table], secret: set[Identity], truth: Mapping[Identity, float]
) -> list[Equation]:
    """Per table, per cell, per dimension whose code is a sum: cell = sum of its parts; the
    published values moved to the right-hand side. Equations without an unknown are dropped."""
    out: dict[tuple[tuple[Identity, float], ...], Equation] = {}
    for table in tables:
        for key in table.cells:
            for i, dim in enumerate(table.dimensions):
                parts = dim.children.get(key[i], ())
                if not parts:
                    continue
                terms: dict[Identity, float] = {}
                constant = 0.0
                members = [(key, 1.0)] + [((*key[:i], part, *key[i + 1 :]), -1.0) for part in parts]
                for member, sign in members:
                    identity = table.identity(member)
                    if identity in secret:
                        terms[identity] = terms.get(identity, 0.0) + sign
                    else:
                        constant -= sign * truth[identity]
                if terms:
                    signature = tuple(sorted(terms.items()))
                    out[signature] = (terms, constant)
    return list(out.values())


def _components(
    secret: set[Identity], equations: list[Equation]
) -> list[tuple[list[Identity], list[Equation]]]:
    """Hidden cells that share an equation, directly or through others, are attacked together."""
    group = {identity: identity for identity in secret}

    def root(x: Identity) -> Identity:
        while group[x] != x:
            group[x] = group[group[x]]
            x = group[x]
        return x

    for terms, _ in equations:
        first, *rest = terms
        for other in rest:
            a, b = root(first), root(other)
            if a != b:
                group[b] = a
    cells: dict[Identity, list[Identity]] = {}
    for identity in secret:
        cells.setdefault(root(identity), []).append(identity)
    rows: dict[Identity, list[Equation]] = {r: [] for r in cells}
    for equation in equations:
        rows[root(next(iter(equation[0])))].append(equation)
    return [(sorted(cells[r]), rows[r]) for r in cells]


def _programme(
    cells: list[Identity], rows: list[Equation], ceiling: float
) -> tuple[highspy.Highs, dict[Identity, int]]:
    column = {identity: j for j, identity in enumerate(cells)}
    lp = highs_for_many_objectives()
    n = len(cells)
    lp.addVars(n, np.zeros(n), np.full(n, ceiling))
    for terms, constant in rows:
        idx = np.array([column[t] for t in terms], dtype=np.int32)
        coef = np.array(list(terms.values()), dtype=np.float64)
        lp.addRow(constant, constant, len(idx), idx, coef)
    return lp, column


def _extreme(lp: highspy.Highs, j: int, sense: float) -> float:
    """min (sense=+1) or max (sense=-1) of column j."""
    lp.changeColCost(j, sense)
    lp.run()
    status = lp.getModelStatus()
    value = lp.getInfo().objective_function_value
    lp.changeColCost(j, 0.0)
    if status != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"the audit's LP failed: {lp.modelStatusToString(status)}")
    return float(sense * value)
