"""Published tables in the web app (``/publicaties/``): the tables analysts published with
``meedoen table``, for every role that reads figures of the municipality.

A publication holds only aggregates that passed disclosure control (a withheld cell is ``x``,
never 0), so every role except the resident may read it; the resident's pages are about the
resident's own data. GET only: publishing is ``meedoen table``."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from meedoen.accounts.roles import Role
from meedoen.activities.views import role_required
from meedoen.publications.selectors import publication_detail, publication_list

#: Who may read published tables: everyone signed in except residents.
READERS = tuple(role for role in Role if role != Role.RESIDENT)

#: Publications listed, newest first.
LISTED = 100

MODE_LABELS = {
    "suppression": gettext_lazy("Suppression"),
    "rounding": gettext_lazy("Controlled rounding"),
}


@require_GET
@role_required(*READERS)
def publications(request: HttpRequest) -> HttpResponse:
    """Every published table, newest first."""
    items = publication_list(limit=LISTED)
    return render(
        request,
        "publications/list.html",
        {"publications": [(item, MODE_LABELS.get(item.mode, item.mode)) for item in items]},
    )


@require_GET
@role_required(*READERS)
def publication(request: HttpRequest, publication_id: int) -> HttpResponse:
    """One published table with what its numbers and its x's mean."""
    try:
        detail = publication_detail(publication_id=publication_id)
    except ObjectDoesNotExist as exc:
        raise Http404(f"there is no publication {publication_id}") from exc
    return render(
        request,
        "publications/detail.html",
        {"publication": detail, "mode_label": MODE_LABELS.get(detail.mode, detail.mode)},
    )
