"""Primary and secondary suppression, proven by the audit's attack: tables where suppressing
only the unsafe cells leaks (the attack finds it) and where secondary suppression prevents it,
for a table with margins, a hierarchical table, linked tables and a series of releases; and
random tables (hypothesis) that must all pass the audit."""

from __future__ import annotations

import dataclasses
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meedoen_data.disclosure import (
    Cell,
    Dimension,
    DisclosureError,
    Release,
    Rules,
    Table,
    primary_cells,
    publication_audit,
    publication_protect,
    release_csv,
    release_json,
)
from meedoen_data.disclosure.table import Key

RULES = Rules(group={})


def counts(name: str, dims: list[Dimension], values: dict[Key, int]) -> Table:
    return Table.from_leaves(name, dims, {k: Cell(v) for k, v in values.items()})


def hidden(release: Release, tables: list[Table]) -> dict[str, set[Key]]:
    out = {}
    for published, table in zip(release.tables, tables, strict=True):
        out[table.name] = {
            tuple(c.labels[d.name] for d in table.dimensions)
            for c in published.cells
            if c.value is None
        }
    return out


def unsafe(tables: list[Table], rules: Rules = RULES) -> dict[str, set[Key]]:
    return {t.name: set(primary_cells(t, rules)) for t in tables}


def test_a_row_with_one_hidden_cell_and_its_total_leaks_until_secondary_suppression() -> None:
    rows = Dimension.flat("wijk", ["W1", "W2", "W3"])
    cols = Dimension.flat("type", ["eenouder", "paar", "alleen"])
    table = counts(
        "t",
        [rows, cols],
        {
            ("W1", "eenouder"): 3, ("W1", "paar"): 40, ("W1", "alleen"): 57,
            ("W2", "eenouder"): 22, ("W2", "paar"): 35, ("W2", "alleen"): 41,
            ("W3", "eenouder"): 18, ("W3", "paar"): 29, ("W3", "alleen"): 60,
        },
    )  # fmt: skip
    assert primary_cells(table, RULES) == {("W1", "eenouder"): "frequency"}
    # Naive: hide only the unsafe cell. W1's total minus the others gives it back exactly.
    naive = publication_audit([table], unsafe([table]), unsafe([table]), RULES)
    assert not naive.safe
    [exposure] = naive.exposures
    assert (exposure.lower, exposure.upper) == (3.0, 3.0)
    release = publication_protect([table], RULES)
    attack = publication_audit([table], hidden(release, [table]), unsafe([table]), RULES)
    assert attack.safe
    low, high = attack.intervals[table.identity(("W1", "eenouder"))]
    assert high - low >= RULES.min_frequency
    assert release.summary["secondary"] >= 3  # at least a rectangle of four cells
    csv = release_csv(release)
    assert "W1,eenouder,x\n" in csv and ",0\n" not in csv.replace("Totaal,Totaal", "")
    cells = release_json(release)["tables"][0]["cells"]
    flags = {(c["wijk"], c["type"]): c["suppressed"] for c in cells}
    assert flags[("W1", "eenouder")] == "primary"
    assert sorted(flags.values(), key=str).count("secondary") == release.summary["secondary"]
    assert {c["value"] for c in cells if c["suppressed"]} == {None}
    assert flags[("Totaal", "Totaal")] is None  # margins are cells too, labelled Totaal


def test_a_hierarchical_table_is_attacked_across_its_levels() -> None:
    """buurt < wijk < gemeente: a wijk subtotal is one more equation for the attacker."""
    area = Dimension.hierarchy(
        "buurtcode", {"B1": "W1", "B2": "W1", "B3": "W2", "B4": "W2", "B5": "W2"}
    )
    kind = Dimension.flat("type", ["eenouder", "overig"])
    table = counts(
        "t",
        [area, kind],
        {
            ("B1", "eenouder"): 4, ("B1", "overig"): 50, ("B2", "eenouder"): 30,
            ("B2", "overig"): 61, ("B3", "eenouder"): 12, ("B3", "overig"): 45,
            ("B4", "eenouder"): 25, ("B4", "overig"): 33, ("B5", "eenouder"): 17,
            ("B5", "overig"): 70,
        },
    )  # fmt: skip
    assert ("W1", "eenouder") in table.cells and ("Totaal", "Totaal") in table.cells
    naive = publication_audit([table], unsafe([table]), unsafe([table]), RULES)
    assert not naive.safe
    release = publication_protect([table], RULES)
    attack = publication_audit([table], hidden(release, [table]), unsafe([table]), RULES)
    assert attack.safe and attack.intervals
    # Hiding B1 and B2's "eenouder" cells alone is not enough: the wijk W1 subtotal and the
    # B1/B2 row totals pin them down; the pattern reaches beyond one level.
    assert len(hidden(release, [table])["t"]) > 2


def _linked(seed: int) -> list[Table]:
    """Three tables of the same households: wijk x type, wijk x children, type x children."""
    rnd = random.Random(seed)
    wijk = Dimension.flat("wijk", ["W1", "W2", "W3", "W4"])
    kind = Dimension.flat("type", ["een", "paar", "gezin"])
    kids = Dimension.flat("kind", ["0", "1", "2+"])
    units = [
        (
            rnd.choices(wijk.leaves(), weights=[1, 1, 4, 6])[0],
            rnd.choice(kind.leaves()),
            rnd.choices(kids.leaves(), weights=[5, 1, 1])[0],
        )
        for _ in range(rnd.randint(25, 60))
    ]

    def table(name: str, dims: list[Dimension], pos: tuple[int, int]) -> Table:
        leaves: dict[Key, int] = {}
        for unit in units:
            key = tuple(unit[p] for p in pos)
            leaves[key] = leaves.get(key, 0) + 1
        return counts(name, dims, leaves)

    return [
        table("a", [wijk, kind], (0, 1)),
        table("b", [wijk, kids], (0, 2)),
        table("c", [kind, kids], (1, 2)),
    ]


@pytest.mark.parametrize("seed", [156, 159])
def test_linked_tables_protected_one_by_one_leak_and_together_do_not(seed: int) -> None:
    """Each table protected on its own passes its own audit, but together the tables share
    margins: a margin one table hides another publishes. Protected together they are safe."""
    tables = _linked(seed)
    alone = {}
    for table in tables:
        release = publication_protect([table], RULES, cost="cells")
        alone.update(hidden(release, [table]))
    combined = publication_audit(tables, alone, unsafe(tables), RULES)
    assert not combined.safe, "this seed should show the leak"
    together = publication_protect(tables, RULES, cost="cells")
    assert publication_audit(tables, hidden(together, tables), unsafe(tables), RULES).safe
    # A cell the tables share is hidden in all of them or in none.
    shared = {}
    for published, table in zip(together.tables, tables, strict=True):
        for cell in published.cells:
            key = tuple(cell.labels[d.name] for d in table.dimensions)
            shared.setdefault(table.identity(key), set()).add(cell.value is None)
    assert all(len(states) == 1 for states in shared.values())


def test_a_series_release_respects_what_the_earlier_release_published() -> None:
    """The same table released again with other costs hides other cells: combined with the
    first release, the second leaks — unless the first release's values are known to it."""
    for seed in range(40):
        [table, *_] = _linked(seed)
        first = publication_protect([table], RULES)
        known = {
            table.identity(tuple(c.labels[d.name] for d in table.dimensions)): c.value
            for c in first.tables[0].cells
            if c.value is not None
        }
        second = publication_protect([table], RULES, cost="cells")
        second_hidden = hidden(second, [table])
        naive = publication_audit([table], second_hidden, unsafe([table]), RULES, known=known)
        if naive.safe:
            continue
        careful = publication_protect([table], RULES, cost="cells", known=known)
        attack = publication_audit(
            [table], hidden(careful, [table]), unsafe([table]), RULES, known=known
        )
        assert attack.safe
        return
    pytest.fail("no seed showed a leak between releases")


def test_magnitude_rules_dominance_and_p_percent() -> None:
    area = Dimension.flat("wijk", ["W1", "W2", "W3"])
    leaves = {
        ("W1",): Cell(12, 1000.0, (900.0, 20.0, 10.0)),  # one household has 90%: dominance
        ("W2",): Cell(15, 1000.0, (500.0, 460.0, 20.0)),  # second estimates the first: p%
        ("W3",): Cell(30, 3000.0, (200.0, 190.0, 180.0)),  # safe
    }
    table = Table.from_leaves("t", [area], leaves, magnitude=True)
    assert primary_cells(table, Rules()) == {("W1",): "dominance", ("W2",): "p%"}
    assert table.cells[("Totaal",)].top == (900.0, 500.0, 460.0)
    release = publication_protect([table], Rules(), measure="besteedbaar_inkomen")
    assert release_csv(release).splitlines()[0] == "wijk,besteedbaar_inkomen"


def test_group_disclosure_and_the_zero_policy() -> None:
    area = Dimension.flat("buurt", ["B1", "B2"])
    care = Dimension.flat("jeugdhulp", ["ja", "nee"])
    values = {("B1", "ja"): 12, ("B1", "nee"): 0, ("B2", "ja"): 20, ("B2", "nee"): 30}
    table = counts("t", [area, care], values)
    assert primary_cells(table, Rules(group={"jeugdhulp": frozenset({"ja"})})) == {
        ("B1", "ja"): "group"
    }
    assert primary_cells(table, Rules(group={})) == {}
    assert primary_cells(table, Rules(group={}, zeros="protect")) == {("B1", "nee"): "zero"}


def test_percentages_are_withheld_with_the_counts_they_come_from() -> None:
    rows = Dimension.flat("wijk", ["W1", "W2", "W3"])
    cols = Dimension.flat("type", ["a", "b"])
    table = counts(
        "t",
        [rows, cols],
        {("W1", "a"): 3, ("W1", "b"): 40, ("W2", "a"): 20, ("W2", "b"): 30, ("W3", "a"): 25,
         ("W3", "b"): 35},
    )  # fmt: skip
    release = publication_protect([table], RULES)
    for cell in release.tables[0].cells:
        row = release.tables[0].cells
        if cell.value is None:
            assert cell.percent_of_row is None
        total = next(
            c
            for c in row
            if c.labels["wijk"] == cell.labels["wijk"] and c.labels["type"] == "Totaal"
        )
        if total.value is None:
            assert cell.percent_of_row is None
    shown = [c for c in release.tables[0].cells if c.percent_of_row is not None]
    assert shown and all(0 <= c.percent_of_row <= 100 for c in shown)


def test_nothing_but_a_release_of_the_protection_is_published() -> None:
    rows = Dimension.flat("wijk", ["W1", "W2"])
    table = counts("t", [rows], {("W1",): 30, ("W2",): 40})
    release = publication_protect([table], RULES)
    with pytest.raises(DisclosureError):
        Release(release.tables, release.mode, release.rules, release.summary)
    with pytest.raises(DisclosureError):
        dataclasses.replace(release, tables=(dataclasses.replace(release.tables[0], cells=()),))
    with pytest.raises(DisclosureError):
        release_csv({"tables": []})  # type: ignore[arg-type]
    assert release_json(release)["tables"][0]["cells"][0]["value"] == 70


def test_a_table_too_small_to_protect_is_refused() -> None:
    rows = Dimension.flat("wijk", ["W1"])
    table = counts("t", [rows], {("W1",): 4})  # the total equals the one cell
    release = publication_protect([table], RULES)
    assert all(c.value is None for c in release.tables[0].cells)


@st.composite
def tables(draw: st.DrawFn) -> Table:
    n_rows = draw(st.integers(2, 5))
    n_cols = draw(st.integers(2, 4))
    layers = draw(st.integers(1, 2))
    dims = [
        Dimension.flat("r", [f"r{i}" for i in range(n_rows)]),
        Dimension.flat("c", [f"c{j}" for j in range(n_cols)]),
    ]
    if layers == 2:
        dims.append(Dimension.flat("l", ["l0", "l1"]))
    if draw(st.booleans()):  # rows grouped into two or three "wijken": a hierarchy
        groups = draw(st.integers(2, 3))
        parents = {f"r{i}": f"w{i % groups}" for i in range(n_rows)}
        dims[0] = Dimension.hierarchy("r", parents)
    leaves = {}
    for key in __import__("itertools").product(*(d.leaves() for d in dims)):
        leaves[key] = draw(st.sampled_from([0, 0, 1, 2, 3, 5, 8, 9, 10, 12, 20, 35, 60]))
    return counts("t", dims, leaves)


@settings(max_examples=60, deadline=None)
@given(tables())
def test_every_released_random_table_passes_the_audit(table: Table) -> None:
    release = publication_protect([table], RULES)
    attack = publication_audit([table], hidden(release, [table]), unsafe([table]), RULES)
    assert attack.safe, attack.exposures
    assert set(primary_cells(table, RULES)) <= hidden(release, [table])["t"]


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 100_000))
def test_every_release_of_random_linked_tables_passes_the_joint_audit(seed: int) -> None:
    tables = _linked(seed)
    release = publication_protect(tables, RULES, cost="cells")
    attack = publication_audit(tables, hidden(release, tables), unsafe(tables), RULES)
    assert attack.safe, attack.exposures


@pytest.mark.parametrize("seed", [156, 159])
def test_a_table_published_after_a_linked_one_is_protected_with_it(seed: int) -> None:
    """The tables of one activity are published one by one: each later table is protected and
    audited together with the released ones, whose pattern stays as it was published."""
    tables = _linked(seed)
    released: list[tuple[Table, set[Key]]] = []
    for table in tables:
        release = publication_protect([table], RULES, cost="cells", released=released)
        assert [t.name for t in release.tables] == [table.name]
        assert release.summary["linked_releases"] == len(released)
        released.append((table, hidden(release, [table])[table.name]))
    patterns = {table.name: cells for table, cells in released}
    assert publication_audit(tables, patterns, unsafe(tables), RULES).safe
