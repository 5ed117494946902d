"""The privacy officer approved content they never saw.

The attack: the privacy officer opened a requested activity (version 1: the BRP only, for a
narrow purpose) and started writing the motivation; meanwhile the analyst amended the request
(version 2: debt help and youth care added). The officer's "approve" then approved version 2,
which the officer had never read.

Now every decision names the version it decides on (a hidden field on the page, `version` in
the JSON API, `--version` on the command line); a request that changed since is refused with
"the request changed; review it again" (in Dutch on the page: "de aanvraag is gewijzigd;
beoordeel haar opnieuw"), and nothing is approved.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from meedoen.activities.models import ActivityVersion, Status
from meedoen.activities.selectors import CHECKLIST, activity_current
from meedoen.activities.services import Actor, activity_amend, activity_request

pytestmark = pytest.mark.django_db
REQUEST = {
    "name": "Smal",
    "purpose": "Huishoudens per wijk",
    "legal_basis": "Wmo 2015 art. 2.1.1",
    "sources": ["brp"],
    "retention_days": 30,
    "data_categories": "Huishoudens (BRP)",
    "recipients": "Analisten",
    "dpia_reference": "DPIA-1",
}


def _requested_then_amended(analyst) -> int:  # type: ignore[no-untyped-def]
    actor = Actor(analyst.username, analyst)
    activity_id = activity_request(actor=actor, **REQUEST).pk
    return activity_id


def _amend(analyst, activity_id: int) -> None:  # type: ignore[no-untyped-def]
    activity_amend(
        activity_id=activity_id,
        actor=Actor(analyst.username, analyst),
        **{**REQUEST, "sources": ["brp", "schulden", "jeugd"]},
        note="Schulden en jeugd erbij",
    )


def test_an_approval_from_the_page_of_an_older_version_is_refused(
    client: Client, analyst, officer
) -> None:
    activity_id = _requested_then_amended(analyst)
    client.force_login(officer)
    page = client.get(f"/verwerkingen/{activity_id}/")
    assert 'name="version" value="1"' in page.content.decode()  # what the officer read
    _amend(analyst, activity_id)  # the analyst changes the request meanwhile
    response = client.post(
        f"/verwerkingen/{activity_id}/",
        {"decision": "approve", "motivation": "Smal genoeg", "checked": CHECKLIST, "version": 1},
    )
    assert response.status_code == 200
    assert "de aanvraag is gewijzigd; beoordeel haar opnieuw" in response.content.decode()
    state = activity_current(activity_id=activity_id)
    assert state.status == Status.REQUESTED and state.number == 2
    assert not ActivityVersion.objects.filter(
        activity_id=activity_id, status=Status.APPROVED
    ).exists()
    # The current version, read and named, can be approved.
    response = client.post(
        f"/verwerkingen/{activity_id}/",
        {"decision": "approve", "motivation": "Gelezen", "checked": CHECKLIST, "version": 2},
    )
    assert response.status_code == 302
    assert activity_current(activity_id=activity_id).status == Status.APPROVED


def test_the_api_refuses_a_decision_on_an_older_version_or_none(
    client: Client, analyst, officer
) -> None:
    activity_id = _requested_then_amended(analyst)
    _amend(analyst, activity_id)
    client.force_login(officer)
    url = f"/api/v1/activities/{activity_id}/approve"
    for body in ({"motivation": "ok"}, {"motivation": "ok", "version": 1}):
        response = client.post(url, json.dumps(body), content_type="application/json")
        assert response.status_code == 400, body
    assert "de aanvraag is gewijzigd" in json.dumps(response.json(), ensure_ascii=False)
    assert activity_current(activity_id=activity_id).status == Status.REQUESTED


def test_an_approval_without_a_version_is_refused_by_the_service(analyst, officer) -> None:
    from django.core.exceptions import ValidationError

    from meedoen.activities.services import activity_approve

    activity_id = _requested_then_amended(analyst)
    with pytest.raises(ValidationError) as refused:
        activity_approve(
            activity_id=activity_id,
            actor=Actor(officer.username, officer),
            motivation="ok",
            version=None,
        )
    assert refused.value.code == "no_version"
    assert activity_current(activity_id=activity_id).status == Status.REQUESTED
