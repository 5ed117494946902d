"""Partner-file linkage in the web app (``/koppelingen/``): the analyst uploads a partner file
without BSN (a food bank's client list) for an approved activity, follows the linkage's progress
and reads its summary; then reviews the records the linkage was unsure about, one by one, with
the partner's record next to its candidates.

Views gate by role; the services check the role, the activity and the arguments again and log
every read and write of person-level data (PermissionDenied about the activity and
ValidationError become form errors or messages).

No BSN and no pseudonym reaches these pages: a candidate is named by its rank (a person
pseudonym next to a name would tie that name to the activity's tables). A record awaiting review
is named by its random review token in addresses, the queue and messages (the record's pseudonym
in the activity's tables opens nothing); its partner record number (klantnummer) shows only on
the record's own page, whose reading is logged per data subject. Only analysts to whom the
privacy officer granted the review of the activity open the queue and the records."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from meedoen.activities.models import Status
from meedoen.activities.selectors import (
    ActivityState,
    activity_current,
    activity_list,
    reviewer_is_granted,
)
from meedoen.audits.trace import TraceContext
from meedoen.linkages.forms import DecisionForm, LinkForm
from meedoen.linkages.selectors import LinkRunState, link_run_detail, link_run_list
from meedoen.linkages.services import (
    ANALYSTS,
    SOURCE_NAME,
    ReviewCase,
    ReviewItem,
    link_request,
    link_start_background,
    review_queue,
    review_read,
    review_submit,
)
from meedoen.web.access import actor_for, role_required
from meedoen.web.runs import run_progress, run_status_label, run_status_response, run_step_label

#: Linkages listed on the start page of linkage, newest first.
RUNS_LISTED = 20

#: A record's status after a linkage or a review (``by_status`` of a run's summary, and a
#: record's review page). A pending record may or may not be linked provisionally.
LINK_STATUS_LABELS = {
    "auto": gettext_lazy("linked automatically"),
    "pending": gettext_lazy("awaiting review"),
    "accepted": gettext_lazy("linked after review"),
    "rejected": gettext_lazy("not linked after review"),
    "unmatched": gettext_lazy("not linked"),
}

#: What the partner sent (``mode`` of the run's summary).
MODE_LABELS = {
    "clear": gettext_lazy("names, birth dates and addresses in clear text"),
    "encoded": gettext_lazy("encoded (Bloom filters, meedoen encode)"),
}

#: How many characters of a record's review token name it in the queue and in messages.
SHORT = 8

#: Why a record is not linked or awaits review, as the data package says it.
REASON_LABELS = {
    "two persons above the threshold: awaiting review": gettext_lazy(
        "two persons above the threshold: awaiting review"
    ),
    "below the threshold: awaiting review": gettext_lazy("below the threshold: awaiting review"),
    "below the review band's upper bound": gettext_lazy(
        "below the upper bound of the review band: awaiting review"
    ),
    "no candidate: no register person shares an address, birth date or surname with birth year": (
        gettext_lazy(
            "no candidate: no person in the register shares an address, a birth date or a "
            "surname with birth year"
        )
    ),
    "below the review band: too little agreement": gettext_lazy(
        "below the review band: too little agreement"
    ),
    "a candidate was rejected: awaiting review of the others": gettext_lazy(
        "a candidate was rejected: awaiting review of the others"
    ),
    "rejected in review": gettext_lazy("rejected in review"),
}

#: The fields of a record and a candidate, in the order the case page shows them.
FIELDS = [
    ("geslachtsnaam", gettext_lazy("Surname")),
    ("voorvoegsel", gettext_lazy("Prefix (voorvoegsel)")),
    ("voornamen", gettext_lazy("Given names")),
    ("datumgeboorte", gettext_lazy("Birth date")),
    ("postcode", gettext_lazy("Postcode")),
    ("huisnummer", gettext_lazy("House number")),
    ("huisnummertoevoeging", gettext_lazy("Addition")),
]

#: The model's comparisons (``Candidate.comparisons``) and the levels they reach.
COMPARISON_LABELS = {
    "surname": gettext_lazy("Surname"),
    "first_name": gettext_lazy("First name"),
    "birth_date": gettext_lazy("Birth date"),
    "address": gettext_lazy("Address"),
}
LEVEL_LABELS = {
    "same": gettext_lazy("same"),
    "same (Dice >= 0.99)": gettext_lazy("same"),
    "same with tussenvoegsel glued": gettext_lazy("same with the prefix glued to it"),
    "partner's surname": gettext_lazy("surname of the person's partner"),
    "similar (Jaro-Winkler >= 0.92)": gettext_lazy("similar"),
    "similar (Jaro-Winkler >= 0.9)": gettext_lazy("similar"),
    "similar (Dice >= 0.8)": gettext_lazy("similar"),
    "similar to partner's surname, or Jaro-Winkler >= 0.8": gettext_lazy(
        "somewhat similar, or similar to the partner's surname"
    ),
    "somewhat similar (Dice >= 0.6)": gettext_lazy("somewhat similar"),
    "same initials": gettext_lazy("same initials"),
    "same first initial": gettext_lazy("same first initial"),
    "day and month swapped": gettext_lazy("day and month swapped"),
    "one digit different": gettext_lazy("one digit different"),
    "same day and month": gettext_lazy("same day and month"),
    "same year": gettext_lazy("same year"),
    "same address": gettext_lazy("same address"),
    "same postcode and number": gettext_lazy("same postcode and house number"),
    "an earlier address of the person": gettext_lazy("an earlier address of the person"),
    "same postcode": gettext_lazy("same postcode"),
    "different": gettext_lazy("different"),
    "missing": gettext_lazy("missing on one side"),
}

#: Upload names in the vault's scratch folder: plain characters of the original name only.
_PLAIN = re.compile(r"[^a-z0-9_-]+")


# -- Helpers ------------------------------------------------------------------------------------


def _linkable_activities() -> tuple[list[tuple[int, str]], dict[int, list[str]]]:
    """Approved, unexpired activities that cover the BRP and at least one partner source: as
    choices (id, label), and each one's partner sources (names without ``partner-``)."""
    states: list[ActivityState] = sorted(
        (
            state
            for state in activity_list()
            if state.status == Status.APPROVED
            and not state.operational
            and "brp" in state.sources
            and any(source.startswith("partner-") for source in state.sources)
        ),
        key=lambda state: state.id,
    )
    choices = [(state.id, f"{state.id}. {state.name}") for state in states]
    partners = {
        state.id: sorted(
            source.removeprefix("partner-")
            for source in state.sources
            if source.startswith("partner-")
        )
        for state in states
    }
    return choices, partners


def _service_context(request: HttpRequest) -> dict[str, Any]:
    """Who acts and the caller's W3C trace (if given): as the services log them."""
    return {
        "actor": actor_for(request.user),
        "trace": TraceContext.start(request.headers.get("traceparent")),
    }


def _client(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _activity_or_none(activity_id: int) -> ActivityState | None:
    try:
        return activity_current(activity_id=activity_id)
    except ObjectDoesNotExist:
        return None


def _run_or_404(run_id: int) -> LinkRunState:
    try:
        return link_run_detail(run_id=run_id)
    except ObjectDoesNotExist as exc:
        raise Http404(f"there is no linkage {run_id}") from exc


def _refusal(exc: ValidationError | PermissionDenied) -> str:
    """A service's refusal as one line of text."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("You may not do this.")


def _upload_save(upload: UploadedFile) -> Path:
    """The upload as a private file (0600) in the vault's scratch folder ``HOME/vault/tmp``:
    it holds names, birth dates and addresses, so it never goes to /tmp. The linkage's thread
    removes it when it is done."""
    folder = Path(settings.MEEDOEN_HOME) / "vault" / "tmp"
    folder.mkdir(mode=0o700, exist_ok=True)  # FileNotFoundError when there is no vault
    original = Path(str(upload.name or "partner"))
    stem = _PLAIN.sub("-", original.stem.lower()).strip("-")[:40] or "partner"
    descriptor, name = tempfile.mkstemp(
        dir=folder, prefix=f"{stem}-", suffix=original.suffix.lower()
    )  # mode 0600
    try:
        with os.fdopen(descriptor, "wb") as target:
            for chunk in upload.chunks():
                target.write(chunk)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def _progress(run: LinkRunState) -> dict[str, Any]:
    """What the progress region shows; the same for the page and its JSON endpoint."""
    return run_progress(
        run,
        step_label=run_step_label("link_step"),
        first_step=_("Checking the processing activity"),
        counted=True,
    )


def _awaiting_review(summary: dict[str, Any]) -> int:
    """Records of a finished linkage that await review, linked provisionally or not."""
    return int(dict(summary.get("by_status") or {}).get("pending", 0))


def _reason(reason: str) -> str:
    return str(REASON_LABELS.get(reason, reason))


def _percent(value: object) -> float | None:
    return None if value is None else 100 * float(value)  # type: ignore[arg-type]


def _source_or_404(source: str) -> str:
    if not SOURCE_NAME.fullmatch(source):
        raise Http404(f"{source!r} is not the name of a partner source")
    return source


def _short(token: str) -> str:
    """A record as the queue and messages name it: the start of its review token."""
    return token[:SHORT]


# -- Starting a linkage and its runs ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(*ANALYSTS)
def runs(request: HttpRequest) -> HttpResponse:
    """The form that starts a linkage (POST, with the file), and the linkages so far."""
    activities, partners = _linkable_activities()
    form = LinkForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        activities=activities,
        partners=partners,
    )
    if form.is_bound and form.is_valid():
        context = _service_context(request)
        try:
            path = _upload_save(form.cleaned_data["file"])
        except OSError as exc:
            form.add_error(
                "file",
                _("The file could not be stored in the workspace's vault: %(error)s")
                % {"error": exc.strerror or exc},
            )
        else:
            try:
                run = link_request(**form.link_arguments(), channel="web", **context)
            except PermissionDenied as exc:  # the activity is not approved for these sources
                path.unlink(missing_ok=True)
                form.add_error("activity", str(exc))
            except ValidationError as exc:
                path.unlink(missing_ok=True)
                form.add_error(None, exc)
            else:
                link_start_background(
                    run_id=run.pk,
                    path=path,
                    client=_client(request),
                    secret=form.cleaned_data["secret"],
                    **context,
                )
                return redirect("linkages:run", run_id=run.pk)
    states = link_run_list(limit=RUNS_LISTED)
    done = sorted(
        activity_id
        for activity_id in {run.activity_id for run in states if run.status == "done"}
        if reviewer_is_granted(activity_id=activity_id, user=request.user)
    )
    names = dict(activities)
    return render(
        request,
        "linkages/runs.html",
        {
            "form": form,
            "activities": activities,
            "runs": [(run, run_status_label(run.status)) for run in states],
            "review": [(activity_id, names.get(activity_id)) for activity_id in done],
            "role": request.user.role,  # type: ignore[union-attr]
        },
    )


@require_GET
@role_required(*ANALYSTS)
def run(request: HttpRequest, run_id: int) -> HttpResponse:
    """One linkage: its progress while it runs, then its summary (or why it failed)."""
    state = _run_or_404(run_id)
    summary: dict[str, Any] = state.summary or {}
    by_status = sorted(
        (
            (str(LINK_STATUS_LABELS.get(status, status)), count)
            for status, count in dict(summary.get("by_status") or {}).items()
        ),
        key=lambda item: (-item[1], item[0]),
    )
    unmatched = [
        (_reason(reason), count)
        for reason, count in dict(summary.get("unmatched_by_reason") or {}).items()
    ]
    threshold = summary.get("threshold")
    curve = [
        {
            "threshold": point[0],
            "precision": _percent(point[1]),
            "recall": _percent(point[2]),
            "links": point[3],
            "chosen": threshold is not None and float(point[0]) == float(threshold),
        }
        for point in summary.get("curve") or []
    ]
    return render(
        request,
        "linkages/run.html",
        {
            "run": state,
            "activity": _activity_or_none(state.activity_id),
            "progress": _progress(state),
            "summary": summary,
            "mode": MODE_LABELS.get(str(summary.get("mode", "")), ""),
            "by_status": by_status,
            "unmatched": unmatched,
            "precision": _percent(summary.get("estimated_precision")),
            "recall": _percent(summary.get("estimated_recall")),
            "curve": curve,
            "band": list(summary.get("review_band") or []),
            "awaiting": _awaiting_review(summary),
            "reviewer": reviewer_is_granted(activity_id=state.activity_id, user=request.user),
        },
    )


@require_GET
@role_required(*ANALYSTS)
def run_status(request: HttpRequest, run_id: int) -> JsonResponse:
    """The progress of one linkage as JSON: the run page polls it while the linkage runs."""
    return run_status_response(_progress(_run_or_404(run_id)))


# -- Clerical review ----------------------------------------------------------------------------


@require_GET
@role_required(*ANALYSTS)
def queue(request: HttpRequest, activity_id: int) -> HttpResponse:
    """The records of an activity's latest linkages that await review (record pseudonyms,
    probabilities and reasons only: no names, no record numbers)."""
    items: list[ReviewItem] = []
    error = ""
    try:
        items = review_queue(activity_id=activity_id, **_service_context(request))
    except ValidationError as exc:
        error = _refusal(exc)
    return render(
        request,
        "linkages/queue.html",
        {
            "activity_id": activity_id,
            "activity": _activity_or_none(activity_id),
            "items": [(item, _short(item.token), _reason(item.reason)) for item in items],
            "error": error,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*ANALYSTS)
def case(request: HttpRequest, activity_id: int, source: str, token: str) -> HttpResponse:
    """One record awaiting review next to its candidates (GET: read from the vault, logged per
    data subject shown); a decision on one candidate, named by its rank (POST), then back to
    the queue. 403 for analysts who are not reviewers of the activity, 404 for a token of no
    record awaiting review."""
    activity_id = int(activity_id)
    _source_or_404(source)
    if request.method == "POST":
        return _decide(request, activity_id, source, token)
    found: ReviewCase | None = None
    error = ""
    try:
        found = review_read(
            activity_id=activity_id,
            source=source,
            token=token,
            channel="web",
            client=_client(request),
            **_service_context(request),
        )
    except ObjectDoesNotExist as exc:
        raise Http404(str(exc)) from exc
    except ValidationError as exc:
        error = _refusal(exc)
    candidates = found.candidates if found else []
    rows = (
        [
            (label, found.record.get(name, ""), [c.fields.get(name, "") for c in candidates])
            for name, label in FIELDS
        ]
        if found
        else []
    )
    names = sorted({name for c in candidates for name in c.comparisons})
    comparisons = [
        (
            str(COMPARISON_LABELS.get(name, name)),
            [_comparison(c.comparisons.get(name)) for c in candidates],
        )
        for name in _ordered(names)
    ]
    return render(
        request,
        "linkages/case.html",
        {
            "activity_id": activity_id,
            "activity": _activity_or_none(activity_id),
            "source": source,
            "token": token,
            "short": _short(token),
            "case": found,
            "candidates": candidates,
            "rows": rows,
            "comparisons": comparisons,
            "status_label": _case_status(found) if found else "",
            "error": error,
        },
    )


def _case_status(found: ReviewCase) -> str:
    if found.status == "pending" and found.linked:
        return _("awaiting review, linked provisionally")
    return str(LINK_STATUS_LABELS.get(found.status, found.status))


def _comparison(value: dict[str, Any] | None) -> tuple[str, float | None] | None:
    """One comparison of a candidate: the level reached (in the interface's language) and its
    weight; None when the model did not make it."""
    if value is None:
        return None
    level = str(value.get("level") or "")
    weight = value.get("weight")
    return str(LEVEL_LABELS.get(level, level)), None if weight is None else float(weight)


def _ordered(names: list[str]) -> list[str]:
    """The model's comparisons in the order of the fields, then any others."""
    known = [name for name in COMPARISON_LABELS if name in names]
    return known + [name for name in names if name not in COMPARISON_LABELS]


def _decide(request: HttpRequest, activity_id: int, source: str, token: str) -> HttpResponse:
    """The decision on one candidate; the messages (kept in a cookie until shown) name the
    record by the start of its review token, never by its record number."""
    back = {"activity_id": activity_id, "source": source, "token": token}
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a candidate and a decision with one of the buttons."))
        return redirect("linkages:case", **back)
    decision = form.cleaned_data["decision"]
    try:
        outcome = review_submit(
            activity_id=activity_id,
            source=source,
            token=token,
            rank=form.cleaned_data["rank"],
            decision=decision,
            channel="web",
            client=_client(request),
            **_service_context(request),
        )
    except ObjectDoesNotExist as exc:
        raise Http404(str(exc)) from exc
    except ValidationError as exc:
        messages.error(
            request,
            _("The decision could not be processed: %(reason)s") % {"reason": _refusal(exc)},
        )
        return redirect("linkages:case", **back)
    values = {"record": _short(token), "source": source}
    if outcome.status == "accepted":
        text = _("Record %(record)s of %(source)s is linked to the person you chose.") % values
    elif outcome.status == "pending":
        text = (
            _(
                "The candidate is rejected; record %(record)s of %(source)s still awaits review "
                "of its other candidates."
            )
            % values
        )
    else:
        text = (
            _("Every candidate is rejected: record %(record)s of %(source)s stays unlinked.")
            % values
        )
    messages.success(request, text)
    if not outcome.published:
        messages.info(
            request,
            _(
                "Your decision is stored; it reaches the tables of the processing activity at "
                "the next linkage, because they were in use."
            ),
        )
    return redirect("linkages:queue", activity_id=activity_id)
