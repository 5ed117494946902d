"""Cases and the family view for case workers (issue 20): opening a case, need-to-know, every
member shown logged, break-the-glass, team leads, the case file, the API."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from meedoen.audits.models import AccessRecord, ProcessingRecord
from meedoen.audits.trace import TraceContext
from meedoen.cases.models import Case, Origin
from meedoen.cases.services import (
    break_glass,
    break_glass_review,
    case_assign,
    case_close,
    case_open,
    cases_load,
    family_view,
)
from meedoen_data.casework import person_pseudonym
from tests.casework.conftest import actor

pytestmark = pytest.mark.django_db

REASON = "Aanmelding door de huisarts, zorgen over de veiligheid thuis"


def open_case(people, activity_id, town, who="wijk1", name="Noor Mulder", **extra) -> Case:  # type: ignore[no-untyped-def]
    return case_open(
        actor=actor(people[who]),
        activity_id=activity_id,
        reason=REASON,
        legal_basis="Jeugdwet art. 2.3",
        bsn=town.bsn(name),
        trace=TraceContext.start(),
        channel="web",
        **extra,
    )


def test_a_case_worker_opens_a_case_for_themselves_by_bsn_or_by_name(
    people, activity_id, town, home
) -> None:
    case = open_case(people, activity_id, town)
    assert case.worker == people["wijk1"] and case.origin == Origin.OPENED
    assert case.person_pseudonym == person_pseudonym(home=home, bsn=town.bsn("Noor Mulder"))
    assert case.number == f"C{case.start.year}-{case.pk:06d}"
    by_name = case_open(
        actor=actor(people["wijk2"]),
        activity_id=activity_id,
        reason=REASON,
        legal_basis="Wmo 2015 art. 2.3.2",
        surname="anders",
        birth_date=date(1950, 1, 1),
        trace=TraceContext.start(),
        channel="web",
    )
    assert by_name.person_pseudonym == person_pseudonym(home=home, bsn=town.bsn("Piet Anders"))
    record = ProcessingRecord.objects.get(name="casework.case.open", detail__contains=case.number)
    assert (record.data_subject_id_type, record.data_subject_id) == (
        "pseudonym-brp",
        case.person_pseudonym,
    )


def test_a_case_needs_a_reason_a_legal_basis_an_operational_activity_and_a_person(
    people, activity_id, town
) -> None:
    with pytest.raises(ValidationError, match="why"):
        case_open(
            actor=actor(people["wijk1"]),
            activity_id=activity_id,
            reason=" ",
            legal_basis="x",
            bsn=town.bsn("Noor Mulder"),
            trace=TraceContext.start(),
            channel="web",
        )
    with pytest.raises(ValidationError, match=r"no processing activity"):
        open_case(people, activity_id + 99, town)
    with pytest.raises(ValidationError, match="No person"):
        case_open(
            actor=actor(people["wijk1"]),
            activity_id=activity_id,
            reason=REASON,
            legal_basis="x",
            surname="Mulder",
            birth_date=date(2001, 1, 1),
            trace=TraceContext.start(),
            channel="web",
        )
    assert not Case.objects.exists()


def test_one_open_case_per_person_and_team(people, activity_id, town) -> None:
    open_case(people, activity_id, town)
    with pytest.raises(ValidationError, match="already on the caseload"):
        open_case(people, activity_id, town)
    with pytest.raises(ValidationError, match="another case worker"):
        open_case(people, activity_id, town, who="wijk2")
    # Another team may work with the same child; it is told nothing about team noord's case.
    assert open_case(people, activity_id, town, who="zuid1").team == "zuid"


def test_the_family_view_shows_the_family_and_logs_one_read_per_member(
    people, activity_id, town, home
) -> None:
    case = open_case(people, activity_id, town)
    view = family_view(
        actor=actor(people["wijk1"]), case_id=case.pk, trace=TraceContext.start(), channel="web"
    )
    shown = {m.bsn for m in view.family.members}
    assert {town.name(b) for b in shown} == {
        "Noor Mulder",
        "Hanna de Wit",
        "Ivo Mulder",
        "Jan Visser",
        "Kees Visser",
        "Lotte Mulder",
    }
    reads = ProcessingRecord.objects.filter(name="casework.family.read")
    assert reads.count() == len(shown)
    assert {r.data_subject_id for r in reads} == {person_pseudonym(home=home, bsn=b) for b in shown}
    assert all(r.detail.startswith(f"case {case.number}:") for r in reads)
    assert {r.processing_activity_id for r in reads} == {
        f"urn:meedoen:verwerkingsactiviteit:{activity_id}"
    }
    access = AccessRecord.objects.get(trace_id=reads[0].trace_id, operation="casework.family.read")
    assert access.user_name == "wijk1"


def test_another_case_worker_gets_403_for_the_family_page_and_api(
    client: Client, people, activity_id, town
) -> None:
    case = open_case(people, activity_id, town)
    client.force_login(people["wijk2"])
    assert client.get(f"/casussen/{case.pk}/").status_code == 403
    assert client.get(f"/api/v1/casussen/{case.pk}/gezin/").status_code == 403
    assert not ProcessingRecord.objects.filter(name="casework.family.read").exists()
    client.force_login(people["wijk1"])
    page = client.get(f"/casussen/{case.pk}/")
    assert page.status_code == 200
    assert "Ivo Mulder" in page.content.decode()
    api = client.get(f"/api/v1/casussen/{case.pk}/gezin/")
    assert api.status_code == 200
    body = api.json()
    noor = next(m for m in body["members"] if m["name"] == "Noor Mulder")
    assert noor["role"] == "zelf" and noor["lives_at_address"]
    assert noor["states"] == {
        "wmo": "geen_registratie",
        "jeugd": "geregistreerd",
        "participatie": "geen_registratie",
        "schulden": "bron_niet_aangesloten",
        "signalen": "geen_toegang",
        "betrokkenheid": "geregistreerd",
    }
    [care] = noor["services"]
    assert (care["category_label"], care["provider"]["name"]) == (
        "Jeugdhulp ambulant",
        "Jeugdhulp Oost",
    )
    [lead] = noor["involvements"]
    assert (lead["professional"], lead["role"]) == ("Fleur Regie", "regievoerder")
    ivo = next(m for m in body["members"] if m["name"] == "Ivo Mulder")
    assert (ivo["role"], ivo["lives_at_address"]) == ("ouder", False)


@pytest.mark.parametrize("who", ["debt", "analyst", "council", "officer"])
def test_other_roles_get_403_on_every_case_page_and_the_api(
    client: Client, people, activity_id, town, who
) -> None:
    case = open_case(people, activity_id, town)
    client.force_login(people[who])
    for path in (
        "/casussen/",
        "/casussen/nieuw/",
        f"/casussen/{case.pk}/",
        "/casussen/doorbreken/",
    ):
        assert client.get(path).status_code == 403, path
    assert client.get(f"/api/v1/casussen/{case.pk}/gezin/").status_code == 403
    assert (
        client.post(
            "/api/v1/casussen/",
            {"bsn": town.bsn("Piet Anders"), "reden": REASON, "grondslag": "x"},
            content_type="application/json",
        ).status_code
        == 403
    )


def test_a_closed_case_shows_no_family(people, activity_id, town) -> None:
    case = open_case(people, activity_id, town)
    case_close(
        actor=actor(people["wijk1"]), case_id=case.pk, trace=TraceContext.start(), channel="web"
    )
    with pytest.raises(PermissionDenied):
        family_view(
            actor=actor(people["wijk1"]), case_id=case.pk, trace=TraceContext.start(), channel="web"
        )


def test_break_the_glass_needs_a_reason_and_lands_in_the_review_queue(
    client: Client, people, activity_id, town
) -> None:
    open_case(people, activity_id, town)  # Noor is on wijk1's caseload
    with pytest.raises(ValidationError, match="at least 20 characters"):
        break_glass(
            actor=actor(people["wijk2"]),
            activity_id=activity_id,
            bsn=town.bsn("Noor Mulder"),
            reason="spoed",
            trace=TraceContext.start(),
            channel="web",
        )
    client.force_login(people["wijk2"])
    refused = client.post(
        "/casussen/doorbreken/",
        {"activity": activity_id, "bsn": town.bsn("Noor Mulder"), "reason": ""},
    )
    assert refused.status_code == 200 and not Case.objects.filter(origin=Origin.BREAK_GLASS)
    done = client.post(
        "/casussen/doorbreken/",
        {"activity": activity_id, "bsn": town.bsn("Noor Mulder"), "reason": REASON},
    )
    case = Case.objects.get(origin=Origin.BREAK_GLASS)
    assert done.status_code == 302 and done["Location"] == f"/casussen/{case.pk}/"
    assert case.end == case.start  # today only
    assert client.get(done["Location"]).status_code == 200
    client.force_login(people["officer"])
    queue = client.get("/logboek/doorbraken/").content.decode()
    assert case.number in queue and REASON in queue
    break_glass_review(
        actor=actor(people["officer"]),
        case_id=case.pk,
        justified=True,
        note="",
        trace=TraceContext.start(),
        channel="web",
    )
    case.refresh_from_db()
    assert case.review.justified is True and case.review.reviewed_by == "officer"


def test_team_lead_opens_and_assigns_within_the_own_team_only(people, activity_id, town) -> None:
    case = open_case(people, activity_id, town, who="lead", worker="wijk2")
    assert case.worker == people["wijk2"] and case.opened_by == "lead"
    with pytest.raises(ValidationError, match="own team"):
        open_case(people, activity_id, town, who="lead", name="Piet Anders", worker="zuid1")
    case_assign(
        actor=actor(people["lead"]),
        case_id=case.pk,
        worker="wijk1",
        trace=TraceContext.start(),
        channel="web",
    )
    case.refresh_from_db()
    assert case.worker == people["wijk1"]
    with pytest.raises(PermissionDenied):
        case_assign(
            actor=actor(people["lead_zuid"]),
            case_id=case.pk,
            worker="zuid1",
            trace=TraceContext.start(),
            channel="web",
        )
    # A team lead reads no family of a case assigned to someone else.
    with pytest.raises(PermissionDenied):
        family_view(
            actor=actor(people["lead"]), case_id=case.pk, trace=TraceContext.start(), channel="web"
        )


def test_cases_load_from_the_case_management_file(people, activity_id, town, home) -> None:
    report = cases_load(
        actor=actor(people["lead"]),
        activity_id=activity_id,
        trace=TraceContext.start(),
        channel="cli",
    )
    assert (report.created, report.skipped) == (1, [])
    case = Case.objects.get(number="C2024-000001")
    assert (case.worker, case.origin, case.start) == (
        people["wijk1"],
        Origin.FILE,
        date(2024, 5, 1),
    )
    again = cases_load(
        actor=actor(people["lead"]),
        activity_id=activity_id,
        trace=TraceContext.start(),
        channel="cli",
    )
    assert (again.created, again.unchanged) == (0, 1)
    # Another team's lead loads nothing of this team.
    other = cases_load(
        actor=actor(people["lead_zuid"]),
        activity_id=activity_id,
        trace=TraceContext.start(),
        channel="cli",
    )
    assert (other.created, other.closed, other.unchanged) == (0, 0, 0)


def test_the_api_opens_a_case_and_returns_its_id(client: Client, people, activity_id, town) -> None:
    client.force_login(people["wijk1"])
    answer = client.post(
        "/api/v1/casussen/",
        {"bsn": town.bsn("Piet Anders"), "reden": REASON, "grondslag": "Wmo 2015 art. 2.3.2"},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    case = Case.objects.get(pk=answer.json()["id"])
    assert case.worker == people["wijk1"]
    family = client.get(f"/api/v1/casussen/{case.pk}/gezin/").json()
    [piet] = family["members"]
    assert piet["states"]["wmo"] == "geregistreerd"


def test_the_case_management_system_uses_a_personal_token(people, activity_id, town) -> None:
    """The case-management system calls the API with the case worker's personal token: the
    same rules, and a colleague's token reads nothing of the case."""
    from meedoen.accounts.services import token_create

    _row, secret = token_create(user=people["wijk1"], name="casussysteem")
    system = Client()
    answer = system.post(
        "/api/v1/casussen/",
        {"bsn": town.bsn("Noor Mulder"), "reden": REASON, "grondslag": "Jeugdwet art. 2.3"},
        content_type="application/json",
        headers={"authorization": f"Token {secret}"},
    )
    assert answer.status_code == 201, answer.content
    case_id = answer.json()["id"]
    family = system.get(
        f"/api/v1/casussen/{case_id}/gezin/", headers={"authorization": f"Token {secret}"}
    )
    assert family.status_code == 200
    assert {m["name"] for m in family.json()["members"]} >= {"Noor Mulder", "Ivo Mulder"}
    _row, other = token_create(user=people["wijk2"], name="casussysteem")
    refused = system.get(
        f"/api/v1/casussen/{case_id}/gezin/", headers={"authorization": f"Token {other}"}
    )
    assert refused.status_code == 403
