"""Primary suppression: which cells are unsafe in themselves (docs/disclosure.md).

- **Minimum frequency**: a cell with 1 to ``min_frequency - 1`` units (default: fewer than 10).
- **Dominance (n, k)** (magnitude tables): the ``n`` largest contributions make up more than
  ``k``% of the cell's amount — one big contributor can estimate another's.
- **p%** (magnitude tables): the second-largest contributor can estimate the largest to within
  ``p``%: amount - x1 - x2 < p/100 * x1.
- **Group disclosure**: all units of a row fall in one category of a sensitive dimension
  (``all 12 households of buurt B receive youth care``): that cell reveals something about each
  of them, whatever its size.
- **Zeros** (policy ``zeros``): ``"publish"`` (default, as CBS does): an empty cell is safe in
  itself and is published as 0 — the group rule above catches the case where the zeros reveal
  something about the units of the row; secondary suppression may still hide a zero to protect
  another cell. ``"protect"``: empty cells are treated as unsafe too (for tables where an empty
  cell is itself sensitive, e.g. "no one in this buurt has income above X").

Protection: an attacker who combines everything published must not narrow an unsafe cell down to
an interval narrower than ``protection`` units (frequency tables; default ``min_frequency``),
or narrower than ``protection_percent``% of its amount (magnitude tables).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from meedoen_data.disclosure.table import Key, Table

ZERO_POLICIES = ("publish", "protect")


class RuleError(ValueError):
    """A rule is set to a value that makes no sense."""


@dataclass(frozen=True)
class Rules:
    """The rules of one publication. Defaults: CBS-like for counts of households or persons."""

    min_frequency: int = 10
    #: (n, k): the n largest contributions may make up at most k% of a cell (magnitude tables).
    dominance: tuple[int, float] | None = (1, 50.0)
    #: p for the p% rule (magnitude tables); None switches it off.
    p_percent: float | None = 10.0
    #: Per dimension name, its sensitive categories (empty set: all categories of it).
    group: dict[str, frozenset[str]] = field(default_factory=dict)
    zeros: str = "publish"
    #: Required width of an attacker's interval (frequency tables); None: min_frequency.
    protection: float | None = None
    #: Required width in % of the cell's amount (magnitude tables).
    protection_percent: float = 20.0

    def __post_init__(self) -> None:
        if self.min_frequency < 1:
            raise RuleError(f"min_frequency must be at least 1, not {self.min_frequency}")
        if self.dominance is not None:
            n, k = self.dominance
            if not 1 <= n <= 3 or not 0 < k < 100:
                raise RuleError(f"dominance (n, k) needs 1 <= n <= 3 and 0 < k < 100: {n}, {k}")
        if self.p_percent is not None and not 0 < self.p_percent < 100:
            raise RuleError(f"p% needs 0 < p < 100, not {self.p_percent}")
        if self.zeros not in ZERO_POLICIES:
            raise RuleError(f"zeros must be one of {', '.join(ZERO_POLICIES)}, not {self.zeros}")
        if self.protection is not None and self.protection <= 0:
            raise RuleError(f"protection must be positive, not {self.protection}")
        if not 0 < self.protection_percent <= 100:
            raise RuleError(f"protection_percent needs 0 < p <= 100: {self.protection_percent}")

    def width(self, table: Table, key: Key) -> float:
        """The interval width an attacker must not get below for unsafe cell ``key``."""
        if table.magnitude:
            return max(self.protection_percent / 100 * abs(table.cells[key].value), 1.0)
        return float(self.protection if self.protection is not None else self.min_frequency)


def primary_cells(table: Table, rules: Rules) -> dict[Key, str]:
    """The unsafe cells of ``table`` with the first rule each breaks."""
    unsafe: dict[Key, str] = {}
    group = _group_cells(table, rules)
    for key, cell in table.cells.items():
        if cell.units == 0:
            if rules.zeros == "protect":
                unsafe[key] = "zero"
            continue
        if cell.units < rules.min_frequency:
            unsafe[key] = "frequency"
        elif table.magnitude and _dominated(cell.amount or 0.0, cell.top, rules):
            unsafe[key] = "dominance"
        elif table.magnitude and _p_percent(cell.amount or 0.0, cell.top, rules):
            unsafe[key] = "p%"
        elif key in group:
            unsafe[key] = "group"
    return unsafe


def _dominated(amount: float, top: tuple[float, ...], rules: Rules) -> bool:
    if rules.dominance is None or amount <= 0:
        return False
    n, k = rules.dominance
    return sum(top[:n]) > k / 100 * amount


def _p_percent(amount: float, top: tuple[float, ...], rules: Rules) -> bool:
    if rules.p_percent is None or amount <= 0 or not top:
        return False
    x1 = top[0]
    x2 = top[1] if len(top) > 1 else 0.0
    return amount - x1 - x2 < rules.p_percent / 100 * x1


def _group_cells(table: Table, rules: Rules) -> set[Key]:
    """Cells holding every unit of their row in a sensitive category: for each dimension of the
    rule, the cell equals the same cell with that dimension at its parent code."""
    out: set[Key] = set()
    for i, dim in enumerate(table.dimensions):
        if dim.name not in rules.group:
            continue
        sensitive = rules.group[dim.name]
        parent_of = {c: p for p, cs in dim.children.items() for c in cs}
        for key, cell in table.cells.items():
            code = key[i]
            if code not in parent_of or (sensitive and code not in sensitive):
                continue
            whole = table.cells[(*key[:i], parent_of[code], *key[i + 1 :])]
            if cell.units > 0 and cell.units == whole.units:
                out.add(key)
    return out
