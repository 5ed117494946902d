"""The administrator's account pages in Chromium, in Dutch: the list through the menu, a new
account, another role, deactivation — every state without axe-core WCAG 2.1 AA violations and
without horizontal overflow at 1280 and 375 px; the deactivated account cannot sign in."""

from __future__ import annotations

import base64
import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DemoServer, axe_violations, fits, screenshot
from tests.browser.test_web import sign_in
from tests.helpers import meedoen

pytestmark = pytest.mark.browser
PASSWORD = "een-lang-en-sterk-wachtwoord-26"


def test_the_administrator_manages_an_account(axe_page, demo_server: DemoServer) -> None:
    page = axe_page
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, demo_server, "administrator")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Gebruikers").click()
    page.wait_for_url(demo_server.url + "/beheer/gebruikers/")
    table = page.get_by_role("table")
    expect(table.get_by_role("row", name="Ahmed Analist analyst Analist Actief")).to_have_count(1)
    assert axe_violations(page) == [] and fits(page)

    page.get_by_role("link", name="Nieuw account").click()
    page.get_by_label("Gebruikersnaam").fill("t.tester")
    page.get_by_label("Voornaam").fill("Tessa")
    page.get_by_label("Achternaam").fill("Tester")
    page.get_by_label("Rol").select_option(label="Analist")
    page.get_by_label("Eerste wachtwoord").fill("kort")
    page.get_by_role("button", name="Account aanmaken").click()
    assert page.title().startswith("Fout:")  # a weak password: refused on the form
    assert axe_violations(page) == []
    page.get_by_label("Eerste wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Account aanmaken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tessa Tester")
    assert "Account t.tester is aangemaakt." in page.get_by_role("main").inner_text()

    page.get_by_label("Rol", exact=True).select_option(label="Beleidsmaker")
    page.get_by_role("button", name="Rol wijzigen").click()
    expect(page.get_by_text("De rol is gewijzigd.")).to_be_visible()
    assert "Beleidsmaker" in page.locator("dl").inner_text()
    assert axe_violations(page) == [] and fits(page)

    page.set_viewport_size({"width": 375, "height": 800})
    assert axe_violations(page) == [] and fits(page)
    page.get_by_role("button", name="Account deactiveren").click()
    expect(page.get_by_text("Het account is gedeactiveerd")).to_be_visible()
    assert axe_violations(page) == [] and fits(page)
    page.goto(demo_server.url + "/beheer/gebruikers/")
    assert axe_violations(page) == [] and fits(page)

    # The deactivated account cannot sign in.
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("button", name="Uitloggen").click()
    page.goto(demo_server.url + "/")
    page.get_by_label("Gebruikersnaam").fill("t.tester")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    assert page.url.startswith(demo_server.url + "/inloggen/")


def test_a_one_time_link_sets_a_new_password(browser, demo_server: DemoServer) -> None:
    """The administrator makes a link for a new account; the person opens it in their own
    browser, sets a password and signs in with it; the link then no longer works."""
    admin = browser.new_context(locale="nl-NL", bypass_csp=True)
    page = admin.new_page()
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, demo_server, "administrator")
    page.goto(demo_server.url + "/beheer/gebruikers/nieuw/")
    page.get_by_label("Gebruikersnaam").fill("l.link")
    page.get_by_label("Voornaam").fill("Lotte")
    page.get_by_label("Achternaam").fill("Link")
    page.get_by_label("Rol").select_option(label="Beleidsmaker")
    page.get_by_label("Eerste wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Account aanmaken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lotte Link")
    page.get_by_role("button", name="Maak een eenmalige link").click()
    link = page.get_by_label("Eenmalige link").input_value()
    assert link.startswith(demo_server.url + "/wachtwoord/")
    expect(page.get_by_role("status")).to_contain_text("Hij werkt één keer, 24 uur lang")
    assert axe_violations(page) == [] and fits(page)
    screenshot(page, "administrator-eenmalige-link")
    page.set_viewport_size({"width": 375, "height": 800})
    assert axe_violations(page) == [] and fits(page)
    admin.close()

    person = browser.new_context(locale="nl-NL", bypass_csp=True)
    page = person.new_page()
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(link)
        expect(page.get_by_role("heading", level=1)).to_have_text("Nieuw wachtwoord instellen")
        assert "/instellen/" in page.url and link.split("/")[-2] not in page.url
        assert axe_violations(page) == [] and fits(page)
    screenshot(page, "nieuw-wachtwoord")
    page.get_by_label("Nieuw wachtwoord", exact=True).fill("kort")
    page.get_by_label("Nieuw wachtwoord nogmaals").fill("kort")
    page.get_by_role("button", name="Wachtwoord instellen").click()
    assert page.title().startswith("Fout:") and axe_violations(page) == []
    new = "een-nieuw-en-eigen-wachtwoord-29"
    page.get_by_label("Nieuw wachtwoord", exact=True).fill(new)
    page.get_by_label("Nieuw wachtwoord nogmaals").fill(new)
    page.get_by_role("button", name="Wachtwoord instellen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw nieuwe wachtwoord is ingesteld")
    assert axe_violations(page) == [] and fits(page)

    page.get_by_role("link", name="Naar de inlogpagina").click()
    page.get_by_label("Gebruikersnaam").fill("l.link")
    page.get_by_label("Wachtwoord").fill(new)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(demo_server.url + "/")
    page.goto(link)  # used: it no longer works
    expect(page.get_by_role("alert")).to_contain_text("Deze link werkt niet (meer)")
    assert axe_violations(page) == [] and fits(page)
    person.close()


def app_code(secret: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for the key typed from the page (RFC 6238)."""
    from django_otp.oath import totp

    key = base64.b32decode(secret.replace(" ", ""))
    return f"{totp(key, drift=steps_ahead):06d}"


def step_code(secret: str) -> tuple[int, str]:
    """The TOTP time step now (30 seconds) and the app's code for it, read at one moment."""
    from django_otp.oath import TOTP

    totp = TOTP(base64.b32decode(secret.replace(" ", "")))
    totp.time = time.time()
    return totp.t(), f"{totp.token():06d}"


def code_after(secret: str, used: int) -> str:
    """A code the server takes after the code of step ``used`` was used: the next step's, or
    the current one once time has moved past it (the server allows one step of drift and never
    a step it has seen, so on a slow machine a fixed "one ahead" could be two ahead)."""
    now, _code = step_code(secret)
    return app_code(secret, max(0, used + 1 - now))


def test_a_second_factor_set_up_and_asked_at_sign_in(axe_page, demo_server: DemoServer) -> None:
    """A person sets up an authenticator app on their own account page; the next sign-in asks
    for its code and opens nothing without it."""
    created = meedoen(
        "user", "add", "t.tweede", "--role", "analyst", "--first-name", "Tom",
        "--last-name", "Tweede", "--home", str(demo_server.home), stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    page = axe_page
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(demo_server.url + "/")
    page.get_by_label("Gebruikersnaam").fill("t.tweede")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(demo_server.url + "/")
    page.get_by_role("link", name="Tom Tweede").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn account")
    page.get_by_role("button", name="Tweede factor instellen").click()
    expect(page.get_by_role("img", name="QR-code voor uw authenticator-app")).to_be_visible()
    secret = page.locator(".meedoen-secret").inner_text()
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(page) == [] and fits(page)
    screenshot(page, "tweede-factor-instellen")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Tweede factor bevestigen").click()
    expect(page).to_have_title(re.compile("^Fout:"))
    assert axe_violations(page) == []
    page.wait_for_timeout(1200)  # a wrong code makes the next one wait a second
    used, code = step_code(secret)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Tweede factor bevestigen").click()
    expect(page.get_by_text("De tweede factor staat aan")).to_be_visible()
    assert axe_violations(page) == [] and fits(page)

    page.get_by_role("button", name="Uitloggen").click()
    page.goto(demo_server.url + "/verwerkingen/")
    page.get_by_label("Gebruikersnaam").fill("t.tweede")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Code van uw tweede factor")
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        assert axe_violations(page) == [] and fits(page)
        # A page without a menu keeps its header compact on a phone too: the tools fold.
        header = page.locator("header").bounding_box()
        assert header is not None and header["height"] <= 100, (width, header)
    screenshot(page, "tweede-factor-code")
    page.goto(demo_server.url + "/verwerkingen/")  # nothing opens without the code
    expect(page.get_by_role("heading", level=1)).to_have_text("Code van uw tweede factor")
    page.get_by_label("Code").fill(code_after(secret, used))
    page.get_by_role("button", name="Verder").click()
    page.wait_for_url(demo_server.url + "/verwerkingen/")
    assert axe_violations(page) == [] and fits(page)
