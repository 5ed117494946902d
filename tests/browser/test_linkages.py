"""Linking a partner file as the demo's analyst sees it, in Dutch: upload the food bank's file for
the demo activity, follow the linkage until its summary shows (the real background thread of
`meedoen serve` does the work, the page's script polls its status under the site's
Content-Security-Policy), then review the records it was unsure about: the queue, a record next
to its candidates, and a decision either way. Every page and error state passes axe-core's WCAG
2.1 AA checks.

The demo links its food bank file when it is set up, so the same file again changes nothing
and leaves nothing to review. The review test therefore uploads a later delivery of the same
file in which twenty clients gave neither their first name nor their birth date: a client who
lives with someone of the same surname then matches both persons, and waits for review."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from meedoen_data.synth import synth_municipality
from tests.browser.conftest import DemoServer, axe_violations
from tests.browser.test_households import demo_activity_value
from tests.browser.test_web import sign_in

pytestmark = pytest.mark.browser

#: The demo's municipality is linked in seconds; a slow CI machine gets plenty more.
LINK_TIMEOUT_MS = 180_000
#: Records of the later delivery without first name and birth date.
VAGUE_RECORDS = 20


@dataclass(frozen=True)
class PartnerFiles:
    delivered: Path  # the food bank file the demo has linked already
    later: Path  # the same clients, twenty of them without first name and birth date
    register_bsns: set[str]
    klantnummers: set[str]  # the partner's record numbers


@pytest.fixture(scope="module")
def partner_files(tmp_path_factory: pytest.TempPathFactory) -> PartnerFiles:
    """The demo's own synthetic municipality (same generator, same seed) and a later delivery
    of its food bank file."""
    folder = tmp_path_factory.mktemp("partner-files")
    sources = folder / "GM0784"
    synth_municipality(gemeente="GM0784", out=sources, seed=1)
    delivered = sources / "voedselbank.csv"
    with delivered.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows[:VAGUE_RECORDS]:
        row["voornamen"] = row["datumgeboorte"] = ""
    later = folder / "voedselbank_2025_02.csv"
    with later.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with (sources / "ingeschrevenpersoon.csv").open(encoding="utf-8", newline="") as f:
        bsns = {row["burgerservicenummer"] for row in csv.DictReader(f)}
    return PartnerFiles(delivered, later, bsns, {row["klantnummer"] for row in rows})


def start_linkage(page, demo_server: DemoServer, path: Path) -> str:  # type: ignore[no-untyped-def]
    """Fill in the form on /koppelingen/ and start; return the run page's address."""
    page.goto(demo_server.url + "/koppelingen/")
    page.get_by_label(re.compile("^Verwerking")).select_option(demo_activity_value(page))
    page.get_by_label(re.compile("^Partnerbron")).fill("voedselbank")
    page.get_by_label(re.compile("^Partnerbestand")).set_input_files(str(path))
    page.get_by_role("button", name="Koppeling starten").click()
    page.wait_for_url(re.compile(r".*/koppelingen/\d+/$"))
    return str(page.url)


def test_analyst_links_the_food_bank_file_and_follows_the_progress(
    page, demo_server: DemoServer, partner_files: PartnerFiles
) -> None:
    """With the Content-Security-Policy in force: the progress script is allowed to run."""
    console_errors: list[str] = []
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if r.url.endswith("/status/") else None)
    sign_in(page, demo_server, "analyst")
    page.get_by_role("link", name="Partnerbestanden koppelen").click()
    page.wait_for_url(demo_server.url + "/koppelingen/")
    assert page.get_by_role("heading", level=1).inner_text() == "Partnerbestanden koppelen"

    page.get_by_label(re.compile("^Verwerking")).select_option(demo_activity_value(page))
    # The demo activity covers one partner file: its name is filled in.
    assert page.get_by_label(re.compile("^Partnerbron")).input_value() == "voedselbank"
    page.get_by_label(re.compile("^Partnerbestand")).set_input_files(str(partner_files.delivered))
    page.get_by_role("button", name="Koppeling starten").click()
    page.wait_for_url(re.compile(r".*/koppelingen/\d+/$"))
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading.startswith("Koppeling van partnerbestand ")
    first = page.get_by_role("status").inner_text()
    assert "Status:" in first
    assert page.locator('meta[http-equiv="refresh"]').count() == 0

    # No reload from the test: the page's own script notices the end and shows the summary.
    page.get_by_role("table", name="Records per status").wait_for(timeout=LINK_TIMEOUT_MS)
    assert "Status: klaar" in page.get_by_role("status").inner_text()
    summary = page.get_by_role("region", name="Samenvatting").inner_text()
    assert "Gekoppeld aan een persoon" in summary and "Geschatte precisie" in summary
    curve = page.get_by_role("table", name="Geschatte precisie en recall bij elke drempel")
    assert "(gekozen)" in curve.inner_text()
    assert [e for e in console_errors if "Content Security Policy" in e] == []
    if "klaar" not in first:  # it was still running: the script asked and then reloaded
        assert polls and all(url.startswith(page.url) for url in polls)


def test_every_linkage_and_review_page_passes_axe(
    axe_page, demo_server: DemoServer, partner_files: PartnerFiles
) -> None:
    page = axe_page
    sign_in(page, demo_server, "analyst")

    # The form, first with its errors, then correct: the linkage starts and finishes.
    page.goto(demo_server.url + "/koppelingen/")
    assert axe_violations(page) == []
    page.get_by_label(re.compile("^Partnerbron")).fill("Voedsel Bank")
    page.get_by_role("button", name="Koppeling starten").click()
    alert = page.get_by_role("alert").inner_text()
    assert "Verbeter het volgende" in alert and "Partnerbestand" in alert
    assert page.title().startswith("Fout:")
    assert page.get_by_label(re.compile("^Partnerbron")).get_attribute("aria-invalid") == "true"
    assert axe_violations(page) == []

    run_url = start_linkage(page, demo_server, partner_files.later)
    if page.locator("progress").count():  # still running: the progress region is checked too
        assert axe_violations(page) == []
    page.get_by_role("table", name="Records per status").wait_for(timeout=LINK_TIMEOUT_MS)
    assert page.url == run_url
    assert "Status: klaar" in page.get_by_role("status").inner_text()
    assert axe_violations(page) == []

    # The linkages so far, with this one, and a way to the review queue.
    page.goto(demo_server.url + "/koppelingen/")
    runs = page.get_by_role("table", name=re.compile("nieuwste eerst"))
    assert "klaar" in runs.inner_text()
    assert axe_violations(page) == []

    # The summary links to the records the linkage was unsure about.
    page.goto(run_url)
    page.get_by_role("link", name=re.compile(r"^De \d+ records beoordelen")).click()
    page.wait_for_url(re.compile(r".*/koppelingen/beoordelen/\d+/$"))
    queue_url = page.url
    queue = page.get_by_role("table", name=re.compile(r"records? wacht(en)? op beoordeling$"))
    assert queue.locator("tbody tr").count() > 1
    # Records are named by the start of a random review code: no record number, no BSN.
    content = page.content()
    assert [k for k in partner_files.klantnummers if k in content] == []
    assert not set(re.findall(r"\d{9}", content)) & partner_files.register_bsns
    assert axe_violations(page) == []

    # One record next to its candidates; no BSN and no person pseudonym anywhere; accept the
    # first candidate (named by its rank).
    first = queue.locator("tbody tr th a").first.inner_text()
    assert re.fullmatch(r"[A-Za-z0-9_-]{8}", first)  # the start of a random review code
    queue.get_by_role("link", name=first, exact=True).click()
    page.wait_for_url(
        re.compile(
            rf".*/koppelingen/beoordelen/\d+/voedselbank/{re.escape(first)}[A-Za-z0-9_-]{{14}}/$"
        )
    )
    assert page.get_by_role("heading", level=1).inner_text() == (
        f"Record {first} van voedselbank beoordelen"
    )
    case = page.get_by_role("table", name="Het record van de partner naast zijn kandidaten")
    assert "Kandidaat 1" in case.inner_text() and "Vergelijking: Adres" in case.inner_text()
    assert page.locator("#case-record-number").inner_text() in partner_files.klantnummers
    content = page.content()
    assert not set(re.findall(r"\d{9}", content)) & partner_files.register_bsns
    assert "person_id" not in content
    assert page.locator('input[name="rank"]').first.get_attribute("value") == "1"
    assert axe_violations(page) == []
    page.get_by_role("button", name="Dezelfde persoon", exact=True).first.click()
    page.wait_for_url(queue_url)
    assert "is gekoppeld aan de persoon die u koos" in page.get_by_role("main").inner_text()
    assert axe_violations(page) == []

    # The next record: its first candidate is not the same person; the others still wait.
    queue = page.get_by_role("table", name=re.compile(r"records? wacht(en)? op beoordeling$"))
    assert first not in queue.inner_text()
    second = queue.locator("tbody tr th a").first.inner_text()
    queue.get_by_role("link", name=second, exact=True).click()
    page.wait_for_url(re.compile(rf".*/voedselbank/{re.escape(second)}[A-Za-z0-9_-]{{14}}/$"))
    page.get_by_role("button", name="Niet dezelfde persoon", exact=True).first.click()
    page.wait_for_url(queue_url)
    main = page.get_by_role("main").inner_text()
    assert "De kandidaat is afgewezen" in main or "Alle kandidaten zijn afgewezen" in main
    assert axe_violations(page) == []

    # A review code of no record awaiting review (never issued, or already decided): 404, in
    # Dutch, with the way back.
    response = page.goto(f"{queue_url}voedselbank/{'0' * 22}/")
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Pagina niet gevonden"
    assert page.title() == "Pagina niet gevonden · meedoen"
    assert axe_violations(page) == []
