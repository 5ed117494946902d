"""The debt worker's pages: the work list (one row per household, most urgent first, filters,
pages of 50), a household, the signals not on a household; refused with 403 for every other
role and for a debt worker without an approved activity, with nothing logged as read; every
person shown logged."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client
from django.utils import translation

from meedoen.activities.services import activity_revoke
from meedoen.audits.models import AccessRecord, ProcessingRecord
from meedoen.earlysignals import selectors
from meedoen.earlysignals.models import AFGEROND, IN_BEHANDELING, Contact, SignalHousehold
from meedoen.earlysignals.tests.conftest import actor
from meedoen.earlysignals.tests.test_services import pseudonym, row_of
from meedoen.earlysignals.tests.town import WIJK, WIJK_NAME

pytestmark = pytest.mark.django_db

READS = ("signals.worklist.read", "signals.household.read")


def nl(text: str) -> str:
    """``text`` as the (Dutch) pages show it: translated once the .po translates it."""
    with translation.override("nl"):
        return translation.gettext(text)


def reads() -> int:
    return ProcessingRecord.objects.filter(name__in=READS).count()


def cells(html: str, table: str) -> list[list[str]]:
    """The text of every body row of the table with id ``table``."""
    body = re.search(rf'<table[^>]*id="{table}".*?<tbody[^>]*>(.*?)</tbody>', html, re.S)
    assert body is not None, table
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)
    return [
        [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in rows
    ]


def test_the_work_list_shows_one_row_per_household_most_urgent_first(
    client: Client, people, linked, town, home
) -> None:
    client.force_login(people["debt"])
    page = client.get("/vroegsignalen/")
    assert page.status_code == 200
    html = page.content.decode()
    rows = cells(html, "households")
    assert len(rows) == 6  # seven persons' signals, six households
    # Priority (with the rule), then the oldest last signal first among the same priority.
    priorities = [nl("High")] * 3 + [nl("Normal"), nl("Low"), nl("Wait for another signal")]
    assert [r[0].startswith(f"{p} ") for r, p in zip(rows, priorities, strict=True)] == [True] * 6
    assert [r[1] for r in rows[:3]] == ["Jan Visser", "Piet Anders", "Sara Smit"]
    couple = rows[0]
    assert "Huur en zorgverzekering samen" in couple[0] and "vaak al langer" in couple[0]
    assert couple[2] == f"{WIJK_NAME} ({WIJK})"
    assert couple[5:9] == ["€ 1.100,00", "3", "15 november 2024", "1 december 2024"]
    assert rows[4][9] == nl("Yes")  # Tom is known in debt help
    # Every person of the rows shown is logged, under the activity, by the debt worker.
    logged = ProcessingRecord.objects.filter(name="signals.worklist.read")
    everyone = {p for r in SignalHousehold.objects.all() for p in r.persons}
    assert {r.data_subject_id for r in logged} == everyone
    assert {r.processing_activity_id for r in logged} == {
        f"urn:meedoen:verwerkingsactiviteit:{linked}"
    }
    access = AccessRecord.objects.get(trace_id=logged[0].trace_id)
    assert (access.user_name, access.operation) == ("debt", "signals.worklist.read")
    assert 'id="linked-at"' in html and "meedoen signals link" not in html


def test_the_filters_and_the_pages_of_the_work_list(
    client: Client, people, linked, town, home, monkeypatch
) -> None:
    client.force_login(people["debt"])

    def names(query: str) -> list[str]:
        page = client.get(f"/vroegsignalen/?{query}")
        assert page.status_code == 200
        html = page.content.decode()
        return [r[1] for r in cells(html, "households")] if 'id="households"' in html else []

    assert names("prioriteit=hoog") == ["Jan Visser", "Piet Anders", "Sara Smit"]
    assert names("partner=HUUR") == ["Jan Visser", "Gerda Geheim", "Tom Bakker"]
    assert names("partner=WATER&prioriteit=hoog") == ["Piet Anders"]
    assert len(names(f"wijk={WIJK}")) == 6 and names("wijk=WK999999") == []
    assert names("mijn=1") == []
    row_of(home, town, "Ivo Mulder").__class__.objects.filter(
        pk=row_of(home, town, "Ivo Mulder").pk
    ).update(assigned_to=people["debt"], status=IN_BEHANDELING)
    assert names("mijn=1") == ["Ivo Mulder"] == names("status=in_behandeling")
    assert len(names("prioriteit=onzin")) == 6  # an unknown value: all
    monkeypatch.setattr(selectors, "PER_PAGE", 4)
    last = ProcessingRecord.objects.order_by("-pk").values_list("pk", flat=True).first()
    second = client.get("/vroegsignalen/?prioriteit=&pagina=2").content.decode()
    assert [r[1] for r in cells(second, "households")] == ["Tom Bakker", "Ivo Mulder"]
    assert 'href="?prioriteit=&amp;pagina=1"' not in second  # empty filters are not kept
    assert 'href="?pagina=1"' in second and 'aria-current="page">2<' in second
    # Only the persons of the rows of that page are logged.
    logged = {
        r.data_subject_id
        for r in ProcessingRecord.objects.filter(name="signals.worklist.read", pk__gt=last)
    }
    assert logged == {pseudonym(home, town, n) for n in ("Tom Bakker", "Ivo Mulder")}


def test_the_household_page_says_why_and_shows_the_residents(
    client: Client, people, linked, town, home
) -> None:
    client.force_login(people["debt"])
    couple = row_of(home, town, "Hanna Wit")
    page = client.get(f"/vroegsignalen/{couple.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Huur en zorgverzekering samen" in html and "vaak al langer geldzorgen" in html
    assert "Lindelaan 1" in html
    signals = cells(html, "signals")
    assert [(s[1], s[2], s[3], s[4], s[6]) for s in signals] == [
        ("Hanna Wit", "€ 800,00", "1 augustus 2024", "15 november 2024", nl("Yes")),
        ("Jan Visser", "€ 300,00", "1 september 2024", "1 december 2024", nl("Yes")),
    ]
    assert html.count('data-triggering="1"') == 2
    residents = {r[0]: r[1] for r in cells(html, "residents")}
    assert set(residents) == {"Jan Visser", "Hanna Wit", "Kees Visser"}
    shown = {
        r.data_subject_id for r in ProcessingRecord.objects.filter(name="signals.household.read")
    }
    assert shown == {pseudonym(home, town, n) for n in ("Hanna Wit", "Jan Visser", "Kees Visser")}
    # Piet's current Wmo help; Gerda's address is never shown (secrecy indication).
    piet = client.get(f"/vroegsignalen/{row_of(home, town, 'Piet Anders').pk}/").content.decode()
    assert "Thuiszorg Rijen" in cells(piet, "residents")[0][3]
    gerda = client.get(f"/vroegsignalen/{row_of(home, town, 'Gerda Geheim').pk}/").content.decode()
    assert "Verborgen" not in gerda and 'id="household-address"' in gerda
    crisis = client.get(f"/vroegsignalen/{row_of(home, town, 'Sara Smit').pk}/").content.decode()
    assert cells(crisis, "signals")[0][5] == nl("Yes")


def test_the_contact_form_registers_an_outreach(client: Client, people, linked, town, home) -> None:
    client.force_login(people["debt"])
    row = row_of(home, town, "Tom Bakker")
    url = f"/vroegsignalen/{row.pk}/"
    refused = client.post(url, {"action": "contact", "channel": "duif", "date": "2024-12-30"})
    assert refused.status_code == 400 and not Contact.objects.exists()
    assert 'id="error-summary"' in refused.content.decode()
    tried = client.post(
        url,
        {
            "action": "contact",
            "channel": "telefoon",
            "result": "niet_bereikt",
            "follow_up": "nieuwe_poging",
            "date": "2024-12-30",
        },
    )
    assert tried.status_code == 302 and tried["Location"] == url
    row.refresh_from_db()
    assert row.status == IN_BEHANDELING
    assert cells(client.get(url).content.decode(), "outreach")[0][:4] == [
        "30 december 2024",
        nl("Telephone"),
        nl("Not reached"),
        nl("New attempt"),
    ]
    done = client.post(
        url,
        {
            "action": "contact",
            "channel": "huisbezoek",
            "result": "al_in_hulp",
            "follow_up": "geen",
            "date": "2024-12-31",
        },
    )
    assert done.status_code == 302 and done["Location"] == "/vroegsignalen/"
    row.refresh_from_db()
    assert (row.status, row.closed_at) == (AFGEROND, date(2024, 12, 31))
    # Concluded: off the work list, and its page is no longer shown.
    assert client.get(url).status_code == 403
    assert "Tom Bakker" not in client.get("/vroegsignalen/").content.decode()
    assigned = client.post(
        f"/vroegsignalen/{row_of(home, town, 'Sara Smit').pk}/",
        {"action": "assign", "worker": "debt2"},
    )
    assert assigned.status_code == 302
    assert row_of(home, town, "Sara Smit").assigned_to == people["debt2"]


def test_the_signals_not_on_a_household(client: Client, people, linked) -> None:
    client.force_login(people["debt"])
    html = client.get("/vroegsignalen/beoordelen/").content.decode()
    [row] = cells(html, "unlinked")
    assert row[:4] == ["S00012", nl("Health insurance"), "14 december 2024", nl("Not linked")]
    assert "BSN" in row[4]
    assert not ProcessingRecord.objects.filter(name__startswith="signals.worklist").exists()


@pytest.mark.parametrize("who", ["wijk", "admin", "officer", "analyst"])
def test_other_roles_get_403_and_nothing_is_read(client: Client, people, linked, who) -> None:
    household = SignalHousehold.objects.first()
    client.force_login(people[who])
    before = reads()
    for path in (
        "/vroegsignalen/",
        f"/vroegsignalen/{household.pk}/",
        "/vroegsignalen/beoordelen/",
    ):
        answer = client.get(path)
        assert answer.status_code == 403, path
        assert nl("No access") in answer.content.decode()
    post = client.post(
        f"/vroegsignalen/{household.pk}/",
        {
            "action": "contact",
            "channel": "brief",
            "result": "bereikt",
            "follow_up": "geen",
            "date": "2024-12-31",
        },
    )
    assert post.status_code == 403 and not Contact.objects.exists()
    assert reads() == before


def test_a_debt_worker_without_an_approved_activity_gets_403(
    client: Client, people, linked
) -> None:
    household = SignalHousehold.objects.first()
    activity_revoke(activity_id=linked, actor=actor(people["officer"]), motivation="DPIA verlopen")
    client.force_login(people["debt"])
    before = reads()
    for path in (
        "/vroegsignalen/",
        f"/vroegsignalen/?activiteit={linked}",
        "/vroegsignalen/beoordelen/",
    ):
        assert client.get(path).status_code == 403, path
    # The revocation deleted the activity's work list with its other data: the household is gone.
    assert not SignalHousehold.objects.filter(pk=household.pk).exists()
    assert client.get(f"/vroegsignalen/{household.pk}/").status_code == 404
    assert reads() == before


def test_no_activity_at_all_is_403_too(client: Client, people, home) -> None:
    client.force_login(people["debt"])
    assert client.get("/vroegsignalen/").status_code == 403
    assert client.get("/vroegsignalen/12345/").status_code == 404
    assert reads() == 0
