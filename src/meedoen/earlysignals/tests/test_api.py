"""The work list's JSON API: the households without names, registering an outreach, and the
same refusals as the pages."""

from __future__ import annotations

import pytest
from django.test import Client

from meedoen.accounts.services import token_create
from meedoen.audits.models import ProcessingRecord
from meedoen.earlysignals.models import AFGEROND, Contact, SignalHousehold
from meedoen.earlysignals.tests.test_services import row_of

pytestmark = pytest.mark.django_db

CONTACT = {"channel": "brief", "result": "hulp_geaccepteerd", "follow_up": "intake_schuldhulp"}


def test_the_work_list_without_names(client: Client, people, linked, town, home) -> None:
    client.force_login(people["debt"])
    answer = client.get("/api/v1/vroegsignalen/")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["activity"], body["count"]) == (linked, 6)
    first = body["households"][0]
    assert first == {
        "id": row_of(home, town, "Hanna Wit").pk,
        "activity": linked,
        "wijk": "WK078401",
        "priority": "hoog",
        "rule": {
            "id": "huur-en-zorg",
            "name": "Huur en zorgverzekering samen",
            "why": first["rule"]["why"],
        },
        "triggered": ["S00001", "S00002"],
        "signal_ids": ["S00001", "S00002"],
        "kinds": ["meervoudig"],
        "partners": ["HUUR", "ZORGVERZEKERAAR"],
        "amount_total": "1100.00",
        "months_in_arrears": 3,
        "first_signal": "2024-11-15",
        "last_signal": "2024-12-01",
        "status": "nieuw",
        "assigned_to": None,
        "in_debt_help": False,
        "earlier_outreach": False,
    }
    text = answer.content.decode()
    for name in ("Hanna", "Visser", "Piet", "Lindelaan"):
        assert name not in text
    for row in SignalHousehold.objects.all():  # nor a pseudonym
        assert not any(p in text for p in row.persons)
    logged = ProcessingRecord.objects.filter(name="signals.worklist.read")
    assert {r.data_subject_id for r in logged} == {
        p for r in SignalHousehold.objects.all() for p in r.persons
    }
    assert [
        h["priority"]
        for h in client.get("/api/v1/vroegsignalen/?prioriteit=laag").json()["households"]
    ] == ["laag"]


def test_registering_an_outreach(client: Client, people, linked, town, home) -> None:
    row = row_of(home, town, "Sara Smit")
    url = f"/api/v1/vroegsignalen/{row.pk}/contacten/"
    client.force_login(people["debt"])
    bad = client.post(
        url, {**CONTACT, "result": "opgelost", "date": "2024-12-30"}, "application/json"
    )
    assert bad.status_code == 400 and "result" in bad.json()
    future = client.post(url, {**CONTACT, "date": "2099-01-01"}, "application/json")
    assert future.status_code == 400 and not Contact.objects.exists()
    answer = client.post(url, {**CONTACT, "date": "2024-12-30"}, "application/json")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["household"], body["date"], body["result"], body["household_status"]) == (
        row.pk,
        "2024-12-30",
        "hulp_geaccepteerd",
        AFGEROND,
    )
    assert body["signal_ids"] == ["S00008"] and body["registered_by"] == "debt"
    # Concluded: no longer on the work list, so no further outreach on it.
    assert (
        client.post(url, {**CONTACT, "date": "2024-12-31"}, "application/json").status_code == 403
    )
    assert (
        client.post(
            "/api/v1/vroegsignalen/99999/contacten/",
            {**CONTACT, "date": "2024-12-31"},
            "application/json",
        ).status_code
        == 404
    )


def test_a_debt_help_system_uses_a_personal_token(people, linked) -> None:
    _row, secret = token_create(user=people["debt"], name="schuldhulpsysteem")
    system = Client()
    answer = system.get("/api/v1/vroegsignalen/", headers={"authorization": f"Token {secret}"})
    assert answer.status_code == 200 and answer.json()["count"] == 6


@pytest.mark.parametrize("who", ["wijk", "admin", "officer", "analyst", None])
def test_other_roles_get_403(client: Client, people, linked, who) -> None:
    if who is not None:
        client.force_login(people[who])
    row = SignalHousehold.objects.first()
    assert client.get("/api/v1/vroegsignalen/").status_code == 403
    posted = client.post(
        f"/api/v1/vroegsignalen/{row.pk}/contacten/",
        {**CONTACT, "date": "2024-12-30"},
        "application/json",
    )
    assert posted.status_code == 403
    assert not Contact.objects.exists()
    assert not ProcessingRecord.objects.filter(name="signals.worklist.read").exists()


def test_a_debt_worker_without_an_approved_activity_gets_403(client: Client, people, home) -> None:
    client.force_login(people["debt"])
    assert client.get("/api/v1/vroegsignalen/").status_code == 403
    assert client.get("/api/v1/vroegsignalen/?activiteit=7").status_code == 403
