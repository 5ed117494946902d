"""Households and the analyst's SQL page as the demo's analyst sees them, in Dutch: start a
household build for the demo activity, follow it until its summary shows (the real background
thread of `meedoen serve` does the work, the page's script polls its status under the site's
Content-Security-Policy), then query the households on the SQL page. Every page and error state
passes axe-core's WCAG 2.1 AA checks."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import DemoServer, axe_violations
from tests.browser.test_web import sign_in

pytestmark = pytest.mark.browser

DEMO_ACTIVITY = "Voedselbankklanten in beeld"
#: The demo's municipality is built in seconds; a slow CI machine gets plenty more.
BUILD_TIMEOUT_MS = 180_000


def demo_activity_value(page) -> str:  # type: ignore[no-untyped-def]
    value = page.locator("#id_activity option", has_text=DEMO_ACTIVITY).get_attribute("value")
    assert value, "the demo activity is not offered"
    return str(value)


def test_analyst_builds_households_and_follows_the_progress(page, demo_server: DemoServer) -> None:
    """With the Content-Security-Policy in force: the progress script is allowed to run."""
    console_errors: list[str] = []
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if r.url.endswith("/status/") else None)
    sign_in(page, demo_server, "analyst")
    page.get_by_role("link", name="Huishoudens afleiden").click()
    page.wait_for_url(demo_server.url + "/huishoudens/")
    assert page.get_by_role("heading", level=1).inner_text() == "Huishoudens afleiden"

    page.get_by_label(re.compile("^Verwerking")).select_option(demo_activity_value(page))
    page.get_by_label(re.compile("^Peildatum")).fill("2025-01-01")
    page.get_by_role("button", name="Bouw starten").click()
    page.wait_for_url(re.compile(r".*/huishoudens/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Huishoudbouw ")
    first = page.get_by_role("status").inner_text()
    assert "Status:" in first
    assert page.locator('meta[http-equiv="refresh"]').count() == 0

    # No reload from the test: the page's own script notices the end and shows the summary.
    page.get_by_role("table", name="Huishoudens per type").wait_for(timeout=BUILD_TIMEOUT_MS)
    assert "Status: klaar" in page.get_by_role("status").inner_text()
    summary = page.get_by_role("region", name="Samenvatting").inner_text()
    assert "Personen in een huishouden" in summary and "seconden" in summary
    stacking = page.get_by_role("table", name=re.compile("^Stapeling van Jeugdwet"))
    assert "Met schuldhulp" in stacking.inner_text()
    assert [e for e in console_errors if "Content Security Policy" in e] == []
    if "klaar" not in first:  # it was still running: the script asked and then reloaded
        assert polls and all(url.startswith(page.url) for url in polls)


def test_every_household_and_sql_page_passes_axe(axe_page, demo_server: DemoServer) -> None:
    page = axe_page
    sign_in(page, demo_server, "analyst")

    # The form, first with its errors, then correct: the build starts and finishes.
    page.goto(demo_server.url + "/huishoudens/")
    assert axe_violations(page) == []
    page.get_by_label(re.compile("^Peildatum")).fill("")
    page.get_by_role("button", name="Bouw starten").click()
    assert "Verbeter het volgende" in page.get_by_role("alert").inner_text()
    assert page.title().startswith("Fout:")
    assert axe_violations(page) == []

    page.get_by_label(re.compile("^Verwerking")).select_option(demo_activity_value(page))
    page.get_by_label(re.compile("^Peildatum")).fill("2025-01-01")
    page.get_by_role("button", name="Bouw starten").click()
    page.wait_for_url(re.compile(r".*/huishoudens/\d+/$"))
    run_url = page.url
    page.get_by_role("table", name="Huishoudens per type").wait_for(timeout=BUILD_TIMEOUT_MS)
    assert page.url == run_url
    assert axe_violations(page) == []

    # The builds so far, with this one.
    page.goto(demo_server.url + "/huishoudens/")
    builds = page.get_by_role("table", name=re.compile("nieuwste eerst"))
    assert "klaar" in builds.inner_text()
    assert axe_violations(page) == []

    # The summary links to the SQL page with an example on this activity's households.
    page.goto(run_url)
    page.get_by_role("link", name="Deze query uitvoeren op de SQL-pagina").click()
    page.wait_for_url(re.compile(r".*/sql/\?activity=\d+&sql=.*"))
    assert (
        page.get_by_role("heading", level=1).inner_text() == "SQL op de tabellen van een verwerking"
    )
    assert "household.household" in page.get_by_label(re.compile("^SQL-query")).input_value()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Query uitvoeren").click()
    result = page.get_by_role("table", name=re.compile(r"^\d+ rij(en)?$"))
    assert "household_type" in result.inner_text()
    assert result.locator("tbody tr").count() > 1
    assert axe_violations(page) == []

    # A write is refused, with the reason; the query stays in the form.
    page.get_by_label(re.compile("^SQL-query")).fill("DELETE FROM household.household")
    page.get_by_role("button", name="Query uitvoeren").click()
    alert = page.get_by_role("alert").inner_text()
    assert "Alleen een SELECT is hier toegestaan, geen DELETE" in alert  # in Dutch
    assert page.get_by_label(re.compile("^SQL-query")).input_value() == (
        "DELETE FROM household.household"
    )
    assert page.get_by_label(re.compile("^SQL-query")).get_attribute("aria-invalid") == "true"
    assert axe_violations(page) == []

    # More rows than the page shows: the first 200, and it says so.
    page.get_by_label(re.compile("^SQL-query")).fill(
        "SELECT household_id, household_type FROM household.household"
    )
    page.get_by_role("button", name="Query uitvoeren").click()
    result = page.get_by_role("table", name="De eerste 200 rijen van het resultaat")
    assert result.locator("tbody tr").count() == 200
    assert "meer dan 200 rijen" in page.get_by_role("main").inner_text()
    assert axe_violations(page) == []
