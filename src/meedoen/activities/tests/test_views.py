"""The register's pages, through the Django test client, in the default language (Dutch)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import formats, timezone

from meedoen.accounts.models import User
from meedoen.accounts.roles import Role
from meedoen.activities.models import ActivityVersion, Status
from meedoen.activities.selectors import CHECKLIST, activity_current, activity_history
from meedoen.activities.services import (
    Actor,
    activity_approve,
    activity_request,
)

pytestmark = pytest.mark.django_db

READERS = [Role.ADMINISTRATOR, Role.ANALYST, Role.PRIVACY_OFFICER]
NON_READERS = [r for r in Role if r not in READERS]

REQUEST = {
    "name": "Voedselbankklanten",
    "purpose": "Welke huishoudens zijn klant van de voedselbank",
    "legal_basis": "Participatiewet art. 7",
    "sources": ["brp", "partner-voedselbank", "participatie"],
    "retention_days": 365,
    "data_categories": "huishoudsamenstelling, uitkeringen",
    "recipients": "beleidsadviseurs armoede (geaggregeerd)",
    "dpia_reference": "DPIA-2026-004",
}


@pytest.fixture
def analyst(make_user):  # type: ignore[no-untyped-def]
    return make_user(Role.ANALYST)


@pytest.fixture
def officer(make_user):  # type: ignore[no-untyped-def]
    return make_user(Role.PRIVACY_OFFICER)


def requested(analyst, **overrides) -> int:  # type: ignore[no-untyped-def]
    actor = Actor(analyst.username, analyst)
    return activity_request(actor=actor, **{**REQUEST, **overrides}).pk


def approved(analyst, officer, **overrides) -> int:  # type: ignore[no-untyped-def]
    activity_id = requested(analyst, **overrides)
    activity_approve(
        activity_id=activity_id,
        actor=Actor(officer.username, officer),
        motivation="Helder doel",
        version=1,
    )
    return activity_id


def versions(activity_id: int) -> int:
    return ActivityVersion.objects.filter(activity_id=activity_id).count()


# -- The register ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_readers_see_the_register(client: Client, make_user, analyst, officer, role) -> None:
    first = approved(analyst, officer)
    requested(
        analyst,
        name="Schuldsignalen per wijk",
        sources=["signalen", "bag"],
        task="schuldhulpverlening",
    )
    client.force_login(
        {Role.ANALYST: analyst, Role.PRIVACY_OFFICER: officer}.get(role) or make_user(role)
    )
    response = client.get("/verwerkingen/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Verwerkingsregister" in html
    assert [v.state.name for v in response.context["activities"]] == [
        "Schuldsignalen per wijk",
        "Voedselbankklanten",
    ]
    assert f'href="/verwerkingen/{first}/"' in html
    assert "brp, participatie, partner-voedselbank" in html
    assert "bag, signalen" in html
    until = formats.date_format(timezone.localdate() + timedelta(days=365), "DATE_FORMAT")
    assert until in html
    assert "goedgekeurd" in html and "aangevraagd" in html
    # People by full name, not by user name.
    officer, analyst = (User.objects.get(username=n) for n in ("privacy_officer", "analyst"))
    assert f"Goedgekeurd door {officer.get_full_name()}" in html
    assert f"Aangevraagd door {analyst.get_full_name()}" in html
    assert "door privacy_officer" not in html and "door analyst" not in html


def test_register_offers_the_request_form_to_analysts_only(client: Client, analyst, officer):
    client.force_login(analyst)
    assert 'href="/verwerkingen/aanvragen/"' in client.get("/verwerkingen/").content.decode()
    client.force_login(officer)
    html = client.get("/verwerkingen/").content.decode()
    assert 'href="/verwerkingen/aanvragen/"' not in html
    assert 'href="/verwerkingen/wachtrij/"' in html


def test_empty_register(client: Client, analyst) -> None:
    client.force_login(analyst)
    assert "Er zijn nog geen verwerkingen." in client.get("/verwerkingen/").content.decode()


@pytest.mark.parametrize("role", NON_READERS)
def test_other_roles_cannot_read_the_register(client: Client, make_user, analyst, role) -> None:
    activity_id = requested(analyst)
    client.force_login(make_user(role))
    assert client.get("/verwerkingen/").status_code == 403
    assert client.get(f"/verwerkingen/{activity_id}/").status_code == 403


def test_anonymous_is_sent_to_login(client: Client) -> None:
    for url in ("/verwerkingen/", "/verwerkingen/1/", "/verwerkingen/aanvragen/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/inloggen/")


# -- One activity: fields, history, differences ----------------------------------------------


def test_detail_shows_every_field_of_the_current_version(client: Client, analyst, officer):
    activity_id = approved(analyst, officer)
    client.force_login(analyst)
    response = client.get(f"/verwerkingen/{activity_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "Voedselbankklanten</h1>" in html
    labels = [label for label, _ in response.context["fields"]]
    # The kind: "soort" once src/meedoen/locale translates it (the .po is edited apart).
    assert labels[1] in {"kind", "soort"}
    # The statutory task (purpose binding): "wettelijke taak" once the .po translates it.
    assert labels[2] in {"statutory task", "wettelijke taak"}
    assert labels[:1] + labels[3:] == [
        "naam",
        "doel",
        "grondslag",
        "bronnen (domeinen)",
        "kolommen",
        "meer detail",
        "waarom meer detail nodig is",
        "gegevenscategorieën",
        "ontvangers en rollen",
        "bewaartermijn in dagen",
        "DPIA-referentie",
        "goedgekeurd tot",
    ]
    for value in (
        "Welke huishoudens zijn klant van de voedselbank",
        "Participatiewet art. 7",
        "brp, participatie, partner-voedselbank",
        "huishoudsamenstelling, uitkeringen",
        "beleidsadviseurs armoede (geaggregeerd)",
        "365",
        "DPIA-2026-004",
        formats.date_format(timezone.localdate() + timedelta(days=365), "DATE_FORMAT"),
    ):
        assert value in html, value
    assert "Goedgekeurd" in html
    # Analysts read, but do not decide.
    assert 'name="decision"' not in html


def test_history_shows_who_did_what_when_and_the_differences(client: Client, analyst, officer):
    activity_id = approved(analyst, officer)
    client.force_login(officer)
    response = client.get(f"/verwerkingen/{activity_id}/")
    html = response.content.decode()
    history = response.context["activity"].versions
    assert [(v.state.number, v.action, v.state.acted_by) for v in history] == [
        (1, "requested", "analyst"),
        (2, "approved", "privacy_officer"),
    ]
    assert history[0].changes == ()
    assert [(c.field, c.old, c.new) for c in history[1].changes] == [
        ("status", "requested", "approved"),
        ("valid_until", None, timezone.localdate() + timedelta(days=365)),
    ]
    assert "Versie 1: Aangevraagd" in html
    assert "Versie 2: Goedgekeurd" in html
    assert "Helder doel" in html
    assert "Gewijzigd in versie 2 ten opzichte van versie 1" in html
    assert "<del>aangevraagd</del>" in html and "<ins>goedgekeurd</ins>" in html
    assert "<del>—</del>" in html
    assert html.count("<time datetime=") >= 2


def test_expired_activity_shows_as_expired(client: Client, analyst, officer) -> None:
    activity_id = approved(analyst, officer, retention_days=1)
    ActivityVersion.objects.filter(activity_id=activity_id, number=2).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    client.force_login(officer)
    response = client.get(f"/verwerkingen/{activity_id}/")
    assert response.context["current"].status_label == "verlopen"
    # The history still says what was done: an approval.
    assert response.context["activity"].versions[1].action == Status.APPROVED
    # An expired activity cannot be revoked: no decision form.
    assert response.context["decisions"] == ()


def test_unknown_activity_is_404(client: Client, officer) -> None:
    client.force_login(officer)
    assert client.get("/verwerkingen/999/").status_code == 404
    response = client.post("/verwerkingen/999/", {"decision": "approve", "motivation": "ok"})
    assert response.status_code == 404


def test_detail_shows_what_was_deleted_under_the_activity(client, analyst, officer) -> None:
    activity_id = approved(analyst, officer)
    client.force_login(officer)
    url = f"/verwerkingen/{activity_id}/"
    html = client.get(url).content.decode()
    assert "Verwijderde gegevens" in html
    assert "Onder deze verwerking is niets verwijderd." in html
    client.post(url, {"decision": "revoke", "motivation": "Doel bereikt", "confirmed": "yes"})
    response = client.get(url)
    [purge] = response.context["activity"].purges
    assert purge.by == "privacy_officer"
    html = response.content.decode()
    assert "Onder deze verwerking is niets verwijderd." not in html
    assert "Wat is verwijderd omdat de verwerking is ingetrokken of verlopen" in html
    assert f'<td class="utrecht-table__cell">{purge.summary}</td>' in html
    assert '<td class="utrecht-table__cell">ingetrokken</td>' in html


# -- The request form --------------------------------------------------------------------------


FORM = {
    "name": "Voedselbankklanten",
    "purpose": "Welke huishoudens zijn klant van de voedselbank",
    "legal_basis": "Participatiewet art. 7",
    "sources": ["brp", "participatie"],
    "partners": "voedselbank, partner-kledingbank",
    "retention_days": "365",
    "data_categories": "huishoudsamenstelling",
    "recipients": "beleid",
    "dpia_reference": "DPIA-7",
}


def test_analyst_sees_the_request_form(client: Client, analyst) -> None:
    client.force_login(analyst)
    response = client.get("/verwerkingen/aanvragen/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Verwerking aanvragen" in html
    for domain in ("brp", "wmo", "jeugd", "participatie", "schulden", "signalen", "cbs", "bag"):
        assert f'type="checkbox" name="sources" value="{domain}"' in html, domain
    for field in ("name", "purpose", "legal_basis", "partners", "retention_days", "dpia_reference"):
        assert f'for="id_{field}"' in html
    assert "<legend" in html
    assert 'role="alert"' not in html


def test_request_creates_the_activity_and_redirects(client: Client, analyst) -> None:
    client.force_login(analyst)
    response = client.post("/verwerkingen/aanvragen/", FORM)
    assert response.status_code == 302
    activity_id = int(response["Location"].strip("/").rsplit("/", 1)[-1])
    assert response["Location"] == f"/verwerkingen/{activity_id}/"
    state = activity_current(activity_id=activity_id)
    assert state.status == Status.REQUESTED
    assert state.acted_by == "analyst"
    assert state.sources == [
        "brp",
        "participatie",
        "partner-kledingbank",
        "partner-voedselbank",
    ]
    version = ActivityVersion.objects.get(activity_id=activity_id)
    assert (version.data_categories, version.recipients, version.dpia_reference) == (
        "huishoudsamenstelling",
        "beleid",
        "DPIA-7",
    )
    assert version.acted_by_user == analyst
    page = client.get(response["Location"]).content.decode()
    assert f"Verwerking {activity_id} “Voedselbankklanten” is aangevraagd" in page
    assert "wacht op het besluit van de functionaris gegevensbescherming" in page


def test_partner_files_alone_are_enough(client: Client, analyst) -> None:
    client.force_login(analyst)
    response = client.post(
        "/verwerkingen/aanvragen/", {**FORM, "sources": [], "partners": "voedselbank"}
    )
    assert response.status_code == 302


def test_empty_request_shows_an_error_summary_and_marks_fields(client: Client, analyst) -> None:
    client.force_login(analyst)
    response = client.post("/verwerkingen/aanvragen/", {})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Fout: Verwerking aanvragen" in html
    assert 'role="alert" id="error-summary"' in html
    assert "Verbeter het volgende" in html
    assert 'href="#id_name"' in html and 'href="#id_retention_days"' in html
    assert 'href="#id_sources_0"' in html
    assert "Dit veld is vereist." in html
    assert "Kies ten minste één brondomein of noem een partnerbestand." in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    assert 'id="id_name_error"' in html
    assert "utrecht-textbox--invalid" in html
    assert ActivityVersion.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"retention_days": "0"}, "retention_days", "minstens 1"),
        ({"retention_days": "veel"}, "retention_days", "Voer een geheel getal in."),
        ({"partners": "Voedsel Bank!"}, "partners", "kleine letters"),
        ({"sources": ["belastingdienst"]}, "sources", "belastingdienst"),
        ({"purpose": "   "}, "purpose", "Dit veld is vereist."),
    ],
)
def test_request_is_validated_on_the_form(client, analyst, overrides, field, message) -> None:
    client.force_login(analyst)
    response = client.post("/verwerkingen/aanvragen/", {**FORM, **overrides})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert message in response.content.decode()
    assert ActivityVersion.objects.count() == 0


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ANALYST])
def test_only_analysts_request(client: Client, make_user, role) -> None:
    client.force_login(make_user(role))
    assert client.get("/verwerkingen/aanvragen/").status_code == 403
    assert client.post("/verwerkingen/aanvragen/", FORM).status_code == 403
    assert ActivityVersion.objects.count() == 0


# -- The privacy officer's queue and decisions ------------------------------------------------


def test_queue_lists_requested_activities_with_who_asked_what(client, analyst, officer) -> None:
    waiting = requested(
        analyst, name="Schuldsignalen per wijk", sources=["signalen"], task="schuldhulpverlening"
    )
    approved(analyst, officer, name="Al goedgekeurd")
    later = requested(analyst, name="Later aangevraagd")
    client.force_login(officer)
    response = client.get("/verwerkingen/wachtrij/")
    assert response.status_code == 200
    html = response.content.decode()
    # Oldest first: the queue is worked through in the order of the requests.
    assert [v.state.id for v in response.context["activities"]] == [waiting, later]
    assert "Schuldsignalen per wijk" in html and "Al goedgekeurd" not in html
    assert f"Aangevraagd door {analyst.get_full_name()}" in html
    assert "Welke huishoudens zijn klant van de voedselbank" in html
    assert "Participatiewet art. 7" in html
    assert f'href="/verwerkingen/{waiting}/"' in html


def test_empty_queue(client: Client, officer) -> None:
    client.force_login(officer)
    html = client.get("/verwerkingen/wachtrij/").content.decode()
    assert "Er wachten geen aanvragen op een besluit." in html


@pytest.mark.parametrize("role", [r for r in Role if r != Role.PRIVACY_OFFICER])
def test_only_the_privacy_officer_sees_the_queue(client: Client, make_user, role) -> None:
    client.force_login(make_user(role))
    assert client.get("/verwerkingen/wachtrij/").status_code == 403


def test_privacy_officer_gets_approve_and_refuse_on_a_request(client, analyst, officer) -> None:
    activity_id = requested(analyst)
    client.force_login(officer)
    html = client.get(f"/verwerkingen/{activity_id}/").content.decode()
    assert 'name="decision" value="approve"' in html
    assert 'name="decision" value="refuse"' in html
    assert 'name="decision" value="revoke"' not in html
    assert 'for="id_motivation"' in html


def test_privacy_officer_approves(client: Client, analyst, officer) -> None:
    activity_id = requested(analyst)
    client.force_login(officer)
    url = f"/verwerkingen/{activity_id}/"
    response = client.post(
        url,
        {
            "decision": "approve",
            "motivation": "Doel en grondslag passen",
            "checked": CHECKLIST,
            "version": 1,
        },
    )
    assert response.status_code == 302 and response["Location"] == url
    state = activity_current(activity_id=activity_id)
    assert state.status == Status.APPROVED and state.acted_by == "privacy_officer"
    assert state.motivation == "Doel en grondslag passen"
    html = client.get(url).content.decode()
    until = formats.date_format(state.valid_until, "DATE_FORMAT")
    assert f"Verwerking {activity_id} is goedgekeurd tot {until}." in html
    # Now it can only be revoked.
    assert 'name="decision" value="revoke"' in html
    assert 'name="decision" value="approve"' not in html


def test_privacy_officer_refuses(client: Client, analyst, officer) -> None:
    activity_id = requested(analyst)
    client.force_login(officer)
    url = f"/verwerkingen/{activity_id}/"
    # Without the version read, a refusal is refused like an approval (the request may have
    # changed since the page was opened).
    unread = client.post(url, {"decision": "refuse", "motivation": "Grondslag ontbreekt"})
    assert "Open het verzoek opnieuw" in unread.content.decode()
    assert activity_current(activity_id=activity_id).status == Status.REQUESTED
    client.post(url, {"decision": "refuse", "motivation": "Grondslag ontbreekt", "version": 1})
    assert activity_current(activity_id=activity_id).status == Status.REFUSED
    html = client.get(url).content.decode()
    assert f"Verwerking {activity_id} is geweigerd." in html
    assert 'name="decision"' not in html


def test_privacy_officer_revokes(client: Client, analyst, officer) -> None:
    activity_id = approved(analyst, officer)
    client.force_login(officer)
    url = f"/verwerkingen/{activity_id}/"
    asked = client.post(url, {"decision": "revoke", "motivation": "Doel bereikt"})
    html = asked.content.decode()
    assert asked.status_code == 200 and "intrekken?" in html  # first: what it deletes
    assert "de sleutel van de verwerking" in html and 'name="confirmed" value="yes"' in html
    assert activity_current(activity_id=activity_id).status == Status.APPROVED
    response = client.post(
        url, {"decision": "revoke", "motivation": "Doel bereikt", "confirmed": "yes"}, follow=True
    )
    assert activity_current(activity_id=activity_id).status == Status.REVOKED
    assert f"Verwerking {activity_id} is ingetrokken." in response.content.decode()
    history = activity_history(activity_id=activity_id)
    assert [v.status for v in history] == ["requested", "approved", "revoked"]


def test_decision_needs_a_motivation(client: Client, analyst, officer) -> None:
    activity_id = requested(analyst)
    client.force_login(officer)
    response = client.post(f"/verwerkingen/{activity_id}/", {"decision": "approve"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert" id="error-summary"' in html
    assert 'href="#id_motivation"' in html
    assert "Motivering: Dit veld is vereist." in html
    assert 'aria-describedby="id_motivation_helptext id_motivation_error"' in html
    assert versions(activity_id) == 1


def test_a_decision_the_workflow_does_not_allow_is_shown_as_an_error(client, analyst, officer):
    """The service decides: e.g. a second officer approving what was just refused."""
    activity_id = requested(analyst)
    client.force_login(officer)
    url = f"/verwerkingen/{activity_id}/"
    client.post(url, {"decision": "refuse", "motivation": "Nee", "version": 1})
    response = client.post(
        url, {"decision": "approve", "motivation": "Toch wel", "checked": CHECKLIST, "version": 1}
    )
    assert response.status_code == 200
    # The service's refusal in the page's language.
    assert "alleen een verwerking die aangevraagd is kan goedgekeurd worden" in (
        response.content.decode()
    )
    assert versions(activity_id) == 2


def test_unknown_decision_is_an_error(client: Client, analyst, officer) -> None:
    activity_id = requested(analyst)
    client.force_login(officer)
    response = client.post(f"/verwerkingen/{activity_id}/", {"decision": "x", "motivation": "y"})
    assert response.status_code == 200
    assert "decision" in response.context["form"].errors
    assert versions(activity_id) == 1


@pytest.mark.parametrize("role", [r for r in Role if r != Role.PRIVACY_OFFICER])
def test_only_the_privacy_officer_decides(client: Client, make_user, analyst, role) -> None:
    activity_id = requested(analyst)
    client.force_login(analyst if role == Role.ANALYST else make_user(role))
    url = f"/verwerkingen/{activity_id}/"
    for decision in ("approve", "refuse", "revoke"):
        response = client.post(url, {"decision": decision, "motivation": "ik mag dit niet"})
        assert response.status_code == 403
    assert versions(activity_id) == 1


# -- Start pages -------------------------------------------------------------------------------


def test_analyst_start_page_links_to_the_register(client: Client, analyst) -> None:
    client.force_login(analyst)
    html = client.get("/").content.decode()
    assert 'href="/verwerkingen/"' in html
    assert 'href="/verwerkingen/aanvragen/"' in html


def test_privacy_officer_start_page_links_to_the_queue(client: Client, analyst, officer) -> None:
    requested(analyst)
    requested(analyst, name="Tweede")
    client.force_login(officer)
    response = client.get("/")
    html = response.content.decode()
    assert 'href="/verwerkingen/wachtrij/"' in html
    assert 'href="/verwerkingen/"' in html
    assert "2 aanvragen wachten op uw besluit." in html
    assert "Aangevraagde verwerkingen goedkeuren of afwijzen" not in html


def test_pages_follow_the_language_switch(client: Client, analyst, officer) -> None:
    activity_id = approved(analyst, officer)
    client.force_login(analyst)
    client.cookies["django_language"] = "en"
    html = client.get("/verwerkingen/").content.decode()
    assert "Register of processing activities</h1>" in html
    assert f"Approved by {User.objects.get(pk=officer.pk).get_full_name()}" in html
    html = client.get(f"/verwerkingen/{activity_id}/").content.decode()
    assert "Version 2: Approved" in html and "<ins>approved</ins>" in html


# -- Amending a request ------------------------------------------------------------------------


def amend_form(**overrides) -> dict[str, object]:  # type: ignore[no-untyped-def]
    form = {
        **REQUEST,
        "sources": ["brp"],
        "partners": "voedselbank",
        "note": "Participatiewet is niet nodig",
    }
    return {**form, **overrides}


def test_the_analyst_amends_a_refused_request_and_the_diff_shows_it(
    client: Client, analyst, officer
) -> None:
    from meedoen.activities.services import activity_refuse

    activity_id = requested(analyst)
    activity_refuse(
        activity_id=activity_id,
        actor=Actor(officer.username, officer),
        motivation="Te ruim",
        version=1,
    )
    client.force_login(analyst)
    page = client.get(f"/verwerkingen/{activity_id}/")
    assert f'href="/verwerkingen/{activity_id}/wijzigen/"' in page.content.decode()
    form = client.get(f"/verwerkingen/{activity_id}/wijzigen/")
    assert form.status_code == 200
    assert form.context["form"].initial["partners"] == "voedselbank"
    response = client.post(f"/verwerkingen/{activity_id}/wijzigen/", amend_form())
    assert response.status_code == 302
    assert activity_current(activity_id=activity_id).status == Status.REQUESTED
    assert activity_current(activity_id=activity_id).sources == ["brp", "partner-voedselbank"]
    client.force_login(officer)
    detail = client.get(f"/verwerkingen/{activity_id}/").content.decode()
    assert "Participatiewet is niet nodig" in detail
    changes = client.get(f"/verwerkingen/{activity_id}/").context["activity"].versions[-1].changes
    # Fewer sources: the columns (every column of the sources) shrink with them.
    assert [c.field for c in changes] == ["sources", "columns", "status"]


def test_only_the_analyst_amends_and_only_before_approval(client: Client, analyst, officer) -> None:
    activity_id = approved(analyst, officer)
    client.force_login(officer)
    assert client.get(f"/verwerkingen/{activity_id}/wijzigen/").status_code == 403
    client.force_login(analyst)
    response = client.get(f"/verwerkingen/{activity_id}/wijzigen/")
    assert response.status_code == 302 and response["Location"] == f"/verwerkingen/{activity_id}/"
    assert client.get("/verwerkingen/999/wijzigen/").status_code == 404
    assert versions(activity_id) == 2


def test_privacy_officer_sets_the_protection_width_on_the_web(client, analyst, officer) -> None:
    """The floor the command line sets with --protection, on the approval form."""
    activity_id = requested(analyst)
    client.force_login(officer)
    url = f"/verwerkingen/{activity_id}/"
    html = client.get(url).content.decode()
    assert 'for="id_protection"' in html and "Beschermingsbreedte" in html
    client.post(
        url,
        {
            "decision": "approve",
            "motivation": "Past",
            "checked": CHECKLIST,
            "version": 1,
            "protection": "15",
        },
    )
    state = activity_current(activity_id=activity_id)
    assert state.status == Status.APPROVED and state.floor.protection == 15.0
    html = client.get(url).content.decode()
    assert "Beschermingsbreedte</dt>" in html and ">15</dd>" in html


def test_the_officer_sees_approved_activities_holding_the_same_event_dates(
    client: Client, analyst, officer
) -> None:
    """Two stores over the same benefits re-link most persons on sex, birth year and the
    months of the benefits (ADR 0015): the approval page names the approved activity that
    holds them; one without event dates in common is not named."""
    other = approved(analyst, officer, name="Uitkeringen en schulden")
    unrelated = approved(analyst, officer, name="Alleen de BRP", sources=["brp"])
    activity_id = requested(analyst)
    client.force_login(officer)
    html = client.get(f"/verwerkingen/{activity_id}/").content.decode()
    assert 'id="overlaps"' in html
    assert "Een andere goedgekeurde verwerking bevat dezelfde datums van gebeurtenissen:" in html
    assert f'href="/verwerkingen/{other}/">verwerking {other}, Uitkeringen en schulden</a>' in html
    assert "inkomensvoorziening.ingangsdatum" in html
    assert f"verwerking {unrelated}," not in html
    assert "Keur beide alleen goed als dat mag." in html
    # A request whose columns hold no event date is told of none.
    alone = requested(analyst, sources=["brp"], columns=["ingeschrevenpersoon.geslachtsaanduiding"])
    assert 'id="overlaps"' not in client.get(f"/verwerkingen/{alone}/").content.decode()
    # The analyst's view of the same page does not list them (the officer decides).
    client.force_login(analyst)
    assert 'id="overlaps"' not in client.get(f"/verwerkingen/{activity_id}/").content.decode()


def test_the_officer_ticks_the_checklist_before_approving(client: Client, analyst, officer) -> None:
    activity_id = requested(analyst)
    client.force_login(officer)
    url = f"/verwerkingen/{activity_id}/"
    page = client.get(url).content.decode()
    assert "Checklist (bij goedkeuren)" in page
    for shown in ("huishoudsamenstelling, uitkeringen", "DPIA-2026-004", "365 dagen"):
        assert shown in page
    decision = {"decision": "approve", "motivation": "Past", "version": 1}
    unticked = client.post(url, {**decision, "checked": CHECKLIST[:3]})
    assert unticked.status_code == 200
    assert "Vink elk punt van de checklist aan" in unticked.content.decode()
    assert activity_current(activity_id=activity_id).status == Status.REQUESTED
    ticked = client.post(url, {**decision, "checked": CHECKLIST})
    assert ticked.status_code == 302
    assert activity_current(activity_id=activity_id).status == Status.APPROVED


def test_an_incomplete_request_shows_what_is_missing(client: Client, analyst, officer) -> None:
    activity_id = requested(analyst, recipients="", dpia_reference="")
    client.force_login(officer)
    url = f"/verwerkingen/{activity_id}/"
    page = client.get(url).content.decode()
    assert page.count("niet vermeld — de analist vult de aanvraag aan") == 2
    assert page.count(" disabled aria-describedby=") == 2  # those two cannot be ticked
    forced = client.post(
        url, {"decision": "approve", "motivation": "Past", "version": 1, "checked": CHECKLIST}
    )
    text = forced.content.decode()
    assert "De aanvraag vermeldt niet: Ontvangers en rollen, DPIA" in text
    assert activity_current(activity_id=activity_id).status == Status.REQUESTED
    refused = client.post(url, {"decision": "refuse", "motivation": "Vul aan", "version": 1})
    assert refused.status_code == 302  # refusing needs no checklist
