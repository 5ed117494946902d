"""The debt worker's work list of early signals as the demo's debt worker uses it: the list from
the start page, the rule that says why, a filter, a household with its signals and residents,
and registering an outreach through the contact form (refused first when incomplete). In Dutch,
passing axe at 1280 and 375 px without sideways scrolling of the page (wide tables scroll in
their own container). The demo's operational debt-help activity is linked first with
`meedoen signals link`, as an administrator would."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import DemoServer, axe_violations, fits, screenshot
from tests.browser.test_web import sign_in
from tests.helpers import demo_copy, meedoen_json, passwords, served

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def signals_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """The demo workspace with its signals linked under its operational debt-help activity."""
    home = Path(tmp_path_factory.mktemp("signals")) / "home"
    demo = demo_copy(home)
    activity = demo.get("debt_help", {}).get("operational", {}).get("id")
    assert activity, "the demo has no operational debt-help activity"
    linked = meedoen_json("signals", "link", "--activity", str(activity), "--home", str(home))
    assert linked["households"]["open"] > 50, linked  # more than one page
    with served(home) as url:
        yield DemoServer(url, passwords(demo), home)


def check(page) -> None:  # type: ignore[no-untyped-def]
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(page) == [], width
        assert fits(page), width
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_work_list_says_why_and_filters(axe_page, signals_server: DemoServer) -> None:  # type: ignore[no-untyped-def]
    page = axe_page
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, signals_server, "debt_worker")
    page.get_by_role("link", name="Werklijst vroegsignalen").click()
    page.wait_for_url(re.compile(r".*/vroegsignalen/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Vroegsignalen"
    households = page.get_by_role(
        "table", name=re.compile(r"\d[\d.]* huishoudens met open signalen")
    )
    rows = households.locator("tbody tr")
    assert rows.count() == 50  # a page
    assert page.get_by_role("navigation", name="Pagina's").is_visible()
    first = rows.first
    assert first.get_attribute("data-priority") == "hoog"
    # The rule's why opens under its name.
    first.locator("summary").click()
    assert first.locator("details p").is_visible()
    assert re.search(r"€ \d[\d.]*,\d\d", first.inner_text())
    assert re.search(r"\d{1,2} [a-z]+ 20\d\d", first.inner_text())  # 5 december 2024
    check(page)
    screenshot(page, "vroegsignalen", full_page=False)
    page.get_by_label("Prioriteit").select_option(label="Wachten op nog een signaal")
    page.get_by_role("button", name="Tonen").click()
    page.wait_for_url(re.compile(r".*prioriteit=wachten.*"))
    waiting = page.locator("#households tbody tr")
    if waiting.count():
        priorities = {waiting.nth(i).get_attribute("data-priority") for i in range(waiting.count())}
        assert priorities == {"wachten"}
    else:
        assert page.locator("#no-households").is_visible()
    check(page)


def test_a_household_and_the_contact_form(axe_page, signals_server: DemoServer) -> None:  # type: ignore[no-untyped-def]
    page = axe_page
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, signals_server, "debt_worker")
    page.goto(signals_server.url + "/vroegsignalen/?prioriteit=hoog")
    page.locator("#households tbody tr").first.get_by_role("link").click()
    page.wait_for_url(re.compile(r".*/vroegsignalen/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Huishouden van ")
    why = page.locator("#why")
    assert why.get_by_role("heading").inner_text() == "Prioriteit: Hoog"
    assert "Regel:" in why.inner_text()
    signals = page.get_by_role("table", name=re.compile("Betalingsachterstanden die de partners"))
    assert signals.locator("tr[data-triggering]").count() >= 1
    assert "Ja" in signals.locator("tr[data-triggering]").first.inner_text()
    assert page.locator("#residents, #no-residents").count() == 1
    check(page)
    screenshot(page, "vroegsignalen-huishouden", full_page=True)
    # Incomplete: refused, with the errors summed up and each field marked.
    form = page.locator("#contact-form")
    form.get_by_role("button", name="Contact vastleggen").click()
    summary = page.get_by_role("alert")
    assert "Hoe" in summary.inner_text() and "Resultaat" in summary.inner_text()
    check(page)
    form = page.locator("#contact-form")
    form.get_by_label("Hoe").select_option(label="Telefoon")
    form.get_by_label("Resultaat").select_option(label="Niet bereikt")
    form.get_by_label("Vervolg").select_option(label="Nieuwe poging")
    form.get_by_label("Datum").fill("2024-12-30")
    form.get_by_role("button", name="Contact vastleggen").click()
    page.wait_for_url(re.compile(r".*/vroegsignalen/\d+/$"))
    assert "Het contact is vastgelegd." in page.get_by_role("status").first.inner_text()
    assert page.locator("#household-status").inner_text().startswith("In behandeling")
    outreach = page.get_by_role("table", name="Nieuwste eerst")
    assert "30 december 2024" in outreach.inner_text() and "Niet bereikt" in outreach.inner_text()
    check(page)


def test_the_signals_not_on_a_household_and_other_roles(  # type: ignore[no-untyped-def]
    axe_page, signals_server: DemoServer
) -> None:
    page = axe_page
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, signals_server, "debt_worker")
    page.goto(signals_server.url + "/vroegsignalen/")
    page.get_by_role("link", name="Signalen zonder huishouden").click()
    page.wait_for_url(re.compile(r".*/vroegsignalen/beoordelen/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Signalen zonder huishouden"
    check(page)
    page.get_by_role("button", name="Uitloggen").click()
    sign_in(page, signals_server, "case_worker")
    answer = page.goto(signals_server.url + "/vroegsignalen/")
    assert answer is not None and answer.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "Geen toegang"
