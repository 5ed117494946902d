"""Which columns an activity's store holds, and at which detail (meedoen_data.categories)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import duckdb
import pytest

from meedoen_data.categories import (
    COARSE_SQL,
    COARSENED,
    EVENT_DATES,
    HOUSEHOLD_DEATH,
    HOUSEHOLD_DETAIL,
    CategoryError,
    StoreColumn,
    categories_check,
    categories_default,
    coarsening,
    household_detail,
    store_columns,
)
from meedoen_data.contract import SPECS, Table, partner_spec
from meedoen_data.households.derivation import first_month, period_months, periods
from meedoen_data.households.engines import COARSE_INPUTS
from meedoen_data.intake.store import analytics_columns


def _store(spec: Table, columns: Sequence[str], fine: Sequence[str] = ()) -> list[StoreColumn]:
    present = [name for name, _ in analytics_columns(spec)]
    return store_columns(table=spec.name, spec=spec, present=present, columns=columns, fine=fine)


def test_every_date_of_an_event_is_coarsened_by_default() -> None:
    for spec in (*SPECS.values(), partner_spec("voedselbank")):
        for column in spec.columns:
            if column.type == "date" and column.role == "analysis":
                assert column.name in EVENT_DATES, f"{spec.name}.{column.name}"
                assert COARSENED[column.name], f"{spec.name}.{column.name}"
            elif column.type == "date":  # identifiers reach analytics as months only
                assert column.name not in EVENT_DATES
    assert set(EVENT_DATES) == {
        "datumoverlijden",
        "datumtoewijzing",
        "datumstarttoewijzing",
        "datumeindetoewijzing",
        "ingangsdatum",
        "einddatum",
        "startdatum",
        "ontstaansdatum",
        "signaaldatum",
        "datuminschrijving",
        "datumuitschrijving",
        "laatstecontact",
    }


@pytest.mark.parametrize(
    ("table", "column", "name", "how"),
    [
        ("toewijzing", "datumtoewijzing", "datumtoewijzing_maand", "month"),
        ("toewijzing", "datumstarttoewijzing", "datumstarttoewijzing_maand", "month"),
        ("toewijzing", "datumeindetoewijzing", "datumeindetoewijzing_maand", "month"),
        ("inkomensvoorziening", "ingangsdatum", "ingangsdatum_maand", "month"),
        ("inkomensvoorziening", "einddatum", "einddatum_maand", "month"),
        ("schuldhulptraject", "startdatum", "startdatum_maand", "month"),
        ("schuldhulptraject", "einddatum", "einddatum_maand", "month"),
        ("vroegsignaal", "ontstaansdatum", "ontstaansdatum_maand", "month"),
        ("vroegsignaal", "signaaldatum", "signaaldatum_maand", "month"),
        ("voedselbank", "datuminschrijving", "datuminschrijving_maand", "month"),
        ("voedselbank", "datumuitschrijving", "datumuitschrijving_maand", "month"),
        ("ingeschrevenpersoon", "datumoverlijden", "datumoverlijden_jaar", "year"),
        ("verblijfplaats", "datumvan_maand", "datumvan_jaar", "year_of_month"),
        ("relatie", "datumeinde_maand", "datumeinde_jaar", "year_of_month"),
    ],
)
def test_a_coarsened_column_gets_a_new_name(table: str, column: str, name: str, how: str) -> None:
    spec = SPECS.get(table) or partner_spec(table)
    chosen = _store(spec, [f"{table}.{column}"])
    assert StoreColumn(name, column, coarsening(column)) in chosen
    assert column not in [c.name for c in chosen]
    assert coarsening(column) == how


def test_finer_detail_approved_keeps_the_day() -> None:
    spec = SPECS["toewijzing"]
    columns = ["toewijzing.datumstarttoewijzing", "toewijzing.datumeindetoewijzing"]
    chosen = _store(spec, columns, fine=["toewijzing.datumstarttoewijzing"])
    assert StoreColumn("datumstarttoewijzing", "datumstarttoewijzing") in chosen
    assert StoreColumn("datumeindetoewijzing_maand", "datumeindetoewijzing", "month") in chosen
    # The record number always comes along, as the activity's pseudonym of it.
    assert StoreColumn("toewijzingnummer", "toewijzingnummer") in chosen


def test_finer_detail_of_an_event_needs_a_reason() -> None:
    columns = ["ingeschrevenpersoon.datumoverlijden", "toewijzing.datumstarttoewijzing"]
    sources = ["brp", "wmo"]
    assert categories_check(sources=sources, columns=columns, fine=[HOUSEHOLD_DEATH], reason="x")
    with pytest.raises(CategoryError, match="say why"):
        categories_check(sources=sources, columns=columns, fine=[HOUSEHOLD_DEATH], reason=" ")
    with pytest.raises(CategoryError, match="coarsened by default"):
        categories_check(
            sources=sources, columns=columns, fine=["toewijzing.wet"], reason="waarom niet"
        )


def test_the_default_request_names_the_days_the_officer_may_approve_finer() -> None:
    default = categories_default(["brp", "signalen"])
    assert "vroegsignaal.signaaldatum" in default
    assert "ingeschrevenpersoon.datumoverlijden" in default
    assert "vroegsignaal.signaalid" not in default  # a record number: always a pseudonym


def test_the_coarse_values() -> None:
    con = duckdb.connect()
    day, month = "DATE '2024-03-15'", "202403"
    assert con.execute(
        "SELECT "
        + ", ".join(
            [
                COARSE_SQL["month"].format(value=day),
                COARSE_SQL["year"].format(value=day),
                COARSE_SQL["year_of_month"].format(value=month),
            ]
        )
    ).fetchone() == (202403, 2024, 2024)


def test_a_household_build_needs_the_day_of_death_only_off_1_january() -> None:
    assert household_detail(date(2025, 1, 1)) == HOUSEHOLD_DETAIL
    assert household_detail(date(2025, 7, 1)) == (*HOUSEHOLD_DETAIL, HOUSEHOLD_DEATH)
    # The build reads the coarse columns a store at the default detail holds.
    for pairs in COARSE_INPUTS.values():
        for day, coarse in pairs:
            assert COARSENED[day] == coarse


def test_periods_are_counted_in_months() -> None:
    assert first_month(date(2025, 1, 1)) == 202501
    assert first_month(date(2024, 12, 1)) == 202412
    # On another day, an event in the peildatum's month counts as before it (as a move does).
    assert first_month(date(2024, 3, 15)) == 202404
    assert first_month(date(2024, 12, 31)) == 202501
    assert periods(date(2025, 1, 1))[0] == (0, date(2024, 1, 1), date(2025, 1, 1), 202401, 202501)
    months = [m for k, m in period_months(date(2025, 1, 1)) if k == 0]
    assert months == [202401 + n for n in range(12)]
    assert [m for k, m in period_months(date(2024, 7, 1)) if k == 0][5:8] == [
        202312,
        202401,
        202402,
    ]
