"""The monitor of early signalling (`/vroegsignalen/monitor/`) as the demo's debt worker and
policy maker use it: from the work list, the tiles and the tables per month, partner, wijk and
outcome, numbers in Dutch formats and `x` for what is not published, choosing other months; in
Dutch, passing axe at 1280 and 375 px without sideways scrolling of the page (the wide tables
scroll in their own container). A council member gets 403. The demo's operational debt-help
activity is linked first with `meedoen signals link`, as an administrator would."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import DemoServer, axe_violations, fits, screenshot
from tests.browser.test_earlysignals import signals_server  # noqa: F401 (the fixture)
from tests.browser.test_web import sign_in

pytestmark = pytest.mark.browser

#: A figure as the page writes it: a Dutch number (1.234), a percentage (12,5%), x or a dash.
FIGURE = re.compile(r"^(x niet gepubliceerd|x not published|\u2013|\d{1,3}(\.\d{3})*(,\d)?%?)$")


def check(page) -> None:  # type: ignore[no-untyped-def]
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(page) == [], width
        assert fits(page), width
    page.set_viewport_size({"width": 1280, "height": 900})


#: The columns of each table of the monitor that hold counts (after the row's label): per month
#: and per wijk the six counts before the acceptance rate and the median days to first contact;
#: per partner every column; of the outcomes the households (then the national model's name).
COUNT_COLUMNS = {
    "per-month": slice(1, 7),
    "per-partner": slice(1, None),
    "per-wijk": slice(1, 7),
    "outcomes": slice(1, 2),
}


def figures(page, table: str) -> list[list[str]]:  # type: ignore[no-untyped-def]
    rows = page.locator(f"#{table} tbody tr")
    return [
        [
            re.sub(r"\s+", " ", cell).strip()
            for cell in rows.nth(i).locator("th, td").all_inner_texts()
        ]
        for i in range(rows.count())
    ]


def test_the_monitor_from_the_work_list(axe_page, signals_server: DemoServer) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    page = axe_page
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, signals_server, "debt_worker")
    page.goto(signals_server.url + "/vroegsignalen/")
    page.locator("#monitor-link").click()
    page.wait_for_url(re.compile(r".*/vroegsignalen/monitor/$"))
    assert page.locator("html").get_attribute("lang") == "nl"
    tiles = page.locator("#tiles [data-tile]")
    assert tiles.count() == 5
    months = figures(page, "per-month")
    assert len(months) == 12  # the twelve months up to the demo's day
    assert re.fullmatch(r"[a-z]+ 20\d\d", months[0][0])  # januari 2025
    for row in months:
        assert all(FIGURE.match(cell) for cell in row[1:]), row
    # The demo's signals: some month has a published number of signals, drawn as a bar.
    assert any(re.fullmatch(r"\d[\d.]*", row[1]) and row[1] != "0" for row in months)
    assert page.locator("#chart svg rect").count() >= 1
    assert page.get_by_role("img", name=re.compile(".+")).count() >= 1
    for table in ("per-partner", "per-wijk", "outcomes"):
        rows = figures(page, table)
        assert rows, table
        for row in rows:
            assert FIGURE.match(row[1]), (table, row)
    # Nothing under the minimum frequency: every published count is 0 or at least 10. (The
    # acceptance rate and the median days to first contact are not counts: a median of 9 days
    # is a figure of a group of at least 10, and depends on the day the demo was made.)
    for table, counts in COUNT_COLUMNS.items():
        for row in figures(page, table):
            for cell in row[counts]:
                if re.fullmatch(r"\d[\d.]*", cell):
                    assert int(cell.replace(".", "")) == 0 or int(cell.replace(".", "")) >= 10
    check(page)
    screenshot(page, "vroegsignalen-monitor", full_page=True)
    # Other months: the last three of 2024.
    page.locator("#van").select_option("2024-10")
    page.locator("#tot").select_option("2024-12")
    page.locator("form.meedoen-form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*van=2024-10.*tot=2024-12.*"))
    assert [row[0] for row in figures(page, "per-month")] == [
        "december 2024",
        "november 2024",
        "oktober 2024",
    ]
    period = page.locator("#period").inner_text()
    assert "oktober 2024" in period and "december 2024" in period
    check(page)


def test_a_policy_maker_reads_it_and_a_council_member_does_not(  # type: ignore[no-untyped-def]
    axe_page,
    signals_server: DemoServer,  # noqa: F811
) -> None:
    page = axe_page
    page.set_viewport_size({"width": 375, "height": 900})
    sign_in(page, signals_server, "policy_maker")
    answer = page.goto(signals_server.url + "/vroegsignalen/monitor/")
    assert answer is not None and answer.status == 200
    assert page.locator("#tiles [data-tile]").count() == 5
    assert page.locator('a[href="/vroegsignalen/"]').count() == 0  # no work list for them
    check(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Uitloggen").click()
    sign_in(page, signals_server, "council_member")
    answer = page.goto(signals_server.url + "/vroegsignalen/monitor/")
    assert answer is not None and answer.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "Geen toegang"
    assert page.locator("#tiles").count() == 0
