"""The target group beside all households (``/doelgroepen/``, issue 19), for analysts: the
comparison of a group with all households from the tables ``meedoen compare`` released, and the
profile table of its segments from those ``meedoen segment`` released. Printed, the page is the
study's report. Only
released, disclosure-controlled numbers are read; ``?activiteit=N&groep=ID&peildatum=D``
chooses the comparison."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from meedoen.accounts.roles import Role
from meedoen.publications.selectors import builder_activities, builder_options
from meedoen.targetgroups.selectors import comparison_read, group_choices, segments_read
from meedoen.web.access import role_required

#: Who reads the comparisons: analysts (the study is theirs; the tables are published).
READERS = (Role.ANALYST,)


@require_GET
@role_required(*READERS)
def comparison(request: HttpRequest) -> HttpResponse:
    activities, default = builder_activities()
    ids = {activity for activity, _label in activities}
    asked = request.GET.get("activiteit", "")
    activity_id = int(asked) if asked.isdigit() and int(asked) in ids else default
    peildata = builder_options(activity_id=activity_id).peildata if activity_id else []
    groups = group_choices()
    group = request.GET.get("groep") or "voedselbank"
    if group not in dict(groups):
        group = groups[0][0] if groups else ""
    day = request.GET.get("peildatum") or (peildata[0][0] if peildata else "")
    try:
        peildatum: date | None = date.fromisoformat(day)
    except ValueError:
        peildatum = None
    view = segments = None
    if activity_id is not None and group and peildatum is not None:
        view = comparison_read(activity_id=activity_id, group=group, peildatum=peildatum)
        segments = segments_read(activity_id=activity_id, group=group, peildatum=peildatum)
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
        },
    )
