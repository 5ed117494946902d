"""The resident's page "who used my data" (``/mijn/verwerkingen/``). Thin: the log of the
visit, the reading and the plain language are in :mod:`meedoen.residents.processing`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from meedoen.accounts.roles import Role
from meedoen.residents.processing import (
    VaultBusy,
    resident_logged_person,
    resident_processing_page,
    resident_processing_viewed,
)
from meedoen.residents.services import ResidentRefused
from meedoen.web.access import role_required

#: The query parameter of the page number.
PAGE = "pagina"


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get(PAGE, "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


@require_safe
@role_required(Role.RESIDENT)
def processing(request: HttpRequest) -> HttpResponse:
    try:
        resident_processing_viewed(user=request.user, client=request.META.get("REMOTE_ADDR", ""))
        person = resident_logged_person(user=request.user)
    except ResidentRefused:
        raise PermissionDenied from None
    except VaultBusy:
        return render(request, "residents/processing.html", {"busy": True}, status=503)
    page = resident_processing_page(person=person, page=_page_number(request))
    return render(request, "residents/processing.html", {"page": page, "param": PAGE})
