"""Referring a case's person to the food bank: processing that rests on the person's consent.

The referral sends the person's name, address and household size to the food bank, a partner
outside the municipality. No law obliges it, so it needs the person's consent (AVG art. 6(1)(a)),
which the resident gives or withdraws in the portal (``/mijn/toestemmingen/``). The consent
register is checked each time a referral is made: a withdrawn consent stops the next referral
at once. A refused attempt is logged too (status Error), so the resident can see it."""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meedoen.activities.actors import Actor, require_role
from meedoen.audits.models import ProcessingRecord
from meedoen.audits.trace import TraceContext
from meedoen.cases.models import Case, FoodBankReferral
from meedoen.cases.services import WORKERS, _log, _operational, case_family_read
from meedoen.residents.models import ConsentPurpose
from meedoen.residents.selectors import consent_active

FOODBANK_REFERRAL = "casework.foodbank_referral"


class ConsentMissing(PermissionDenied):
    """The person has no consent in force for the referral (never given, or withdrawn)."""


def foodbank_referral_create(
    *,
    actor: Actor,
    case_id: int,
    trace: TraceContext,
    channel: str,
    client: str = "",
    note: str = "",
) -> FoodBankReferral:
    """Refer the person of an open case on the actor's own caseload to the food bank.

    PermissionDenied when the case is not the actor's or is closed; ConsentMissing (a
    PermissionDenied) when the person has not given consent or withdrew it; ValidationError
    when the activity or the register do not allow reading the household now;
    ObjectDoesNotExist for no case."""
    require_role(actor, *WORKERS)
    case = Case.objects.get(pk=case_id)
    if case.worker_id != getattr(actor.user, "pk", None):
        raise PermissionDenied(_("This case is not on your caseload."))
    if case.closed_at is not None or (case.end is not None and case.end < timezone.localdate()):
        raise PermissionDenied(_("This case is closed."))
    state = _operational(activity_id=case.activity_id, actor=actor, trace=trace)
    started = datetime.now(UTC)
    consent = consent_active(person=case.person_pseudonym, purpose=ConsentPurpose.FOODBANK_REFERRAL)
    if consent is None:
        _log(
            actor=actor,
            trace=trace,
            channel=channel,
            client=client,
            operation=FOODBANK_REFERRAL,
            activity_id=case.activity_id,
            subjects=[case.person_pseudonym],
            started=started,
            detail=f"case {case.number}: refused, no consent",
            status=ProcessingRecord.Status.ERROR,
        )
        raise ConsentMissing(
            _(
                "The resident has not given consent for a referral to the food bank (or has "
                "withdrawn it). They can give it in the resident portal, under My consents."
            )
        )
    family = case_family_read(case=case, state=state)
    size = sum(1 for member in family.members if member.lives_at_address) or 1
    with transaction.atomic():
        referral = FoodBankReferral.objects.create(
            case=case,
            person_pseudonym=case.person_pseudonym,
            consent=consent,
            household_size=size,
            note=note[:2000],
            referred_by=actor.name,
            referred_at=started,
        )
        _log(
            actor=actor,
            trace=trace,
            channel=channel,
            client=client,
            operation=FOODBANK_REFERRAL,
            activity_id=case.activity_id,
            subjects=[case.person_pseudonym],
            started=started,
            detail=f"case {case.number}: referral {referral.pk}, consent {consent.pk}",
        )
    return referral
