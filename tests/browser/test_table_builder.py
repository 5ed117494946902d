"""The table builder (issue 18) as the demo's council member uses it with the keyboard only:
from the published tables to "Stel zelf een tabel samen", each choice made by typing in a
focused list, the table made with Enter, then the protected table and its downloads — in Dutch,
passing axe at 1280 and 375 px without sideways scrolling."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import DemoServer, axe_violations, fits, screenshot
from tests.browser.test_web import sign_in

pytestmark = pytest.mark.browser


def tab_to(page, element_id: str, limit: int = 60) -> None:  # type: ignore[no-untyped-def]
    """Press Tab until the element with ``element_id`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    pytest.fail(f"Tab never reached #{element_id}")


def test_a_council_member_makes_a_table_with_the_keyboard(
    axe_page, demo_server: DemoServer
) -> None:  # type: ignore[no-untyped-def]
    page = axe_page
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, demo_server, "council_member")
    page.goto(demo_server.url + "/publicaties/")
    link = page.get_by_role("link", name="Stel zelf een tabel samen")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/tabellen/nieuw/.*"))
    assert page.get_by_role("heading", level=1).inner_text() == "Tabel samenstellen"
    assert axe_violations(page) == [] and fits(page)
    screenshot(page, "table-builder")
    tab_to(page, "id_variable_1")
    page.keyboard.type("Wijk")
    tab_to(page, "id_variable_2")
    page.keyboard.type("Type huishouden")
    assert page.get_by_label("Rijen").input_value() == "wijkcode"
    assert page.get_by_label("Kolommen (niet verplicht)").input_value() == "household_type"
    tab_to(page, "make-table")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/publicaties/\d+/"))
    main = page.get_by_role("main").inner_text()
    assert "Uw tabel is gemaakt en beveiligd" in main
    table = page.get_by_role("table", name=re.compile("^Huishoudens naar wijk en type huishouden"))
    assert "Rijen (WK078400)" in table.inner_text() and "Eenoudergezin" in table.inner_text()
    assert page.get_by_role("link", name=re.compile("Excel-bestand")).count() == 1
    assert axe_violations(page) == [] and fits(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert axe_violations(page) == [] and fits(page)
    page.goto(demo_server.url + "/tabellen/nieuw/")
    assert axe_violations(page) == [] and fits(page)
