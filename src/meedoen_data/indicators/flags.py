"""Register indicators as variables of the household table (issue 18).

Each register indicator ``x`` of the catalogue becomes two variables a table may be made by:
``ind_x`` — ``1`` when the household meets the numerator's conditions, ``0`` when not,
``onbekend`` when a column it needs is empty for this household (e.g. no CBS income) — and
``pop_x`` — ``1`` when it belongs to the denominator. A dashboard figure is then an ordinary
table (:func:`meedoen_data.disclosure.household.household_table`): households by wijk x
``ind_x``, filtered on ``pop_x = 1`` when the indicator has a denominator. Its ``Totaal``
column is the denominator, so the same disclosure control, release series and audit against
every earlier release apply as to any table — an indicator's "households by wijk" is the same
cell as the one in a table of households by wijk.

The relation is SQL written here from the catalogue's closed lists: column names are quoted,
operators come from :data:`~.catalogue.OPERATORS`, values are bound parameters.
"""

from __future__ import annotations

from collections.abc import Sequence

from meedoen_data.indicators.catalogue import (
    HOUSEHOLD_COLUMNS,
    OPERATORS,
    Condition,
    Indicator,
)
from meedoen_data.intake.sql import ident

UNKNOWN = "onbekend"
#: Columns made from others (catalogue.DERIVED_COLUMNS).
_DERIVED = {
    "wmo": " + ".join(f"y.wmo_{n:02d}" for n in range(1, 19)),
    # As the build's household_stacking counts youth care: every kind, protection included.
    "jeugd": "y.jeugd_zonder_verblijf + y.jeugd_met_verblijf + y.jeugdbescherming "
    "+ y.jeugdreclassering",
}


def indicator_variable(indicator_id: str) -> str:
    return f"ind_{indicator_id}"


def population_variable(indicator_id: str) -> str:
    return f"pop_{indicator_id}"


def flag_variables(indicators: Sequence[Indicator]) -> dict[str, str]:
    """The variables the register ``indicators`` add, with what they mean."""
    out: dict[str, str] = {}
    for i in indicators:
        if i.status == "register":
            out[indicator_variable(i.id)] = f"{i.name}: 1 yes, 0 no ({i.id})"
            out[population_variable(i.id)] = f"{i.name}: 1 in the denominator ({i.id})"
    return out


def flag_relation(indicators: Sequence[Indicator]) -> tuple[str, list[object]]:
    """``(SQL, parameters)`` of a relation with every column of ``household.household`` and the
    flags of the register ``indicators``, for ``FROM (…) AS household``."""
    params: list[object] = []
    flags = []
    for i in indicators:
        if i.status != "register":
            continue
        numerator, values = _all(i.numerator)
        flags.append(_flag(numerator, indicator_variable(i.id)))
        params += values
        denominator, values = _all(i.denominator) if i.denominator else ("TRUE", [])
        flags.append(_flag(denominator, population_variable(i.id)))
        params += values
    # Names are quoted, operators from a closed list, values bound (see the module's text).
    sql = (
        "SELECT h.*, " + ", ".join(flags) + " FROM household.household h "  # noqa: S608
        "LEFT JOIN household.household_year y "
        "ON y.household_id = h.household_id AND y.peildatum = h.peildatum AND y.period = 0"
    )
    return sql, params


def linked_sources(indicators: Sequence[Indicator]) -> set[str]:
    """The partner files the ``indicators`` need links of."""
    found: set[str] = set()

    def walk(conditions: tuple[Condition, ...]) -> None:
        for c in conditions:
            if c.linked:
                found.add(c.linked)
            walk(c.any_of)

    for i in indicators:
        walk(i.numerator)
        walk(i.denominator)
    return found


def columns_of(indicator: Indicator) -> set[str]:
    """The household and year columns an indicator's conditions read."""
    found: set[str] = set()

    def walk(conditions: tuple[Condition, ...]) -> None:
        for c in conditions:
            if c.column in _DERIVED:
                found.update(part.strip()[2:] for part in _DERIVED[c.column].split("+"))
            elif c.column:
                found.add(c.column)
            walk(c.any_of)

    walk(indicator.numerator)
    walk(indicator.denominator)
    return found


def _flag(condition: str, name: str) -> str:
    """``1``/``0``/``onbekend``: the condition is evaluated once (a simple CASE); it is NULL
    when a value it needs is missing."""
    return (
        f"CASE ({condition}) WHEN TRUE THEN '1' WHEN FALSE THEN '0' ELSE '{UNKNOWN}' END "
        f"AS {ident(name)}"
    )


def _all(conditions: tuple[Condition, ...]) -> tuple[str, list[object]]:
    """The conditions joined by AND, with their values in the order of the SQL."""
    parts = [_condition(c) for c in conditions]
    return " AND ".join(f"({sql})" for sql, _ in parts), [v for _, vs in parts for v in vs]


def _condition(c: Condition) -> tuple[str, list[object]]:
    if c.linked:
        return (
            "EXISTS (SELECT 1 FROM link.partner_link l JOIN household.household_member m "
            "ON m.person_id = l.person_id AND m.peildatum = h.peildatum "
            "WHERE l.source = ? AND m.household_id = h.household_id)",
            [c.linked],
        )
    if c.any_of:
        # At least k of the parts: TRUE when k are TRUE, FALSE when k cannot be reached even
        # if every unknown part were TRUE, else unknown (NULL).
        parts = [_condition(p) for p in c.any_of]
        true = " + ".join(f"CAST(({sql}) IS TRUE AS INTEGER)" for sql, _ in parts)
        unknown = " + ".join(f"CAST(({sql}) IS NULL AS INTEGER)" for sql, _ in parts)
        values = [v for _, vs in parts for v in vs]
        k = int(c.at_least)
        return (
            f"CASE WHEN ({true}) >= {k} THEN TRUE WHEN ({true}) + ({unknown}) < {k} THEN FALSE END",
            values * 3,
        )
    if c.operator not in OPERATORS:  # checked when read; never write anything else
        raise ValueError(f"operator {c.operator!r}")
    column = _DERIVED.get(c.column) or (
        f"h.{ident(c.column)}" if c.column in HOUSEHOLD_COLUMNS else f"y.{ident(c.column)}"
    )
    return f"({column}) {c.operator} ?", [c.value]
