"""The monitor of early signalling (``/vroegsignalen/monitor/``, ``meedoen signals
export-monitor``): the aggregates written at every refresh and kept when the signals go; every
figure against the signal town counted by hand; disclosure control (a small wijk hidden, never
its number; nothing under the minimum frequency); the acceptance rate and the median days to
first contact; the export and who may read it."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from openpyxl import load_workbook
from typer.testing import CliRunner

from meedoen.accounts.roles import Role
from meedoen.activities.floors import DEFAULT_FLOOR, Floor
from meedoen.audits.models import AccessRecord, ProcessingRecord
from meedoen.audits.trace import TraceContext
from meedoen.cli.main import app
from meedoen.conftest import PASSWORD
from meedoen.earlysignals.models import Contact, FirstContact, SignalHousehold, SignalMonth
from meedoen.earlysignals.monitor import (
    HIDDEN,
    NO_WIJK,
    monitor_read,
    monitor_record,
)
from meedoen.earlysignals.retention import signals_retention_run
from meedoen.earlysignals.services import EVER, signals_refresh
from meedoen.earlysignals.tests.conftest import actor
from meedoen.earlysignals.tests.test_services import register, row_of
from meedoen.earlysignals.tests.test_views import cells, nl
from meedoen.earlysignals.tests.town import ON, WIJK
from meedoen_data.signals.rules import Signal
from meedoen_data.signals.worklist import SignalHousehold as HouseholdRead
from meedoen_data.signals.worklist import SignalsRead, signals_read

pytestmark = pytest.mark.django_db

#: Every figure shown: a count of at least 1 under this floor, and no group rule. (An operational
#: activity has no floors of its own: the monitor uses CBS's default, DEFAULT_FLOOR; the tests
#: of the hand-counted signal town give the selector this one.)
OPEN = Floor(min_frequency=1, group=False)
#: What the page shows where there is nothing to compute (an en dash).
NONE = "\u2013"


@pytest.fixture
def readers(people, make_user):  # type: ignore[no-untyped-def]
    return {
        **people,
        "policy": make_user(Role.POLICY_MAKER, username="policy"),
        "council": make_user(Role.COUNCIL_MEMBER, username="council"),
    }


def outreach(people, town, home) -> None:  # type: ignore[no-untyped-def]
    """December's outreach, then the refresh that records the first contacts:

    - Lindelaan (rent 15 Nov, health insurance 1 Dec): help accepted on 20 Dec, 35 days;
    - Stationsweg (water 5 Oct, 5 Nov, 5 Dec): not reached on 6 Dec (62 days: the first
      contact), reached on 10 Dec;
    - Kerkstraat (CAK 20 Dec): help declined on 27 Dec, 7 days;
    - Molenweg (rent 2 Dec): already in help on 3 Dec, 1 day;
    - Beukenhof (energy 10 Dec): not reached on 12 Dec, 2 days;
    - Verborgen: no outreach.
    """
    for name, result, follow_up, day in (
        ("Hanna Wit", "hulp_geaccepteerd", "intake_schuldhulp", date(2024, 12, 20)),
        ("Piet Anders", "niet_bereikt", "nieuwe_poging", date(2024, 12, 6)),
        ("Piet Anders", "bereikt", "geen", date(2024, 12, 10)),
        ("Sara Smit", "hulp_geweigerd", "geen", date(2024, 12, 27)),
        ("Tom Bakker", "al_in_hulp", "geen", date(2024, 12, 3)),
        ("Ivo Mulder", "niet_bereikt", "nieuwe_poging", date(2024, 12, 12)),
    ):
        register(people, row_of(home, town, name), result, follow_up, on=day)
    signals_refresh(
        activity_id=row_of(home, town, "Ivo Mulder").activity_id,
        actor=actor(people["debt"]),
        trace=TraceContext.start(),
        via="web",
    )


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def stored(activity_id: int) -> dict[tuple[str, str, str], tuple[int, int, int]]:
    return {
        (r.month, r.partner, r.wijk): (r.signals, r.households, r.in_debt_help)
        for r in SignalMonth.objects.filter(activity_id=activity_id)
    }


#: The signal town's linked signals per month x partner x wijk (signals, households, in debt
#: help): the stranger's signal is on no household, Piet's of 15 January 2025 is after the day.
TOWN_MONTHS = {
    ("2024-03", "WATER", WIJK): (1, 1, 0),
    ("2024-03", "", WIJK): (1, 1, 0),
    ("2024-10", "WATER", WIJK): (1, 1, 0),
    ("2024-10", "", WIJK): (1, 1, 0),
    ("2024-11", "HUUR", WIJK): (1, 1, 0),
    ("2024-11", "WATER", WIJK): (1, 1, 0),
    ("2024-11", "", WIJK): (2, 2, 0),
    ("2024-12", "HUUR", WIJK): (2, 2, 1),  # Tom (in debt help) and Gerda
    ("2024-12", "ZORGVERZEKERAAR", WIJK): (1, 1, 0),
    ("2024-12", "WATER", WIJK): (1, 1, 0),
    ("2024-12", "CAK", WIJK): (1, 1, 0),
    ("2024-12", "ENERGIE", WIJK): (1, 1, 0),
    ("2024-12", "", WIJK): (6, 6, 1),
}


# -- the aggregates -------------------------------------------------------------------------


def test_the_refresh_writes_the_months(linked) -> None:
    assert stored(linked) == TOWN_MONTHS


def test_a_month_no_longer_read_keeps_its_counts(linked, home) -> None:
    read = signals_read(home=home, activity_id=linked, on=ON, since=EVER)
    without_march = replace(
        read,
        households=[
            replace(h, signals=[s for s in h.signals if s.signal_date.month != 3])
            for h in read.households
        ],
    )
    # December loses a signal (corrected by the partner): a month read again is replaced.
    gerda = {s.signaalid for h in read.households for s in h.signals if s.amount == Decimal("900")}
    for household in without_march.households:
        household.signals[:] = [s for s in household.signals if s.signaalid not in gerda]
    monitor_record(activity_id=linked, read=without_march, on=ON)
    now = stored(linked)
    assert now[("2024-03", "WATER", WIJK)] == (1, 1, 0)  # its signals gone: counts kept
    assert now[("2024-12", "HUUR", WIJK)] == (1, 1, 1)
    assert now[("2024-12", "", WIJK)] == (5, 5, 1)


def test_a_month_retention_thinned_keeps_its_counts(people, linked, town, home, settings) -> None:
    """The real retention job: March and October (no follow-up) are deleted, and November lies
    partly before the cut-off (2 November): its counts stay as they were before."""
    settings.SIGNALS_RETENTION_DAYS = 60  # before 2024-11-02
    report = signals_retention_run(trace=TraceContext.start())
    assert report.by_month == {("2024-03", "WATER"): 1, ("2024-10", "WATER"): 1}
    assert stored(linked) == TOWN_MONTHS
    months = monitor_read(
        activity_id=linked, period_from="2024-03", period_to="2024-12", floor=OPEN
    )
    assert [m.gemeente.signals.value for m in months.months] == [1, 0, 0, 0, 0, 0, 0, 1, 2, 6]


def test_stacking_leaves_out_debt_help_that_followed_the_outreach(linked) -> None:
    """A household in debt help counts as already in it, unless its debt help followed an
    outreach of early signalling (help accepted, or a debt-help intake) in or after the month."""

    def household(key: str, in_help: bool) -> HouseholdRead:
        return HouseholdRead(
            key=key,
            wijk=WIJK,
            address="",
            address_hidden=False,
            persons=[],
            signals=[Signal(f"X{key}", "HUUR", date(2024, 9, 9), Decimal(100))],
            signal_person={},
            in_debt_help=in_help,
        )

    for key, day, result, follow_up in (
        ("A:after", date(2024, 9, 20), "hulp_geaccepteerd", "intake_schuldhulp"),
        ("A:intake", date(2024, 10, 1), "bereikt", "intake_schuldhulp"),
        ("A:before", date(2024, 1, 10), "hulp_geaccepteerd", "geen"),
        ("A:other", date(2024, 9, 20), "al_in_hulp", "geen"),
    ):
        row = SignalHousehold.objects.create(activity_id=linked, key=key, wijk=WIJK)
        Contact.objects.create(
            household=row,
            date=day,
            channel="telefoon",
            result=result,
            follow_up=follow_up,
            registered_by="debt",
        )
    keys = ("A:after", "A:intake", "A:before", "A:other", "A:none", "A:not-in-help")
    read = SignalsRead("run", None, [household(k, k != "A:not-in-help") for k in keys])
    monitor_record(activity_id=linked, read=read, on=ON)
    # Already in debt help: the one helped in January, the one already in help, the one
    # without outreach; not the two whose debt help began with the outreach in September.
    assert stored(linked)[("2024-09", "", WIJK)] == (6, 6, 3)
    assert stored(linked)[("2024-09", "HUUR", WIJK)] == (6, 6, 3)


# -- the figures ----------------------------------------------------------------------------


def test_every_figure_counted_by_hand(readers, linked, town, home) -> None:
    outreach(readers, town, home)
    assert FirstContact.objects.count() == 5  # Piet's second outreach is not a first one
    monitor = monitor_read(
        activity_id=linked, period_from="2024-10", period_to="2024-12", floor=OPEN
    )
    october, november, december = monitor.months
    assert [m.label for m in monitor.months] == ["October 2024", "November 2024", "December 2024"]
    f = december.gemeente
    assert f.signals.value == 6 and f.households.value == 6 and f.in_debt_help.value == 1
    assert {p: c.value for p, c in f.partners.items()} == {
        "HUUR": 2,
        "ENERGIE": 1,
        "WATER": 1,
        "ZORGVERZEKERAAR": 1,
        "CAK": 1,
    }
    assert f.contacted.value == 5 and f.reached.value == 4
    assert {o: c.value for o, c in f.outcomes.items()} == {
        "niet_bereikt": 1,  # Beukenhof
        "bereikt": 1,  # Stationsweg: the latest result that reached it
        "hulp_geaccepteerd": 1,
        "hulp_geweigerd": 1,
        "doorverwezen": 0,
        "al_in_hulp": 1,
    }
    assert f.acceptance == 0.25  # 1 of the 4 reached
    assert f.first_contacts.value == 5
    assert sorted(f.days) == [1, 2, 7, 35, 62] and f.median_days == 7
    assert (november.gemeente.signals.value, november.gemeente.households.value) == (2, 2)
    assert november.gemeente.contacted.value == 0 and november.gemeente.acceptance is None
    assert october.gemeente.signals.value == 1
    # The period: sums of the months; the wijk (the only one) is the whole gemeente.
    total = monitor.total
    assert (total.signals.value, total.households.value, total.in_debt_help.value) == (9, 9, 1)
    assert total.partner("HUUR").value == 3 and total.partner("WATER").value == 3
    assert total.median_days == 7 and total.acceptance == 0.25
    [(code, label, wijk)] = monitor.wijken
    assert code == WIJK and label == f"Rijen-Noord ({WIJK})"
    assert wijk.signals == total.signals and wijk.reached == total.reached
    assert monitor.gemeente == ("GM0784", "Gilze en Rijen")


def test_the_median_of_an_even_number_and_a_second_episode(
    readers, linked, town, home, settings
) -> None:
    """After an outreach that concluded, the next outreach to the household (about a newer
    signal) is a first contact again; the median of two values is their middle."""
    register(readers, row_of(home, town, "Piet Anders"), "bereikt", on=date(2024, 12, 10))
    register(readers, row_of(home, town, "Sara Smit"), "hulp_geweigerd", on=date(2024, 12, 27))
    settings.CASEWORK_DATE = "2025-01-31"  # Piet's signal of 15 January reopens his household
    refresh = {"actor": actor(readers["debt"]), "trace": TraceContext.start(), "via": "web"}
    signals_refresh(activity_id=linked, **refresh)
    piet = row_of(home, town, "Piet Anders")
    assert piet.open_signals == 1
    register(readers, piet, "hulp_geaccepteerd", "intake_schuldhulp", on=date(2025, 1, 20))
    signals_refresh(activity_id=linked, **refresh)
    monitor = monitor_read(
        activity_id=linked, period_from="2024-12", period_to="2025-01", floor=OPEN
    )
    december, january = monitor.months
    assert sorted(december.gemeente.days) == [7, 66]  # 5 October to 10 December; Sara's 7
    assert december.gemeente.median_days == 36.5 and december.gemeente.median_decimals == 1
    assert january.gemeente.days == (5,) and january.gemeente.median_days == 5
    assert monitor.total.median_days == 7 and monitor.total.first_contacts.value == 3


#: A busier December than the signal town's, for the real floor (at least 10 per figure):
#: per wijk, (households, their partners, in debt help, outcomes of the outreach by the
#: households' order). The last wijk is small: three households.
BUSY = {
    "WK078401": (40, ["HUUR"] * 20 + ["ENERGIE"] * 20, 5,
                 ["niet_bereikt"] * 12 + ["hulp_geaccepteerd"] * 12 + ["bereikt"] * 6),
    "WK078402": (30, ["ZORGVERZEKERAAR"] * 15 + ["WATER"] * 15, 5,
                 ["niet_bereikt"] * 10 + ["hulp_geaccepteerd"] * 10 + ["hulp_geweigerd"] * 5),
    "WK078403": (3, ["CAK"] * 3, 0, ["hulp_geaccepteerd"]),
}  # fmt: skip


def busy_days() -> list[int]:
    """Days to first contact: a household's signal on 1 + (i % 10) December, its outreach on 20
    December."""
    return [19 - (i % 10) for _n, _p, _d, outcomes in BUSY.values() for i in range(len(outcomes))]


def busy_town(activity_id: int) -> None:
    """BUSY as the refresh would record it: households on the work list with their outreach
    (the web database's own rows), and the read of their signals."""
    households = []
    for wijk, (size, partners, in_help, outcomes) in BUSY.items():
        for i in range(size):
            key = f"A:{wijk}-{i}"
            signal = Signal(f"S-{key}", partners[i], date(2024, 12, 1 + i % 10), Decimal(80))
            households.append(
                HouseholdRead(
                    key=key,
                    wijk=wijk,
                    address="",
                    address_hidden=False,
                    persons=[],
                    signals=[signal],
                    signal_person={},
                    in_debt_help=i < in_help,
                )
            )
            row = SignalHousehold.objects.create(
                activity_id=activity_id, key=key, wijk=wijk, signal_ids=[signal.signaalid]
            )
            if i < len(outcomes):
                Contact.objects.create(
                    household=row,
                    date=date(2024, 12, 20),
                    channel="huisbezoek",
                    result=outcomes[i],
                    follow_up="geen",
                    registered_by="debt",
                    signal_ids=[signal.signaalid],
                )
    monitor_record(activity_id=activity_id, read=SignalsRead("run", None, households), on=ON)


def test_a_small_wijk_is_hidden_and_cannot_be_worked_out(activity_id) -> None:
    busy_town(activity_id)
    monitor = monitor_read(activity_id=activity_id, period_from="2024-12", period_to="2024-12")
    assert monitor.rules.min_frequency == DEFAULT_FLOOR.min_frequency == 10
    wijken = {code: f for code, _label, f in monitor.wijken}
    small = wijken["WK078403"]
    assert small.signals.hidden and small.households.hidden  # 3 < 10: never shown
    assert small.contacted.hidden and small.partner("CAK").hidden
    assert monitor.total.signals.value == 73  # the gemeente is published
    # Another wijk is hidden too, or 73 minus the others would give the small one away.
    assert wijken["WK078401"].signals.value == 40 and wijken["WK078402"].signals.hidden
    assert monitor.total.partner("CAK").hidden and monitor.total.partner("ZORGVERZEKERAAR").hidden
    # The release the figures come from: nothing under the minimum frequency is published.
    [month] = monitor.months
    for table in month.release.tables:
        for cell in table.cells:
            assert cell.value is None or cell.value == 0 or cell.value >= 10, cell
    # Derived figures go with their parts: WK078401's reached (30 - 12) is shown, its
    # accepted is hidden, so is its rate.
    assert wijken["WK078401"].reached.value == 18 and wijken["WK078401"].accepted.hidden
    assert wijken["WK078401"].acceptance is None and wijken["WK078401"].acceptance_hidden


def test_a_cell_of_many_signals_from_few_households_is_hidden(activity_id) -> None:
    """Twelve rent signals of four households (three contracts each): at least ten signals, but
    fewer than ten households, so hidden, with whatever gives it away."""
    households = [
        HouseholdRead(
            key=f"A:{i}",
            wijk=WIJK,
            address="",
            address_hidden=False,
            persons=[],
            signals=[
                Signal(f"S{i}-{n}", "HUUR" if i < 4 else "ENERGIE", date(2024, 12, 2), Decimal(1))
                for n in range(3 if i < 4 else 1)
            ],
            signal_person={},
        )
        for i in range(24)
    ]
    monitor_record(activity_id=activity_id, read=SignalsRead("run", None, households), on=ON)
    monitor = monitor_read(activity_id=activity_id, period_from="2024-12", period_to="2024-12")
    assert monitor.total.partner("HUUR").hidden  # 12 signals, 4 households
    assert monitor.total.partner("ENERGIE").hidden  # 20, but 32 - 20 = 12 would follow
    assert monitor.total.signals.value == 32 and monitor.total.households.value == 24


def test_under_the_default_floor_the_town_shows_no_count_under_ten(
    linked, readers, town, home
) -> None:
    outreach(readers, town, home)
    monitor = monitor_read(activity_id=linked, period_from="2024-03", period_to="2024-12")
    for month in monitor.months:
        for f in (month.gemeente, *month.wijken.values()):
            counts = (f.signals, f.households, f.in_debt_help, f.contacted, f.reached)
            for count in (*counts, f.first_contacts, *f.partners.values(), *f.outcomes.values()):
                assert count.value in (None, 0), (month.month, count)
            assert f.acceptance is None and f.median_days is None


# -- the page -------------------------------------------------------------------------------


def test_the_page_for_a_debt_worker_and_a_policy_maker(
    client: Client, readers, activity_id
) -> None:
    """The busy December under the default floor, in Dutch (the pages' default: Dutch month
    names and number formats): what is published is the true count, the rest is x."""
    busy_town(activity_id)
    for who in ("debt", "policy"):
        client.force_login(readers[who])
        page = client.get("/vroegsignalen/monitor/?van=2024-11&tot=2024-12")
        assert page.status_code == 200, who
        html = page.content.decode()
        months = cells(html, "per-month")
        # Month, signals, households, already in debt help, contacted, reached, help
        # accepted, acceptance rate (23 of 34), median days.
        assert months == [
            ["december 2024", "73", "73", "10", "56", "34", "23", "67,6%", "15"],
            ["november 2024", "0", "0", "0", "0", "0", "0", NONE, NONE],
        ]
        chart = re.search(r'<figure[^>]*id="chart".*?</figure>', html, re.S)
        assert chart is not None
        assert re.findall(r"<text[^>]*>(.*?)</text>", chart.group(0)) == ["0", "nov", "73", "dec"]
        tiles = {
            key: text(value)
            for key, value in re.findall(
                r'data-tile="[^"]+"><dt[^>]*>(.*?)</dt><dd[^>]*><strong>(.*?)</strong>', html, re.S
            )
        }
        assert tiles == {
            nl("Signals received"): "73",
            nl("Households with signals"): "73",
            nl("Households reached"): "34",
            nl("Help accepted"): "67,6%",
            nl("Days to first contact"): "15",
        }
        x = f"x {nl('not published')}"
        partners = {r[0]: r[1] for r in cells(html, "per-partner")}
        assert partners[nl("Rent arrears")] == "20" and partners[nl("All partners")] == "73"
        assert partners["CAK"] == x  # 3 signals
        wijken = {r[0]: r[1:] for r in cells(html, "per-wijk")}
        assert wijken[f"Rijen-Noord ({WIJK})"][:5] == ["40", "40", x, "30", "18"]
        assert wijken["WK078403"][:2] == [x, x]  # three households: never their number
        assert wijken["WK078402"][0] == x  # or 73 - 40 would give the small wijk away
        assert wijken[nl("Whole municipality")][:2] == ["73", "73"]
        outcomes = {r[0]: r[1:] for r in cells(html, "outcomes")}
        assert outcomes[nl("Help accepted")][0] == "23"
        assert outcomes[nl("Help declined")] == [
            x,
            "Inwoner hoeft geen hulp vanuit vroegsignalering",
        ]
        assert outcomes[nl("Contacted")][0] == "56"
        rule = re.search(r'id="disclosure-rule">(.*?)</p>', html, re.S)
        assert rule is not None and " 10 " in rule.group(1)
        back = 'href="/vroegsignalen/"'
        assert (back in html) == (who == "debt")  # the work list is the debt worker's


def test_the_work_list_links_to_the_monitor(client: Client, readers, linked) -> None:
    client.force_login(readers["debt"])
    assert 'href="/vroegsignalen/monitor/"' in client.get("/vroegsignalen/").content.decode()


def test_the_page_shows_no_count_under_ten_of_the_signal_town(
    client: Client, readers, linked, town, home
) -> None:
    outreach(readers, town, home)
    client.force_login(readers["policy"])
    html = client.get("/vroegsignalen/monitor/?van=2024-03&tot=2024-12").content.decode()
    for table in ("per-month", "per-partner", "per-wijk", "outcomes"):
        for row in cells(html, table):
            for cell in row[1:]:
                assert not re.fullmatch(r"[1-9]\d*(,\d+)?%?", cell), (table, row)


@pytest.mark.parametrize("who", ["wijk", "council", "analyst", "officer", "admin"])
def test_other_roles_get_403_with_nothing_shown(client: Client, readers, linked, who) -> None:
    client.force_login(readers[who])
    page = client.get("/vroegsignalen/monitor/?van=2024-12&tot=2024-12")
    assert page.status_code == 403
    assert b"per-month" not in page.content and b"Signals received" not in page.content


def test_without_an_approved_activity_the_page_is_refused(client: Client, readers, home) -> None:
    client.force_login(readers["policy"])
    assert client.get("/vroegsignalen/monitor/").status_code == 403


def test_the_period_defaults_and_bounds(client: Client, readers, linked) -> None:
    client.force_login(readers["debt"])
    page = client.get("/vroegsignalen/monitor/")
    monitor = page.context["monitor"]
    assert (monitor.period_from, monitor.period_to) == ("2024-02", "2025-01")  # twelve months
    swapped = client.get("/vroegsignalen/monitor/?van=2024-12&tot=2024-10").context["monitor"]
    assert (swapped.period_from, swapped.period_to) == ("2024-10", "2024-12")
    wide = client.get("/vroegsignalen/monitor/?van=2019-01&tot=2024-12").context["monitor"]
    assert len(wide.months) == 24 and wide.period_to == "2024-12"
    junk = client.get("/vroegsignalen/monitor/?van=dec&tot=2024-13").context["monitor"]
    assert junk.period_to == "2025-01"


# -- the export -----------------------------------------------------------------------------


def export(home: Path, activity: int, *args: str, by: str = "debt"):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(
        app,
        [
            "signals",
            "export-monitor",
            "--activity",
            str(activity),
            "--period",
            "2024-12",
            "--home",
            str(home),
            "--by",
            by,
            *args,
        ],
    )


def test_the_export_in_csv_and_xlsx(readers, activity_id, home, tmp_path, monkeypatch) -> None:
    busy_town(activity_id)
    monkeypatch.setenv("MEEDOEN_HOME", str(home))
    monkeypatch.setenv("MEEDOEN_PASSWORD", PASSWORD)
    answer = export(home, activity_id, "--format", "csv")
    assert answer.exit_code == 0, answer.output
    text = answer.stdout
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    header, body = rows[0], [r for r in rows[1:] if r]
    assert header[4] == "category" and header[-1] == "value"
    assert {r[2] for r in body if r[1] == "gemeente"} == {"GM0784"}
    assert {r[0] for r in body} == {"2024-12"}
    gemeente = {r[4]: r[-1] for r in body if r[1] == "gemeente"}
    assert gemeente == {
        "signalen": "73",
        "signalen_huur": "20",
        "signalen_energie": "20",
        "signalen_water": "15",
        "signalen_zorgverzekeraar": HIDDEN,  # with CAK's 3, or CAK would follow
        "signalen_cak": HIDDEN,
        "huishoudens": "73",
        "al_in_schuldhulp": "10",
        "benaderd": "56",
        "bereikt": "34",
        "uitkomst_niet_bereikt": "22",
        "uitkomst_bereikt": HIDDEN,
        "uitkomst_hulp_geaccepteerd": "23",
        "uitkomst_hulp_geweigerd": HIDDEN,
        "uitkomst_doorverwezen": "0",
        "uitkomst_al_in_hulp": "0",
        "hulpacceptatie_procent": "67,6",  # a Dutch decimal comma
        "eerste_contacten": "56",
        "mediaan_dagen_tot_eerste_contact": "15",
    }
    national = {r[4]: r[6] for r in body if r[1] == "gemeente"}
    assert national["uitkomst_al_in_hulp"].startswith("Inwoner al bekend bij schuldhulpverlening")
    assert national["signalen_zorgverzekeraar"] == "Signaalpartner Zorg"
    wijken = {(r[2], r[4]): r[-1] for r in body if r[1] == "wijk"}
    assert {w for w, _ in wijken} == set(BUSY)
    assert wijken[("WK078401", "signalen")] == "40" and wijken[("WK078401", "bereikt")] == "18"
    assert wijken[("WK078403", "signalen")] == HIDDEN == wijken[("WK078403", "huishoudens")]
    assert not {v for (w, _c), v in wijken.items() if w == "WK078403"} - {HIDDEN, "0", ""}
    logged = AccessRecord.objects.get(operation="signals.monitor.export")
    assert (logged.user_name, logged.user_role) == ("debt", "debt_worker")
    record = ProcessingRecord.objects.get(trace_id=logged.trace_id)
    assert record.data_subject_id in ("", None)  # aggregates: nobody's data
    assert record.processing_activity_id == f"urn:meedoen:verwerkingsactiviteit:{activity_id}"

    target = tmp_path / "december.xlsx"
    answer = export(home, activity_id, "--format", "xlsx", "--out", str(target), by="policy")
    assert answer.exit_code == 0, answer.output
    book = load_workbook(target)
    assert book.sheetnames == ["Whole municipality", "Per wijk"]
    sheet = book["Whole municipality"]
    assert "fewer than 10 households" in str(sheet["A2"].value)
    values = {r[4]: r[-1] for r in sheet.iter_rows(min_row=5, values_only=True) if r[0]}
    assert values["signalen"] == 73 and values["signalen_cak"] == HIDDEN
    assert values["hulpacceptatie_procent"] == 67.6
    per_wijk = {
        (r[2], r[4]): r[-1] for r in book["Per wijk"].iter_rows(min_row=5, values_only=True)
    }
    assert per_wijk[("WK078403", "signalen")] == HIDDEN
    again = export(home, activity_id, "--format", "xlsx", "--out", str(target), by="policy")
    assert again.exit_code == 2 and "exists" in again.output


def test_the_export_is_refused_to_a_case_worker_and_the_operator(
    readers, linked, home, monkeypatch
) -> None:
    monkeypatch.setenv("MEEDOEN_HOME", str(home))
    monkeypatch.setenv("MEEDOEN_PASSWORD", PASSWORD)
    refused = export(home, linked, "--format", "csv", by="wijk")
    assert refused.exit_code == 2 and "debt_worker or policy_maker" in refused.output
    assert "signalen" not in refused.stdout
    operator = CliRunner().invoke(
        app,
        ["signals", "export-monitor", "--activity", str(linked), "--period", "2024-12",
         "--home", str(home)],
    )  # fmt: skip
    assert operator.exit_code == 2
    wrong = export(home, linked, "--format", "pdf")
    assert wrong.exit_code == 2 and "csv or xlsx" in wrong.output
    month = export(home, linked, "--format", "csv", "--period", "december")
    assert month.exit_code == 2 and "YYYY-MM" in month.output
    assert not AccessRecord.objects.filter(operation="signals.monitor.export").exists()


def test_no_wijk_is_its_own_category(linked) -> None:
    read = SignalsRead(
        "run",
        None,
        [
            HouseholdRead(
                key="P:x",
                wijk="",
                address="",
                address_hidden=False,
                persons=[],
                signals=[Signal("S-x", "CAK", date(2024, 8, 8), Decimal(10))],
                signal_person={},
            )
        ],
    )
    monitor_record(activity_id=linked, read=read, on=ON)
    monitor = monitor_read(
        activity_id=linked, period_from="2024-08", period_to="2024-08", floor=OPEN
    )
    assert [(c, f.signals.value) for c, _label, f in monitor.wijken] == [(NO_WIJK, 1)]
    assert stored(linked)[("2024-08", "", "")] == (1, 1, 0)
