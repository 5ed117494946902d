"""Attacks on the family context (issue 20), each described in words. The town and accounts are
the case-work tests' (tests/casework/conftest.py): Noor's case is on wijk1's caseload (team
noord); wijk2 is wijk1's colleague, zuid1 works in another team."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from meedoen.audits.models import ProcessingRecord
from meedoen.audits.trace import TraceContext
from meedoen.cases.models import Case
from meedoen.cases.services import break_glass, case_close, case_open, family_view
from tests.casework.conftest import actor
from tests.casework.test_cases import REASON, open_case

pytestmark = pytest.mark.django_db


def family_reads() -> int:
    return ProcessingRecord.objects.filter(name="casework.family.read").count()


def test_a_colleague_changing_the_case_id_in_the_url_sees_nothing(
    client: Client, people, activity_id, town
) -> None:
    """The attack: wijk2 opens /casussen/N/ and /api/v1/casussen/N/gezin/ with the id of wijk1's
    case (ids are consecutive numbers). Refused with 403, and no member is read or logged."""
    case = open_case(people, activity_id, town)
    client.force_login(people["wijk2"])
    assert client.get(f"/casussen/{case.pk}/").status_code == 403
    assert client.get(f"/api/v1/casussen/{case.pk}/gezin/").status_code == 403
    assert "Noor" not in client.get(f"/casussen/{case.pk}/").content.decode()
    assert family_reads() == 0


def test_a_team_lead_cannot_put_a_case_on_the_own_caseload_to_read_it(
    people, activity_id, town
) -> None:
    """The attack: the team lead opens a case naming themselves as worker, or assigns a team
    case to themselves, to read the family. Only case workers hold cases; the team lead reads
    no family."""
    with pytest.raises(ValidationError):
        open_case(people, activity_id, town, who="lead", worker="lead")
    case = open_case(people, activity_id, town, who="lead", worker="wijk1")
    with pytest.raises(PermissionDenied):
        family_view(
            actor=actor(people["lead"]), case_id=case.pk, trace=TraceContext.start(), channel="web"
        )
    assert family_reads() == 0


def test_a_closed_case_is_not_a_key_to_the_family_later(
    client: Client, people, activity_id, town
) -> None:
    """The attack: keep the link of a case and open it after it was closed."""
    case = open_case(people, activity_id, town)
    case_close(
        actor=actor(people["wijk1"]), case_id=case.pk, trace=TraceContext.start(), channel="web"
    )
    client.force_login(people["wijk1"])
    assert client.get(f"/casussen/{case.pk}/").status_code == 403
    assert client.get(f"/api/v1/casussen/{case.pk}/gezin/").status_code == 403
    assert family_reads() == 0


def test_break_the_glass_without_a_real_reason_is_refused(people, activity_id, town) -> None:
    """The attack: use the emergency door with a token reason ("spoed") to browse families."""
    for reason in ("", "spoed", "x" * 19):
        with pytest.raises(ValidationError):
            break_glass(
                actor=actor(people["wijk2"]),
                activity_id=activity_id,
                bsn=town.bsn("Noor Mulder"),
                reason=reason,
                trace=TraceContext.start(),
                channel="web",
            )
    assert not Case.objects.exists()


def test_a_name_search_never_names_anyone(client: Client, people, activity_id, town) -> None:
    """The attack: use "open a case by surname and date of birth" as a search of the
    population — try a common surname with dates until something matches. A miss says only
    that nobody matched, and opens nothing; nobody's name is shown."""
    client.force_login(people["wijk1"])
    answer = client.post(
        "/api/v1/casussen/",
        {"achternaam": "Mulder", "geboortedatum": "2001-01-01", "reden": REASON, "grondslag": "x"},
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert "Noor" not in answer.content.decode() and "Ivo" not in answer.content.decode()
    assert not Case.objects.exists()


def test_another_teams_case_is_not_revealed(people, activity_id, town) -> None:
    """The attack: try to open a case for a person to learn from the refusal whether another
    team already works with them (who is in care). Another team's case says nothing."""
    open_case(people, activity_id, town)  # team noord
    case = open_case(people, activity_id, town, who="zuid1")
    assert case.team == "zuid"


def test_the_analysis_activity_does_not_open_cases(people, town, home) -> None:
    """The attack: open a case under an analysis activity (whose approval never named case
    work), to read families without the privacy officer's decision on operational use."""
    from meedoen.activities.services import activity_approve, activity_request
    from tests.casework.conftest import FAMILY_ACTIVITY

    analysis = activity_request(
        actor=actor(people["analyst"]), **{**FAMILY_ACTIVITY, "kind": "analyse", "roles": []}
    )
    activity_approve(
        activity_id=analysis.pk, actor=actor(people["officer"]), motivation="ok", version=1
    )
    with pytest.raises(ValidationError, match="analysis activity"):
        case_open(
            actor=actor(people["wijk1"]),
            activity_id=analysis.pk,
            reason=REASON,
            legal_basis="x",
            surname="Mulder",
            birth_date=date(2014, 8, 8),
            trace=TraceContext.start(),
            channel="web",
        )
