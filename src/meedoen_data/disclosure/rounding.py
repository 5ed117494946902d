"""Controlled rounding to a base (5 by default): publish every cell rounded, instead of hiding some.

An alternative to suppression (:mod:`secondary`). Every figure of the table is published, but
rounded to a multiple of the base: a published 10 may stand for anything from 6 to 14. What it
guarantees, in plain words:

* **Up or down, never further.** Every cell, totals included, becomes the multiple of the base
  just below or just above its true value: with base 5, a 7 becomes 5 or 10, never 0 or 15. So
  each published figure is less than one base away from the truth.
* **Multiples stay as they are** ("zero-restricted"): a 10 is published as 10, and an empty cell
  (0) stays 0 — rounding never invents households where there are none.
* **Everything still adds up, exactly.** Every total and subtotal (the margins, and every level
  of a hierarchy such as gemeente > wijk > buurt) equals the sum of its published parts, so the
  table is consistent for everyone who adds it up again.
* **As close to the truth as possible.** Of all the roundings with these properties, the one
  with the smallest total deviation (the sum over every cell of ``|rounded - true|``) is chosen.

How: a small optimisation problem (a mixed-integer programme, solved with HiGHS, as tau-ARGUS's
RND method does). Each cell that is not already a multiple of the base gets one yes/no choice
(0 = round down, 1 = round up); each additive relation of the table becomes one equation that
the rounded values must satisfy; the objective is the total deviation.

What it does not do: hide that a cell is empty (0 stays 0, so a published 0 is a true 0).
Where that matters, suppress instead.

When it does not exist: for a table with two dimensions with their margins such a rounding
always exists, a known theorem (Bacharach 1966, Cox 1987); also when one of the two dimensions
has a hierarchy (the equations then form two nested families, for which the same argument
holds). With hierarchies in both, or three or more dimensions, it may not: then
:class:`RoundingError` says so, and the table must be published with suppression instead. The
same error is raised when the time limit stops the optimiser before it found any rounding; when
it stops it with a rounding that may not be the closest possible, that rounding is returned
with ``optimal=False``.

Magnitude tables are rounded on their amounts (non-negative), to whole multiples of the base.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import highspy
import numpy as np

from meedoen_data.disclosure.solver import highs
from meedoen_data.disclosure.table import Key, Table

#: Relative tolerance when deciding whether an amount is a multiple of the base, or adds up.
TOLERANCE = 1e-9


class RoundingError(Exception):
    """No controlled rounding of the table: none exists, the optimiser gave up, or the table
    itself does not add up."""


@dataclass(frozen=True)
class Rounded:
    """A controlled rounding of a table."""

    #: Every cell of the table (leaves and margins), rounded to a multiple of ``base``.
    values: dict[Key, int]
    base: int
    #: Total deviation: the sum over every cell of ``|rounded - original|``.
    loss: float
    seconds: float
    #: False when the time limit stopped the optimiser with a rounding not proven closest.
    optimal: bool


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE * max(1.0, abs(a), abs(b))


def _floors(table: Table, base: int) -> tuple[dict[Key, int], list[Key]]:
    """Each cell's multiple of ``base`` just below (in units of ``base``, so an integer), and
    the cells that are not already a multiple (the ones with a choice)."""
    floor: dict[Key, int] = {}
    free: list[Key] = []
    for key, cell in table.cells.items():
        value = cell.value
        if not math.isfinite(value):
            raise RoundingError(f"cell {table.label(key)} of {table.name} is {value}")
        quotient = value / base
        nearest = round(quotient)
        if _close(quotient, nearest):
            floor[key] = nearest
        else:
            floor[key] = math.floor(quotient)
            free.append(key)
    return floor, free


def _relations(table: Table) -> list[tuple[Key, list[Key]]]:
    """The additive relations, checked: every cell present, every sum adding up."""
    relations = list(table.relations())
    for head, parts in relations:
        for key in (head, *parts):
            if key not in table.cells:
                raise RoundingError(f"table {table.name} has no cell {table.label(key)}")
        total = table.cells[head].value
        summed = math.fsum(table.cells[p].value for p in parts)
        if not _close(total, summed):
            raise RoundingError(
                f"table {table.name} does not add up before rounding: cell "
                f"{table.label(head)} is {total}, its parts sum to {summed}"
            )
    return relations


def _model(
    relations: list[tuple[Key, list[Key]]],
    floor: dict[Key, int],
    column: dict[Key, int],
    cost: list[float],
    time_limit: float,
) -> highspy.Highs:
    """One binary per free cell (1 = up); per relation: head - sum(parts) = 0, in units of the
    base, with the floors of every cell moved to the right-hand side."""
    h = highs()
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", 0.0)
    n = len(column)
    h.addVars(n, np.zeros(n), np.ones(n))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.array(cost, dtype=np.float64))
    h.changeColsIntegrality(
        n, np.arange(n, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * n)
    )
    starts: list[int] = []
    indices: list[int] = []
    coefficients: list[float] = []
    bounds: list[float] = []
    for head, parts in relations:
        row: dict[int, float] = {}
        rhs = -floor[head] + sum(floor[p] for p in parts)
        for key, sign in ((head, 1.0), *((p, -1.0) for p in parts)):
            if key in column:
                j = column[key]
                row[j] = row.get(j, 0.0) + sign
        row = {j: c for j, c in row.items() if c != 0.0}
        if not row:
            if rhs != 0:  # (cannot happen after _relations' check, but never round wrongly)
                raise RoundingError("a relation of the table cannot add up after rounding")
            continue
        starts.append(len(indices))
        indices.extend(row)
        coefficients.extend(row.values())
        bounds.append(float(rhs))
    if starts:
        rhs_array = np.array(bounds, dtype=np.float64)
        h.addRows(
            len(starts),
            rhs_array,
            rhs_array,
            len(indices),
            np.array(starts, dtype=np.int32),
            np.array(indices, dtype=np.int32),
            np.array(coefficients, dtype=np.float64),
        )
    return h


def _check(
    table: Table, relations: list[tuple[Key, list[Key]]], values: dict[Key, int], base: int
) -> None:
    """The rounding's promises, checked on the result itself before anyone sees it."""
    for key, cell in table.cells.items():
        rounded = values[key]
        if rounded % base or abs(rounded - cell.value) >= base * (1 + TOLERANCE):
            raise RoundingError(f"the optimiser rounded {table.label(key)} wrongly")
    for head, parts in relations:
        if values[head] != sum(values[p] for p in parts):
            raise RoundingError(f"the rounded cell {table.label(head)} does not add up")


def table_round(table: Table, *, base: int = 5, time_limit: float = 60.0) -> Rounded:
    """The closest controlled rounding of ``table`` to multiples of ``base``: every cell up or
    down to a neighbouring multiple (multiples, so 0 too, unchanged), every total and subtotal
    still the exact sum of its parts. Raises :class:`RoundingError` when none exists (possible
    for three or more dimensions, or hierarchies in two: use suppression) or none was found
    within ``time_limit`` seconds."""
    if isinstance(base, bool) or not isinstance(base, int) or base < 1:
        raise ValueError(f"base must be a positive whole number, not {base!r}")
    if not time_limit > 0:
        raise ValueError(f"time_limit must be positive, not {time_limit!r}")
    started = time.monotonic()
    relations = _relations(table)
    floor, free = _floors(table, base)
    column = {key: j for j, key in enumerate(free)}
    up = set[Key]()
    optimal = True
    if free:
        # Deviation of a free cell: value - base*floor if down, base*(floor+1) - value if up;
        # the cost of a binary is the difference (the constant part is the same for all).
        cost = [base - 2.0 * (table.cells[key].value - base * floor[key]) for key in free]
        h = _model(relations, floor, column, cost, time_limit)
        h.run()
        status = h.getModelStatus()
        solution = h.getSolution()
        if status in (
            highspy.HighsModelStatus.kInfeasible,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            raise RoundingError(
                f"controlled rounding to base {base} does not exist for table {table.name}: "
                "no choice of rounding every cell up or down keeps all its totals adding up "
                "(this can happen for tables with three or more dimensions, or hierarchies in "
                "two); publish this table with suppression instead"
            )
        if not solution.value_valid:
            if status == highspy.HighsModelStatus.kTimeLimit:
                raise RoundingError(
                    f"the time limit ({time_limit:g} s) stopped the optimiser before it found "
                    f"a controlled rounding of table {table.name}; allow more time or publish "
                    "this table with suppression instead"
                )
            raise RoundingError(
                f"the optimiser found no controlled rounding of table {table.name} "
                f"({h.modelStatusToString(status)}); publish it with suppression instead"
            )
        x = np.asarray(solution.col_value)
        up = {key for key in free if x[column[key]] > 0.5}
        optimal = status == highspy.HighsModelStatus.kOptimal
    values = {key: base * (floor[key] + (1 if key in up else 0)) for key in table.cells}
    _check(table, relations, values, base)
    loss = math.fsum(abs(values[key] - cell.value) for key, cell in table.cells.items())
    return Rounded(values, base, loss, time.monotonic() - started, optimal)
