"""The dashboard (``/dashboard/``) for policy makers and the advisory council: per dimension of
Positieve Gezondheid, every indicator of the catalogue with its released figure for the
gemeente and per wijk, or why there is none (issue 18).

Only released, disclosure-controlled tables are shown, so every role that reads published
tables may open it (not residents). ``?peildatum=YYYY-MM-DD`` chooses a reference date."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from meedoen.accounts.roles import Role
from meedoen.dashboards.maps import indicator_map
from meedoen.dashboards.selectors import dashboard_read
from meedoen.web.access import role_required

#: Who may read the dashboard: as the published tables, everyone signed in except residents.
READERS = tuple(role for role in Role if role != Role.RESIDENT)


@require_GET
@role_required(*READERS)
def dashboard(request: HttpRequest) -> HttpResponse:
    try:
        chosen: date | None = date.fromisoformat(request.GET.get("peildatum", ""))
    except ValueError:
        chosen = None
    board = dashboard_read(peildatum=chosen)
    mappable = [
        card
        for group in board.groups
        for card in group.cards
        if card.released and card.indicator.status == "register"
    ]
    wanted = request.GET.get("kaart", "")
    shown = next((c for c in mappable if c.indicator.id == wanted), None) or next(
        iter(mappable), None
    )
    return render(
        request,
        "dashboards/dashboard.html",
        {
            "board": board,
            "mappable": mappable,
            "map": indicator_map(card=shown) if shown is not None else None,
        },
    )


@require_GET
@role_required(*READERS)
def coverage(request: HttpRequest) -> HttpResponse:
    """Which indicators of the catalogue have data, which do not, and what would fill the gaps."""
    board = dashboard_read()
    rows = [
        {
            "name": group.name,
            "register": sum(c.indicator.status == "register" for c in group.cards),
            "panel": sum(c.indicator.status == "panel" for c in group.cards),
            "gaps": sum(not c.indicator.has_data for c in group.cards),
            "released": sum(c.released for c in group.cards),
        }
        for group in board.groups
    ]
    return render(request, "dashboards/coverage.html", {"board": board, "rows": rows})
