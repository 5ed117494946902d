"""Everything published for one peildatum, attacked together (issue 18): random municipalities
(hypothesis) whose dashboard indicators (by buurt with the wijk subtotals, x the indicator's
flag, one of them only among the households it counts) and table-builder tables (by wijk, up to
three variables) are released one after another the way the web app releases them — each
protected with every release before it — and then attacked as one linear programme over all of
them. No hidden cell may be narrowed below its protection level; a table that cannot be protected
is refused and not published, as the services do."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meedoen_data.disclosure import (
    Cell,
    Dimension,
    DisclosureError,
    Rules,
    Table,
    primary_cells,
    publication_audit,
    publication_protect,
)
from meedoen_data.disclosure.table import Key

RULES = Rules(group={})
WIJK_OF = {"B1": "W1", "B2": "W1", "B3": "W2", "B4": "W2", "B5": "W3", "B6": "W3"}
TYPES = ["eenpersoons", "paar", "eenouder", "gezin"]

Unit = tuple[str, str, str, str]  # buurt, type, ind_a, ind_b

units = st.lists(
    st.tuples(
        st.sampled_from(sorted(WIJK_OF)),
        st.sampled_from(TYPES),
        st.sampled_from(["0", "0", "0", "1"]),
        st.sampled_from(["0", "0", "1"]),
    ),
    min_size=40,
    max_size=160,
)


def buurt_dimension() -> Dimension:
    """buurt > wijk > gemeente, the wijk subtotals the cells of a table by wijk (as meedoen's
    household tables make it)."""
    hierarchy = Dimension.hierarchy("buurtcode", WIJK_OF)
    return replace(hierarchy, aliases=dict.fromkeys(sorted(set(WIJK_OF.values())), "wijkcode"))


def table(
    name: str,
    dimensions: list[Dimension],
    rows: list[Unit],
    key: object,
    given: tuple[tuple[str, str], ...] = (),
) -> Table:
    leaves: dict[Key, Cell] = {}
    for unit in rows:
        k = key(unit)  # type: ignore[operator]
        leaves[k] = Cell(leaves.get(k, Cell(0)).units + 1)
    return Table.from_leaves(name, dimensions, leaves, given=given)


def tables_of(rows: list[Unit]) -> list[Table]:
    wijk = Dimension.flat("wijkcode", sorted(set(WIJK_OF.values())))
    kind = Dimension.flat("household_type", TYPES)
    flag_a = Dimension.flat("ind_a", ["1", "0"])
    flag_b = Dimension.flat("ind_b", ["1", "0"])
    gezin = [u for u in rows if u[1] == "gezin"]
    return [
        # The dashboard: indicator a per buurt; indicator b per buurt among the gezinnen.
        table("ind_a", [buurt_dimension(), flag_a], rows, lambda u: (u[0], u[2])),
        table(
            "ind_b",
            [buurt_dimension(), flag_b],
            gezin,
            lambda u: (u[0], u[3]),
            given=(("household_type", "gezin"),),
        ),
        # The table builder: by wijk, type and indicator a; by wijk and type.
        table(
            "builder_3",
            [wijk, kind, flag_a],
            rows,
            lambda u: (WIJK_OF[u[0]], u[1], u[2]),
        ),
        table("builder_2", [wijk, kind], rows, lambda u: (WIJK_OF[u[0]], u[1])),
    ]


def hidden_of(release: object, made: Table) -> set[Key]:
    [published] = release.tables  # type: ignore[attr-defined]
    return {
        tuple(c.labels[d.name] for d in made.dimensions) for c in published.cells if c.value is None
    }


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(units)
def test_everything_released_for_a_peildatum_withstands_one_attack(rows: list[Unit]) -> None:
    released: list[tuple[Table, set[Key]]] = []
    for made in tables_of(rows):
        if not made.cells:
            continue
        try:
            release = publication_protect([made], RULES, released=list(released))
        except DisclosureError:
            continue  # refused: not published, as the services report it
        released.append((made, hidden_of(release, made)))
    if not released:
        return
    tables = [t for t, _ in released]
    audit = publication_audit(
        tables,
        {t.name: hidden for t, hidden in released},
        {t.name: set(primary_cells(t, RULES)) for t in tables},
        RULES,
    )
    assert audit.safe, audit.exposures
