"""Published tables as the demo's council member reads them, in Dutch: two tables published with
`meedoen table` on the demo activity (one suppressed, one rounded), found from the start page,
read with their x's, and every publication page passes axe-core's WCAG 2.1 AA checks."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest

from tests.browser.conftest import DemoServer, axe_violations
from tests.browser.test_web import sign_in
from tests.helpers import meedoen_as, meedoen_json

pytestmark = pytest.mark.browser

DEMO_ACTIVITY = "Voedselbankklanten in beeld"


@pytest.fixture(scope="module")
def published(demo_server: DemoServer) -> dict[str, Any]:
    """A suppressed table wijk x type and a rounded table of income by buurt, published by the
    analyst (counts of one peildatum keep one mode; a table of sums is a separate group)."""
    home = str(demo_server.home)
    [activity] = [
        a
        for a in meedoen_json("activity", "list", "--home", home)
        if a["name"] == DEMO_ACTIVITY and a["status"] == "approved"
    ]
    common = ("--activity", str(activity["id"]), "--home", home, "--format", "json")
    tables = {}
    for kind, args in (
        ("suppressed", ("wijkcode", "household_type")),
        ("rounded", ("buurtcode", "--sum", "besteedbaar_inkomen", "--rounding")),
    ):
        tables[kind] = publish(demo_server.passwords["analyst"], *args, *common)
    return tables


def publish(password: str, *args: str) -> Any:
    """`meedoen table --by analyst` as the analyst would run it (signed in with her password);
    waits while a build or a linkage an earlier browser test started in the web app still holds
    the activity's tables."""
    deadline = time.monotonic() + 120
    while True:
        result = meedoen_as("analyst", password, "table", *args)
        if result.returncode == 0:
            return json.loads(result.stdout)
        assert "in use" in result.stderr and time.monotonic() < deadline, result.stderr
        time.sleep(2)


def test_council_member_reads_a_published_table(
    page, demo_server: DemoServer, published: dict[str, Any]
) -> None:
    """From the start page to a table, with the Content-Security-Policy in force."""
    console_errors: list[str] = []
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, demo_server, "council_member")
    page.get_by_role("main").get_by_role("link", name="Gepubliceerde tabellen").click()
    page.wait_for_url(demo_server.url + "/publicaties/")
    assert page.get_by_role("heading", level=1).inner_text() == "Gepubliceerde tabellen"
    listing = page.get_by_role("table", name=re.compile("gepubliceerde tabellen, nieuwste eerst"))
    assert "Celonderdrukking" in listing.inner_text()
    assert "Gecontroleerd afronden" in listing.inner_text()

    number = published["suppressed"]["publication"]
    page.locator(f'a[href="/publicaties/{number}/"]').click()
    page.wait_for_url(f"{demo_server.url}/publicaties/{number}/")
    assert page.get_by_role("heading", level=1).inner_text() == f"Gepubliceerde tabel {number}"
    # A Dutch title made from the definition; the wijken by their names from gebied (issue 17).
    title = re.compile("^Huishoudens naar wijk en type huishouden op 1 januari 2025")
    table = page.get_by_role("table", name=title)
    header = table.locator("thead th").all_inner_texts()
    assert header[:2] == ["Wijk", "Totaal"]
    rows = table.locator("tbody th").all_inner_texts()
    assert rows[0] == "Totaal" and "Rijen (WK078400)" in rows
    # A withheld cell reads "x" on screen and "niet gepubliceerd: ..." to a screen reader.
    hidden = [c for c in published["suppressed"]["tables"][0]["cells"] if c["value"] is None]
    assert hidden
    marks = table.locator('td span[aria-hidden="true"]')
    assert marks.count() == len(hidden)
    assert set(marks.all_inner_texts()) == {"x"}
    explanation = table.locator("td span.meedoen-visually-hidden").first
    assert explanation.text_content().startswith("niet gepubliceerd")
    box = explanation.bounding_box()
    assert box is not None and box["width"] <= 1 and box["height"] <= 1
    assert (
        "Zo leest u deze tabel"
        in page.get_by_role("region", name="Zo leest u deze tabel").inner_text()
    )
    assert [e for e in console_errors if "Content Security Policy" in e] == []


def test_every_publication_page_passes_axe(
    axe_page, demo_server: DemoServer, published: dict[str, Any]
) -> None:
    page = axe_page
    sign_in(page, demo_server, "council_member")
    page.goto(demo_server.url + "/publicaties/")
    assert axe_violations(page) == []
    for kind in ("suppressed", "rounded"):
        page.goto(f"{demo_server.url}/publicaties/{published[kind]['publication']}/")
        assert page.get_by_role("table").count() == 1
        assert axe_violations(page) == [], kind


def test_publication_pages_fit_a_narrow_screen(
    axe_page, demo_server: DemoServer, published: dict[str, Any]
) -> None:
    """WCAG 1.4.10 reflow: a wide table scrolls in its own region, the page does not."""
    page = axe_page
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, demo_server, "council_member")
    for path in ["/publicaties/"] + [
        f"/publicaties/{published[kind]['publication']}/" for kind in ("suppressed", "rounded")
    ]:
        page.goto(demo_server.url + path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, path
