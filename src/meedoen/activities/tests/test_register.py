from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from meedoen.accounts.roles import Role
from meedoen.activities.models import ActivityVersion, Status
from meedoen.activities.selectors import activity_current, activity_history, activity_list
from meedoen.activities.services import (
    Actor,
    activity_amend,
    activity_approve,
    activity_refuse,
    activity_request,
    activity_revoke,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    """The services' refusals in the wording of the command line (English); the pages show
    them translated (test_a_refusal_is_shown_in_the_user_s_language)."""
    with translation.override("en"):
        yield


#: A complete request (every point of the approval checklist stated).
FIELDS = {
    "name": "Voedselbankklanten",
    "purpose": "Welke huishoudens zijn klant van de voedselbank",
    "legal_basis": "Participatiewet art. 7",
    "sources": ["brp", "partner-voedselbank", "participatie"],
    "retention_days": 365,
    "data_categories": "Huishoudens (BRP)",
    "recipients": "Analisten",
    "dpia_reference": "DPIA-1",
}


def request(actor: Actor, **overrides):  # type: ignore[no-untyped-def]
    return activity_request(actor=actor, **{**FIELDS, **overrides})


@pytest.fixture
def analyst(make_user) -> Actor:  # type: ignore[no-untyped-def]
    user = make_user(Role.ANALYST)
    return Actor(user.username, user)


@pytest.fixture
def officer(make_user) -> Actor:  # type: ignore[no-untyped-def]
    user = make_user(Role.PRIVACY_OFFICER)
    return Actor(user.username, user)


def test_request_then_approve_adds_versions_and_an_end_date(analyst, officer) -> None:
    activity = request(analyst)
    assert activity_current(activity_id=activity.pk).status == Status.REQUESTED
    approved = activity_approve(
        activity_id=activity.pk, actor=officer, motivation="Helder doel", version=1
    )
    assert approved.number == 2
    assert approved.valid_until == timezone.localdate() + timedelta(days=365)
    history = activity_history(activity_id=activity.pk)
    assert [(v.number, v.status, v.acted_by) for v in history] == [
        (1, "requested", "analyst"),
        (2, "approved", "privacy_officer"),
    ]
    assert history[1].motivation == "Helder doel"


def test_versions_are_never_edited_in_place(analyst, officer) -> None:
    activity = request(analyst)
    first = ActivityVersion.objects.get(activity=activity, number=1)
    activity_refuse(
        activity_id=activity.pk, actor=officer, motivation="Grondslag ontbreekt", version=1
    )
    first.refresh_from_db()
    assert first.status == Status.REQUESTED
    assert ActivityVersion.objects.filter(activity=activity).count() == 2


def test_only_the_privacy_officer_decides(analyst, make_user) -> None:
    activity = request(analyst)
    with pytest.raises(PermissionDenied, match="privacy_officer"):
        activity_approve(
            activity_id=activity.pk, actor=analyst, motivation="ik mag niet", version=1
        )
    with pytest.raises(PermissionDenied):
        activity_approve(activity_id=activity.pk, actor=Actor("someone"), motivation="x", version=1)
    admin = make_user(Role.ADMINISTRATOR)
    with pytest.raises(PermissionDenied):
        activity_revoke(activity_id=activity.pk, actor=Actor(admin.username, admin), motivation="x")


def test_only_analysts_request(officer) -> None:
    with pytest.raises(PermissionDenied):
        request(officer)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"sources": ["brp", "belastingdienst"]}, "unknown source domain belastingdienst"),
        ({"sources": []}, "at least one source domain"),
        ({"retention_days": 0}, "at least one day"),
        ({"purpose": "  "}, "purpose may not be empty"),
    ],
)
def test_request_is_validated(analyst, overrides, message) -> None:
    with pytest.raises(ValidationError, match=message):
        request(analyst, **overrides)


def test_transitions_follow_the_workflow(analyst, officer) -> None:
    activity = request(analyst)
    with pytest.raises(ValidationError, match="only approved activities can become revoked"):
        activity_revoke(activity_id=activity.pk, actor=officer, motivation="x")
    activity_approve(activity_id=activity.pk, actor=officer, motivation="ok", version=1)
    with pytest.raises(ValidationError, match="is approved"):
        activity_refuse(activity_id=activity.pk, actor=officer, motivation="te laat", version=1)
    activity_revoke(activity_id=activity.pk, actor=officer, motivation="klaar")
    assert activity_current(activity_id=activity.pk).status == Status.REVOKED
    with pytest.raises(ValidationError, match="give a motivation"):
        activity_refuse(activity_id=request(analyst).pk, actor=officer, motivation=" ", version=1)


def test_approval_expires_on_its_end_date(analyst, officer) -> None:
    activity = request(analyst, retention_days=1)
    activity_approve(activity_id=activity.pk, actor=officer, motivation="ok", version=1)
    ActivityVersion.objects.filter(activity=activity, number=2).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    assert activity_current(activity_id=activity.pk).status == Status.EXPIRED
    assert [a.status for a in activity_list()] == [Status.EXPIRED]


def test_an_analyst_amends_a_refused_request_as_a_new_version(analyst, officer) -> None:
    activity = request(analyst)
    activity_refuse(activity_id=activity.pk, actor=officer, motivation="Te veel bronnen", version=1)
    amended = activity_amend(
        activity_id=activity.pk,
        actor=analyst,
        name="Voedselbankklanten",
        purpose="Welke huishoudens zijn klant van de voedselbank",
        legal_basis="Participatiewet art. 7",
        sources=["brp", "partner-voedselbank"],
        retention_days=180,
        data_categories="Huishoudens (BRP)",
        recipients="Analisten",
        dpia_reference="DPIA-1",
        note="Participatie eruit, termijn korter",
    )
    assert (amended.number, amended.status) == (3, Status.REQUESTED)
    history = activity_history(activity_id=activity.pk)
    assert [v.sources for v in history] == [
        ["brp", "participatie", "partner-voedselbank"],
        ["brp", "participatie", "partner-voedselbank"],
        ["brp", "partner-voedselbank"],
    ]
    assert history[2].motivation == "Participatie eruit, termijn korter"
    assert ActivityVersion.objects.get(activity=activity, number=1).retention_days == 365


def test_amending_is_for_the_analyst_and_not_after_approval(analyst, officer) -> None:
    activity = request(analyst)
    fields = {
        "name": "X",
        "purpose": "Y",
        "legal_basis": "Z",
        "sources": ["brp"],
        "retention_days": 5,
        "data_categories": "Huishoudens (BRP)",
        "recipients": "Analisten",
        "dpia_reference": "DPIA-1",
    }
    with pytest.raises(PermissionDenied):
        activity_amend(activity_id=activity.pk, actor=officer, **fields)
    with pytest.raises(ValidationError, match="nothing was changed"):
        activity_amend(activity_id=activity.pk, actor=analyst, **FIELDS)
    activity_approve(activity_id=activity.pk, actor=officer, motivation="akkoord", version=1)
    with pytest.raises(ValidationError, match="request a new activity instead"):
        activity_amend(activity_id=activity.pk, actor=analyst, **fields)


@pytest.mark.parametrize(
    ("missing", "said"),
    [
        ("data_categories", "its data categories"),
        ("recipients", "its recipients and roles"),
        ("dpia_reference", "a DPIA reference or why none is needed"),
    ],
)
def test_an_incomplete_request_is_not_approved(analyst, officer, missing, said) -> None:
    activity = request(analyst, **{missing: "  "})
    with pytest.raises(ValidationError, match=said):
        activity_approve(activity_id=activity.pk, actor=officer, motivation="ok", version=1)
    assert activity_current(activity_id=activity.pk).status == Status.REQUESTED
    reason = "Geen DPIA nodig: alleen geaggregeerde uitkomsten, geen hoog risico"
    activity_amend(activity_id=activity.pk, actor=analyst, **{**FIELDS, "dpia_reference": reason})
    approved = activity_approve(activity_id=activity.pk, actor=officer, motivation="ok", version=2)
    assert approved.status == Status.APPROVED


def test_a_refusal_is_shown_in_the_user_s_language(analyst, officer) -> None:  # type: ignore[no-untyped-def]
    """The same refusal in Dutch for the web app, with a code that does not depend on it."""
    activity_id = request(analyst).pk
    with pytest.raises(ValidationError) as refused:
        activity_revoke(activity_id=activity_id, actor=officer, motivation=" ")
    assert refused.value.code == "no_motivation"
    with translation.override("nl"):
        assert refused.value.messages == ["geef een motivering"]
    assert refused.value.messages == ["give a motivation"]
