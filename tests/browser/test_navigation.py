"""The main menu in the browser, for every role: at 1280 px the header is one line and the menu
one line under it, with the current section marked; at 375 px the header stays one line and the
menu with the language switch and sign-out fold behind a "Menu" button that opens them; every
link of the menu opens its page; WCAG 2.1 AA both ways, no sideways scrolling of the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DemoServer, axe_violations
from tests.browser.test_web import sign_in
from tests.helpers import ROLE_IDS

pytestmark = pytest.mark.browser


def overflow(page) -> int:  # type: ignore[no-untyped-def]
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


def scrolling_tables(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The captions of tables whose container scrolls sideways (at 1280 px none should)."""
    return list(
        page.evaluate(
            """[...document.querySelectorAll('.utrecht-table-container')]
                .filter(c => c.scrollWidth > c.clientWidth + 1)
                .map(c => (c.querySelector('caption') || c).textContent.trim().slice(0, 60))"""
        )
    )


@pytest.mark.parametrize("username", ROLE_IDS)
def test_the_menu_at_desktop_width(axe_page, demo_server: DemoServer, username: str) -> None:  # type: ignore[no-untyped-def]
    page = axe_page
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, demo_server, username)
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    expect(menu).to_be_visible()
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    assert page.locator("header").bounding_box()["height"] <= 100  # one line
    assert menu.bounding_box()["height"] <= 60  # one line
    start = "Mijn gegevens" if username == "resident" else "Start"  # a resident's start page
    expect(menu.get_by_role("link", name=start, exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    assert overflow(page) <= 0
    assert axe_violations(page) == []
    links = [
        (link.inner_text(), link.get_attribute("href")) for link in menu.get_by_role("link").all()
    ]
    for text, href in links:
        response = page.goto(demo_server.url + href)
        assert response is not None and response.status == 200, (username, href)
        marked = page.get_by_role("navigation", name="Hoofdmenu").locator(
            ".meedoen-nav__link--active"
        )
        expect(marked).to_have_text(text)
        assert overflow(page) <= 0, (username, href)
        assert scrolling_tables(page) == [], (username, href)


@pytest.mark.parametrize("username", ROLE_IDS)
def test_the_menu_folds_on_a_phone(axe_page, demo_server: DemoServer, username: str) -> None:  # type: ignore[no-untyped-def]
    page = axe_page
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, demo_server, username)
    button = page.get_by_role("button", name="Menu")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("navigation", name="Hoofdmenu")).to_be_hidden()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_hidden()
    assert page.locator("header").bounding_box()["height"] <= 100
    assert overflow(page) <= 0
    assert axe_violations(page) == []

    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("navigation", name="Hoofdmenu")).to_be_visible()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    assert overflow(page) <= 0
    assert axe_violations(page) == []
