"""The web side of long work (:mod:`meedoen.utils.runs`): one progress region for every kind of
run — household builds, linkages, the chain check — and the JSON its script polls.

A run page includes ``web/_run_progress.html`` with the context of :func:`run_progress` and
loads ``meedoen/js/run-progress.js``, which asks ``status_url`` every two seconds while the run
goes on and reloads the page once when it has finished. The status view returns
:func:`run_status_response` of the same dictionary, so page and JSON cannot differ.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meedoen.utils.runs import RunState
from meedoen.web.labels import label
from meedoen.web.templatetags.nl import getal

#: A run's status as the pages show it (``interrupted``: its row stopped moving).
STATUS_LABELS = {
    "queued": gettext_lazy("waiting to start"),
    "running": gettext_lazy("running"),
    "done": gettext_lazy("done"),
    "failed": gettext_lazy("failed"),
    "interrupted": gettext_lazy("interrupted"),
}


def run_status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def run_step_label(kind: str) -> Callable[[str], str]:
    """Words for the step codes of a kind of run (``build_step``, ``link_step``,
    ``chain_check_step`` of the label registry), and for the steps every run may share:
    ``store: TABLE`` (bringing the activity's table up to date) and ``intake: STAGE``."""

    def words(step: str) -> str:
        prefix, _sep, rest = step.partition(": ")
        if rest and prefix == "store":
            return _("Updating the activity's table %(table)s") % {"table": rest}
        if rest and prefix == "intake":
            return _("Intake gate: %(stage)s") % {"stage": label("intake_stage", rest)}
        return label(kind, step)

    return words


def run_progress(
    run: RunState,
    *,
    step_label: Callable[[str], str] = str,
    first_step: str = "",
    counted: bool = False,
) -> dict[str, Any]:
    """What the progress region shows. ``step_label`` turns the run's step code into words;
    ``first_step``: what a running run without a step yet is doing; ``counted``: the numbers
    count the step's own work ("Records of the chain: 10.000 of 52.000 done"), otherwise the
    steps ("Step 3 of 12: …")."""
    step = step_label(run.step) if run.step else ""
    if run.step_total and counted:
        step = _("%(step)s: %(number)s of %(total)s done") % {
            "step": step,
            "number": getal(run.step_number),
            "total": getal(run.step_total),
        }
    elif run.step_total:
        step = _("Step %(number)s of %(total)s: %(step)s") % {
            "number": run.step_number,
            "total": run.step_total,
            "step": step,
        }
    elif not step and run.status == "running":
        step = first_step
    return {
        "id": run.id,
        "status": run.status,
        "status_label": run_status_label(run.status),
        "step": step,
        "percent": run.percent,
        "percent_label": _("%(percent)s%% done") % {"percent": run.percent},
        "finished": run.finished,
        "message": run.message,
    }


def run_status_response(progress: dict[str, Any]) -> JsonResponse:
    """The progress region as JSON for the page's script (never cached)."""
    response = JsonResponse(progress)
    response["Cache-Control"] = "no-store"
    return response


__all__ = [
    "STATUS_LABELS",
    "run_progress",
    "run_status_label",
    "run_status_response",
    "run_step_label",
]
