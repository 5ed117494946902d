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
from django.utils.translation import gettext_lazy as _

from meedoen.activities.actors import Actor
from meedoen.audits.models import ProcessingRecord
from meedoen.audits.trace import TraceContext
from meedoen.cases.models import FoodBankReferral
from meedoen.cases.services import _log, _operational, case_family_read, case_own_open
from meedoen.residents.models import Consent, ConsentPurpose

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
    case = case_own_open(actor=actor, case_id=case_id, closed=_("This case is closed."))
    state = _operational(activity_id=case.activity_id, actor=actor, trace=trace)
    started = datetime.now(UTC)
    with transaction.atomic():
        # Checked under a lock of the consent record, before anything is read: a withdrawal
        # that lands meanwhile waits for the referral, or wins and the referral is refused.
        consent = (
            Consent.objects.select_for_update()
            .filter(
                person=case.person_pseudonym,
                purpose=ConsentPurpose.FOODBANK_REFERRAL,
                withdrawn_at__isnull=True,
            )
            .first()
        )
        referral = None
        subjects = [case.person_pseudonym]
        if consent is not None:
            # Who lives at the address, from the BRP only: no one's help is read for it.
            family = case_family_read(case=case, state=state, sources=("brp",))
            # Counted for the food bank, so logged as read too (nothing else of them is sent).
            subjects += [
                m.pseudonym
                for m in family.members
                if m.lives_at_address and m.pseudonym != case.person_pseudonym
            ]
            size = len(subjects)
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
            subjects=subjects,
            started=started,
            detail=f"case {case.number}: "
            + (
                f"referral {referral.pk}, consent {consent.pk}"
                if referral is not None and consent is not None
                else "refused, no consent"
            ),
            status=ProcessingRecord.Status.OK if referral else ProcessingRecord.Status.ERROR,
        )
    if referral is None:
        raise ConsentMissing(
            _(
                "The resident has not given consent for a referral to the food bank (or has "
                "withdrawn it). They can give it in the resident portal, under My consents."
            )
        )
    return referral
