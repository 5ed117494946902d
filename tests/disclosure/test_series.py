"""The rules of release series and linked releases (meedoen_data.disclosure.series), on their
own: what earlier releases on the same units tell an attacker about a new one."""

from __future__ import annotations

from meedoen_data.disclosure import Cell, Dimension, Rules, Table
from meedoen_data.disclosure.series import (
    EarlierRelease,
    release_cells,
    release_mode_conflict,
    release_series,
    release_shape,
    rounding_history,
    suppression_history,
)

RULES = Rules(min_frequency=10, group={})
WIJK = Dimension.flat("wijk", ["W1", "W2"])
TYPE = Dimension.flat("type", ["eenouder", "paar"])
LEAVES = {("W1", "eenouder"): 4, ("W1", "paar"): 40, ("W2", "eenouder"): 22, ("W2", "paar"): 35}


def table(name: str = "t", dims: tuple[Dimension, ...] = (WIJK, TYPE), **change: int) -> Table:
    leaves = dict(LEAVES)
    for code, value in change.items():
        leaves[tuple(code.split("_"))] = value  # type: ignore[index]
    if len(dims) == 1:
        sums: dict[tuple[str, ...], int] = {}
        for (wijk, _), n in leaves.items():
            sums[(wijk,)] = sums.get((wijk,), 0) + n
        return Table.from_leaves(name, list(dims), {k: Cell(v) for k, v in sums.items()})
    return Table.from_leaves(name, list(dims), {k: Cell(v) for k, v in leaves.items()})


def stored(t: Table, hide: dict[tuple[str, ...], str]) -> list[dict[str, object]]:
    """A release's cells as the publisher stores them."""
    return [
        {
            **{d.name: code for d, code in zip(t.dimensions, key, strict=True)},
            "value": None if key in hide else cell.value,
            "suppressed": hide.get(key),
        }
        for key, cell in t.cells.items()
    ]


def earlier(name: str, series: str, t: Table, again: Table | None, hide) -> EarlierRelease:  # type: ignore[no-untyped-def]
    shape = again if again is not None else t
    cells = release_cells(stored(t, hide), [d.name for d in shape.dimensions])
    return EarlierRelease(name, series, RULES, again, shape, cells)


def test_the_series_is_the_definition_and_not_its_order() -> None:
    one = release_series({"rowvar": "wijk", "colvar": None, "peildatum": "2025-01-01"})
    same = release_series({"peildatum": "2025-01-01", "colvar": None, "rowvar": "wijk"})
    other = release_series({"rowvar": "buurt", "colvar": None, "peildatum": "2025-01-01"})
    assert one == same != other and len(one) == 64


def test_one_mode_per_units() -> None:
    assert release_mode_conflict(earlier=[], mode="rounding") is None
    assert release_mode_conflict(earlier=["suppression", None], mode="suppression") is None
    conflict = release_mode_conflict(earlier=["suppression"], mode="rounding")
    assert conflict is not None and "published before with suppression" in conflict


def test_a_series_gives_known_values_a_linked_table_its_pattern_and_both_what_they_hid() -> None:
    t = table()
    hide = {("W1", "eenouder"): "primary", ("W1", "paar"): "secondary"}
    same = earlier("publication 1", "S", t, t, hide)
    by_wijk = table("w", (WIJK,))
    linked = earlier("publication 2", "L", by_wijk, by_wijk, {})
    known, released, withheld = suppression_history([same, linked], series="S")
    # Known: every value publication 1 showed, by identity.
    assert known[(("type", "paar"), ("wijk", "W2"))] == 35.0
    assert (("type", "eenouder"), ("wijk", "W1")) not in known
    # Linked: the latest release of the other series, named after it, with what it hid.
    assert [(r.name, hidden) for r, hidden in released] == [("publication 2", set())]
    # Withheld: what publication 1 hid stays hidden, by identity, with its flag.
    (hid,) = withheld
    assert hid.release == "publication 1" and not hid.changed
    assert hid.cells == {
        (("type", "eenouder"), ("wijk", "W1")): "primary",
        (("type", "paar"), ("wijk", "W1")): "secondary",
    }


def test_only_the_latest_release_of_another_series_is_linked() -> None:
    t = table()
    first = earlier("publication 1", "L", t, t, {("W1", "eenouder"): "primary"})
    second = earlier("publication 2", "L", t, t, {})
    _, released, withheld = suppression_history([first, second], series="S")
    assert [r.name for r, _ in released] == ["publication 2"]
    assert [w.release for w in withheld] == ["publication 1"]  # what the first hid stays hidden


def test_units_built_again_give_no_known_values_but_what_was_hidden_stays_hidden() -> None:
    before = table()
    now = table(W2_paar=36)  # a new delivery changed a shown cell
    gone = earlier("publication 1", "S", before, now, {("W1", "eenouder"): "primary"})
    known, released, withheld = suppression_history([gone], series="S")
    assert known == {} and released == []
    assert withheld[0].changed and withheld[0].cells
    lost = earlier("publication 2", "L", before, None, {("W1", "eenouder"): "primary"})
    assert lost.changed
    assert suppression_history([lost], series="S")[2][0].changed


def test_a_shape_without_its_table_names_the_cells_with_the_filter() -> None:
    shape = release_shape(name="3", dimensions=["wijk"], unfiltered=None, where=[("type", "paar")])
    assert shape.identity(("W1",)) == (("type", "paar"), ("wijk", "W1"))
    whole = table("w", (WIJK,))
    from_store = release_shape(name="3", dimensions=["wijk"], unfiltered=whole, where=[])
    assert from_store.cells == {} and from_store.dimensions == whole.dimensions


def test_rounding_history_keeps_every_shown_value_also_of_changed_units() -> None:
    t = table()
    rounded = earlier("publication 1", "S", t, table(W2_paar=99), {("W1", "eenouder"): "primary"})
    (shown,) = rounding_history([rounded])
    assert shown.release == "publication 1"
    assert shown.cells[(("type", "paar"), ("wijk", "W2"))] == 35.0
    assert (("type", "eenouder"), ("wijk", "W1")) not in shown.cells
