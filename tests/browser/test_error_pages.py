"""The pages for a refusal (403) and for something that is not there (404): Dutch, with the
way back, no technical detail, WCAG 2.1 AA."""

from __future__ import annotations

from tests.browser.conftest import DemoServer, axe_violations
from tests.browser.test_web import sign_in


def test_a_refusal_and_a_missing_page_say_so_in_dutch(axe_page, demo_server: DemoServer) -> None:  # type: ignore[no-untyped-def]
    page = axe_page
    sign_in(page, demo_server, "council_member")

    response = page.goto(demo_server.url + "/sql/")  # analysts only
    assert response is not None and response.status == 403
    assert page.title() == "Geen toegang · meedoen"
    assert "Uw rol geeft geen toegang tot deze pagina" in page.get_by_role("main").inner_text()
    assert axe_violations(page) == []

    response = page.goto(demo_server.url + "/publicaties/999999/")
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Pagina niet gevonden"
    assert axe_violations(page) == []
    page.get_by_role("link", name="Naar uw startpagina").click()
    page.wait_for_url(demo_server.url + "/")
