"""What the resident portal reads (no writes): the consent register. The resident's own data
is read in the identity zone (:mod:`meedoen_data.residents`), the processing records by
:mod:`.processing`."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from meedoen.residents.models import Consent, ConsentPurpose

#: Per consent purpose: who processes the data and what the consent is for, as the consent
#: record says it (the purposes themselves: :class:`ConsentPurpose`).
PROCESSORS: dict[str, str] = {
    ConsentPurpose.FOODBANK_REFERRAL: "Voedselbank (partner van de gemeente)",
    ConsentPurpose.RESIDENT_PANEL: "Gemeente, team Onderzoek en Statistiek",
    ConsentPurpose.MEEDENKER_CONTACT: "Meedenkers (vrijwilligers, via de gemeente)",
}
#: What each optional purpose means for the resident, in plain words (B1).
CONSENT_TEXTS = {
    ConsentPurpose.FOODBANK_REFERRAL: _(
        "Your case worker may send your name, address and the size of your household to the "
        "food bank. Then the food bank can help you faster. Without your consent, they will not."
    ),
    ConsentPurpose.RESIDENT_PANEL: _(
        "The municipality may invite you for the resident panel. In the panel you answer "
        "questions about your neighbourhood a few times a year."
    ),
    ConsentPurpose.MEEDENKER_CONTACT: _(
        "A Meedenker may contact you. A Meedenker is a trained volunteer. They can go with "
        "you to a conversation about work or income."
    ),
}


@dataclass(frozen=True)
class ConsentRow:
    purpose: str
    label: str
    text: str
    processor: str
    active: Consent | None
    history: list[Consent]


def consent_active(*, person: str, purpose: str) -> Consent | None:
    """The consent in force for this person and purpose, or None: what a processing that rests
    on consent checks each time before it runs."""
    return Consent.objects.filter(person=person, purpose=purpose, withdrawn_at__isnull=True).first()


def consents_of(*, person: str) -> list[ConsentRow]:
    """Every optional purpose with the person's consent in force (if any) and its history."""
    given: dict[str, list[Consent]] = {}
    for consent in Consent.objects.filter(person=person).order_by("given_at", "pk"):
        given.setdefault(consent.purpose, []).append(consent)
    rows = []
    for purpose in ConsentPurpose:
        history = given.get(purpose.value, [])
        active = next((c for c in history if c.withdrawn_at is None), None)
        rows.append(
            ConsentRow(
                purpose=purpose.value,
                label=str(purpose.label),
                text=str(CONSENT_TEXTS[purpose]),
                processor=PROCESSORS[purpose],
                active=active,
                history=history,
            )
        )
    return rows
