"""The resident portal as the demo's resident uses it (issue 22): signed in, the start is their
own data (registration, household, help, signals, partner files, each with its source); who used
their data (the case worker's family view with the case's reason, the intake, the household
build); giving and withdrawing a consent with one button; a correction request that lands in the
privacy officer's queue, decided there and shown to the resident; and the download. In Dutch,
passing axe at 1280 and 375 px without sideways scrolling, and the explanatory texts (marked
``data-b1``) at a Flesch-Douma reading ease of at least 60 (about language level B1)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from meedoen.residents.tests.readability import flesch_douma
from tests.browser.conftest import DemoServer, axe_violations, fits, screenshot
from tests.helpers import demo_copy, passwords, served

pytestmark = pytest.mark.browser

#: Whether the demo's resident is the person of the case (then the case's reason is theirs to
#: see) or another adult of the family (then the page says the case is about someone else).
CASE_PERSON: list[bool] = []
#: Reading ease every page's explanatory text must reach (Flesch-Douma; 60-70 is "easy").
B1 = 60


@pytest.fixture(scope="module")
def resident_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    home = Path(tmp_path_factory.mktemp("residents")) / "home"
    demo = demo_copy(home)
    assert demo["resident"]["bound"], demo["resident"]
    with served(home) as url:
        CASE_PERSON.append(bool(demo["resident"]["case_person"]))
        yield DemoServer(url, passwords(demo), home)


def sign_in(page, server: DemoServer, username: str, landing: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + "/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(server.passwords[username])
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(server.url + landing)


def check(page) -> None:  # type: ignore[no-untyped-def]
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(page) == [], width
        assert fits(page), width
    page.set_viewport_size({"width": 1280, "height": 900})


def readable(page) -> float:  # type: ignore[no-untyped-def]
    """The reading ease of the page's explanatory texts, all together."""
    texts = page.locator("[data-b1]").all_inner_texts()
    assert texts, "no explanatory text marked data-b1 on " + page.url
    return flesch_douma(" ".join(texts))


def test_my_data_who_used_it_consent_and_download(axe_page, resident_server: DemoServer) -> None:  # type: ignore[no-untyped-def]
    page = axe_page
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, resident_server, "resident", "/mijn/")
    assert page.get_by_role("heading", level=1).inner_text() == "Mijn gegevens"
    facts = page.locator("#registration-facts").inner_text()
    assert re.search(r"\d{1,2} [a-z]+ (19|20)\d\d", facts)  # the birth date, in Dutch
    assert page.locator("#addresses tbody tr").count() >= 1
    assert "Basisregistratie Personen" in page.locator("#registration").inner_text()
    assert page.locator("#household").is_visible()
    assert readable(page) >= B1
    check(page)
    screenshot(page, "mijn-gegevens")

    page.get_by_role("link", name="Wie gebruikte mijn gegevens").first.click()
    page.wait_for_url(re.compile(r".*/mijn/verwerkingen/$"))
    rows = page.locator("table tbody tr")
    assert rows.count() >= 3
    listed = page.locator("table").inner_text()
    assert "gezinssituatie" in listed  # the case worker's family view
    if CASE_PERSON[0]:
        assert "Reden van de casus" in listed  # with the case's reason
    else:  # another's case: its reason is not theirs to read
        assert "iemand anders in je gezin" in listed and "Reden van de casus" not in listed
    assert "case_worker" not in listed and "Wim" not in listed  # no employee's name
    assert readable(page) >= B1
    check(page)
    screenshot(page, "mijn-verwerkingen", full_page=False)

    page.get_by_role("link", name="Mijn toestemmingen").first.click()
    page.wait_for_url(re.compile(r".*/mijn/toestemmingen/$"))
    food = page.locator('[data-purpose="voedselbank_verwijzing"]')
    food.get_by_role("button").click()
    page.wait_for_url(re.compile(r".*/mijn/toestemmingen/$"))
    food = page.locator('[data-purpose="voedselbank_verwijzing"]')
    assert "Je hebt toestemming gegeven op" in food.inner_text()
    assert readable(page) >= B1
    check(page)
    food.get_by_role("button", name=re.compile("intrekken")).click()
    page.wait_for_url(re.compile(r".*/mijn/toestemmingen/$"))
    assert (
        "Je hebt geen toestemming gegeven"
        in page.locator('[data-purpose="voedselbank_verwijzing"]').inner_text()
    )

    page.get_by_role("link", name="Downloaden").first.click()
    page.wait_for_url(re.compile(r".*/mijn/export/$"))
    assert readable(page) >= B1
    check(page)
    with page.expect_download() as download:
        page.locator("#export-json").click()
    saved = download.value.path()
    assert saved is not None and '"verwerkingen"' in Path(saved).read_text(encoding="utf-8")


def test_a_correction_request_reaches_the_privacy_officer_and_back(  # type: ignore[no-untyped-def]
    axe_page, browser, resident_server: DemoServer
) -> None:
    page = axe_page
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, resident_server, "resident", "/mijn/")
    page.goto(resident_server.url + "/mijn/verzoeken/nieuw/")
    page.get_by_role("button", name="Verzoek versturen").click()  # empty: refused, said why
    assert page.locator(".utrecht-form-field-error-message, [role=alert]").count() >= 1
    page.get_by_label("Een deel van mijn gegevens klopt niet").check()
    page.get_by_label("Wat klopt er niet?").fill("Mijn tweede voornaam ontbreekt")
    page.get_by_label("Waar staan de foute gegevens?").select_option("brp")
    page.get_by_label("Waarom doe je dit verzoek?").fill("Zo heet ik")
    page.get_by_role("button", name="Verzoek versturen").click()
    page.wait_for_url(re.compile(r".*/mijn/verzoeken/.*"))
    assert "uiterlijk" in page.content()
    assert readable(page) >= B1
    check(page)

    officer_context = browser.new_context(locale="nl-NL", bypass_csp=True)
    officer = officer_context.new_page()
    try:
        sign_in(officer, resident_server, "privacy_officer", "/")
        officer.goto(resident_server.url + "/verzoeken/")
        assert axe_violations(officer) == []
        officer.get_by_role("link", name="Correctie").first.click()
        officer.get_by_label("Afwijzen").check()
        officer.get_by_label("Motivering").fill("De BRP vermeldt één voornaam; vraag Burgerzaken")
        officer.get_by_role("button", name="Besluit vastleggen").click()
        officer.wait_for_load_state()
        assert axe_violations(officer) == []
    finally:
        officer_context.close()
    page.goto(resident_server.url + "/mijn/verzoeken/")
    assert "vraag Burgerzaken" in page.content() or "afgewezen" in page.content()
