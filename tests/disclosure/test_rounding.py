"""Controlled rounding to base 5: every cell up or down to a neighbouring multiple, multiples
(and 0) unchanged, every total and subtotal still adding up, at the least total deviation."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meedoen_data.disclosure.rounding import Rounded, RoundingError, table_round
from meedoen_data.disclosure.table import Cell, Dimension, Key, Table


def grid(counts: list[list[int]]) -> Table:
    """A 2-D table (rows x columns, with margins) from its leaf counts."""
    rows = Dimension.flat("wijk", [f"W{i}" for i in range(len(counts))])
    cols = Dimension.flat("type", [f"T{j}" for j in range(len(counts[0]))])
    leaves = {
        (f"W{i}", f"T{j}"): Cell(value)
        for i, row in enumerate(counts)
        for j, value in enumerate(row)
    }
    return Table.from_leaves("wijk x type", (rows, cols), leaves)


def assert_controlled(table: Table, rounded: Rounded, base: int = 5) -> None:
    """Every promise of a controlled rounding, checked cell by cell and relation by relation."""
    assert rounded.base == base
    assert set(rounded.values) == set(table.cells)
    for key, cell in table.cells.items():
        value = rounded.values[key]
        assert isinstance(value, int)
        assert value % base == 0, key
        assert abs(value - cell.value) < base, key
        assert value in (base * math.floor(cell.value / base), base * math.ceil(cell.value / base))
        if cell.value % base == 0:
            assert value == cell.value, key  # zero-restricted: multiples (and 0) stay
    relations = list(table.relations())
    assert relations
    for head, parts in relations:
        assert rounded.values[head] == sum(rounded.values[p] for p in parts), head
    expected = math.fsum(abs(rounded.values[k] - c.value) for k, c in table.cells.items())
    assert rounded.loss == pytest.approx(expected)
    assert rounded.seconds >= 0


def test_a_two_dimensional_table_with_margins() -> None:
    table = grid([[3, 0, 12, 7], [1, 5, 8, 14], [22, 9, 10, 4]])
    rounded = table_round(table)
    assert_controlled(table, rounded)
    assert rounded.optimal
    assert rounded.values[("W0", "T1")] == 0
    assert rounded.values[("W1", "T1")] == 5
    assert rounded.values[("W2", "T2")] == 10
    grand = ("Totaal", "Totaal")
    assert table.cells[grand].units == 95 and rounded.values[grand] == 95


def test_a_hierarchy_crossed_with_a_flat_dimension() -> None:
    parents = {"B11": "W1", "B12": "W1", "B21": "W2", "B22": "W2", "B23": "W2"}
    buurt = Dimension.hierarchy("buurt", parents)  # gemeente (Totaal) > wijk > buurt
    kind = Dimension.flat("huishouden", ["alleenstaand", "paar", "gezin"])
    counts = [[3, 11, 6], [0, 7, 2], [14, 1, 9], [5, 8, 13], [2, 4, 21]]
    leaves = {
        (b, k): Cell(counts[i][j])
        for i, b in enumerate(["B11", "B12", "B21", "B22", "B23"])
        for j, k in enumerate(["alleenstaand", "paar", "gezin"])
    }
    table = Table.from_leaves("buurt x huishouden", (buurt, kind), leaves)
    heads = {head for head, _ in table.relations()}
    assert ("W1", "Totaal") in heads and ("W2", "gezin") in heads  # wijk levels are relations
    rounded = table_round(table)
    assert_controlled(table, rounded)
    assert rounded.optimal


@st.composite
def tables(draw: st.DrawFn) -> Table:
    rows = draw(st.integers(min_value=2, max_value=6))
    cols = draw(st.integers(min_value=2, max_value=6))
    counts = draw(
        st.lists(
            st.lists(st.integers(min_value=0, max_value=40), min_size=cols, max_size=cols),
            min_size=rows,
            max_size=rows,
        )
    )
    return grid(counts)


@settings(max_examples=50, deadline=None)
@given(tables())
def test_a_two_dimensional_table_always_has_a_controlled_rounding(table: Table) -> None:
    # A theorem (Cox 1987): a 2-D table with its margins always has one; so no RoundingError.
    rounded = table_round(table)
    assert_controlled(table, rounded)
    assert rounded.optimal


def test_a_magnitude_table_is_rounded_on_its_amounts() -> None:
    rows = Dimension.flat("wijk", ["W1", "W2"])
    cols = Dimension.flat("regeling", ["Wmo", "Jeugdwet"])
    leaves = {
        ("W1", "Wmo"): Cell(3, 1250.75),
        ("W1", "Jeugdwet"): Cell(2, 333.5),
        ("W2", "Wmo"): Cell(4, 910.0),
        ("W2", "Jeugdwet"): Cell(1, 42.25),
    }
    table = Table.from_leaves("bedragen", (rows, cols), leaves, magnitude=True)
    rounded = table_round(table)
    assert_controlled(table, rounded)
    assert rounded.values[("W2", "Wmo")] == 910


def brute_force_loss(table: Table, base: int) -> float:
    """The least total deviation over every up/down choice that adds up."""
    keys = list(table.cells)
    free = [k for k in keys if table.cells[k].value % base]
    relations = list(table.relations())
    best = math.inf
    for ups in itertools.product((0, 1), repeat=len(free)):
        values: dict[Key, float] = {k: base * math.floor(table.cells[k].value / base) for k in keys}
        for key, up in zip(free, ups, strict=True):
            values[key] += base * up
        if all(values[h] == sum(values[p] for p in parts) for h, parts in relations):
            loss = sum(abs(values[k] - table.cells[k].value) for k in keys)
            best = min(best, loss)
    return best


def test_the_loss_is_minimal_by_hand() -> None:
    # 3 + 3 = 6: the total becomes 5 (one part up, the other down: 2 + 3 + 1 = 6) or 10 (both
    # up: 2 + 2 + 4 = 8); 5 is closest.
    dim = Dimension.flat("type", ["a", "b"])
    table = Table.from_leaves("klein", (dim,), {("a",): Cell(3), ("b",): Cell(3)})
    rounded = table_round(table)
    assert_controlled(table, rounded)
    assert rounded.loss == 6
    assert rounded.values[("Totaal",)] == 5
    assert sorted([rounded.values[("a",)], rounded.values[("b",)]]) == [0, 5]


@pytest.mark.parametrize(
    "counts", [[[1, 2], [3, 4]], [[6, 3, 1], [2, 7, 4]], [[13, 2], [4, 8], [1, 9]]]
)
def test_the_loss_is_minimal_against_brute_force(counts: list[list[int]]) -> None:
    table = grid(counts)
    rounded = table_round(table)
    assert_controlled(table, rounded)
    assert rounded.optimal
    assert rounded.loss == pytest.approx(brute_force_loss(table, 5))


def test_a_table_of_multiples_is_unchanged() -> None:
    table = grid([[0, 5, 10], [25, 0, 15]])
    rounded = table_round(table)
    assert rounded.values == {k: int(c.value) for k, c in table.cells.items()}
    assert rounded.loss == 0 and rounded.optimal


#: Leaves of a 3 x 3 x 3 table in which every line (two coordinates fixed) holds 0 or 2 of
#: them; the lines between them contain the odd cycle (0,0,0) (1,0,0) (1,1,0) (2,1,0) (2,1,1)
#: (0,1,1) (0,0,1).
ODD = [
    (0, 0, 0), (0, 0, 1), (0, 1, 1), (0, 1, 2), (0, 2, 0), (0, 2, 2), (1, 0, 0), (1, 0, 1),
    (1, 1, 0), (1, 1, 2), (1, 2, 1), (1, 2, 2), (2, 1, 0), (2, 1, 1), (2, 2, 0), (2, 2, 1),
]  # fmt: skip


@pytest.mark.parametrize(("base", "half"), [(10, 5), (2, 1)])
def test_a_three_dimensional_table_without_controlled_rounding(base: int, half: int) -> None:
    # Half a base in every ODD leaf, 0 elsewhere: every line sums to 0 or one base, so every
    # margin is a multiple and stays; in each line with two ODD leaves exactly one goes up and
    # the other down. Around an odd cycle of such lines that cannot alternate: no rounding.
    for axis in range(3):
        for rest in itertools.product(range(3), repeat=2):
            line = [(*rest[:axis], v, *rest[axis:]) for v in range(3)]
            assert sum(cell in ODD for cell in line) in (0, 2)
    dims = [Dimension.flat(name, [f"{name}{i}" for i in range(3)]) for name in "abc"]
    leaves = {
        tuple(f"{name}{i}" for name, i in zip("abc", cell, strict=True)): Cell(half) for cell in ODD
    }
    table = Table.from_leaves("3-D", dims, leaves)
    with pytest.raises(RoundingError, match=r"does not exist.*suppression instead"):
        table_round(table, base=base)


def test_a_table_that_does_not_add_up_is_refused() -> None:
    table = grid([[1, 2], [3, 4]])
    table.cells[("Totaal", "Totaal")] = Cell(11)
    with pytest.raises(RoundingError, match="does not add up before rounding"):
        table_round(table)


def test_the_base_must_be_positive() -> None:
    with pytest.raises(ValueError, match="base"):
        table_round(grid([[1, 2], [3, 4]]), base=0)
