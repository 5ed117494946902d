"""Dates, times and numbers in Dutch formats: one set of filters for every page."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from meedoen.web.templatetags.nl import datum, datumtijd, getal, procent


@pytest.fixture(autouse=True)
def _dutch():  # type: ignore[no-untyped-def]
    with translation.override("nl"):
        yield


def test_dates_are_written_out() -> None:
    assert datum(date(2026, 12, 3)) == "3 december 2026"
    assert datum("2025-01-01") == "1 januari 2025"
    assert datum(None) == ""
    assert datum("geen datum") == "geen datum"


def test_times_are_shown_in_amsterdam_also_when_stored_without_zone() -> None:
    # DuckDB returns UTC without a zone: 20:02 UTC in winter is 21:02 in Amsterdam.
    assert datumtijd(datetime(2026, 12, 3, 20, 2)) == "3 december 2026 21:02"
    assert datumtijd(datetime(2026, 7, 1, 10, 0, tzinfo=UTC)) == "1 juli 2026 12:00"
    assert datumtijd("2026-12-03T20:02:00+00:00") == "3 december 2026 21:02"
    # A late evening in UTC is the next day in Amsterdam, also for the date alone.
    assert datum(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == "1 januari 2027"


def test_numbers_group_thousands_with_a_dot_and_use_a_decimal_comma() -> None:
    assert getal(4471) == "4.471"
    assert getal(11348) == "11.348"
    assert getal(Decimal("12.5"), 1) == "12,5"
    assert getal(1234567) == "1.234.567"
    assert procent(0.125) == "12,5%"
    assert procent(Decimal("0.0169"), 1) == "1,7%"
    assert getal("veel") == "veel"


def test_english_pages_get_english_formats() -> None:
    with translation.override("en"):
        assert getal(11348) == "11,348"
        assert procent(0.125) == "12.5%"


def test_the_filters_work_in_templates() -> None:
    html = Template("{% load nl %}{{ d|datum }} · {{ n|getal }}").render(
        Context({"d": date(2026, 12, 3), "n": 4471})
    )
    assert html == "3 december 2026 · 4.471"


@pytest.mark.django_db
def test_people_are_shown_by_full_name_with_one_query_per_name_and_page(
    make_user, django_assert_num_queries, rf
) -> None:  # type: ignore[no-untyped-def]
    analyst = make_user("analyst", username="a.devries")
    analyst.first_name, analyst.last_name = "Anna", "de Vries"
    analyst.save()
    page = Template(
        "{% load i18n nl %}{% persoon who %}|{% persoon who %}|{% persoon 'operator' %}|"
        "{% persoon who as by %}{% blocktranslate %}Requested by {{ by }}{% endblocktranslate %}"
    )
    request = rf.get("/")
    with django_assert_num_queries(2):  # a.devries once, the operator (no account) once
        text = page.render(Context({"who": "a.devries", "request": request}))
    assert text == "Anna de Vries|Anna de Vries|operator|Aangevraagd door Anna de Vries"
