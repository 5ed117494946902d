"""The resident's own data and its export: read in the identity zone, logged.

``/mijn/`` shows what each connected source holds about the signed-in resident
(:func:`meedoen_data.residents.resident_data_read`); the export (AVG art. 15 and 20) adds every
processing record about them, in plain language and in the Logboek Dataverwerkingen shape.
Each read is a processing of the resident's data and is logged with them as subject."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from meedoen.audits.selectors import audit_person, audit_person_document
from meedoen.residents.processing import resident_processing_all
from meedoen.residents.selectors import consents_of
from meedoen.residents.services import (
    Acting,
    ResidentRefused,
    acting_log,
    resident_person,
)
from meedoen_data.casework import FamilyError, person_bsn
from meedoen_data.intake.subjects import VaultBusy
from meedoen_data.residents import ResidentData, resident_data_read

DATA_VIEW = "resident.data_view"
EXPORT = "resident.export"


@dataclass(frozen=True)
class MyDataPage:
    data: ResidentData | None
    problem: str  # why the data cannot be shown now (empty when it can)


def privacy_contact() -> str:
    """The privacy officer's contact for residents' questions (MEEDOEN_PRIVACY_CONTACT)."""
    return str(settings.PRIVACY_CONTACT or "")


def _read(person: str, on: date) -> ResidentData:
    bsn = person_bsn(home=settings.MEEDOEN_HOME, person=person)
    return resident_data_read(home=settings.MEEDOEN_HOME, bsn=bsn, on=on)


def mydata_read(*, acting: Acting) -> MyDataPage:
    """What the sources hold about the signed-in resident today; logged (``resident.data_view``).
    When the vault is busy (an intake is running) or the register no longer holds the person,
    the page says so instead."""
    person = resident_person(user=acting.user)
    started = datetime.now(UTC)
    try:
        data = _read(person, timezone.localdate())
    except VaultBusy:
        return MyDataPage(None, "busy")
    except FamilyError:
        return MyDataPage(None, "not_found")
    # The housemates' names were shown too: they are subjects of this read as well.
    acting_log(
        acting=acting,
        subjects=list(data.subjects) or [person],
        operation=DATA_VIEW,
        detail=f"own data shown, with {len(data.household.members)} housemates",
        started=started,
    )
    return MyDataPage(data, "")


def export_document(*, acting: Acting, format: str) -> dict[str, Any]:
    """Everything about the resident, made on request: their data per source, their consents,
    every processing record about them in plain language and in the standard's shape (one
    record per data subject). Employees' names only where the municipality shows them
    (MEEDOEN_RESIDENT_SHOW_NAMES). Logged (``resident.export``)."""
    person = resident_person(user=acting.user)
    started = datetime.now(UTC)
    try:
        bsn = person_bsn(home=settings.MEEDOEN_HOME, person=person)
        data = resident_data_read(home=settings.MEEDOEN_HOME, bsn=bsn, on=timezone.localdate())
        logged = audit_person(bsn=bsn)
    except (VaultBusy, FamilyError) as exc:
        raise ResidentRefused(str(exc)) from None
    if logged is None:
        raise ResidentRefused("the register no longer holds this person")
    standard = audit_person_document(person=logged)
    if not settings.RESIDENT_SHOW_NAMES:
        for record in standard["records"]:
            record["attributes"].pop("meedoen.user_name", None)
    rows = resident_processing_all(person=logged)
    document = {
        "formaat": "meedoen/mijn-gegevens-1",
        "gemaakt_op": started.isoformat(),
        "gegevens": data.as_json(),
        "toestemmingen": [
            {
                "doel": row.purpose,
                "omschrijving": row.label,
                "verwerker": row.processor,
                "gegeven_op": consent.given_at.isoformat(),
                "ingetrokken_op": consent.withdrawn_at.isoformat()
                if consent.withdrawn_at
                else None,
            }
            for row in consents_of(person=person)
            for consent in row.history
        ],
        "verwerkingen": rows,
        "logboek": standard,
    }
    acting_log(
        acting=acting,
        subjects=list(data.subjects) or [person],
        operation=EXPORT,
        detail=f"own data exported as {format}: {len(standard['records'])} records",
        started=started,
    )
    return document
