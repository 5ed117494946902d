"""The target group beside all households (``/doelgroepen/``, issue 19), for analysts: the
comparison of a group with all households from the tables ``meedoen compare`` released, and the
profile table of its segments from those ``meedoen segment`` released. Printed, the page is the
study's report. Only released, disclosure-controlled numbers are read;
``?activiteit=N&groep=ID&peildatum=D`` chooses the comparison, ``&moment=start`` shows a partner
file's clients as they were when they became clients (``meedoen compare --at-start``). A POST
starts the comparison and the segmentation in the background (as ``meedoen segment``); its run
page shows the progress."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from meedoen.accounts.roles import Role
from meedoen.audits.trace import TraceContext
from meedoen.publications.selectors import builder_activities, builder_options, dimension_label
from meedoen.targetgroups.selectors import (
    comparison_read,
    group_choices,
    segment_run_detail,
    segment_run_unfinished,
    segments_read,
)
from meedoen.targetgroups.services import segment_request, segment_start_background
from meedoen.utils.runs import RunState
from meedoen.web.access import actor_for, role_required
from meedoen.web.runs import run_progress, run_status_response

#: Who reads the comparisons: analysts (the study is theirs; the tables are published).
READERS = (Role.ANALYST,)
#: The numbers of segments the page offers besides "auto".
CHOICES_K = tuple(range(2, 9))
#: ``?moment=start``: the group's households when they became clients.
MOMENT_START = "start"


@require_http_methods(["GET", "POST"])
@role_required(*READERS)
def comparison(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    activities, default = builder_activities()
    ids = {activity for activity, _label in activities}
    asked = data.get("activiteit", "")
    activity_id = int(asked) if asked.isdigit() and int(asked) in ids else default
    peildata = builder_options(activity_id=activity_id).peildata if activity_id else []
    groups = group_choices()
    group = data.get("groep") or "voedselbank"
    if group not in dict(groups):
        group = groups[0][0] if groups else ""
    day = data.get("peildatum") or (peildata[0][0] if peildata else "")
    try:
        peildatum: date | None = date.fromisoformat(day)
    except ValueError:
        peildatum = None
    at_start = data.get("moment") == MOMENT_START
    error = ""
    if request.method == "POST":
        k = data.get("k", "auto")
        if activity_id is None or peildatum is None or not group:
            error = _("Choose a processing activity, a group and a reference date.")
        elif k != "auto" and not (k.isdigit() and int(k) in CHOICES_K):
            error = _("Choose the number of segments, or let meedoen choose.")
        else:
            actor = actor_for(request.user)
            trace = TraceContext.start(request.headers.get("traceparent"))
            try:
                run = segment_request(
                    activity_id=activity_id,
                    group=group,
                    peildatum=peildatum,
                    k=None if k == "auto" else int(k),
                    seed=1,
                    actor=actor,
                    trace=trace,
                    channel="web",
                )
            except (ValidationError, PermissionDenied) as exc:
                error = "; ".join(getattr(exc, "messages", [str(exc)]))
            else:
                segment_start_background(
                    run_id=run.pk,
                    actor=actor,
                    trace=trace,
                    client=request.META.get("REMOTE_ADDR", ""),
                )
                return redirect("targetgroups:run", run_id=run.pk)
    view = segments = None
    if activity_id is not None and group and peildatum is not None:
        view = comparison_read(
            activity_id=activity_id, group=group, peildatum=peildatum, at_start=at_start
        )
        segments = segments_read(activity_id=activity_id, group=group, peildatum=peildatum)
    running = segment_run_unfinished(activity_id=activity_id) if activity_id else None
    return render(
        request,
        "targetgroups/comparison.html",
        {
            "activities": activities,
            "activity_id": activity_id,
            "groups": groups,
            "group": group,
            "peildata": peildata,
            "peildatum": peildatum.isoformat() if peildatum else "",
            "view": view,
            "segments": segments,
            "running": running,
            "choices_k": CHOICES_K,
            "at_start": at_start,
            "moment_start": MOMENT_START,
            "error": error,
        },
        status=400 if error else 200,
    )


def _run_or_404(run_id: int) -> tuple[RunState, Any]:
    try:
        return segment_run_detail(run_id=run_id)
    except ObjectDoesNotExist as exc:
        raise Http404(f"there is no segmentation {run_id}") from exc


def _step(step: str) -> str:
    """The step code of a segmentation in words."""
    kind, _sep, rest = step.partition(": ")
    if kind == "compare" and rest:
        return _("Comparison table: %(characteristic)s") % {"characteristic": dimension_label(rest)}
    if kind == "segments" and rest:
        return _("Fitting models with %(k)s segments") % {"k": rest}
    if kind == "profile" and rest:
        return _("Profile table: %(characteristic)s") % {"characteristic": dimension_label(rest)}
    return _("Finishing")


def _progress(state: RunState) -> dict[str, Any]:
    return run_progress(state, step_label=_step, first_step=_("Checking the processing activity"))


@require_GET
@role_required(*READERS)
def run(request: HttpRequest, run_id: int) -> HttpResponse:
    """One segmentation: its progress while it runs, then where to read it (or why it
    failed)."""
    state, about = _run_or_404(run_id)
    query = urlencode(
        {
            "activiteit": about.activity_id,
            "groep": about.group,
            "peildatum": about.peildatum.isoformat(),
        }
    )
    return render(
        request,
        "targetgroups/run.html",
        {
            "run": state,
            "about": about,
            "group_name": dict(group_choices()).get(about.group, about.group),
            "activity_name": dict(builder_activities()[0]).get(about.activity_id, ""),
            "progress": _progress(state),
            "result_url": f"{reverse('targetgroups:comparison')}?{query}#segments",
        },
    )


@require_GET
@role_required(*READERS)
def run_status(request: HttpRequest, run_id: int) -> JsonResponse:
    """The progress of one segmentation as JSON: the run page polls it."""
    return run_status_response(_progress(_run_or_404(run_id)[0]))
