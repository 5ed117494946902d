"""The privacy officer withdraws a published table in the browser, in Dutch: every table is in
her list with its status, the withdrawal form refuses an empty reason with an error summary, a
withdrawn table is marked for her and gone for the council member; every state passes axe-core's
WCAG 2.1 AA checks."""

from __future__ import annotations

import json
import re

import pytest

from tests.browser.conftest import DemoServer, axe_violations
from tests.browser.test_web import sign_in
from tests.helpers import meedoen_as, meedoen_json

pytestmark = pytest.mark.browser

DEMO_ACTIVITY = "Voedselbankklanten in beeld"


def test_privacy_officer_withdraws_a_table(axe_page, page, demo_server: DemoServer) -> None:  # type: ignore[no-untyped-def]
    home = str(demo_server.home)
    [activity] = [
        a
        for a in meedoen_json("activity", "list", "--home", home)
        if a["name"] == DEMO_ACTIVITY and a["status"] == "approved"
    ]
    made = meedoen_as(
        "analyst", demo_server.passwords["analyst"], "table", "wijkcode", "--activity",
        str(activity["id"]), "--home", home, "--format", "json",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    number = json.loads(made.stdout)["publication"]
    url = f"{demo_server.url}/publicaties/{number}/"

    officer = axe_page
    sign_in(officer, demo_server, "privacy_officer")
    officer.goto(demo_server.url + "/publicaties/")
    listing = officer.get_by_role("table", name=re.compile("gepubliceerde tabel"))
    assert "Status" in listing.locator("thead").inner_text()
    assert axe_violations(officer) == []
    officer.goto(url)
    form = officer.get_by_role("region", name="Deze tabel intrekken")
    assert axe_violations(officer) == []
    form.get_by_role("button", name="Intrekken").click()
    summary = officer.get_by_role("alert")
    assert "Geef de reden van de intrekking." in summary.inner_text()
    assert officer.title().startswith("Fout:")
    assert axe_violations(officer) == []
    summary.get_by_role("link").click()
    officer.get_by_label("Reden van intrekking").fill("Verkeerde peildatum gebruikt")
    officer.get_by_role("button", name="Intrekken").click()
    officer.wait_for_url(url)
    notice = officer.locator("#withdrawn")
    assert "Ingetrokken door Femke van der Gegevens" in notice.inner_text()
    assert "Verkeerde peildatum gebruikt" in notice.inner_text()
    assert officer.get_by_role("region", name="Deze tabel intrekken").count() == 0
    assert axe_violations(officer) == []

    sign_in(page, demo_server, "council_member")
    response = page.goto(url)
    assert response is not None and response.status == 404
    page.goto(demo_server.url + "/publicaties/")
    assert page.locator(f'a[href="/publicaties/{number}/"]').count() == 0
