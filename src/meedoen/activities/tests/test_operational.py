"""Operational activities (*uitvoering*): identified data shown to named roles for a case on
their caseload. Requested and approved like an analysis, but never usable for analysis, and an
analysis never for operational use (DESIGN.md, "Operational vs analytical processing")."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from meedoen.accounts.roles import Role
from meedoen.activities.enforcement import (
    ActivityNotApproved,
    activity_authorize,
    activity_authorize_operational,
    activity_pseudonymise,
    activity_sql,
    activity_store_open,
)
from meedoen.activities.models import ActivityVersion, Kind
from meedoen.activities.selectors import (
    activities_operational,
    activity_checklist,
    activity_current,
    activity_detail,
    roles_text,
)
from meedoen.activities.services import (
    Actor,
    activity_amend,
    activity_approve,
    activity_request,
    activity_revoke,
    reviewer_grant,
)
from meedoen.audits.models import ProcessingRecord
from meedoen.audits.trace import TraceContext
from meedoen_data.workspace import workspace_init

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


@pytest.fixture
def home(tmp_path: Path, settings) -> Path:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    workspace = workspace_init(home=home).workspace
    settings.MEEDOEN_HOME, settings.WORKSPACE = home, workspace
    return home


@pytest.fixture
def analyst(make_user) -> Actor:  # type: ignore[no-untyped-def]
    user = make_user(Role.ANALYST)
    return Actor(user.username, user)


@pytest.fixture
def officer(make_user) -> Actor:  # type: ignore[no-untyped-def]
    user = make_user(Role.PRIVACY_OFFICER)
    return Actor(user.username, user)


#: A complete operational request: the family context of a case worker's cases.
FAMILY = {
    "name": "Gezinscontext",
    "purpose": "De casusregisseur ziet het gezin van een casus op de eigen caseload",
    "legal_basis": "Jeugdwet art. 7.4.0; Wmo 2015 art. 5.1.1",
    "sources": ["brp", "jeugd", "wmo"],
    "retention_days": 365,
    "data_categories": "Gezinssamenstelling, voorzieningen",
    "recipients": "Casusregisseurs en teamleiders van het wijkteam",
    "dpia_reference": "DPIA-7",
    "kind": "uitvoering",
    "roles": ["team_lead", "case_worker"],
}
ANALYSIS = {**FAMILY, "name": "Stapeling", "kind": "analyse", "roles": []}


def request(actor: Actor, **overrides):  # type: ignore[no-untyped-def]
    return activity_request(actor=actor, **{**FAMILY, **overrides})


def approved(analyst: Actor, officer: Actor, **overrides) -> int:  # type: ignore[no-untyped-def]
    activity = request(analyst, **overrides)
    activity_approve(activity_id=activity.pk, actor=officer, motivation="akkoord", version=1)
    return activity.pk


# -- Request, approve ----------------------------------------------------------------------------


def test_an_operational_activity_is_requested_and_approved(analyst, officer) -> None:
    activity_id = approved(analyst, officer, columns=["ingeschrevenpersoon.geboortejaar"])
    state = activity_current(activity_id=activity_id)
    assert (state.kind, state.roles, state.status) == (
        "uitvoering",
        ["case_worker", "team_lead"],
        "approved",
    )
    assert state.operational
    assert state.sources == ["brp", "jeugd", "wmo"]
    # No store: columns, finer detail and floors do not apply and are not stored.
    assert (state.columns, state.fine_columns, state.fine_reason) == ([], [], "")
    stored = ActivityVersion.objects.get(activity_id=activity_id, number=2)
    assert (stored.columns, stored.fine_columns, stored.disclosure_floor) == ([], [], {})
    record = ProcessingRecord.objects.filter(name="activity.approve").latest("pk")
    assert "operational, roles: case_worker, team_lead" in record.detail


def test_existing_and_default_activities_are_analyses(analyst) -> None:
    activity = activity_request(
        actor=analyst, **{k: v for k, v in FAMILY.items() if k not in {"kind", "roles"}}
    )
    state = activity_current(activity_id=activity.pk)
    assert (state.kind, state.roles, state.operational) == ("analyse", [], False)
    assert state.columns  # every column of the sources, written out


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"roles": []}, r"name at least one role .* \(uitvoering\): case_worker, team_lead"),
        ({"roles": ["analyst"]}, "unknown role analyst; an operational activity allows"),
        ({"roles": ["case_worker", "wethouder"]}, "unknown role wethouder"),
        ({"kind": "analyse"}, r"roles apply only to an operational activity \(uitvoering\)"),
        ({"kind": "beleid"}, "unknown kind of activity 'beleid'; use analyse, uitvoering"),
        ({"sources": ["brp", "belastingdienst"]}, "unknown source domain belastingdienst"),
    ],
)
def test_an_operational_request_is_validated(analyst, overrides, message) -> None:
    with pytest.raises(ValidationError, match=message):
        request(analyst, **overrides)


def test_the_sources_follow_the_source_domains(analyst) -> None:
    """Whatever ``SOURCE_DOMAINS`` holds (the case work adds domains), and partner files."""
    from meedoen_data.workspace import SOURCE_DOMAINS

    # The early-warning signals only with the task they are bound to (debt help).
    activity = request(
        analyst,
        sources=[*SOURCE_DOMAINS, "bag", "partner-voedselbank"],
        task="schuldhulpverlening",
    )
    assert set(activity_current(activity_id=activity.pk).sources) == {
        *SOURCE_DOMAINS,
        "bag",
        "partner-voedselbank",
    }


def test_the_checklist_asks_for_the_roles_not_for_columns(analyst) -> None:
    state = activity_current(activity_id=request(analyst).pk)
    items = {item.key: item for item in activity_checklist(state=state)}
    assert list(items) == [
        "data_categories",
        "recipients",
        "dpia_reference",
        "retention_days",
        "roles",
    ]
    assert items["roles"].complete and items["roles"].value == "Case worker, Team lead"
    analysis = activity_current(activity_id=request(analyst, **ANALYSIS).pk)
    assert "roles" not in {item.key for item in activity_checklist(state=analysis)}


def test_an_amendment_shows_the_changed_kind_and_roles(analyst) -> None:
    activity = request(analyst)
    activity_amend(activity_id=activity.pk, actor=analyst, **{**FAMILY, "roles": ["case_worker"]})
    changes = {c.field: c for c in activity_detail(activity_id=activity.pk).versions[-1].changes}
    assert set(changes) == {"roles"}
    assert (changes["roles"].old_text, changes["roles"].new_text) == (
        "Case worker, Team lead",
        "Case worker",
    )
    activity_amend(activity_id=activity.pk, actor=analyst, **ANALYSIS)
    changes = {c.field: c for c in activity_detail(activity_id=activity.pk).versions[-1].changes}
    assert {"name", "kind", "roles", "columns"} <= set(changes)
    assert (changes["kind"].old_text, changes["kind"].new_text) == ("Operational", "Analysis")
    with pytest.raises(ValidationError, match="nothing was changed"):
        activity_amend(activity_id=activity.pk, actor=analyst, **ANALYSIS)


def test_the_links_of_an_operational_activity_are_not_reviewed(analyst, officer, make_user):
    activity_id = approved(analyst, officer)
    with pytest.raises(ValidationError, match=r"operational activity .* no links to review"):
        reviewer_grant(activity_id=activity_id, username=analyst.name, actor=officer)


# -- Never for analysis, and an analysis never for operational use -------------------------------


def test_an_operational_activity_is_never_used_for_analysis(home, analyst, officer, make_user):
    activity_id = approved(analyst, officer)
    refused = (
        rf"activity {activity_id} \(Gezinscontext\) is an operational activity \(uitvoering\): "
        r"it allows showing a case's family to the roles case_worker, team_lead, not analysis; "
        "request an analysis activity"
    )
    with pytest.raises(ActivityNotApproved, match=refused):
        activity_authorize(activity_id=activity_id)
    with pytest.raises(ActivityNotApproved, match=refused):
        activity_authorize(activity_id=activity_id, sources=["brp"])
    trace = TraceContext.start()
    with pytest.raises(ActivityNotApproved, match=refused):
        activity_store_open(activity_id=activity_id, actor=analyst, trace=trace, channel="cli")
    with pytest.raises(ActivityNotApproved, match=refused):
        activity_sql(
            activity_id=activity_id, actor=analyst, sql="SELECT 1", trace=trace, channel="cli"
        )
    admin = make_user(Role.ADMINISTRATOR)
    with pytest.raises(ActivityNotApproved, match=refused):
        activity_pseudonymise(
            activity_id=activity_id,
            actor=Actor(admin.username, admin),
            bsns=["999990019"],
            trace=trace,
            channel="cli",
        )
    assert not list((home / "activities").glob(f"activity-{activity_id}.duckdb*"))
    assert not ProcessingRecord.objects.filter(name="activity.store.build").exists()


def test_operational_use_is_authorized_for_its_roles_and_sources(analyst, officer) -> None:
    activity_id = approved(analyst, officer)
    state = activity_authorize_operational(
        activity_id=activity_id, role="case_worker", sources=["brp", "jeugd"]
    )
    assert state.id == activity_id and state.kind == Kind.UITVOERING
    assert activity_authorize(activity_id=activity_id, kind="uitvoering").id == activity_id


def test_operational_use_is_refused_otherwise(analyst, officer) -> None:
    activity_id = approved(analyst, officer)
    with pytest.raises(
        ActivityNotApproved,
        match=rf"activity {activity_id} \(Gezinscontext\) does not allow the role debt_worker: "
        "it allows case_worker, team_lead",
    ):
        activity_authorize_operational(activity_id=activity_id, role="debt_worker")
    with pytest.raises(
        ActivityNotApproved, match="is not approved to show schulden; it allows brp, jeugd, wmo"
    ):
        activity_authorize_operational(
            activity_id=activity_id, role="case_worker", sources=["brp", "schulden"]
        )
    analysis = approved(analyst, officer, **ANALYSIS)
    with pytest.raises(
        ActivityNotApproved,
        match=rf"activity {analysis} \(Stapeling\) is an analysis activity: .* request an "
        r"operational activity \(uitvoering\)",
    ):
        activity_authorize_operational(activity_id=analysis, role="case_worker")
    requested = request(analyst).pk
    with pytest.raises(ActivityNotApproved, match="is requested, not approved"):
        activity_authorize_operational(activity_id=requested, role="case_worker")
    with pytest.raises(ActivityNotApproved, match="there is no processing activity 999"):
        activity_authorize_operational(activity_id=999, role="case_worker")
    activity_revoke(activity_id=activity_id, actor=officer, motivation="niet meer nodig")
    with pytest.raises(ActivityNotApproved, match="is revoked, not approved"):
        activity_authorize_operational(activity_id=activity_id, role="case_worker")


def test_an_expired_operational_activity_is_refused(analyst, officer) -> None:
    activity_id = approved(analyst, officer)
    ActivityVersion.objects.filter(activity_id=activity_id, number=2).update(
        valid_until="2020-01-01"
    )
    with pytest.raises(ActivityNotApproved, match="expired on 2020-01-01"):
        activity_authorize_operational(activity_id=activity_id, role="case_worker")


def test_the_operational_activities_of_a_role(analyst, officer) -> None:
    family = approved(analyst, officer)
    debts = approved(analyst, officer, name="Vroegsignalen", roles=["debt_worker"])
    approved(analyst, officer, **ANALYSIS)
    request(analyst, name="Nog niet goedgekeurd")
    assert [s.id for s in activities_operational(role="case_worker")] == [family]
    assert [s.id for s in activities_operational(role="team_lead")] == [family]
    assert [s.id for s in activities_operational(role="debt_worker")] == [debts]
    assert activities_operational(role="analyst") == []


# -- Pages ---------------------------------------------------------------------------------------

FORM = {
    "name": "Gezinscontext",
    "kind": "uitvoering",
    "roles": ["case_worker", "team_lead"],
    "purpose": "Het gezin van een casus",
    "legal_basis": "Jeugdwet art. 7.4.0",
    "sources": ["brp", "jeugd"],
    "partners": "",
    "retention_days": "365",
    "columns": "ingeschrevenpersoon.geboortejaar",
    "fine_columns": "",
    "fine_reason": "",
    "data_categories": "Gezinssamenstelling",
    "recipients": "Wijkteam",
    "dpia_reference": "DPIA-7",
}


def nl(text: str) -> str:
    """``text`` as the (Dutch) pages show it: translated once the .po translates it."""
    with translation.override("nl"):
        return translation.gettext(text)


def nl_roles(*roles: str) -> str:
    with translation.override("nl"):
        return roles_text(roles)


def test_the_request_page_asks_the_kind_and_roles(client: Client, analyst) -> None:
    client.force_login(analyst.user)
    html = client.get("/verwerkingen/aanvragen/").content.decode()
    assert 'type="radio" name="kind" value="analyse"' in html
    assert 'class="utrecht-radio-button utrecht-radio-button--html-input"' in html
    assert html.count('name="roles"') == 3
    assert '<legend class="utrecht-form-fieldset__legend' in html
    assert nl("Operational (uitvoering)") in html
    response = client.post("/verwerkingen/aanvragen/", FORM)
    assert response.status_code == 302
    state = activity_current(activity_id=int(response["Location"].strip("/").split("/")[-1]))
    assert (state.kind, state.roles, state.columns) == (
        "uitvoering",
        ["case_worker", "team_lead"],
        [],  # ignored for an operational activity
    )


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"roles": []}, "Choose at least one role that may work under the operational activity."),
        (
            {"kind": "analyse"},
            "Roles apply only to an operational activity: choose “Operational (uitvoering)” or "
            "untick the roles.",
        ),
    ],
)
def test_the_request_page_checks_kind_and_roles(client: Client, analyst, overrides, error):
    client.force_login(analyst.user)
    response = client.post("/verwerkingen/aanvragen/", {**FORM, **overrides})
    assert response.status_code == 200
    assert response.context["form"].errors["roles"] == [nl(error)]
    assert 'href="#id_roles_0"' in response.content.decode()


def test_register_and_detail_show_kind_and_roles(client: Client, analyst, officer) -> None:
    activity_id = request(analyst).pk
    roles = nl_roles("case_worker", "team_lead")
    client.force_login(officer.user)
    register = client.get("/verwerkingen/").content.decode()
    assert nl("Operational") in register
    assert nl("Roles: %(roles)s") % {"roles": roles} in register
    queue = client.get("/verwerkingen/wachtrij/").content.decode()
    assert nl("Operational") in queue and roles in queue
    response = client.get(f"/verwerkingen/{activity_id}/")
    fields = dict(response.context["fields"])
    assert fields[nl("kind")] == nl("Operational") and fields[nl("roles")] == roles
    assert nl("columns") not in fields and nl("finer detail") not in fields
    html = response.content.decode()
    assert 'id="operational"' in html and "Jeugdwet art. 7.4.0" in html
    assert "floor-description" not in html  # no floors for an operational activity
    # The officer ticks the five points, the roles among them, and approves.
    checked = ["data_categories", "recipients", "dpia_reference", "retention_days"]
    decide = {"decision": "approve", "version": "1", "motivation": "Grondslag klopt"}
    response = client.post(f"/verwerkingen/{activity_id}/", {**decide, "checked": checked})
    assert response.status_code == 200
    assert response.context["form"].errors["checked"]
    response = client.post(
        f"/verwerkingen/{activity_id}/", {**decide, "checked": [*checked, "roles"]}
    )
    assert response.status_code == 302
    assert activity_current(activity_id=activity_id).status == "approved"
    html = client.get(f"/verwerkingen/{activity_id}/").content.decode()
    assert 'id="floor-heading"' not in html and 'id="reviewers-heading"' not in html


def test_an_analysis_still_needs_its_four_points(client: Client, analyst, officer) -> None:
    activity_id = request(analyst, **ANALYSIS).pk
    client.force_login(officer.user)
    html = client.get(f"/verwerkingen/{activity_id}/").content.decode()
    assert 'id="operational"' not in html and "floor-description" in html
    checked = ["data_categories", "recipients", "dpia_reference", "retention_days"]
    response = client.post(
        f"/verwerkingen/{activity_id}/",
        {"decision": "approve", "version": "1", "motivation": "akkoord", "checked": checked},
    )
    assert response.status_code == 302


def test_the_amend_page_keeps_kind_and_roles(client: Client, analyst) -> None:
    activity_id = request(analyst).pk
    client.force_login(analyst.user)
    form = client.get(f"/verwerkingen/{activity_id}/wijzigen/").context["form"]
    assert form.initial["kind"] == "uitvoering"
    assert form.initial["roles"] == ["case_worker", "team_lead"]


def test_the_api_requests_and_shows_an_operational_activity(client: Client, analyst) -> None:
    client.force_login(analyst.user)
    body = {**FAMILY, "roles": ["case_worker"]}
    response = client.post("/api/v1/activities/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    current = response.json()["current"]
    assert (current["kind"], current["roles"], current["columns"]) == (
        "uitvoering",
        ["case_worker"],
        [],
    )
    refused = client.post(
        "/api/v1/activities/", {**body, "roles": []}, content_type="application/json"
    )
    assert refused.status_code == 400
    expected = nl(
        "name at least one role that may work under an operational activity (uitvoering): %(known)s"
    ) % {"known": "case_worker, team_lead, debt_worker"}
    assert refused.json()["non_field_errors"] == [expected]
