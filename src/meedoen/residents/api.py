"""The resident portal's JSON API, for the municipality's own resident app: ``GET /api/v1/mij/``
(my data, my consents, my requests) and ``GET /api/v1/mij/verwerkingen/?pagina=N`` (who used my
data). Token or session authentication; the same selectors as the pages, so the same reads and
the same logs. Only a resident account bound to a person gets an answer (403 otherwise)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from meedoen.accounts.roles import Role
from meedoen.residents.models import SubjectRequest
from meedoen.residents.mydata import mydata_read, privacy_contact
from meedoen.residents.processing import (
    VaultBusy,
    resident_logged_person,
    resident_processing_page,
    resident_processing_viewed,
)
from meedoen.residents.selectors import consents_of
from meedoen.residents.services import Acting, ResidentRefused, resident_person


class Unavailable(exceptions.APIException):
    status_code = 503
    default_detail = "new data are being loaded; try again in a few minutes"
    default_code = "unavailable"


def _gate(request: Request) -> Acting:
    if getattr(request.user, "role", None) != Role.RESIDENT:
        raise exceptions.PermissionDenied(_("Only residents have a page of their own data."))
    acting = Acting(
        user=request.user,  # type: ignore[arg-type]
        channel="api",
        client=request.META.get("REMOTE_ADDR", ""),
    )
    try:
        resident_person(user=acting.user)
    except ResidentRefused as exc:
        raise exceptions.PermissionDenied(str(exc)) from None
    return acting


def _request_json(request: SubjectRequest) -> dict[str, Any]:
    return {
        "id": request.pk,
        "soort": request.kind,
        "verwerking": request.activity_id,
        "ontvangen_op": request.received_at.isoformat(),
        "termijn": request.deadline.isoformat(),
        "status": request.state,
        "besluit": request.decision,
        "besloten_op": request.decided_at.isoformat() if request.decided_at else None,
    }


class MyDataAPI(APIView):
    """``GET /api/v1/mij/``: what the sources hold about me (as ``/mijn/``), my consents and
    my requests. Logged as ``resident.data_view``."""

    def get(self, request: Request) -> Response:
        acting = _gate(request)
        page = mydata_read(acting=acting)
        if page.problem == "busy":
            raise Unavailable()
        if page.data is None:
            raise exceptions.NotFound(_("The population register does not hold this person."))
        person = resident_person(user=acting.user)
        return Response(
            {
                "gegevens": page.data.as_json(),
                "toestemmingen": [
                    {
                        "doel": row.purpose,
                        "omschrijving": row.label,
                        "verwerker": row.processor,
                        "gegeven": row.active is not None,
                        "gegeven_op": row.active.given_at.isoformat() if row.active else None,
                    }
                    for row in consents_of(person=person)
                ],
                "verzoeken": [
                    _request_json(r)
                    for r in SubjectRequest.objects.filter(person=person).order_by("-received_at")
                ],
                "contact": privacy_contact(),
            }
        )


class MyProcessingAPI(APIView):
    """``GET /api/v1/mij/verwerkingen/?pagina=N``: who used my data, newest first, 50 actions
    per page, in plain language (as ``/mijn/verwerkingen/``). Logged as
    ``resident.processing_view``."""

    def get(self, request: Request) -> Response:
        acting = _gate(request)
        raw = request.query_params.get("pagina", "1")
        number = int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1
        try:
            resident_processing_viewed(user=acting.user, client=acting.client, channel="api")
            person = resident_logged_person(user=acting.user)
        except VaultBusy:
            raise Unavailable() from None
        page = resident_processing_page(person=person, page=number)
        return Response(
            {
                "pagina": page.page,
                "per_pagina": page.per_page,
                "volgende": page.has_next,
                "verwerkingen": [{**asdict(row), "at": row.at.isoformat()} for row in page.rows],
                "contact": page.contact,
            }
        )
