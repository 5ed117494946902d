"""What earlier releases on the same units tell an attacker, and so what a new release must
respect: the rules of a release *series* (the same table published again) and of *linked*
releases (other tables of the same units).

The publisher (``meedoen.publications``) keeps every release it made, also withdrawn ones: once
published, always known. For a new release it hands the earlier ones on the same units (the same
activity, peildatum and measure) to these functions as :class:`EarlierRelease`, each with its
table made again from the store now (or ``None`` when that is no longer possible), and gets:

- :func:`release_series`: the name of a table's series (the digest of its definition);
- :func:`release_mode_conflict`: all tables of the same units keep one mode (a rounded and a
  suppressed release together narrow a hidden cell down to its rounding interval);
- :func:`suppression_history`: for suppression, the values the attacker knows from earlier
  releases of the same series, the latest release of every other series with the cells it hid
  (protected together with the new table), and what every earlier release hid (it stays
  hidden, by identity, also when the units were built again since);
- :func:`rounding_history`: for rounding, every value an earlier rounded release published (a
  cell rounded once keeps that value).

Pure functions over the data package's tables: no Django, testable on their own.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from meedoen_data.disclosure.publish import Shown, Withheld
from meedoen_data.disclosure.rules import Rules
from meedoen_data.disclosure.table import Dimension, Identity, Key, Table

#: A value equal to what was published, within the floating point noise of a sum.
TOLERANCE = 1e-6


@dataclass(frozen=True)
class EarlierRelease:
    """One earlier release on the same units, as its publisher stored it."""

    name: str  # how a message names it, e.g. "publication 3"
    series: str  # :func:`release_series` of its definition
    rules: Rules  # the rules it was published with
    again: Table | None  # its table made again from the store now; None: it cannot be
    shape: Table  # ``again``, or enough of its table to name its cells (:func:`release_shape`)
    #: What it published, per cell (by key in ``shape``): ``value`` (None: hidden) and
    #: ``suppressed`` ("primary" or "secondary" for a hidden cell).
    cells: Mapping[Key, Mapping[str, Any]]

    @property
    def hidden(self) -> dict[Key, str]:
        """The cells it hid, with their flag."""
        return {
            key: str(cell.get("suppressed") or "secondary")
            for key, cell in self.cells.items()
            if cell.get("value") is None
        }

    @property
    def changed(self) -> bool:
        """Its units changed since (built again after a new delivery): its table cannot be made
        again, or a cell it showed has another value now, or is gone."""
        again = self.again
        if again is None:
            return True
        return any(
            key not in again.cells
            or (
                cell.get("value") is not None
                and abs(again.cells[key].value - float(cell["value"])) > TOLERANCE
            )
            for key, cell in self.cells.items()
        )


def release_series(definition: Mapping[str, Any]) -> str:
    """The series of a table: the digest of its definition (what it counts, by what, where)."""
    return hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()


def release_cells(
    cells: Iterable[Mapping[str, Any]], dimensions: Sequence[str]
) -> dict[Key, Mapping[str, Any]]:
    """A stored release's cells (each with its dimensions' codes) by their key."""
    return {tuple(str(cell[name]) for name in dimensions): cell for cell in cells}


def release_shape(
    *, name: str, dimensions: Sequence[str], unfiltered: Table | None, where: Sequence[Key]
) -> Table:
    """Enough of an earlier release's table to name its cells (:meth:`Table.identity`) when it
    cannot be made again: its dimensions made without its filter (``unfiltered``), the filter
    as what its units have in common; failing that, its dimensions without the codes that
    stand for another variable (a ``buurtcode`` table's wijk subtotals)."""
    given = tuple((str(column), str(value)) for column, value in where)
    if unfiltered is not None:
        return replace(unfiltered, cells={}, given=given)
    return Table(name, tuple(Dimension.flat(n, []) for n in dimensions), given=given)


def release_mode_conflict(*, earlier: Iterable[str], mode: str) -> str | None:
    """Why a release in ``mode`` may not follow releases in the modes ``earlier`` on the same
    units, or None: the tables of one peildatum keep one mode."""
    modes = {m for m in earlier if m}
    if modes and mode not in modes:
        return (
            f"tables of these households were published before with {', '.join(sorted(modes))}; "
            f"publishing with {mode} now would let anyone combine the two"
        )
    return None


def suppression_history(
    earlier: Sequence[EarlierRelease], *, series: str
) -> tuple[dict[Identity, float], list[tuple[Table, set[Key]]], list[Withheld]]:
    """What earlier releases (oldest first) tell an attacker about a new release of ``series``:
    the values earlier releases of the same series showed (known values), the latest release of
    every other series with the cells it hid (a linked table, protected together with the new
    one), and what every earlier release hid (it stays hidden). A release whose units changed
    since gives no known values and no linked pattern, but what it hid stays hidden all the
    same, cell by cell, protected as if unsafe (:attr:`Withheld.changed`)."""
    latest = {release.series: release for release in earlier}
    known: dict[Identity, float] = {}
    linked: list[tuple[Table, set[Key]]] = []
    withheld: list[Withheld] = []
    for release in earlier:
        hidden = release.hidden
        changed = release.changed
        if hidden:
            withheld.append(
                Withheld(
                    release=release.name,
                    rules=release.rules,
                    cells={release.shape.identity(key): flag for key, flag in hidden.items()},
                    changed=changed,
                )
            )
        again = release.again
        if changed or again is None:
            continue
        if release.series == series:
            for key, cell in release.cells.items():
                if cell.get("value") is not None:
                    known[again.identity(key)] = float(cell["value"])
        elif latest[release.series] is release:
            linked.append((replace(again, name=release.name), set(hidden)))
    return known, linked, withheld


def rounding_history(earlier: Sequence[EarlierRelease]) -> list[Shown]:
    """Every value earlier rounded releases published, cell by cell (by identity), whether they
    still match the store or not: a cell rounded once keeps that value."""
    return [
        Shown(
            release=release.name,
            cells={
                release.shape.identity(key): float(cell["value"])
                for key, cell in release.cells.items()
                if cell.get("value") is not None
            },
        )
        for release in earlier
    ]


__all__ = [
    "EarlierRelease",
    "release_cells",
    "release_mode_conflict",
    "release_series",
    "release_shape",
    "rounding_history",
    "suppression_history",
]
