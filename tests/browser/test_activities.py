"""The register of processing activities as its users see it, in Dutch: the demo's analyst
requests an activity, the demo's privacy officer finds it in the queue and decides; every page
and error state passes axe-core's WCAG 2.1 AA checks."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DemoServer, axe_violations, fits, screenshot
from tests.browser.test_web import sign_in

pytestmark = pytest.mark.browser

DEMO_ACTIVITY = "Voedselbankklanten in beeld"


def sign_out(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url("**/inloggen/")


@pytest.mark.parametrize("username", ["analyst", "privacy_officer"])
def test_register_and_detail_of_the_demo_activity(axe_page, demo_server, username) -> None:
    page = axe_page
    sign_in(page, demo_server, username)
    page.get_by_role("link", name="Verwerkingsregister").click()
    page.wait_for_url(demo_server.url + "/verwerkingen/")
    assert page.get_by_role("heading", level=1).inner_text() == "Verwerkingsregister"
    row = page.get_by_role("row").filter(has_text=DEMO_ACTIVITY)
    assert "goedgekeurd" in row.inner_text()
    assert "Goedgekeurd door Femke van der Gegevens" in row.inner_text()
    assert axe_violations(page) == []

    page.get_by_role("link", name=DEMO_ACTIVITY).click()
    page.wait_for_url(re.compile(r".*/verwerkingen/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == DEMO_ACTIVITY
    assert page.get_by_role("heading", name="Versie 2: Goedgekeurd").is_visible()
    changes = page.get_by_role("table", name=re.compile("Gewijzigd in versie 2"))
    assert "aangevraagd" in changes.inner_text() and "goedgekeurd" in changes.inner_text()
    # Only the privacy officer may revoke the approved activity.
    revoke = page.get_by_role("button", name="Intrekken", exact=True)
    assert revoke.count() == (1 if username == "privacy_officer" else 0)
    assert axe_violations(page) == []


def test_request_queue_and_decision(axe_page, demo_server: DemoServer) -> None:
    page = axe_page
    name = "Schuldsignalen per wijk (browsertest)"

    # The analyst requests; an empty form first shows the error summary.
    sign_in(page, demo_server, "analyst")
    page.get_by_role("link", name="Verwerking aanvragen").click()
    page.wait_for_url(demo_server.url + "/verwerkingen/aanvragen/")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Aanvraag indienen").click()
    summary = page.get_by_role("alert")
    assert "Verbeter het volgende" in summary.inner_text()
    assert page.title().startswith("Fout:")
    assert page.get_by_label("Naam", exact=True).get_attribute("aria-invalid") == "true"
    assert axe_violations(page) == []

    page.get_by_label("Naam", exact=True).fill(name)
    page.get_by_label("Doel", exact=True).fill(
        "Welke wijken hebben de meeste betalingsachterstanden"
    )
    page.get_by_label("Grondslag", exact=True).fill("Wet gemeentelijke schuldhulpverlening art. 2a")
    page.get_by_label(re.compile("^Vroegsignalen")).check()
    # The signals are by law for debt help only: the task that may use them.
    page.locator("#id_task").select_option("schuldhulpverlening")
    page.get_by_label(re.compile("^BAG")).check()
    page.get_by_label(re.compile("^Partnerbestanden")).fill("woningcorporatie")
    page.get_by_label(re.compile("^Bewaartermijn in dagen")).fill("90")
    page.get_by_label(re.compile("^Gegevenscategorieën")).fill("Betalingsachterstanden per adres")
    page.get_by_label(re.compile("^Ontvangers en rollen")).fill("Schuldhulp (geaggregeerd)")
    page.get_by_label(re.compile("^DPIA")).fill("DPIA-2026-031")
    page.get_by_role("button", name="Aanvraag indienen").click()
    page.wait_for_url(re.compile(r".*/verwerkingen/\d+/$"))
    assert "is aangevraagd" in page.get_by_role("status").inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == name
    assert axe_violations(page) == []
    activity_url = page.url
    sign_out(page)

    # The privacy officer finds it in the queue and decides; a decision needs a motivation.
    sign_in(page, demo_server, "privacy_officer")
    page.get_by_role("link", name="Aanvragen die op een besluit wachten").click()
    page.wait_for_url(demo_server.url + "/verwerkingen/wachtrij/")
    request = page.get_by_role("region", name=re.compile(re.escape(name)))
    assert "Aangevraagd door Ahmed Analist" in request.inner_text()  # by full name
    assert "bag, partner-woningcorporatie, signalen" in request.inner_text()
    assert axe_violations(page) == []

    request.get_by_role("link", name=re.compile("Besluiten over verwerking")).click()
    page.wait_for_url(activity_url)
    page.get_by_role("button", name="Goedkeuren").click()
    assert "Motivering: Dit veld is vereist." in page.get_by_role("alert").inner_text()
    assert axe_violations(page) == []

    page.get_by_label(re.compile("^Motivering")).fill("Doel en grondslag passen bij de bronnen")
    page.get_by_role("button", name="Goedkeuren").click()  # the checklist is not ticked yet
    assert "Vink elk punt van de checklist aan" in page.get_by_role("alert").inner_text()
    checklist = page.get_by_role("group", name="Checklist (bij goedkeuren)")
    assert "DPIA-2026-031" in checklist.inner_text()
    for box in checklist.get_by_role("checkbox").all():
        box.check()
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(page) == [] and fits(page)
    screenshot(page, "checklist-goedkeuren")
    page.get_by_role("button", name="Goedkeuren").click()
    page.wait_for_url(activity_url)
    assert "is goedgekeurd tot" in page.get_by_role("status").inner_text()
    assert page.get_by_role("heading", name="Versie 2: Goedgekeurd").is_visible()
    assert page.get_by_text("Doel en grondslag passen bij de bronnen").is_visible()
    assert axe_violations(page) == []

    # Revoking asks first, saying what it deletes.
    page.get_by_label(re.compile("^Motivering")).fill("Het doel is vervallen")
    page.get_by_role("button", name="Intrekken", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"“{name}” intrekken?")
    deletes = page.locator("#revoke-deletes").inner_text()
    assert "de sleutel van de verwerking" in deletes
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(page) == [] and fits(page)
    screenshot(page, "intrekken-bevestigen")
    page.get_by_role("button", name="Ja, intrekken en verwijderen").click()
    page.wait_for_url(activity_url)
    assert "is ingetrokken" in page.get_by_role("status").inner_text()


def test_refused_request_is_amended_and_the_officer_sees_what_changed(
    axe_page, demo_server: DemoServer
) -> None:
    page = axe_page
    name = "Energiearmoede (browsertest)"
    sign_in(page, demo_server, "analyst")
    page.goto(demo_server.url + "/verwerkingen/aanvragen/")
    page.get_by_label("Naam", exact=True).fill(name)
    page.get_by_label("Doel", exact=True).fill("Welke huishoudens lopen energieachterstanden op")
    page.get_by_label("Grondslag", exact=True).fill("Wgs art. 3")
    page.get_by_label(re.compile("^Vroegsignalen")).check()
    page.locator("#id_task").select_option("schuldhulpverlening")
    page.get_by_label(re.compile("^BRP")).check()
    page.get_by_label(re.compile("^Bewaartermijn in dagen")).fill("60")
    page.get_by_role("button", name="Aanvraag indienen").click()
    page.wait_for_url(re.compile(r".*/verwerkingen/\d+/$"))
    activity_url = page.url
    sign_out(page)

    sign_in(page, demo_server, "privacy_officer")
    page.goto(activity_url)
    page.get_by_label(re.compile("^Motivering")).fill("De BRP is hiervoor niet nodig")
    page.get_by_role("button", name="Weigeren").click()
    page.wait_for_url(activity_url)
    sign_out(page)

    sign_in(page, demo_server, "analyst")
    page.goto(activity_url)
    page.get_by_role("link", name="Verzoek wijzigen").click()
    page.wait_for_url(activity_url + "wijzigen/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Verwerking")
    assert page.get_by_label(re.compile("^BRP")).is_checked()
    assert axe_violations(page) == []
    page.get_by_label(re.compile("^BRP")).uncheck()
    page.get_by_label(re.compile("^Wat is er veranderd")).fill("BRP eruit")
    page.get_by_role("button", name="Gewijzigd verzoek indienen").click()
    page.wait_for_url(activity_url)
    assert "is gewijzigd" in page.get_by_role("status").inner_text()
    sign_out(page)

    sign_in(page, demo_server, "privacy_officer")
    page.goto(activity_url)
    changes = page.get_by_role("table", name=re.compile("Gewijzigd in versie 3"))
    assert "brp, signalen" in changes.inner_text() and "BRP eruit" in page.content()
    assert axe_violations(page) == []
