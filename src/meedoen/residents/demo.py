"""The demo's resident: the account ``resident`` bound to an adult of the family of the case
worker's first case (the case's person when adult, else the eldest adult at their address), so
that the portal shows real processing (intake, the household build, the family view). Synthetic
data only; ``meedoen demo`` calls it after the case work is set up."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils import timezone

from meedoen.accounts.models import User
from meedoen.activities.actors import Actor
from meedoen.audits.trace import TraceContext
from meedoen.cases.models import Case
from meedoen.cases.services import family_view
from meedoen.residents.models import ResidentIdentity
from meedoen.residents.services import resident_account_bind
from meedoen_data.casework import person_bsn

DEMO_RESIDENT = "resident"


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def demo_resident_bind() -> dict[str, object]:
    """Bind the demo resident to the person of the case worker's first open case, after the
    case worker looked at that family once (a made-up view, logged like any other)."""
    case = (
        Case.objects.filter(worker__username="case_worker", closed_at=None)
        .order_by("number")
        .first()
    )
    if case is None:
        return {"bound": False}
    worker = User.objects.get(username="case_worker")
    view = family_view(
        actor=Actor(worker.username, worker),
        case_id=case.pk,
        trace=TraceContext.start(),
        channel="web",
        client="demo",
    )
    today = timezone.localdate()
    adults = sorted(
        (
            m
            for m in view.family.members
            if m.birth_date
            and _age(m.birth_date, today) >= 18
            and (m.role == "zelf" or m.lives_at_address)
            and m.deceased is None
        ),
        key=lambda m: (m.role != "zelf", m.birth_date),
    )
    bsn = (
        adults[0].bsn
        if adults
        else person_bsn(home=settings.MEEDOEN_HOME, person=case.person_pseudonym)
    )
    user = resident_account_bind(bsn=bsn, via=ResidentIdentity.Via.DEMO, username=DEMO_RESIDENT)
    return {
        "bound": True,
        "username": user.username,
        "case": case.number,
        "case_person": not adults or adults[0].role == "zelf",
        "family_members": len(view.family.members),
    }
