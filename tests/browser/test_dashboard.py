"""The dashboard as the demo's council member reads it (issue 18): the analyst releases the
indicators with `meedoen dashboard publish`; the council member finds the dashboard in the menu,
reads the key figures, opens a wijk table with the keyboard, follows a link to the published
table — in Dutch, without codes, passing axe at 1280 and 375 px without sideways scrolling."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest

from tests.browser.conftest import DemoServer, axe_violations, fits, screenshot
from tests.browser.test_web import sign_in
from tests.helpers import meedoen_as, meedoen_json

pytestmark = pytest.mark.browser

DEMO_ACTIVITY = "Voedselbankklanten in beeld"


@pytest.fixture(scope="module")
def released(demo_server: DemoServer) -> dict[str, Any]:
    home = str(demo_server.home)
    [activity] = [
        a
        for a in meedoen_json("activity", "list", "--home", home)
        if a["name"] == DEMO_ACTIVITY and a["status"] == "approved"
    ]
    args = ("dashboard", "publish", "--activity", str(activity["id"]), "--peildatum")
    deadline = time.monotonic() + 120
    while True:  # a build another browser test started may still hold the activity's tables
        result = meedoen_as(
            "analyst",
            demo_server.passwords["analyst"],
            *args,
            "2025-01-01",
            "--home",
            home,
            "--json",
        )
        if result.returncode == 0:
            return {r["indicator"]: r for r in json.loads(result.stdout)["indicators"]}
        assert "in use" in result.stderr and time.monotonic() < deadline, result.stderr
        time.sleep(2)


def test_the_council_member_reads_the_dashboard(
    axe_page, demo_server: DemoServer, released: dict[str, Any]
) -> None:  # type: ignore[no-untyped-def]
    from tests.browser.test_every_page import VISIBLE_TEXT, problems_of

    page = axe_page
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, demo_server, "council_member")
    page.get_by_role("navigation").get_by_role("link", name="Dashboard").click()
    page.wait_for_url(demo_server.url + "/dashboard/")
    assert page.get_by_role("heading", level=1).inner_text() == "Dashboard: meedoen"
    assert "Peildatum 1 januari 2025" in page.get_by_role("main").inner_text()
    screenshot(page, "dashboard", full_page=False)  # the top: the key figures
    overview = page.get_by_role("table", name="Alle indicatoren voor de hele gemeente")
    row = overview.get_by_role("row", name=re.compile("Huishoudens met bijstand"))
    assert re.search(r"\d+,\d%", row.inner_text())
    assert (
        "nog geen gegevens"
        in overview.get_by_role("row", name=re.compile("Eenzaamheid")).inner_text()
    )
    assert released["bijstand"]["status"] in ("published", "unchanged")
    # The map: the first released register indicator per buurt, with its legend.
    drawn = page.get_by_role("img", name=re.compile("per buurt"))
    assert drawn.locator("path").count() >= 20
    assert re.search(r"\d+,\d tot \d+,\d%", page.locator(".meedoen-map__legend").inner_text())
    page.get_by_label("Indicator op de kaart").select_option(label="Gezinnen met jeugdhulp")
    page.get_by_role("button", name="Op de kaart tonen").click()
    page.wait_for_url(re.compile(r".*kaart=jeugdhulp.*"))
    assert (
        page.get_by_role("img", name=re.compile("^Gezinnen met jeugdhulp per buurt")).count() == 1
    )
    panel = overview.get_by_role("row", name=re.compile("Contact met anderen"))
    assert re.search(r"\d+,\d \(cijfer\)", panel.inner_text())
    # A wijk table opens from the keyboard; wijken by their names.
    card = page.get_by_role("article", name="Huishoudens met bijstand")
    summary = card.locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    wijken = card.get_by_role("table", name="Huishoudens met bijstand per wijk")
    assert wijken.is_visible()
    assert "Rijen (WK078400)" in wijken.inner_text()
    assert problems_of(page.evaluate(VISIBLE_TEXT)) == []
    assert axe_violations(page) == [] and fits(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert axe_violations(page) == [] and fits(page)
    # From a figure to the published table behind it.
    page.set_viewport_size({"width": 1280, "height": 900})
    card.get_by_role(
        "link", name=re.compile("De gepubliceerde tabel van Huishoudens met bijstand")
    ).click()
    page.wait_for_url(re.compile(r".*/publicaties/\d+/"))
    assert (
        page.get_by_role("table", name=re.compile("^Huishoudens met bijstand naar buurt")).count()
        == 1
    )


def test_a_council_member_records_a_signal_and_one_with_a_name_is_refused(
    axe_page, demo_server: DemoServer, released: dict[str, Any]
) -> None:  # type: ignore[no-untyped-def]
    page = axe_page
    sign_in(page, demo_server, "council_member")
    page.goto(demo_server.url + "/dashboard/signalen/")
    assert page.get_by_role("heading", level=1).inner_text() == "Signalen van de adviesraad"
    assert axe_violations(page) == []
    page.get_by_label("Wat hoorde u?").fill("Op het spreekuur hoorden we vaak over eenzaamheid.")
    page.get_by_label("Over welke indicator gaat het?").select_option(label="Contact met anderen")
    page.get_by_label("Wanneer").fill("2026-11-02")
    page.get_by_label("Waar").select_option(label="spreekuur")
    page.get_by_role("button", name="Signaal vastleggen").click()
    page.wait_for_url(demo_server.url + "/dashboard/signalen/")
    table = page.get_by_role("table", name="Elk signaal met het cijfer van zijn indicator")
    assert "vaak over eenzaamheid" in table.inner_text()
    # A text with an e-mail address is refused, with an error summary that names the field.
    page.get_by_label("Wat hoorde u?").fill("Mail jan@example.nl over de voedselbank")
    page.get_by_label("Wanneer").fill("2026-11-03")
    page.get_by_role("button", name="Signaal vastleggen").click()
    assert page.title().startswith("Fout:")
    assert "e-mailadres" in page.get_by_role("main").inner_text()
    assert axe_violations(page) == [] and fits(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert axe_violations(page) == [] and fits(page)


def test_the_coverage_and_a_wijk_page_pass_axe_at_both_widths(
    axe_page, demo_server: DemoServer, released: dict[str, Any]
) -> None:  # type: ignore[no-untyped-def]
    page = axe_page
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, demo_server, "policy_maker")
    page.goto(demo_server.url + "/dashboard/dekking/")
    assert page.get_by_role("heading", level=1).inner_text() == "Dekking: waar gegevens ontbreken"
    assert axe_violations(page) == [] and fits(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert axe_violations(page) == [] and fits(page)
    # A wijk's page from the dashboard, with the keyboard: the wijk beside the gemeente.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(demo_server.url + "/dashboard/")
    page.get_by_role("link", name="Rijen", exact=True).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/dashboard/wijk/WK078400/"))
    table = page.get_by_role("table", name="Indicatoren in Rijen en in de hele gemeente")
    row = table.get_by_role("row", name=re.compile("Huishoudens met bijstand"))
    assert re.search(r"\d+,\d%.*\d+,\d%", row.inner_text(), re.S)
    assert axe_violations(page) == [] and fits(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert axe_violations(page) == [] and fits(page)
