"""Governance decisions are audit records: who requested, amended, approved, refused or revoked
an activity, and who granted or withdrew a reviewer, with the version decided on."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from meedoen.accounts.roles import Role
from meedoen.activities.selectors import CHECKLIST
from meedoen.activities.services import (
    Actor,
    activity_amend,
    activity_approve,
    activity_refuse,
    activity_request,
    activity_revoke,
    reviewer_grant,
    reviewer_withdraw,
)
from meedoen.audits.models import AccessRecord, ProcessingRecord
from meedoen.audits.selectors import audit_verify
from meedoen.audits.services import GOVERNANCE_ACTIVITY, activity_uri, audit_governance
from meedoen.audits.trace import TraceContext

pytestmark = pytest.mark.django_db
CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
REQUEST = {
    "name": "Voedselbank",
    "purpose": "Huishoudens in beeld",
    "legal_basis": "Participatiewet art. 7",
    "sources": ["brp"],
    "retention_days": 30,
    "data_categories": "Huishoudens (BRP)",
    "recipients": "Analisten",
    "dpia_reference": "DPIA-1",
}


@pytest.fixture
def analyst(make_user):  # type: ignore[no-untyped-def]
    user = make_user(Role.ANALYST, username="ayla")
    return Actor(user.username, user)


@pytest.fixture
def officer(make_user):  # type: ignore[no-untyped-def]
    user = make_user(Role.PRIVACY_OFFICER, username="femke")
    return Actor(user.username, user)


def decisions(operation: str) -> list[tuple[AccessRecord, ProcessingRecord]]:
    """(who, what) of each record of ``operation``, joined by trace id as the log page does."""
    pairs = []
    for what in ProcessingRecord.objects.filter(name=operation):
        who = AccessRecord.objects.get(trace_id=what.trace_id, operation=operation)
        pairs.append((who, what))
    return pairs


def test_an_approval_is_an_audit_record_with_the_officers_name(analyst, officer) -> None:
    activity_id = activity_request(actor=analyst, **REQUEST).pk
    activity_approve(activity_id=activity_id, actor=officer, motivation="akkoord", version=1)
    ((who, what),) = decisions("activity.approve")
    assert (who.user_name, who.user_role, who.channel) == ("femke", "privacy_officer", "cli")
    assert what.processing_activity_id == activity_uri(activity_id)
    assert (what.data_subject_id, what.data_subject_id_type) == ("", "none")
    assert what.detail.startswith("version 2 on version 1; floor: minimum frequency 10")
    ((requester, request),) = decisions("activity.request")
    assert requester.user_name == "ayla" and request.detail == "version 1"
    assert all(report.intact for report in audit_verify())


def test_every_decision_and_grant_is_recorded(analyst, officer, make_user) -> None:
    make_user(Role.ANALYST, username="bram")
    refused = activity_request(actor=analyst, **REQUEST).pk
    activity_refuse(activity_id=refused, actor=officer, motivation="te ruim", version=1)
    activity_amend(activity_id=refused, actor=analyst, **{**REQUEST, "retention_days": 10})
    approved = activity_request(actor=analyst, **REQUEST).pk
    activity_approve(activity_id=approved, actor=officer, motivation="akkoord", version=1)
    reviewer_grant(activity_id=approved, username="bram", actor=officer)
    reviewer_grant(activity_id=approved, username="bram", actor=officer)  # already: no record
    reviewer_withdraw(activity_id=approved, username="bram", actor=officer)
    reviewer_withdraw(activity_id=approved, username="bram", actor=officer)  # none left
    activity_revoke(activity_id=approved, actor=officer, motivation="klaar")
    recorded = {
        name: [(who.user_name, what.processing_activity_id, what.detail) for who, what in pairs]
        for name in (
            "activity.refuse",
            "activity.amend",
            "activity.reviewer_grant",
            "activity.reviewer_withdraw",
            "activity.revoke",
        )
        if (pairs := decisions(name))
    }
    assert recorded == {
        "activity.refuse": [("femke", activity_uri(refused), "version 2 on version 1")],
        "activity.amend": [("ayla", activity_uri(refused), "version 3")],
        "activity.reviewer_grant": [("femke", activity_uri(approved), "reviewer bram")],
        "activity.reviewer_withdraw": [("femke", activity_uri(approved), "reviewer bram")],
        "activity.revoke": [("femke", activity_uri(approved), "version 3 on version 2")],
    }
    # The revocation's record and what the revocation deleted share one trace.
    ((_, revoke),) = decisions("activity.revoke")
    purged = ProcessingRecord.objects.filter(trace_id=revoke.trace_id).exclude(pk=revoke.pk)
    assert purged.exists()


def test_a_refused_decision_writes_no_record(analyst, officer) -> None:
    activity_id = activity_request(actor=analyst, **REQUEST).pk
    activity_amend(activity_id=activity_id, actor=analyst, **{**REQUEST, "retention_days": 10})
    with pytest.raises(ValidationError) as refused:
        activity_approve(activity_id=activity_id, actor=officer, motivation="ok", version=1)
    assert refused.value.code == "request_changed"
    assert not decisions("activity.approve")


def test_a_decision_in_the_web_app_is_recorded_with_its_channel_and_trace(
    client: Client, analyst, officer
) -> None:
    activity_id = activity_request(actor=analyst, **REQUEST).pk
    client.force_login(officer.user)
    response = client.post(
        f"/verwerkingen/{activity_id}/",
        {"decision": "approve", "motivation": "akkoord", "checked": CHECKLIST, "version": 1},
        headers={"traceparent": CALLER},
    )
    assert response.status_code == 302
    ((who, what),) = decisions("activity.approve")
    assert (who.user_name, who.channel) == ("femke", "web")
    assert what.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"


def test_governance_outside_an_activity(officer) -> None:
    audit_governance(
        trace=TraceContext.start(),
        actor=officer,
        channel="web",
        client="127.0.0.1",
        operation="account.role",
        activity_id=None,
        detail="bram: analyst -> administrator",
    )
    ((who, what),) = decisions("account.role")
    assert (who.user_name, who.client) == ("femke", "127.0.0.1")
    assert what.processing_activity_id == GOVERNANCE_ACTIVITY
