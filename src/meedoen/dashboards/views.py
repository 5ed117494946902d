"""The dashboard (``/dashboard/``) for policy makers and the advisory council: per dimension of
Positieve Gezondheid, every indicator of the catalogue with its released figure for the
gemeente and per wijk, or why there is none (issue 18).

Only released, disclosure-controlled tables are shown, so every role that reads published
tables may open it (not residents). ``?peildatum=YYYY-MM-DD`` chooses a reference date."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from meedoen.accounts.roles import Role
from meedoen.areas.models import Area
from meedoen.dashboards.forms import SignalForm
from meedoen.dashboards.maps import indicator_map
from meedoen.dashboards.selectors import (
    dashboard_read,
    dashboard_version,
    signals_read,
    wijk_read,
)
from meedoen.dashboards.services import SIGNALLERS, signal_record
from meedoen.publications.services import BUILDERS
from meedoen.web.access import actor_for, role_required

#: Who may read the dashboard: as the published tables, everyone signed in except residents.
READERS = tuple(role for role in Role if role != Role.RESIDENT)


#: How long a rendered dashboard is kept (seconds); any change of what it shows makes a new key
#: at once (:func:`~meedoen.dashboards.selectors.dashboard_version`).
CACHED = 3600
KAART = re.compile(r"^[a-z0-9_]{1,64}$")
WIJK = re.compile(r"^WK\d{6}$")


def _cached(request: HttpRequest, name: str, *parts: str, make: Callable[[], str]) -> str:
    """A rendered part of a page, kept under the version of what the dashboard shows, the
    language and ``parts`` (the page's choices, checked before they become part of a key)."""
    key = ":".join(("dashboard", name, dashboard_version(), get_language() or "", *parts))
    body = cache.get(key)
    if body is None:
        body = make()
        cache.set(key, body, CACHED)
    return mark_safe(body)  # noqa: S308  (our own template's output, escaped when rendered)


@require_GET
@role_required(*READERS)
def dashboard(request: HttpRequest) -> HttpResponse:
    try:
        chosen: date | None = date.fromisoformat(request.GET.get("peildatum", ""))
    except ValueError:
        chosen = None
    wanted = request.GET.get("kaart", "")
    wanted = wanted if KAART.match(wanted) else ""
    builder = getattr(request.user, "role", None) in BUILDERS

    def make() -> str:
        board = dashboard_read(peildatum=chosen)
        mappable = [
            card
            for group in board.groups
            for card in group.cards
            if card.released and card.indicator.status == "register"
        ]
        shown = next((c for c in mappable if c.indicator.id == wanted), None) or next(
            iter(mappable), None
        )
        by_indicator: dict[str, list[object]] = {}
        for view in signals_read(board=board):
            by_indicator.setdefault(view.signal.indicator, []).append(view)
        return render_to_string(
            "dashboards/_board.html",
            {
                "board": board,
                "mappable": mappable,
                "map": indicator_map(card=shown) if shown is not None else None,
                "signals": by_indicator,
                "builder": builder,
                "wijken": _wijken(),
            },
            request=request,
        )

    parts = (chosen.isoformat() if chosen else "", wanted, "builder" if builder else "")
    body = _cached(request, "board", *parts, make=make)
    return render(request, "dashboards/dashboard.html", {"body": body})


@require_GET
@role_required(*READERS)
def wijk(request: HttpRequest, code: str) -> HttpResponse:
    """One wijk: every released indicator for the wijk beside the gemeente and the nearest
    figure elsewhere (``?peildatum=YYYY-MM-DD``)."""
    try:
        chosen: date | None = date.fromisoformat(request.GET.get("peildatum", ""))
    except ValueError:
        chosen = None

    def make() -> str:
        board = dashboard_read(peildatum=chosen)
        try:
            view = wijk_read(board=board, code=code)
        except ObjectDoesNotExist as exc:
            raise Http404(str(exc)) from exc
        return render_to_string(
            "dashboards/_wijk.html",
            {"board": board, "wijk": view, "wijken": _wijken()},
            request=request,
        )

    if not WIJK.match(code):
        raise Http404(f"{code!r} is no wijk code")
    body = _cached(request, "wijk", code, chosen.isoformat() if chosen else "", make=make)
    name = Area.objects.filter(code=code).values_list("name", flat=True).first() or code
    return render(request, "dashboards/wijk.html", {"body": body, "name": name})


def _wijken() -> list[tuple[str, str]]:
    return list(
        Area.objects.filter(level=Area.Level.WIJK).order_by("code").values_list("code", "name")
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


@require_http_methods(["GET", "POST"])
@role_required(*READERS)
def signals(request: HttpRequest) -> HttpResponse:
    """The advisory council's signals with the figures beside them; council members record a
    signal here (POST)."""
    board = dashboard_read()
    recorder = getattr(request.user, "role", None) in SIGNALLERS
    form = None
    if recorder:
        choices = {
            "indicators": [
                (i.id, i.name) for g in board.groups for i in (c.indicator for c in g.cards)
            ],
            "wijken": [(a.code, f"{a.name} ({a.code})") for a in Area.objects.filter(level="wijk")],
        }
        form = SignalForm(request.POST or None, **choices)
        if request.method == "POST" and form.is_valid():
            try:
                signal_record(actor=actor_for(request.user), **form.cleaned_data)
            except ValidationError as exc:
                form.add_error("text" if exc.code == "personal_data" else None, exc)
            else:
                messages.success(request, _("Your signal is recorded."))
                return redirect("dashboards:signals")
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "dashboards/signals.html",
        {"board": board, "signals": signals_read(board=board), "form": form},
    )
