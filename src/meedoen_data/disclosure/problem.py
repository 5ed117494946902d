"""One publication as one optimisation problem: every distinct cell of every table published
together (linked tables share cells), the additive relations between them, the unsafe cells and
how wide an attacker's interval around each must stay, and what earlier releases revealed."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from meedoen_data.disclosure.rules import Rules
from meedoen_data.disclosure.table import Identity, Key, Table

COSTS = ("value", "cells")


class DisclosureError(Exception):
    """A table cannot be published safely (or its input is inconsistent)."""


@dataclass
class Problem:
    identities: list[Identity]
    index: dict[Identity, int]
    value: list[float]
    cost: list[float]
    #: (sum cell, the cells it sums), as indexes, without duplicates.
    relations: list[tuple[int, tuple[int, ...]]]
    #: Unsafe cell -> (lower, upper) protection: the attacker's interval must reach at least
    #: value - lower and value + upper.
    protect: dict[int, tuple[float, float]]
    #: The attacker's a-priori bounds of any cell: [0, ceiling] (the largest cell, the total).
    ceiling: float
    #: Cells whose value an earlier release of this publication already made known.
    known: set[int] = field(default_factory=set)
    #: Cells an earlier release of a linked table hid: they stay hidden.
    hidden_before: set[int] = field(default_factory=set)


def publication_problem(
    tables: Sequence[Table],
    primary: Mapping[str, Mapping[Key, str]],
    rules: Rules,
    *,
    known: Mapping[Identity, float] | None = None,
    released: Mapping[str, set[Key]] | None = None,
    kept: Collection[Identity] = (),
    cost: str = "value",
) -> Problem:
    """The problem for ``tables`` published together; ``primary`` holds each table's unsafe
    cells (by table name), ``known`` the values earlier releases published. ``released`` names
    tables among ``tables`` that were published before, with the cells they hid: their pattern
    is fixed (published cells are known, hidden ones stay hidden). ``kept``: cells an earlier
    release hid (any table on the same units): they stay hidden wherever they appear."""
    if cost not in COSTS:
        raise DisclosureError(f"cost must be one of {', '.join(COSTS)}, not {cost!r}")
    identities: list[Identity] = []
    index: dict[Identity, int] = {}
    value: list[float] = []
    for table in tables:
        for key, cell in table.cells.items():
            identity = table.identity(key)
            if identity in index:
                if abs(value[index[identity]] - cell.value) > 1e-6:
                    raise DisclosureError(
                        f"tables published together disagree about cell {dict(identity)}: "
                        f"{value[index[identity]]} and {cell.value} in {table.name}"
                    )
                continue
            index[identity] = len(identities)
            identities.append(identity)
            value.append(cell.value)
    relations: dict[tuple[int, tuple[int, ...]], None] = {}
    for table in tables:
        for head, parts in table.relations():
            entry = (
                index[table.identity(head)],
                tuple(sorted(index[table.identity(p)] for p in parts)),
            )
            relations[entry] = None
    ceiling = max([abs(v) for v in value] + [1.0])
    protect: dict[int, tuple[float, float]] = {}
    for table in tables:
        for key in primary.get(table.name, {}):
            i = index[table.identity(key)]
            width = min(rules.width(table, key), ceiling)
            a = value[i]
            lower = min(max(a, 0.0), width / 2)
            upper = min(width - lower, ceiling - a)
            lower = min(max(a, 0.0), width - upper)
            protect[i] = (lower, upper)
    costs = [1.0 if cost == "cells" else abs(v) + 1.0 for v in value]
    # An earlier value tells the attacker the current one only if it has not changed since.
    found = {
        index[i] for i, v in (known or {}).items() if i in index and abs(value[index[i]] - v) < 1e-6
    }
    before: set[int] = {index[i] for i in kept if i in index}
    for table in tables:
        if released is None or table.name not in released:
            continue
        for key in table.cells:
            i = index[table.identity(key)]
            (before if key in released[table.name] else found).add(i)
    if clash := before & found:
        raise DisclosureError(
            f"cell {dict(identities[min(clash)])} is hidden in one earlier release and published "
            "in another: the earlier releases are not consistent"
        )
    return Problem(
        identities, index, value, costs, list(relations), protect, ceiling, found, before
    )
