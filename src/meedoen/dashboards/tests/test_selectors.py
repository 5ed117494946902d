"""The dashboard's figures from released tables only: share = the "1" cell / (Totaal less the
unknown), x when any cell it needs was withheld, per 1,000 where the catalogue says so, the
newest release per indicator and peildatum, a withdrawn one never (issue 18)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from meedoen.accounts.roles import Role
from meedoen.dashboards.selectors import dashboard_read
from meedoen.publications.models import Publication

pytestmark = pytest.mark.django_db


def release(
    indicator: str, values: dict[tuple[str, str], int | None], day: str = "2025-01-01", **extra: Any
) -> Publication:
    cells = [
        {
            "wijkcode": row,
            f"ind_{indicator}": column,
            "value": value,
            "suppressed": None if value is not None else "primary",
        }
        for (row, column), value in values.items()
    ]
    return Publication.objects.create(
        activity_id=1,
        definition={
            "activity": 1,
            "rowvar": "wijkcode",
            "colvar": f"ind_{indicator}",
            "where": [],
            "peildatum": day,
            "amount": None,
        },
        series="0" * 64,
        description="",
        content={
            "mode": "suppression",
            "rules": {},
            "summary": {},
            "areas": {"WK078400": "Rijen"},
            "tables": [
                {
                    "name": "t",
                    "dimensions": ["wijkcode", f"ind_{indicator}"],
                    "measure": "households",
                    "cells": cells,
                }
            ],
        },
        published_by="analist",
        channel="cli",
        trace_id="0" * 32,
        **extra,
    )


def card(board, indicator: str):  # type: ignore[no-untyped-def]
    return next(c for g in board.groups for c in g.cards if c.indicator.id == indicator)


BIJSTAND = {
    ("Totaal", "Totaal"): 1000,
    ("Totaal", "1"): 40,
    ("Totaal", "0"): 960,
    ("WK078400", "Totaal"): 600,
    ("WK078400", "1"): 30,
    ("WK078400", "0"): 570,
    ("WK078401", "Totaal"): 400,
    ("WK078401", "1"): None,
    ("WK078401", "0"): None,
}


def test_shares_per_wijk_with_x_where_a_cell_was_withheld() -> None:
    release("bijstand", BIJSTAND)
    board = dashboard_read()
    assert board.peildatum == date(2025, 1, 1) and board.counts["released"] == 1
    shown = card(board, "bijstand")
    assert shown.total is not None and shown.total.value == pytest.approx(4.0)
    assert (shown.total.numerator, shown.total.denominator) == (40, 1000)
    rijen, gilze = shown.areas
    assert (rijen.name, rijen.value) == ("Rijen", pytest.approx(5.0))
    assert gilze.hidden and gilze.text == "x" and gilze.denominator == 400


def test_unknown_households_leave_the_denominator_and_per_1000_is_per_1000() -> None:
    release(
        "eenouder_laag_inkomen",
        {
            ("Totaal", "Totaal"): 110,
            ("Totaal", "1"): 25,
            ("Totaal", "0"): 75,
            ("Totaal", "onbekend"): 10,
        },
    )
    release("voedselbank", {("Totaal", "Totaal"): 2000, ("Totaal", "1"): 34, ("Totaal", "0"): 1966})
    board = dashboard_read()
    assert card(board, "eenouder_laag_inkomen").total.value == pytest.approx(25.0)
    assert card(board, "voedselbank").total.value == pytest.approx(17.0)
    hidden = release(
        "stapeling", {("Totaal", "Totaal"): 100, ("Totaal", "1"): 5, ("Totaal", "onbekend"): None}
    )
    assert card(dashboard_read(), "stapeling").total.hidden and hidden.pk


def test_the_newest_release_of_a_peildatum_counts_and_a_withdrawn_one_never() -> None:
    release("bijstand", {("Totaal", "Totaal"): 100, ("Totaal", "1"): 10}, day="2024-01-01")
    release("bijstand", {("Totaal", "Totaal"): 100, ("Totaal", "1"): 20})
    release(
        "bijstand",
        {("Totaal", "Totaal"): 100, ("Totaal", "1"): 90},
        withdrawn_at=timezone.now(),
        withdrawn_by="fg",
        withdrawal_reason="fout",
    )
    board = dashboard_read()
    assert board.peildata == (date(2025, 1, 1), date(2024, 1, 1))
    assert card(board, "bijstand").total.value == pytest.approx(20.0)
    older = dashboard_read(peildatum=date(2024, 1, 1))
    assert card(older, "bijstand").total.value == pytest.approx(10.0)
    assert (
        not card(board, "eenzaamheid").released
        and not card(board, "eenzaamheid").indicator.has_data
    )


def test_the_page_says_it_in_dutch_and_refuses_residents(client: Client, make_user) -> None:  # type: ignore[no-untyped-def]
    release("bijstand", {("Totaal", "Totaal"): 1000, ("Totaal", "1"): 125, ("Totaal", "0"): 875})
    client.force_login(make_user(Role.COUNCIL_MEMBER))
    page = client.get("/dashboard/").content.decode()
    assert "12,5%" in page and "125 van 1.000 huishoudens" in page
    assert "Nog geen gegevens." in page
    client.force_login(make_user(Role.RESIDENT))
    assert client.get("/dashboard/").status_code == 403


def test_a_trend_over_every_peildatum_up_to_the_chosen_one() -> None:
    for day, yes in (("2023-01-01", 10), ("2024-01-01", None), ("2025-01-01", 30)):
        release("bijstand", {("Totaal", "Totaal"): 100, ("Totaal", "1"): yes}, day=day)
    shown = card(dashboard_read(), "bijstand")
    assert [p.peildatum.year for p in shown.trend] == [2023, 2024, 2025]
    assert [p.figure.value for p in shown.trend] == [pytest.approx(10.0), None, pytest.approx(30.0)]
    assert shown.sparkline == "2.0,30.0 118.0,2.0"  # the hidden year is left out of the line
    earlier = card(dashboard_read(peildatum=date(2024, 1, 1)), "bijstand")
    assert [p.peildatum.year for p in earlier.trend] == [2023, 2024] and earlier.sparkline == ""


def test_a_share_is_rounded_not_cut_off() -> None:
    """441 of 11,348 is 3.886%: shown as 3,9 (Django's number_format alone would show 3,8)."""
    release("bijstand", {("Totaal", "Totaal"): 11348, ("Totaal", "1"): 441})
    from django.utils import translation

    with translation.override("nl"):
        assert card(dashboard_read(), "bijstand").total.text == "3,9"


def test_the_coverage_page_counts_per_theme_and_lists_every_gap(client: Client, make_user) -> None:  # type: ignore[no-untyped-def]
    release("bijstand", {("Totaal", "Totaal"): 1000, ("Totaal", "1"): 125})
    client.force_login(make_user(Role.COUNCIL_MEMBER))
    response = client.get("/dashboard/dekking/")
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.context["rows"]}
    assert rows["Meedoen"]["panel"] == 6 and rows["Meedoen"]["gaps"] == 3
    assert rows["Dagelijks functioneren"]["released"] == 1
    page = response.content.decode()
    assert "Contact via sociale media" in page and "SCP-monitor" in page


def test_reference_figures_stand_beside_the_local_one(
    tmp_path, settings, client: Client, make_user
) -> None:  # type: ignore[no-untyped-def]
    settings.MEEDOEN_HOME = tmp_path
    (tmp_path / "referenties").mkdir()
    (tmp_path / "referenties" / "regio.csv").write_text(
        "indicator,gebied,gebiedsnaam,periode,waarde,bron,toelichting\n"
        "bijstand,RGhvb,Regio Hart van Brabant,2025-01-01,4.2,Regionale samenwerking,\n",
        encoding="utf-8",
    )
    release("bijstand", {("Totaal", "1"): 441, ("Totaal", "Totaal"): 11348})
    card = next(c for g in dashboard_read().groups for c in g.cards if c.indicator.id == "bijstand")
    # The region first (nearest), then the Netherlands from the product's own file.
    assert [r.area for r in card.references] == ["RGhvb", "NL01"]
    client.force_login(make_user(Role.COUNCIL_MEMBER))
    page = client.get("/dashboard/").content.decode()
    assert "Regio Hart van Brabant (1 januari 2025): <strong>4,2%</strong>" in page
    assert "Nederland (2024): <strong>5,0%</strong>" in page
    # A broken file of the installation is named on the page; no comparison is shown.
    (tmp_path / "referenties" / "regio.csv").write_text(
        "indicator,gebied,gebiedsnaam,periode,waarde,bron,toelichting\n"
        "bijstand,RGhvb,Regio,2025-01-01,veel,Regionale samenwerking,\n",
        encoding="utf-8",
    )
    broken = client.get("/dashboard/").content.decode()
    assert "regio.csv, row 2, column waarde" in broken
    assert "Nederland (2024)" not in broken


def test_a_wijk_page_shows_the_wijk_beside_the_gemeente(client: Client, make_user) -> None:  # type: ignore[no-untyped-def]
    release("bijstand", BIJSTAND)
    client.force_login(make_user(Role.POLICY_MAKER))
    page = client.get("/dashboard/wijk/WK078400/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Wijk Rijen (WK078400)" in text
    row = text[text.index("Huishoudens met bijstand") :]
    assert row.index("5,0%") < row.index("4,0%")  # the wijk first, then the gemeente
    hidden = client.get("/dashboard/wijk/WK078401/").content.decode()
    assert 'aria-hidden="true">x</span>' in hidden
    assert client.get("/dashboard/wijk/WK999999/").status_code == 404


def test_the_kept_dashboard_changes_with_every_release_and_withdrawal(  # type: ignore[no-untyped-def]
    client: Client, make_user
) -> None:
    client.force_login(make_user(Role.COUNCIL_MEMBER))
    assert "4,0%" not in client.get("/dashboard/").content.decode()
    published = release("bijstand", BIJSTAND)
    assert "4,0%" in client.get("/dashboard/").content.decode()
    assert "4,0%" in client.get("/dashboard/").content.decode()  # kept: the same
    published.withdrawn_at = timezone.now()
    published.save()
    assert "4,0%" not in client.get("/dashboard/").content.decode()
