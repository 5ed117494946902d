"""What an earlier release hid stays hidden (``Withheld``), how the rules apply to controlled
rounding, and cells that are the same across tables (a buurt table's wijk subtotals)."""

from __future__ import annotations

import pytest

from meedoen_data.disclosure import (
    Cell,
    Dimension,
    DisclosureError,
    Release,
    Rules,
    Table,
    Withheld,
    publication_protect,
    publication_round,
    release_json,
    rules_from_json,
)
from meedoen_data.disclosure.table import Key

RULES = Rules(group={})
ROWS = Dimension.flat("wijk", ["W1", "W2", "W3"])
KINDS = Dimension.flat("type", ["eenouder", "paar", "alleen"])
LEAVES = {
    ("W1", "eenouder"): 14, ("W1", "paar"): 40, ("W1", "alleen"): 57,
    ("W2", "eenouder"): 22, ("W2", "paar"): 35, ("W2", "alleen"): 41,
    ("W3", "eenouder"): 30, ("W3", "paar"): 33, ("W3", "alleen"): 50,
}  # fmt: skip


def counts() -> Table:
    return Table.from_leaves("t", [ROWS, KINDS], {k: Cell(v) for k, v in LEAVES.items()})


def hidden_of(release: Release, table: Table) -> dict[Key, str]:
    return {
        tuple(c.labels[d.name] for d in table.dimensions): c.flag or ""
        for c in release.tables[0].cells
        if c.value is None
    }


def withheld(release: Release, table: Table, name: str = "publication 1") -> Withheld:
    return Withheld(
        name, release.rules, {table.identity(k): f for k, f in hidden_of(release, table).items()}
    )


def test_weaker_rules_than_an_earlier_release_are_refused_naming_the_cell() -> None:
    table = counts()
    strict = publication_protect([table], Rules(min_frequency=20, group={}))
    assert ("W1", "eenouder") in hidden_of(strict, table)  # 14 < 20
    earlier = [withheld(strict, table)]
    with pytest.raises(DisclosureError) as refused:
        publication_protect([table], RULES, withheld=earlier)
    message = str(refused.value)
    assert "cell wijk=W1, type=eenouder was hidden in publication 1" in message
    assert "unsafe (frequency)" in message and "minimum frequency 20" in message
    # The same rules again: the same pattern.
    again = publication_protect([table], Rules(min_frequency=20, group={}), withheld=earlier)
    assert hidden_of(again, table) == hidden_of(strict, table)


def test_a_smaller_protection_than_an_earlier_release_is_refused() -> None:
    table = counts()
    wide = publication_protect([table], Rules(min_frequency=15, protection=30, group={}))
    with pytest.raises(DisclosureError, match="protected by at least 30; these rules protect it"):
        publication_protect(
            [table], Rules(min_frequency=15, group={}), withheld=[withheld(wide, table)]
        )


def test_cells_hidden_earlier_stay_hidden_in_a_linked_table() -> None:
    """A filtered table (type = eenouder by wijk) shares its cells with the earlier wijk x type
    table: the cells that table hid stay hidden, also the secondary ones, and the earlier
    unsafe cell is still protected."""
    leaves = {**LEAVES, ("W1", "eenouder"): 3}
    table = Table.from_leaves("t", [ROWS, KINDS], {k: Cell(v) for k, v in leaves.items()})
    first = publication_protect([table], RULES)
    earlier = hidden_of(first, table)
    assert earlier[("W1", "eenouder")] == "primary"
    eenouders = Table.from_leaves(
        "eenouders",
        [ROWS],
        {(w,): Cell(v) for (w, kind), v in leaves.items() if kind == "eenouder"},
        given=[("type", "eenouder")],
    )
    linked = publication_protect([eenouders], RULES, withheld=[withheld(first, table)])
    kept = hidden_of(linked, eenouders)
    shared = {(w,) for (w, kind) in earlier if kind == "eenouder"}
    assert shared <= set(kept), (shared, kept)
    assert kept[("W1",)] == "primary"


def test_rules_survive_their_json_form() -> None:
    rules = Rules(min_frequency=12, dominance=(2, 40.0), p_percent=15.0, protection=14.0,
                  group={"type": frozenset({"eenouder"})}, zeros="protect")  # fmt: skip
    release = publication_protect([counts()], rules)
    assert rules_from_json(release_json(release)["rules"]) == rules
    assert rules_from_json({"min_frequency": 10, "dominance": [1, 50]}).group == {}
    assert rules_from_json({"min_frequency": "nonsense"}) == Rules()


def test_rounding_protects_like_a_minimum_frequency_of_twice_its_base() -> None:
    table = counts()
    assert publication_round([table], RULES).mode == "rounding"
    for strict in (Rules(min_frequency=11, group={}), Rules(protection=12, group={})):
        with pytest.raises(DisclosureError, match="publish with suppression"):
            publication_round([table], strict)
    incomes = Table.from_leaves(
        "inkomen",
        [ROWS],
        {
            ("W1",): Cell(12, 1000.0, (900.0, 20.0, 10.0)),  # one household has 90%
            ("W2",): Cell(30, 3000.0, (200.0, 190.0, 180.0)),
            ("W3",): Cell(30, 3000.0, (200.0, 190.0, 180.0)),
        },
        magnitude=True,
    )
    with pytest.raises(DisclosureError, match="cannot protect a sum: cell wijk=W1 is unsafe"):
        publication_round([incomes], Rules())


def test_a_buurt_tables_wijk_subtotal_is_the_wijk_cell() -> None:
    buurten = Dimension.hierarchy("buurtcode", {"BU1": "WK1", "BU2": "WK1", "BU3": "WK2"})
    buurten = Dimension(
        buurten.name, buurten.children, aliases={"WK1": "wijkcode", "WK2": "wijkcode"}
    )
    wijken = Dimension.flat("wijkcode", ["WK1", "WK2"])
    by_buurt = Table.from_leaves(
        "b", [buurten], {("BU1",): Cell(5), ("BU2",): Cell(7), ("BU3",): Cell(9)}
    )
    by_wijk = Table.from_leaves("w", [wijken], {("WK1",): Cell(12), ("WK2",): Cell(9)})
    assert by_buurt.identity(("WK1",)) == by_wijk.identity(("WK1",)) == (("wijkcode", "WK1"),)
    assert by_buurt.identity(("BU1",)) == (("buurtcode", "BU1"),)
