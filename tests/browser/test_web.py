"""End to end, as a person would: the demo's users sign in with headless Chromium, and every page
they see passes the automated WCAG 2.1 AA checks of axe-core."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DemoServer, axe_violations
from tests.helpers import ROLE_IDS

pytestmark = pytest.mark.browser


def sign_in(page, server: DemoServer, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + "/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(server.passwords[username])
    page.get_by_role("button", name="Inloggen").click()
    # A resident's start is their own data.
    page.wait_for_url(server.url + ("/mijn/" if username == "resident" else "/"))


@pytest.mark.parametrize("username", ROLE_IDS)
def test_every_demo_user_signs_in_and_sees_own_start_page(page, demo_server, username) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    console_errors: list[str] = []
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)

    sign_in(page, demo_server, username)

    heading = page.get_by_role("heading", level=1)
    if username == "resident":
        assert heading.inner_text() == "Mijn gegevens"
    else:
        assert heading.inner_text().startswith("Welkom")
    assert page.locator("html").get_attribute("lang") == "nl"
    # Everything the page loads comes from our own server: no CDN, works offline.
    assert {urlparse(url).netloc for url in requests} == {urlparse(demo_server.url).netloc}
    # No CSP violations or failed loads.
    assert console_errors == []

    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url("**/inloggen/")


def test_wrong_password_shows_an_error(page, demo_server) -> None:
    page.goto(demo_server.url + "/inloggen/")
    page.get_by_label("Gebruikersnaam").fill("analyst")
    page.get_by_label("Wachtwoord").fill("not-the-password")
    page.get_by_role("button", name="Inloggen").click()
    # The form posts back to the same address: wait for the alert, do not poll once.
    expect(page.get_by_role("alert")).to_be_visible()


def test_language_switch_to_english(page, demo_server) -> None:
    page.goto(demo_server.url + "/inloggen/")
    page.get_by_label("Taal").select_option("en")
    page.get_by_role("button", name="Wijzigen").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in to meedoen"
    assert page.locator("html").get_attribute("lang") == "en"


def test_skip_link_is_the_first_stop_for_keyboard_users(page, demo_server) -> None:
    page.goto(demo_server.url + "/inloggen/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Direct naar de inhoud"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize("language", ["nl", "en"])
def test_login_page_has_no_wcag_violations(axe_page, demo_server, language) -> None:
    axe_page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": demo_server.url}]
    )
    axe_page.goto(demo_server.url + "/inloggen/")
    assert axe_violations(axe_page) == []


def test_login_error_state_has_no_wcag_violations(axe_page, demo_server) -> None:
    axe_page.goto(demo_server.url + "/inloggen/")
    axe_page.get_by_label("Gebruikersnaam").fill("analyst")
    axe_page.get_by_label("Wachtwoord").fill("wrong")
    axe_page.get_by_role("button", name="Inloggen").click()
    assert axe_violations(axe_page) == []


@pytest.mark.parametrize("username", ROLE_IDS)
def test_start_pages_have_no_wcag_violations(axe_page, demo_server, username) -> None:
    sign_in(axe_page, demo_server, username)
    assert axe_violations(axe_page) == []


def test_pages_fit_a_narrow_screen(axe_page, demo_server) -> None:
    """WCAG 1.4.10 reflow: usable at 320 CSS pixels without horizontal scrolling."""
    axe_page.set_viewport_size({"width": 320, "height": 640})
    sign_in(axe_page, demo_server, "administrator")
    overflow = axe_page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


def test_inlezen_page_has_no_wcag_violations(axe_page, demo_server) -> None:
    sign_in(axe_page, demo_server, "analyst")
    axe_page.get_by_role("link", name="Bronbestanden inlezen").click()
    axe_page.wait_for_url(demo_server.url + "/inlezen/")
    assert axe_page.get_by_role("heading", level=1).inner_text() == "Bronbestanden inlezen"
    assert axe_violations(axe_page) == []
    # The result of an upload, in Dutch (issue 17): a file whose only row fails (rejected, with
    # its row errors), a file of no contract table, areas with a wrong level.
    header = b"burgerservicenummer,geslachtsnaam,datumgeboorte\n"
    areas = b"code,naam,niveau,bovenliggend\nWK078400,Rijen,buurt,\nWK078401,Gilze,wijk,\n"
    axe_page.get_by_label("Bronbestanden").set_input_files(
        [
            {
                "name": "ingeschrevenpersoon.csv",
                "mimeType": "text/csv",
                "buffer": header + b"123,Jansen,1980-05-17\n",
            },
            {"name": "klanten.csv", "mimeType": "text/csv", "buffer": b"a,b\n1,2\n"},
            {"name": "gebied.csv", "mimeType": "text/csv", "buffer": areas},
        ]
    )
    axe_page.get_by_role("button", name="Inlezen").click()
    axe_page.get_by_role("heading", name="Resultaat").wait_for()
    assert axe_page.get_by_text("geen geldig BSN (9 cijfers, elfproef)").count() == 1
    assert axe_page.get_by_text("onbekende tabel klanten").count() == 2  # result and history
    assert axe_page.get_by_text("niveau past niet bij de code").count() == 1
    from tests.browser.test_every_page import VISIBLE_TEXT, problems_of

    assert problems_of(axe_page.evaluate(VISIBLE_TEXT)) == []
    assert axe_violations(axe_page) == []
    axe_page.set_viewport_size({"width": 375, "height": 800})
    assert axe_violations(axe_page) == []
