"""The family context as the demo's case worker uses it (issue 20): the caseload from the menu,
a case's family with whom to call and the three states in words, opening a case and breaking the
glass; and the privacy officer's review queue. In Dutch, passing axe at 1280 and 375 px without
sideways scrolling of the page (wide tables scroll in their own container)."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import DemoServer, axe_violations, fits, screenshot
from tests.browser.test_web import sign_in

pytestmark = pytest.mark.browser


def check(page) -> None:  # type: ignore[no-untyped-def]
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(page) == [], width
        assert fits(page), width
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_case_worker_reads_a_family_in_words(axe_page, demo_server: DemoServer) -> None:  # type: ignore[no-untyped-def]
    page = axe_page
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, demo_server, "case_worker")
    page.get_by_role("navigation").get_by_role("link", name="Casussen").click()
    page.wait_for_url(re.compile(r".*/casussen/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Uw caseload"
    cases = page.get_by_role("table", name=re.compile(r"\d+ open casussen"))
    assert cases.get_by_role("row").count() > 10
    check(page)
    cases.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r".*/casussen/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Gezin van ")
    main = page.get_by_role("main").inner_text()
    assert "situatie op 1 januari 2025" in main
    members = page.get_by_role("table", name=re.compile("Uit de BRP"))
    assert "Persoon van de casus" in members.inner_text()
    help_ = page.get_by_role("table", name="Hulp per gezinslid en bron")
    # Early signals are not part of the demo's operational activity: said in words.
    assert "Niet toegankelijk voor u" in help_.inner_text()
    sources = page.get_by_role("table", name="Welke bronnen dit overzicht kon lezen")
    assert "Aangesloten" in sources.inner_text()
    screenshot(page, "gezinscontext", full_page=True)
    check(page)


def test_opening_a_case_and_breaking_the_glass_refuse_what_is_missing(  # type: ignore[no-untyped-def]
    axe_page, demo_server: DemoServer
) -> None:
    page = axe_page
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, demo_server, "case_worker")
    page.goto(demo_server.url + "/casussen/nieuw/")
    page.get_by_role("button", name="Casus openen").click()
    alert = page.get_by_role("alert")
    assert "Geef het BSN, of de achternaam en de geboortedatum" in alert.inner_text()
    check(page)
    page.goto(demo_server.url + "/casussen/doorbreken/")
    page.get_by_label("BSN").fill("123456782")
    page.get_by_role("button", name="Toon het gezin nu").click()
    assert page.get_by_role("alert").is_visible()  # no reason: refused
    assert re.search(r"/casussen/doorbreken/$", page.url)
    check(page)


def test_the_privacy_officer_reviews_break_the_glass(axe_page, demo_server: DemoServer) -> None:  # type: ignore[no-untyped-def]
    page = axe_page
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, demo_server, "privacy_officer")
    page.get_by_role("link", name="Doorbraken").first.click()
    page.wait_for_url(re.compile(r".*/logboek/doorbraken/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Doorbraken"
    check(page)
