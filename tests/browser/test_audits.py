"""The audit log page as the privacy officer sees it, in Dutch: the demo's records, a filter on
one person, a refused filter, and the chain check; every state passes axe-core's WCAG 2.1 AA
checks. The administrator may open it too; other roles may not."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DemoServer, axe_violations, fits, screenshot
from tests.browser.test_web import sign_in
from tests.helpers import pseudonymise

pytestmark = pytest.mark.browser

CAPTION = re.compile(r"logregels?, nieuwste eerst")


def test_privacy_officer_reads_filters_and_checks_the_log(axe_page, demo_server: DemoServer):
    page = axe_page
    sign_in(page, demo_server, "privacy_officer")
    page.get_by_role("link", name="Het logboek lezen en controleren").click()
    page.wait_for_url(demo_server.url + "/logboek/")
    assert page.get_by_role("heading", level=1).inner_text() == "Logboek"
    assert "Logboek Dataverwerkingen" in page.get_by_role("main").inner_text()

    # The demo logs a few dozen records (large reads as one record with a set, ADR 0011/0012);
    # 120 BSNs pseudonymised one by one make more than the page's 100.
    pseudonymise(demo_server.home, 0, 120)
    page.reload()
    table = page.get_by_role("table", name=CAPTION)
    assert table.get_by_role("caption").inner_text() == "100 logregels, nieuwste eerst"
    assert table.locator("tbody tr").count() == 100
    assert "alleen de nieuwste 100" in page.get_by_role("main").inner_text()
    assert table.locator("time").first.get_attribute("datetime")
    assert axe_violations(page) == []

    # Filter on one person: every record shown is about that pseudonym.
    subject = table.locator("tbody td:nth-child(5) code").first.inner_text()
    page.get_by_label(re.compile("^Pseudoniem van de betrokkene")).fill(subject)
    page.get_by_role("button", name="Filteren").click()
    page.wait_for_url(re.compile(r".*/logboek/\?betrokkene=" + subject))
    rows = page.get_by_role("table", name=CAPTION).locator("tbody tr")
    assert rows.count() >= 1
    texts = rows.all_inner_texts()
    assert any(subject in text for text in texts)
    # The other rows are large reads whose set holds this person (the intake, the builds).
    for text in texts:
        assert subject in text or "een set van" in text, text
    assert any("Huishoudens afgeleid" in text for text in texts), texts
    assert page.get_by_role("link", name="Alle regels tonen").is_visible()
    assert axe_violations(page) == []
    # The filter turned the pseudonym into the person's names through the vault: that look is
    # itself logged, about this person (audit.person_lookup, by the privacy officer).
    page.goto(demo_server.url + "/logboek/")
    newest = page.get_by_role("table", name=CAPTION).locator("tbody tr").first.inner_text()
    assert "Regels van een persoon opgezocht" in newest and "privacy_officer" in newest, newest

    # A trace id that is not one: an error summary that links to the field, no table.
    page.get_by_label(re.compile("^Trace-id")).fill("xyz")
    page.get_by_role("button", name="Filteren").click()
    summary = page.get_by_role("alert")
    assert "Verbeter het volgende" in summary.inner_text()
    assert "32 hexadecimale tekens" in summary.inner_text()
    assert page.title().startswith("Fout:")
    assert page.get_by_label(re.compile("^Trace-id")).get_attribute("aria-invalid") == "true"
    assert page.get_by_role("table", name=CAPTION).count() == 0
    assert axe_violations(page) == []

    # The chain check runs in the background on a page of its own that follows it; then both
    # chains intact, with the last record and its hash to note down.
    page.goto(demo_server.url + "/logboek/")
    page.get_by_role("button", name="De keten controleren").click()
    result = checked(page)
    processing = result.get_by_role("listitem").filter(has_text="keten van logregels")
    access = result.get_by_role("listitem").filter(has_text="keten van toegangsregels")
    assert processing.inner_text().startswith("Intact:")
    assert access.inner_text().startswith("Intact:")
    assert re.search(
        r"eindigt bij regel \d+ met vingerafdruk [0-9a-f]{64}", processing.inner_text()
    )
    assert page.get_by_role("alert").count() == 0
    assert "Status: klaar" in page.get_by_role("region", name="Voortgang").inner_text()
    assert fits(page)
    assert axe_violations(page) == []
    screenshot(page, "logboek-controle")
    page.set_viewport_size({"width": 375, "height": 800})
    assert fits(page)
    assert axe_violations(page) == []


def checked(page):  # type: ignore[no-untyped-def]
    """After a press on a check button: the check's own page, once it shows the outcome (its
    script reloads it when the check is done); the outcome's status region."""
    page.wait_for_url(re.compile(r".*/logboek/controle/\d+/$"))
    outcome = page.get_by_role("region", name="Uitkomst")
    expect(outcome).to_be_visible(timeout=60_000)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Controle van het logboek")
    return outcome.get_by_role("status")


def test_administrator_may_open_the_log_and_an_analyst_may_not(page, demo_server: DemoServer):
    sign_in(page, demo_server, "administrator")
    page.get_by_role("link", name="Het logboek lezen en controleren").click()
    page.wait_for_url(demo_server.url + "/logboek/")
    assert page.get_by_role("table", name=CAPTION).is_visible()
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url("**/inloggen/")

    sign_in(page, demo_server, "analyst")
    assert page.get_by_role("link", name="Het logboek lezen en controleren").count() == 0
    response = page.goto(demo_server.url + "/logboek/")
    assert response is not None and response.status == 403


def test_privacy_officer_downloads_a_checkpoint_and_checks_the_log_against_it(
    axe_page, demo_server: DemoServer, tmp_path
):
    """`meedoen serve` signed a checkpoint when it started; the officer downloads the newest,
    keeps it, and later uploads it: the log still extends it. A file that is no checkpoint is
    refused with an error summary. Every state passes axe-core."""
    page = axe_page
    sign_in(page, demo_server, "privacy_officer")
    page.goto(demo_server.url + "/logboek/")
    checkpoints = page.get_by_role("region", name="Controlepunten")
    assert re.search(
        r"Nieuwste controlepunt: nummer \d+, van \d+ \w+ \d{4}", checkpoints.inner_text()
    )
    assert checkpoints.get_by_role("listitem").filter(has_text="keten van logregels").count()
    assert axe_violations(page) == []

    with page.expect_download() as download:
        page.get_by_role("link", name="Controlepunt downloaden").click()
    name = download.value.suggested_filename
    assert re.fullmatch(r"meedoen-controlepunt-\d{8}-\d{6}\.json", name)
    kept = tmp_path / name
    download.value.save_as(kept)
    document = json.loads(kept.read_text(encoding="utf-8"))
    assert document["downloaded_by"] == "privacy_officer"
    assert document["checkpoint"]["signature"]

    page.get_by_label("Bewaard controlepunt", exact=True).set_input_files(kept)
    page.get_by_role("button", name="Met dit controlepunt controleren").click()
    result = checked(page)
    assert "het bewaarde controlepunt " + name in page.get_by_role("main").inner_text()
    assert "en op het controlepunt dat u uploadde" in result.inner_text()
    assert (
        result.get_by_role("listitem")
        .filter(has_text="controlepunt")
        .first.inner_text()
        .startswith("Intact:")
    )
    assert page.get_by_role("alert").count() == 0
    assert axe_violations(page) == []

    page.goto(demo_server.url + "/logboek/")
    notes = tmp_path / "aantekeningen.json"
    notes.write_text('{"a": 1}', encoding="utf-8")
    page.get_by_label("Bewaard controlepunt", exact=True).set_input_files(notes)
    page.get_by_role("button", name="Met dit controlepunt controleren").click()
    summary = page.get_by_role("alert")
    assert "Dit is geen controlepunt van meedoen" in summary.inner_text()
    assert page.title().startswith("Fout:")
    summary.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "id_controlepunt"
    assert axe_violations(page) == []


def test_privacy_officer_searches_a_person_by_bsn_and_exports_their_records(
    axe_page, demo_server: DemoServer, tmp_path
):
    """An access request: the officer enters a resident's BSN (sent in a POST body, never in
    the address), sees every record about them — the intake and the builds as sets that hold
    them — and downloads the export in the standard's shape, without the BSN in it."""
    import csv

    sources = next((demo_server.home / "sources").iterdir())
    with (sources / "ingeschrevenpersoon.csv").open(encoding="utf-8") as handle:
        bsn = next(csv.DictReader(handle))["burgerservicenummer"]
    page = axe_page
    sign_in(page, demo_server, "privacy_officer")
    page.goto(demo_server.url + "/logboek/")
    page.get_by_role("link", name="Een persoon zoeken op BSN").click()
    page.wait_for_url(demo_server.url + "/logboek/persoon/")
    assert page.get_by_role("heading", level=1).inner_text() == "Een persoon zoeken in het logboek"
    assert axe_violations(page) == []

    page.get_by_label(re.compile("^Burgerservicenummer")).fill("123456789")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_role("alert")).to_contain_text("Dit is geen geldig BSN")
    assert page.title().startswith("Fout:")
    assert axe_violations(page) == []

    page.get_by_label(re.compile("^Burgerservicenummer")).fill(bsn)
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_url(re.compile(r".*/logboek/\?betrokkene=[0-9a-f]{32}$"))
    assert bsn not in page.url
    texts = page.get_by_role("table", name=CAPTION).locator("tbody tr").all_inner_texts()
    assert any("Bronbestand ingelezen" in t for t in texts) and any(
        "Huishoudens afgeleid" in t for t in texts
    )
    assert axe_violations(page) == []

    with page.expect_download() as download:
        page.get_by_role("link", name="Alle regels over deze persoon exporteren").click()
    assert re.fullmatch(
        r"meedoen-logboek-betrokkene-\d{8}-\d{6}\.json", download.value.suggested_filename
    )
    kept = tmp_path / "export.json"
    download.value.save_as(kept)
    text = kept.read_text(encoding="utf-8")
    document = json.loads(text)
    assert document["format"] == "logboek-dataverwerkingen/meedoen-1"
    names = {r["name"] for r in document["records"]}
    assert {"intake.load", "activity.store.build", "household.build"} <= names
    assert bsn not in text
