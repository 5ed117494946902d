"""Everything a target-group study publishes, attacked together (issue 19): random
municipalities (hypothesis) whose group (e.g. the food bank's clients) is compared with all
households — tables "characteristic x group flag" — and whose group is split into segments —
tables "characteristic x segment" among the group's households only — released one after another
the way `meedoen segment` releases them (each protected with every release before it, the group
rule on the column variable as the services set it), then attacked as one linear programme. No
hidden cell may be narrowed below its protection level; a table that cannot be protected is
refused and not published, as the services do."""

from __future__ import annotations

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
from meedoen_data.disclosure.publish import Withheld
from meedoen_data.disclosure.table import Key

TYPES = ["eenpersoons", "paar", "eenouder", "gezin"]
SEGMENTS = ["1", "2", "3"]

Unit = tuple[str, str, str, str]  # type, bijstand, in the group, segment ("" outside the group)


@st.composite
def municipalities(draw: st.DrawFn) -> list[Unit]:
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(TYPES),
                st.sampled_from(["0", "0", "1"]),
                st.sampled_from(["0", "0", "0", "1"]),
                st.sampled_from(SEGMENTS),
            ),
            min_size=60,
            max_size=200,
        )
    )
    return [(t, b, g, s if g == "1" else "") for t, b, g, s in rows]


def rules_for(colvar: str) -> Rules:
    return Rules(group={colvar: frozenset()})


def table(
    name: str, dimensions: list[Dimension], rows: list[Unit], key: object, given: tuple = ()
) -> Table:
    leaves: dict[Key, Cell] = {}
    for unit in rows:
        k = key(unit)  # type: ignore[operator]
        leaves[k] = Cell(leaves.get(k, Cell(0)).units + 1)
    return Table.from_leaves(name, dimensions, leaves, given=given)


def tables_of(rows: list[Unit]) -> list[tuple[Table, Rules]]:
    kind = Dimension.flat("household_type", TYPES)
    bijstand = Dimension.flat("ind_bijstand", ["1", "0"])
    flag = Dimension.flat("ind_groep", ["1", "0"])
    segment = Dimension.flat("seg_run", SEGMENTS)
    group = [u for u in rows if u[2] == "1"]
    only = (("ind_groep", "1"),)
    return [
        # The comparison (meedoen compare): every characteristic x the group's flag.
        (table("type", [kind, flag], rows, lambda u: (u[0], u[2])), rules_for("ind_groep")),
        (table("bijstand", [bijstand, flag], rows, lambda u: (u[1], u[2])), rules_for("ind_groep")),
        # The profile (meedoen segment): every characteristic x segment, the group only.
        (
            table("type_seg", [kind, segment], group, lambda u: (u[0], u[3]), only),
            rules_for("seg_run"),
        ),
        (
            table("bijstand_seg", [bijstand, segment], group, lambda u: (u[1], u[3]), only),
            rules_for("seg_run"),
        ),
    ]


def hidden_of(release: object, made: Table) -> set[Key]:
    [published] = release.tables  # type: ignore[attr-defined]
    return {
        tuple(c.labels[d.name] for d in made.dimensions) for c in published.cells if c.value is None
    }


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(municipalities())
def test_a_compared_and_segmented_group_withstands_one_attack(rows: list[Unit]) -> None:
    released: list[tuple[Table, set[Key]]] = []
    withheld: list[Withheld] = []
    unsafe: dict[str, set[Key]] = {}
    for made, rules in tables_of(rows):
        if not made.cells:
            continue
        try:
            # As the services pass it (suppression_history): every earlier release with the
            # cells it hid, and which of them were unsafe under that release's own rules.
            release = publication_protect(
                [made], rules, released=list(released), withheld=list(withheld)
            )
        except DisclosureError:
            continue  # refused: not published, as the services report it
        hidden = hidden_of(release, made)
        released.append((made, hidden))
        unsafe[made.name] = set(primary_cells(made, rules))
        withheld.append(
            Withheld(
                release=made.name,
                rules=rules,
                cells={
                    made.identity(k): "primary" if k in unsafe[made.name] else "secondary"
                    for k in hidden
                },
            )
        )
    if not released:
        return
    tables = [t for t, _ in released]
    assert all(unsafe[t.name] <= hidden for t, hidden in released)
    audit = publication_audit(
        tables, {t.name: hidden for t, hidden in released}, unsafe, Rules(group={})
    )
    assert audit.safe, audit.exposures
