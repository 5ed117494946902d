"""What a resident does in the portal (writes): the account bound to a person, consent given and
withdrawn. Each write is logged with the resident as data subject (``pseudonym-brp``) under
:data:`RESIDENT_ACTIVITY`. Objection and correction requests are in :mod:`.requests`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from meedoen.accounts.models import User
from meedoen.accounts.roles import Role
from meedoen.audits.models import ProcessingRecord
from meedoen.audits.services import audit_action
from meedoen.audits.trace import TraceContext
from meedoen.residents.models import Consent, ConsentPurpose, ResidentIdentity
from meedoen.residents.selectors import PROCESSORS
from meedoen_data.bsn import bsn_is_valid
from meedoen_data.casework.family import person_pseudonym

#: The register entry of the resident portal: a resident's own data shown to them, their
#: consents and requests (AVG art. 12 to 22, the rights of the data subject).
RESIDENT_ACTIVITY = "urn:meedoen:verwerkingsactiviteit:inwonersportaal"
SUBJECT_TYPE = "pseudonym-brp"

CONSENT_BASIS = "AVG art. 6 lid 1 sub a (toestemming)"


class ResidentRefused(Exception):
    """A resident action that is not allowed (the message says why)."""


@dataclass(frozen=True)
class Acting:
    """Who acts and through which channel, as every resident write takes it."""

    user: User
    channel: str = "web"  # web, api
    client: str = ""


def resident_username(person: str) -> str:
    """The account name of the person's resident account: derived from the pseudonym, so the
    account names nobody and the same person always gets the same account."""
    return "inwoner-" + hashlib.sha256(person.encode()).hexdigest()[:16]


def resident_person(*, user: User) -> str:
    """The BRP pseudonym of a resident account (ResidentRefused when it is bound to nobody)."""
    identity = ResidentIdentity.objects.filter(user=user).first()
    if user.role != Role.RESIDENT or identity is None:
        raise ResidentRefused("this account is not bound to a resident")
    return identity.person


@transaction.atomic
def resident_account_bind(
    *, bsn: str, via: str, first_name: str = "", last_name: str = "", username: str = ""
) -> User:
    """The resident account of the person with this BSN, made at their first sign-in: role
    resident, no password (they sign in through OpenID Connect), bound to their BRP pseudonym.
    The BSN itself is not stored. ``username``: the demo account's fixed name; otherwise
    derived from the pseudonym. ValueError for a BSN that fails the 11-proef."""
    if not bsn_is_valid(bsn):
        raise ValueError("the identity's BSN fails the 11-proef")
    person = person_pseudonym(home=settings.MEEDOEN_HOME, bsn=bsn)
    identity = ResidentIdentity.objects.select_related("user").filter(person=person).first()
    if identity is not None:
        return identity.user
    name = username or resident_username(person)
    user, created = User.objects.get_or_create(
        username=name,
        defaults={"role": Role.RESIDENT, "first_name": first_name, "last_name": last_name},
    )
    if user.role != Role.RESIDENT:
        raise ResidentRefused(f"the account {name} has another role")
    if created or via == ResidentIdentity.Via.OIDC:
        # Signed in with DigiD: a password set on the account beforehand (by whoever made it)
        # must not open it.
        user.set_unusable_password()
        user.save(update_fields=["password"])
    ResidentIdentity.objects.filter(user=user).delete()  # the demo account moved to another BSN
    ResidentIdentity.objects.create(user=user, person=person, via=via)
    return user


def portal_log(
    *,
    user_name: str,
    user_role: str,
    channel: str,
    client: str,
    operation: str,
    subjects: list[str],
    started: datetime,
    detail: str,
    trace: TraceContext | None = None,
    status: str = ProcessingRecord.Status.OK,
) -> None:
    """One action of the resident portal in the audit log: under the portal's activity, its
    subjects by BRP pseudonym (the resident, or whom a privacy officer's action is about; none
    for a refused sign-in of nobody known)."""
    audit_action(
        status=status,
        trace=trace or TraceContext.start(),
        user_name=user_name,
        user_role=user_role,
        channel=channel,
        client=client,
        operation=operation,
        activity=RESIDENT_ACTIVITY,
        subjects={SUBJECT_TYPE: subjects},
        started=started,
        detail=detail,
    )


def acting_log(
    *, acting: Acting, subjects: list[str], operation: str, detail: str, started: datetime
) -> None:
    """A resident's own action in the audit log (:func:`portal_log`)."""
    portal_log(
        user_name=acting.user.username,
        user_role=Role.RESIDENT,
        channel=acting.channel,
        client=acting.client,
        operation=operation,
        subjects=subjects,
        started=started,
        detail=detail,
    )


def consent_give(*, acting: Acting, purpose: str) -> Consent:
    """Give consent for an optional purpose (one action); giving it again while it is in force
    changes nothing. Logged (``resident.consent_give``)."""
    if purpose not in ConsentPurpose.values:
        raise ResidentRefused(f"no such consent purpose: {purpose}")
    person = resident_person(user=acting.user)
    started = timezone.now()
    with transaction.atomic():
        current = Consent.objects.filter(
            person=person, purpose=purpose, withdrawn_at__isnull=True
        ).first()
        if current is not None:
            return current
        try:
            consent = Consent.objects.create(
                person=person,
                purpose=purpose,
                processor=PROCESSORS[purpose],
                legal_basis=CONSENT_BASIS,
                given_at=started,
                given_via=acting.channel,
            )
        except IntegrityError:  # given at the same moment in another tab
            return Consent.objects.get(person=person, purpose=purpose, withdrawn_at__isnull=True)
        acting_log(
            acting=acting,
            subjects=[person],
            operation="resident.consent_give",
            detail=f"consent {consent.pk}: {purpose}",
            started=started,
        )
    return consent


def consent_withdraw(*, acting: Acting, purpose: str) -> Consent | None:
    """Withdraw consent: in effect at once (the processing that needs it checks the register
    each time it runs). None when no consent was in force. Logged."""
    person = resident_person(user=acting.user)
    started = timezone.now()
    with transaction.atomic():
        consent = (
            Consent.objects.select_for_update()
            .filter(person=person, purpose=purpose, withdrawn_at__isnull=True)
            .first()
        )
        if consent is None:
            return None
        consent.withdrawn_at = started
        consent.withdrawn_via = acting.channel
        consent.save(update_fields=["withdrawn_at", "withdrawn_via"])
        acting_log(
            acting=acting,
            subjects=[person],
            operation="resident.consent_withdraw",
            detail=f"consent {consent.pk}: {purpose}",
            started=started,
        )
    return consent
