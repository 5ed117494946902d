"""The JSON API of the register (/api/v1/activities/…), through the Django test client."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from meedoen.accounts.roles import Role
from meedoen.activities.models import ActivityVersion
from meedoen.activities.selectors import activity_current
from meedoen.activities.services import Actor, activity_approve, activity_request
from meedoen_data.categories import categories_default

pytestmark = pytest.mark.django_db

URL = "/api/v1/activities/"
READERS = [Role.ADMINISTRATOR, Role.ANALYST, Role.PRIVACY_OFFICER]
BODY = {
    "name": "Voedselbankklanten",
    "purpose": "Welke huishoudens zijn klant van de voedselbank",
    "legal_basis": "Participatiewet art. 7",
    "sources": ["brp", "partner-voedselbank"],
    "retention_days": 365,
    "data_categories": "Huishoudens (BRP)",
    "recipients": "Analisten",
    "dpia_reference": "DPIA-1",
}


@pytest.fixture
def analyst(make_user):  # type: ignore[no-untyped-def]
    return make_user(Role.ANALYST)


@pytest.fixture
def officer(make_user):  # type: ignore[no-untyped-def]
    return make_user(Role.PRIVACY_OFFICER)


def user_for(role, make_user, analyst, officer):  # type: ignore[no-untyped-def]
    return {Role.ANALYST: analyst, Role.PRIVACY_OFFICER: officer}.get(role) or make_user(role)


def requested(analyst, **overrides) -> int:  # type: ignore[no-untyped-def]
    return activity_request(actor=Actor(analyst.username, analyst), **{**BODY, **overrides}).pk


def post(client: Client, url: str, body: object):  # type: ignore[no-untyped-def]
    return client.post(url, json.dumps(body), content_type="application/json")


# -- GET ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_readers_list_the_register(client: Client, make_user, analyst, officer, role) -> None:
    first = requested(analyst)
    second = requested(
        analyst, name="Schuldsignalen", sources=["signalen"], task="schuldhulpverlening"
    )
    client.force_login(user_for(role, make_user, analyst, officer))
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert [a["id"] for a in body] == [second, first]
    assert body[1] | {"at": None} == {
        "id": first,
        "version": 1,
        "action": "requested",
        "by": "analyst",
        "at": None,
        "motivation": "",
        "name": "Voedselbankklanten",
        "kind": "analyse",
        "roles": [],
        "task": "",
        "purpose": "Welke huishoudens zijn klant van de voedselbank",
        "legal_basis": "Participatiewet art. 7",
        "sources": ["brp", "partner-voedselbank"],
        # No columns named: every column of the sources, written out for the privacy officer.
        "columns": categories_default(["brp", "partner-voedselbank"]),
        "fine_columns": [],
        "fine_reason": "",
        "floor": None,  # set when approved
        "data_categories": "Huishoudens (BRP)",
        "recipients": "Analisten",
        "retention_days": 365,
        "dpia_reference": "DPIA-1",
        "status": "requested",
        "valid_until": None,
    }
    assert body[1]["at"]


@pytest.mark.parametrize("role", [r for r in Role if r not in READERS])
def test_other_roles_are_refused_as_json(client: Client, make_user, analyst, role) -> None:
    activity_id = requested(analyst)
    client.force_login(make_user(role))
    for url in (URL, f"{URL}{activity_id}/"):
        response = client.get(url)
        assert response.status_code == 403
        assert role.value in response.json()["detail"]


def test_anonymous_gets_403_json_not_a_redirect(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_detail_has_current_versions_and_changes(client: Client, analyst, officer) -> None:
    activity_id = requested(analyst, dpia_reference="DPIA-1", recipients="beleid")
    activity_approve(
        activity_id=activity_id,
        actor=Actor(officer.username, officer),
        motivation="Helder",
        version=1,
    )
    client.force_login(analyst)
    response = client.get(f"{URL}{activity_id}/")
    assert response.status_code == 200
    body = response.json()
    until = (timezone.localdate() + timedelta(days=365)).isoformat()
    assert body["id"] == activity_id
    assert body["current"]["status"] == "approved"
    assert body["current"]["valid_until"] == until
    assert body["current"]["dpia_reference"] == "DPIA-1"
    assert body["current"]["recipients"] == "beleid"
    assert [(v["version"], v["action"], v["by"]) for v in body["versions"]] == [
        (1, "requested", "analyst"),
        (2, "approved", "privacy_officer"),
    ]
    assert body["versions"][1]["motivation"] == "Helder"
    assert body["deleted_data"] == []
    assert body["versions"][0]["changes"] == []
    assert body["versions"][1]["changes"] == [
        {"field": "status", "old": "requested", "new": "approved"},
        {"field": "valid_until", "old": None, "new": until},
    ]


def test_unknown_activity_is_404_json(client: Client, analyst, officer) -> None:
    client.force_login(analyst)
    response = client.get(f"{URL}999/")
    assert response.status_code == 404
    assert response.json() == {"detail": "there is no activity 999"}
    client.force_login(officer)
    response = post(client, f"{URL}999/approve", {"motivation": "ok", "version": 1})
    assert response.status_code == 404


def test_the_browsable_api_is_off(client: Client, analyst) -> None:
    client.force_login(analyst)
    response = client.get(URL, headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response["Content-Type"] == "application/json"


# -- POST: request -----------------------------------------------------------------------------


def test_analyst_requests_an_activity(client: Client, analyst) -> None:
    client.force_login(analyst)
    response = post(client, URL, {**BODY, "data_categories": "uitkeringen"})
    assert response.status_code == 201
    body = response.json()
    assert response["Location"] == f"{URL}{body['id']}/"
    assert body["current"]["status"] == "requested"
    assert body["current"]["data_categories"] == "uitkeringen"
    state = activity_current(activity_id=body["id"])
    assert (state.status, state.acted_by) == ("requested", "analyst")
    assert ActivityVersion.objects.get(activity_id=body["id"]).acted_by_user == analyst


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ANALYST])
def test_only_analysts_request(client: Client, make_user, role) -> None:
    client.force_login(make_user(role))
    response = post(client, URL, BODY)
    assert response.status_code == 403
    assert "analyst" in response.json()["detail"]
    assert ActivityVersion.objects.count() == 0


def test_missing_and_wrong_fields_are_400_with_messages_per_field(client, analyst) -> None:
    client.force_login(analyst)
    response = post(client, URL, {"name": "x", "sources": [], "retention_days": 0})
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"purpose", "legal_basis", "sources", "retention_days"}
    assert all(isinstance(m, list) and m for m in errors.values())
    assert ActivityVersion.objects.count() == 0


def test_service_validation_is_400_with_its_message(client: Client, analyst) -> None:
    client.force_login(analyst)
    response = post(client, URL, {**BODY, "sources": ["brp", "belastingdienst"]})
    assert response.status_code == 400
    [message] = response.json()["non_field_errors"]
    assert message.startswith("onbekend brondomein belastingdienst")  # the user's language


def test_only_json_is_accepted(client: Client, analyst) -> None:
    client.force_login(analyst)
    response = client.post(URL, {"name": "x"})  # multipart form data
    assert response.status_code == 415
    assert response["Content-Type"] == "application/json"


def test_csrf_is_enforced_for_session_users(analyst) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    response = post(client, URL, BODY)
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    client.get("/verwerkingen/aanvragen/")  # a page with a form sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        URL, json.dumps(BODY), content_type="application/json", headers={"x-csrftoken": token}
    )
    assert response.status_code == 201


# -- POST: decisions ---------------------------------------------------------------------------


@pytest.mark.parametrize(("decision", "status"), [("approve", "approved"), ("refuse", "refused")])
def test_privacy_officer_decides(client: Client, analyst, officer, decision, status) -> None:
    activity_id = requested(analyst)
    client.force_login(officer)
    response = post(
        client, f"{URL}{activity_id}/{decision}", {"motivation": "Zo besloten", "version": 1}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["current"]["status"] == status
    assert body["current"]["motivation"] == "Zo besloten"
    assert body["current"]["by"] == "privacy_officer"
    assert activity_current(activity_id=activity_id).status == status


def test_privacy_officer_revokes(client: Client, analyst, officer) -> None:
    activity_id = requested(analyst)
    client.force_login(officer)
    post(client, f"{URL}{activity_id}/approve", {"motivation": "ok", "version": 1})
    response = post(client, f"{URL}{activity_id}/revoke/", {"motivation": "Doel bereikt"})
    assert response.status_code == 200
    body = response.json()
    assert body["current"]["status"] == "revoked"
    [deleted] = body["deleted_data"]
    assert (deleted["by"], deleted["reason"]) == ("privacy_officer", "revoked")
    assert deleted["at"] and deleted["summary"]


def test_decision_needs_a_motivation(client: Client, analyst, officer) -> None:
    activity_id = requested(analyst)
    client.force_login(officer)
    for body in ({}, {"motivation": "   "}):
        response = post(client, f"{URL}{activity_id}/approve", body)
        assert response.status_code == 400
        assert list(response.json()) == ["motivation"]
    assert activity_current(activity_id=activity_id).status == "requested"


def test_decision_against_the_workflow_is_400(client: Client, analyst, officer) -> None:
    activity_id = requested(analyst)
    client.force_login(officer)
    response = post(client, f"{URL}{activity_id}/revoke", {"motivation": "te vroeg"})
    assert response.status_code == 400
    message = response.json()["non_field_errors"][0]
    assert "alleen een verwerking die goedgekeurd is kan ingetrokken worden" in message


@pytest.mark.parametrize("role", [r for r in Role if r != Role.PRIVACY_OFFICER])
def test_only_the_privacy_officer_decides(client: Client, make_user, analyst, role) -> None:
    activity_id = requested(analyst)
    client.force_login(analyst if role == Role.ANALYST else make_user(role))
    for decision in ("approve", "refuse", "revoke"):
        response = post(client, f"{URL}{activity_id}/{decision}", {"motivation": "mag niet"})
        assert response.status_code == 403
        assert "privacy_officer" in response.json()["detail"]
    assert ActivityVersion.objects.filter(activity_id=activity_id).count() == 1


def test_decisions_are_post_only(client: Client, analyst, officer) -> None:
    activity_id = requested(analyst)
    client.force_login(officer)
    assert client.get(f"{URL}{activity_id}/approve").status_code == 405


def test_the_api_amends_a_requested_activity(make_user) -> None:
    from meedoen.activities.services import Actor, activity_request

    analyst = make_user(Role.ANALYST)
    activity = activity_request(
        actor=Actor(analyst.username, analyst),
        name="A",
        purpose="B",
        legal_basis="C",
        sources=["brp", "wmo"],
        retention_days=30,
        data_categories="Huishoudens (BRP)",
        recipients="Analisten",
        dpia_reference="DPIA-1",
    )
    client = Client()
    client.force_login(analyst)
    body = {
        "name": "A",
        "purpose": "B",
        "legal_basis": "C",
        "sources": ["brp"],
        "retention_days": 30,
        "data_categories": "Huishoudens (BRP)",
        "recipients": "Analisten",
        "dpia_reference": "DPIA-1",
        "note": "wmo niet nodig",
    }
    response = client.post(
        f"/api/v1/activities/{activity.pk}/amend", body, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert [v["sources"] for v in response.json()["versions"]] == [["brp", "wmo"], ["brp"]]
    officer = make_user(Role.PRIVACY_OFFICER)
    client.force_login(officer)
    denied = client.post(
        f"/api/v1/activities/{activity.pk}/amend", body, content_type="application/json"
    )
    assert denied.status_code == 403
