"""Tables as disclosure control sees them: dimensions with hierarchies, cells, and the additive
relations between them that an attacker can use.

A **dimension** has codes arranged as a tree: the root is the total (``"Totaal"``), its
children the categories; a hierarchical dimension (gemeente > wijk > buurt) has more levels.
A **cell** is one code per dimension; leaves are the cells at the bottom of every tree, every
other cell is a margin (a sum of cells). Each cell holds the number of units (households,
persons), and in a magnitude table the sum of an amount with its largest contributions (for
the dominance and p% rules).

Cells of different tables published together are the *same* cell when they describe the same
units: ``identity`` drops the totals, so the ``wijk W1`` margin of a table wijk x type and of a
table wijk x children are one variable for secondary suppression and for the audit.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

TOTAL = "Totaal"
#: Largest contributions kept per cell: enough for a dominance rule (n, k) with n <= 3 and p%.
TOP = 3

Key = tuple[str, ...]
Identity = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Dimension:
    """A variable of a table. ``children`` maps each code that is a sum to the codes it sums;
    the root (``total``) is a sum of everything. A flat dimension: ``Dimension.flat(...)``."""

    name: str
    children: Mapping[str, tuple[str, ...]]
    total: str = TOTAL
    #: Codes that stand for another variable's category (code -> that variable's name): the wijk
    #: subtotals of a dimension ``buurtcode`` are the cells ``wijkcode`` of a table by wijk.
    aliases: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def flat(cls, name: str, categories: Iterable[str], total: str = TOTAL) -> Dimension:
        return cls(name, {total: tuple(categories)}, total)

    @classmethod
    def hierarchy(cls, name: str, parents: Mapping[str, str], total: str = TOTAL) -> Dimension:
        """A dimension from ``parents`` (code -> parent code); codes without a parent in the
        mapping hang under the total. E.g. buurt -> wijk for every buurt, and nothing for the
        wijken: gemeente (total) > wijk > buurt."""
        children: dict[str, list[str]] = {}
        for code, parent in sorted(parents.items()):
            children.setdefault(parent, []).append(code)
        for parent in list(children):
            if parent != total and parent not in parents:
                children.setdefault(total, []).append(parent)
        children.setdefault(total, [])
        return cls(name, {k: tuple(sorted(set(v))) for k, v in children.items()}, total)

    def codes(self) -> list[str]:
        """Every code, parents before their children (depth first, in the given order)."""
        out: list[str] = []

        def walk(code: str) -> None:
            out.append(code)
            for child in self.children.get(code, ()):
                walk(child)

        walk(self.total)
        return out

    def leaves(self) -> list[str]:
        return [code for code in self.codes() if code not in self.children]

    def leaves_under(self, code: str) -> list[str]:
        if code not in self.children:
            return [code]
        return [leaf for child in self.children[code] for leaf in self.leaves_under(child)]


@dataclass
class Cell:
    """Units in a cell; in a magnitude table also the amount and its largest contributions."""

    units: int
    amount: float | None = None
    top: tuple[float, ...] = ()

    @property
    def value(self) -> float:
        """What is published: the amount in a magnitude table, else the number of units."""
        return float(self.units) if self.amount is None else self.amount


@dataclass
class Table:
    """A table: its dimensions and every cell (leaves and margins).

    Build one with :meth:`from_leaves` (margins are summed here, so they always add up)."""

    name: str
    dimensions: tuple[Dimension, ...]
    cells: dict[Key, Cell] = field(default_factory=dict)
    magnitude: bool = False
    #: What every unit of the table has in common (a filter such as household_type =
    #: eenouder): part of every cell's identity, so that the cell "buurt B, eenouder" of a
    #: filtered table is the same cell as in a table by buurt x household_type.
    given: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_leaves(
        cls,
        name: str,
        dimensions: Iterable[Dimension],
        leaves: Mapping[Key, Cell],
        *,
        magnitude: bool = False,
        given: Iterable[tuple[str, str]] = (),
    ) -> Table:
        """The table with every margin summed from ``leaves`` (missing leaves are empty)."""
        dims = tuple(dimensions)
        table = cls(name, dims, {}, magnitude, tuple(given))
        for key in itertools.product(*(d.codes() for d in dims)):
            units, amount = 0, 0.0
            top: list[float] = []
            for leaf in itertools.product(
                *(d.leaves_under(c) for d, c in zip(dims, key, strict=True))
            ):
                cell = leaves.get(leaf)
                if cell is None:
                    continue
                units += cell.units
                amount += cell.amount or 0.0
                top.extend(cell.top)
            table.cells[key] = Cell(
                units,
                amount if magnitude else None,
                tuple(sorted(top, reverse=True)[:TOP]) if magnitude else (),
            )
        return table

    def identity(self, key: Key) -> Identity:
        """What the cell describes, independent of the table: its non-total codes (by the
        variable they belong to) and what the table's units have in common, sorted."""
        codes = [
            (d.aliases.get(code, d.name), code)
            for d, code in zip(self.dimensions, key, strict=True)
            if code != d.total
        ]
        return tuple(sorted([*codes, *self.given]))

    def relations(self) -> Iterator[tuple[Key, list[Key]]]:
        """Every additive relation: (a sum cell, the cells it sums)."""
        codes = [d.codes() for d in self.dimensions]
        for i, dim in enumerate(self.dimensions):
            others = codes[:i] + codes[i + 1 :]
            for parent, children in dim.children.items():
                if not children:
                    continue
                for rest in itertools.product(*others):
                    head = (*rest[:i], parent, *rest[i:])
                    parts = [(*rest[:i], child, *rest[i:]) for child in children]
                    yield head, parts

    def label(self, key: Key) -> dict[str, str]:
        return {d.name: code for d, code in zip(self.dimensions, key, strict=True)}
