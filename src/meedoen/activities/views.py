"""The register of processing activities in the web app: the register, one activity with its
history, the analyst's request form, and the privacy officer's queue and decisions.

Views gate by role; the services check the role again and decide (PermissionDenied becomes 403,
ValidationError a form error)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meedoen.accounts.roles import Role
from meedoen.accounts.selectors import analysts_active
from meedoen.activities.forms import (
    ActivityAmendForm,
    ActivityRequestForm,
    DecisionForm,
    ReviewerForm,
)
from meedoen.activities.models import ActivityVersion, Status
from meedoen.activities.selectors import (
    CHECKLIST,
    FIELDS,
    activity_checklist,
    activity_current,
    activity_detail,
    activity_overlaps,
    activity_register,
    activity_reviewers,
    activity_revoke_preview,
    checklist_keys,
    column_catalogue,
    field_label,
    value_text,
)
from meedoen.activities.services import (
    activity_amend,
    activity_approve,
    activity_refuse,
    activity_request,
    activity_revoke,
    reviewer_grant,
    reviewer_withdraw,
)
from meedoen.audits.trace import TraceContext
from meedoen.web.access import actor_for, role_required

#: Who may read the register and the activities in it.
READERS = (Role.ADMINISTRATOR, Role.ANALYST, Role.PRIVACY_OFFICER)

DECISIONS: dict[str, Callable[..., ActivityVersion]] = {
    "approve": activity_approve,
    "refuse": activity_refuse,
    "revoke": activity_revoke,
}


def decision_context(
    request: HttpRequest, decision: str, *, channel: str, form: DecisionForm
) -> dict[str, Any]:
    """What a decision needs besides its motivation: the version the officer read (approve,
    refuse) and the floors of an approval; its audit records (the decision, and what a
    revocation deletes) join the caller's W3C trace, if given."""
    trace = TraceContext.start(request.headers.get("traceparent"))
    if decision == "revoke":
        return {"trace": trace, "channel": channel}
    context: dict[str, Any] = {
        "version": form.cleaned_data.get("version"),
        "trace": trace,
        "channel": channel,
    }
    if decision == "approve":
        context["floor"] = form.floor()
    return context


# -- Pages ------------------------------------------------------------------------------------


@require_GET
@role_required(*READERS)
def register(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "activities/register.html",
        {"activities": activity_register(), "role": request.user.role},  # type: ignore[union-attr]
    )


@require_GET
@role_required(Role.PRIVACY_OFFICER)
def queue(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "activities/queue.html",
        {"activities": activity_register(status=Status.REQUESTED, oldest_first=True)},
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.ANALYST)
def request_activity(request: HttpRequest) -> HttpResponse:
    form = ActivityRequestForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            activity = activity_request(
                actor=actor_for(request.user), channel="web", **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _(
                    "Processing activity %(id)s “%(name)s” is requested; the privacy officer "
                    "decides on it."
                )
                % {"id": activity.pk, "name": form.cleaned_data["name"]},
            )
            return redirect("activities:detail", activity_id=activity.pk)
    return render(
        request, "activities/request.html", {"form": form, "catalogue": column_catalogue()}
    )


@require_http_methods(["GET", "POST"])
@role_required(*READERS)
def detail(request: HttpRequest, activity_id: int) -> HttpResponse:
    """The activity and its history; privacy officers decide here (POST)."""
    officer = request.user.role == Role.PRIVACY_OFFICER  # type: ignore[union-attr]
    form = None
    if request.method == "POST":
        if not officer:
            raise PermissionDenied
        form = DecisionForm(request.POST, checklist=_checklist_of(activity_id))
        if form.is_valid() and form.cleaned_data["decision"] == "approve":
            _check_complete(form, activity_id)
        if (
            form.is_valid()
            and form.cleaned_data["decision"] == "revoke"
            and request.POST.get("confirmed") != "yes"
        ):
            return _revoke_confirm(request, activity_id, form)
        if form.is_valid():
            decision = form.cleaned_data["decision"]
            try:
                version = DECISIONS[decision](
                    activity_id=activity_id,
                    actor=actor_for(request.user),
                    motivation=form.cleaned_data["motivation"],
                    **decision_context(request, decision, channel="web", form=form),
                )
            except ObjectDoesNotExist as exc:
                raise Http404(str(exc)) from exc
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _decided_message(version))
                return redirect("activities:detail", activity_id=activity_id)
    try:
        activity = activity_detail(activity_id=activity_id)
    except ObjectDoesNotExist as exc:
        raise Http404(str(exc)) from exc
    decisions = _decisions_for(activity.current.state.status) if officer else ()
    operational = activity.current.state.operational
    if decisions and form is None:
        form = DecisionForm(
            initial={"version": activity.current.state.number},
            checklist=checklist_keys(activity.current.state),
        )
    return render(
        request,
        "activities/detail.html",
        {
            "activity": activity,
            "current": activity.current,
            "fields": [
                (field_label(f), value_text(f, activity.current.value(f)))
                for f in FIELDS
                if f != "status" and activity.current.shown(f)
            ],
            "operational": operational,
            "decisions": decisions,
            "form": form,
            "can_amend": request.user.role == Role.ANALYST  # type: ignore[union-attr]
            and activity.current.state.status in AMENDABLE,
            "officer": officer,
            "floor": activity.current.state.floor,
            "reviewers": activity_reviewers(activity_id=activity_id),
            "reviewer_form": _reviewer_form(activity_id) if officer and not operational else None,
            "overlaps": activity_overlaps(activity_id=activity_id) if officer else [],
            "checklist": activity_checklist(state=activity.current.state),
        },
    )


def _checklist_of(activity_id: int) -> tuple[str, ...]:
    """The points of the activity's checklist (an unknown activity: the analysis ones; the
    page then says it does not exist)."""
    try:
        return checklist_keys(activity_current(activity_id=activity_id))
    except ObjectDoesNotExist:
        return CHECKLIST


def _revoke_confirm(request: HttpRequest, activity_id: int, form: DecisionForm) -> HttpResponse:
    """A revocation deletes data: first what it will delete, then the officer confirms."""
    try:
        state = activity_current(activity_id=activity_id)
    except ObjectDoesNotExist as exc:
        raise Http404(str(exc)) from exc
    return render(
        request,
        "activities/revoke_confirm.html",
        {
            "state": state,
            "motivation": form.cleaned_data["motivation"],
            "preview": activity_revoke_preview(activity_id=activity_id),
        },
    )


def _check_complete(form: DecisionForm, activity_id: int) -> None:
    """An approval of a request that lacks a point of the checklist: said in Dutch on the form
    (the service refuses it too, for the command line and the API)."""
    try:
        state = activity_current(activity_id=activity_id)
    except ObjectDoesNotExist as exc:
        raise Http404(str(exc)) from exc
    missing = [item.label for item in activity_checklist(state=state) if not item.complete]
    if missing:
        form.add_error(
            None,
            _(
                "The request does not state: %(missing)s. It cannot be approved until the "
                "analyst completes it; refuse it with what is missing, or wait for the change."
            )
            % {"missing": ", ".join(missing)},
        )


def _reviewer_form(activity_id: int, data: Any = None) -> ReviewerForm | None:
    """The officer's form to grant the review to an analyst who does not hold it yet."""
    granted = {r.username for r in activity_reviewers(activity_id=activity_id)}
    analysts = [
        (user.username, f"{user.get_full_name() or user.username} ({user.username})")
        for user in analysts_active()
        if user.username not in granted
    ]
    return ReviewerForm(data, analysts=analysts) if analysts else None


@require_POST
@role_required(Role.PRIVACY_OFFICER)
def reviewers(request: HttpRequest, activity_id: int) -> HttpResponse:
    """The privacy officer grants (``action=grant``) or withdraws (``action=withdraw``) the
    review of the activity's uncertain links for one analyst."""
    action = request.POST.get("action")
    username = request.POST.get("username", "")
    actor = actor_for(request.user)
    try:
        if action == "grant":
            form = _reviewer_form(activity_id, request.POST)
            if form is None or not form.is_valid():
                raise ValidationError(_("Choose an analyst from the list."))
            reviewer_grant(activity_id=activity_id, username=username, actor=actor, channel="web")
            messages.success(
                request,
                _("%(user)s may now review the links of this activity.") % {"user": username},
            )
        elif action == "withdraw":
            reviewer_withdraw(
                activity_id=activity_id, username=username, actor=actor, channel="web"
            )
            messages.success(
                request,
                _("%(user)s may no longer review the links of this activity.") % {"user": username},
            )
        else:
            raise ValidationError(_("Choose an analyst from the list."))
    except ObjectDoesNotExist as exc:
        raise Http404(str(exc)) from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("activities:detail", activity_id=activity_id)


@require_http_methods(["GET", "POST"])
@role_required(Role.ANALYST)
def amend(request: HttpRequest, activity_id: int) -> HttpResponse:
    """The analyst changes a requested or refused activity; the privacy officer decides again."""
    try:
        current = activity_detail(activity_id=activity_id).current
    except ObjectDoesNotExist as exc:
        raise Http404(str(exc)) from exc
    if current.state.status not in AMENDABLE:
        messages.error(
            request,
            _("Only requested or refused activities can be amended; request a new one instead."),
        )
        return redirect("activities:detail", activity_id=activity_id)
    form = ActivityAmendForm(
        request.POST if request.method == "POST" else None,
        initial=ActivityAmendForm.initial_from(current.state),
    )
    if form.is_bound and form.is_valid():
        try:
            version = activity_amend(
                activity_id=activity_id,
                actor=actor_for(request.user),
                channel="web",
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _(
                    "Processing activity %(id)s is amended (version %(number)s); the privacy "
                    "officer decides on it again."
                )
                % {"id": activity_id, "number": version.number},
            )
            return redirect("activities:detail", activity_id=activity_id)
    return render(
        request,
        "activities/request.html",
        {"form": form, "amend": current, "catalogue": column_catalogue()},
    )


#: The statuses an analyst may amend (the services enforce the same).
AMENDABLE = (Status.REQUESTED, Status.REFUSED)


def _decisions_for(status: str) -> tuple[str, ...]:
    """Which buttons the privacy officer gets; the services enforce the same workflow."""
    if status == Status.REQUESTED:
        return ("approve", "refuse")
    if status == Status.APPROVED:
        return ("revoke",)
    return ()


def _decided_message(version: ActivityVersion) -> str:
    if version.status == Status.APPROVED:
        return _("Processing activity %(id)s is approved until %(date)s.") % {
            "id": version.activity_id,
            "date": date_format(version.valid_until, "DATE_FORMAT"),
        }
    if version.status == Status.REFUSED:
        return _("Processing activity %(id)s is refused.") % {"id": version.activity_id}
    return _("Processing activity %(id)s is revoked.") % {"id": version.activity_id}
