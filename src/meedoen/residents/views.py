"""The resident portal's pages (``/mijn/…``). Thin: every read, check and log is in the
selectors and services. Only the resident role opens them; every other role gets 403."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from meedoen.accounts.roles import Role
from meedoen.residents.models import ConsentPurpose
from meedoen.residents.mydata import export_document, mydata_read, privacy_contact
from meedoen.residents.selectors import consents_of
from meedoen.residents.services import (
    Acting,
    ResidentRefused,
    consent_give,
    consent_withdraw,
    resident_person,
)
from meedoen.web.access import role_required

#: How "my data" names the codes of the data package (household roles, kinds of help, the
#: fields of a partner file).
MINE_LABELS: dict[str, dict[str, Any]] = {
    "roles": {
        "partner": gettext_lazy("Partner"),
        "kind": gettext_lazy("Child"),
        "ouder": gettext_lazy("Parent"),
        "stiefouder": gettext_lazy("Step-parent"),
        "broer_zus": gettext_lazy("Brother or sister"),
        "halfbroer_halfzus": gettext_lazy("Half-brother or half-sister"),
        "huisgenoot": gettext_lazy("Other person at this address"),
    },
    "domains": {
        "wmo": gettext_lazy("Support at home (Wmo)"),
        "jeugd": gettext_lazy("Youth care"),
        "participatie": gettext_lazy("Benefits (bijstand)"),
        "schulden": gettext_lazy("Help with debts"),
    },
    "fields": {
        "klantnummer": gettext_lazy("client number"),
        "geslachtsnaam": gettext_lazy("surname"),
        "voorvoegsel": gettext_lazy("surname prefix"),
        "voornamen": gettext_lazy("first names"),
        "datumgeboorte": gettext_lazy("date of birth"),
        "postcode": gettext_lazy("postcode"),
        "huisnummer": gettext_lazy("house number"),
        "huisnummertoevoeging": gettext_lazy("house number addition"),
        "datuminschrijving": gettext_lazy("date you became a client"),
        "datumuitschrijving": gettext_lazy("date you stopped being a client"),
        "aantal_personen": gettext_lazy("number of people in your household"),
    },
}


def _acting(request: HttpRequest) -> Acting:
    """The signed-in resident; 403 for a resident account bound to nobody (made by hand)."""
    acting = Acting(
        user=request.user,  # type: ignore[arg-type]
        channel="web",
        client=request.META.get("REMOTE_ADDR", ""),
    )
    try:
        resident_person(user=acting.user)
    except ResidentRefused:
        raise PermissionDenied from None
    return acting


@require_safe
@role_required(Role.RESIDENT)
def mine(request: HttpRequest) -> HttpResponse:
    """My data: what each connected source holds about me, read in the identity zone."""
    page = mydata_read(acting=_acting(request))
    context = {"page": page, "contact": privacy_contact(), **MINE_LABELS}
    return render(request, "residents/mine.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.RESIDENT)
def consents(request: HttpRequest) -> HttpResponse:
    """My consents: give or withdraw each with one button."""
    acting = _acting(request)
    if request.method == "POST":
        purpose = request.POST.get("purpose", "")
        if purpose not in ConsentPurpose.values:
            messages.error(request, _("Choose one of the purposes on this page."))
        elif request.POST.get("action") == "give":
            consent_give(acting=acting, purpose=purpose)
            messages.success(request, _("Thank you. Your consent is recorded."))
        else:
            consent_withdraw(acting=acting, purpose=purpose)
            messages.success(request, _("Your consent is withdrawn. This takes effect at once."))
        return redirect("residents:consents")
    rows = consents_of(person=resident_person(user=acting.user))
    return render(request, "residents/consents.html", {"rows": rows})


@require_safe
@role_required(Role.RESIDENT)
def export(request: HttpRequest) -> HttpResponse:
    """Download my data and who used it (AVG art. 15 and 20): as JSON or as a readable page
    (``?formaat=json|html``); without a format, the page that explains both. Each download
    is made on request and logged."""
    acting = _acting(request)
    wanted = request.GET.get("formaat", "")
    if wanted not in ("json", "html"):
        return render(request, "residents/export.html", {})
    try:
        document = export_document(acting=acting, format=wanted)
    except ResidentRefused:
        return render(request, "residents/export.html", {"unavailable": True}, status=503)
    if wanted == "json":
        response = HttpResponse(
            json.dumps(document, ensure_ascii=False, indent=2, default=str),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="mijn-gegevens.json"'
        return response
    context: dict[str, Any] = {"document": document, "contact": privacy_contact(), **MINE_LABELS}
    response = render(request, "residents/export_document.html", context)
    response["Content-Disposition"] = 'attachment; filename="mijn-gegevens.html"'
    return response
