"""The demo's debt worker reviews the signals the linkage was unsure about: the list of signals
not on a household links each one awaiting review; its page shows the signal as the partner sent
it beside the persons of the register it may be about (never a BSN), per comparison the level
and whether it counts for or against; "Zelfde persoon" puts it on a household of the work list
at once, "Niet deze persoon" takes a person out. Other roles get the styled 403, a code of no
signal awaiting review the styled 404. In Dutch, passing axe at 1280 and 375 px without
sideways scrolling of the page (the comparison table scrolls in its own container). The demo's
operational debt-help activity is linked first with `meedoen signals link`."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import DemoServer, axe_violations, fits
from tests.browser.test_web import sign_in
from tests.helpers import demo_copy, meedoen_json, passwords, served

pytestmark = pytest.mark.browser

PENDING = 'table#unlinked tbody tr[data-status="pending"] a'


@pytest.fixture(scope="module")
def review_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """The demo workspace with its signals linked: a few await review."""
    home = Path(tmp_path_factory.mktemp("signal-review")) / "home"
    demo = demo_copy(home)
    activity = demo.get("debt_help", {}).get("operational", {}).get("id")
    assert activity, "the demo has no operational debt-help activity"
    linked = meedoen_json("signals", "link", "--activity", str(activity), "--home", str(home))
    assert linked["by_linkage"]["pending"] >= 3, linked  # one to accept, one to reject, one left
    with served(home) as url:
        yield DemoServer(url, passwords(demo), home)


def check(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """axe and no sideways scrolling at both widths; with MEEDOEN_SHOTS=DIR a screenshot of
    each width as DIR/review-NAME-WIDTH.png."""
    shots = os.environ.get("MEEDOEN_SHOTS")
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(page) == [], width
        assert fits(page), width
        if shots:
            page.screenshot(path=str(Path(shots) / f"review-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def open_first(page, server: DemoServer) -> str:  # type: ignore[no-untyped-def]
    """Open the first signal awaiting review from the list; its signal id."""
    page.goto(server.url + "/vroegsignalen/beoordelen/")
    link = page.locator(PENDING).first
    signal = link.inner_text().split()[0]
    link.click()
    page.wait_for_url(
        re.compile(r".*/vroegsignalen/beoordelen/[A-Za-z0-9_-]{22}/\?activiteit=\d+$")
    )
    return signal


def test_a_signal_awaiting_review_is_decided_on_its_page(  # type: ignore[no-untyped-def]
    axe_page, review_server: DemoServer
) -> None:
    page = axe_page
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, review_server, "debt_worker")
    page.goto(review_server.url + "/vroegsignalen/")
    page.get_by_role("link", name="Signalen zonder huishouden").click()
    page.wait_for_url(re.compile(r".*/vroegsignalen/beoordelen/$"))
    assert page.locator(PENDING).count() >= 3
    assert "wacht op beoordeling" in page.locator("#review-how").inner_text()
    check(page, "list")
    signal = open_first(page, review_server)
    assert page.get_by_role("heading", level=1).inner_text() == f"Signaal {signal} beoordelen"
    table = page.get_by_role("table", name="Wat de partner stuurde naast de personen uit de BRP")
    persons = table.locator("thead th[id^=candidate-]")
    assert 1 <= persons.count() <= 3
    assert persons.first.inner_text() == "Persoon 1"
    text = table.inner_text()
    assert "Achternaam" in text and "Geboortedatum" in text and "Adres" in text
    assert "Kans op dezelfde persoon" in text and re.search(r"\d+,\d%", text)
    assert re.search(r"pleit (sterk )?(voor|tegen)|telt niet mee", text)
    assert not re.search(r"(?<!\d)\d{9}(?!\d)", text), "a BSN on the page"
    assert "€" in page.locator("#review-signal").inner_text()
    check(page, "case")
    # Same person: on a household of the work list at once, back on the list with a message.
    table.get_by_role("button", name="Zelfde persoon").first.click()
    page.wait_for_url(re.compile(r".*/vroegsignalen/beoordelen/\?activiteit=\d+$"))
    message = page.get_by_role("status").first.inner_text()
    assert f"Signaal {signal} is gekoppeld aan de persoon die u koos" in message
    assert signal not in page.locator("table#unlinked").inner_text()
    check(page, "accepted")
    # Not this person, for every person of the next signal: it stays off the work list.
    signal = open_first(page, review_server)
    while page.get_by_role("button", name="Niet deze persoon").count():
        page.get_by_role("button", name="Niet deze persoon").first.click()
        page.wait_for_url(re.compile(r".*/vroegsignalen/beoordelen/\?activiteit=\d+$"))
        row = page.locator("table#unlinked tbody tr", has_text=signal)
        if row.get_attribute("data-status") != "pending":
            break
        row.get_by_role("link").click()
    message = page.get_by_role("status").first.inner_text()
    assert f"Alle personen zijn afgewezen: signaal {signal} komt niet op de werklijst." in message
    row = page.locator("table#unlinked tbody tr", has_text=signal)
    assert row.get_attribute("data-status") == "rejected"
    assert "Afgewezen bij beoordeling" in row.inner_text()


def test_a_code_of_no_signal_and_other_roles_are_refused(  # type: ignore[no-untyped-def]
    axe_page, review_server: DemoServer
) -> None:
    page = axe_page
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, review_server, "debt_worker")
    answer = page.goto(review_server.url + "/vroegsignalen/beoordelen/" + "A" * 22 + "/")
    assert answer is not None and answer.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Pagina niet gevonden"
    check(page, "404")
    page.goto(review_server.url + "/vroegsignalen/beoordelen/")
    token_url = page.locator(PENDING).first.get_attribute("href")
    assert token_url
    page.get_by_role("button", name="Uitloggen").click()
    sign_in(page, review_server, "case_worker")
    answer = page.goto(review_server.url + token_url)
    assert answer is not None and answer.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "Geen toegang"
    check(page, "403")
