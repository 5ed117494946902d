"""The register of processing activities in the web app: the register, one activity with its
history, the analyst's request form, and the privacy officer's queue and decisions.

Views gate by role; the services check the role again and decide (PermissionDenied becomes 403,
ValidationError a form error)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import wraps
from itertools import pairwise
from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from meedoen.accounts.roles import Role
from meedoen.activities.forms import ActivityRequestForm, DecisionForm
from meedoen.activities.models import ActivityVersion, Status
from meedoen.activities.selectors import (
    ActivityState,
    activity_history,
    activity_list,
    activity_purges,
)
from meedoen.activities.services import (
    Actor,
    activity_approve,
    activity_refuse,
    activity_request,
    activity_revoke,
)

#: Who may read the register and the activities in it.
READERS = (Role.ADMINISTRATOR, Role.ANALYST, Role.PRIVACY_OFFICER)

DECISIONS: dict[str, Callable[..., ActivityVersion]] = {
    "approve": activity_approve,
    "refuse": activity_refuse,
    "revoke": activity_revoke,
}

View = Callable[..., HttpResponse]


def role_required(*roles: Role) -> Callable[[View], View]:
    """403 for every other role (login itself is LoginRequiredMiddleware's job)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if getattr(request.user, "role", None) not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def actor_for(user: Any) -> Actor:
    return Actor(name=user.username, user=user)


# -- What the pages and the API show ----------------------------------------------------------
# ActivityState (selectors.py) does not carry the data categories, recipients, DPIA reference
# or time of a version yet; these read-only helpers add them to the states the selectors return.
# They belong in selectors.py once it offers those fields.

#: The fields of a version, in the order pages show them and differences are listed.
FIELDS = (
    "name",
    "purpose",
    "legal_basis",
    "sources",
    "data_categories",
    "recipients",
    "retention_days",
    "dpia_reference",
    "status",
    "valid_until",
)
ACTIONS = {
    Status.DRAFT: gettext_lazy("Drafted"),
    Status.REQUESTED: gettext_lazy("Requested"),
    Status.APPROVED: gettext_lazy("Approved"),
    Status.REFUSED: gettext_lazy("Refused"),
    Status.EXPIRED: gettext_lazy("Expired"),
    Status.REVOKED: gettext_lazy("Revoked"),
}


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    old: Any
    new: Any
    old_text: str
    new_text: str


@dataclass(frozen=True)
class Version:
    """One version as shown: the selector's state plus the fields and time it lacks."""

    state: ActivityState
    action: str  # the stored status of the version: what was done
    data_categories: str
    recipients: str
    dpia_reference: str
    at: datetime
    changes: tuple[Change, ...] = ()

    @property
    def action_label(self) -> str:
        return str(ACTIONS.get(self.action, self.action))  # type: ignore[call-overload]

    @property
    def status_label(self) -> str:
        return status_label(self.state.status)

    def value(self, field: str) -> Any:
        if field == "status":
            return self.action
        if field in {"data_categories", "recipients", "dpia_reference"}:
            return getattr(self, field)
        return getattr(self.state, field)


@dataclass(frozen=True)
class ActivityDetail:
    current: Version
    versions: list[Version]  # oldest first
    purges: list[Any]  # what was deleted under the activity (selectors.activity_purges)

    @property
    def purge_rows(self) -> list[tuple[Any, str]]:
        """Each deletion with its reason as a person reads it (``revoked`` → the label)."""
        return [(purge, status_label(purge.reason)) for purge in self.purges]


def status_label(status: str) -> str:
    return str(Status(status).label) if status in Status.values else status


def field_label(field: str) -> str:
    return str(ActivityVersion._meta.get_field(field).verbose_name)


def value_text(field: str, value: Any) -> str:
    """A field's value as a person reads it."""
    if value in (None, "", []):
        return "—"
    if field == "sources":
        return ", ".join(value)
    if field == "status":
        return status_label(value)
    if isinstance(value, date):
        return date_format(value, "DATE_FORMAT")
    return str(value)


def _versions(states: Iterable[ActivityState]) -> list[Version]:
    states = list(states)
    extra = {
        row["pk"]: row
        for row in ActivityVersion.objects.filter(pk__in=[s.pk for s in states]).values(
            "pk", "status", "data_categories", "recipients", "dpia_reference", "created_at"
        )
    }
    return [
        Version(
            state=s,
            action=extra[s.pk]["status"],
            data_categories=extra[s.pk]["data_categories"],
            recipients=extra[s.pk]["recipients"],
            dpia_reference=extra[s.pk]["dpia_reference"],
            at=extra[s.pk]["created_at"],
        )
        for s in states
    ]


def _changes(old: Version, new: Version) -> tuple[Change, ...]:
    return tuple(
        Change(
            field=field,
            label=field_label(field),
            old=old.value(field),
            new=new.value(field),
            old_text=value_text(field, old.value(field)),
            new_text=value_text(field, new.value(field)),
        )
        for field in FIELDS
        if old.value(field) != new.value(field)
    )


def activity_detail(*, activity_id: int) -> ActivityDetail:
    """The current version, every version with its differences to the one before, and what was
    deleted under the activity. ObjectDoesNotExist for an unknown id."""
    versions = _versions(activity_history(activity_id=activity_id))
    if not versions:
        raise ObjectDoesNotExist(f"there is no activity {activity_id}")
    versions = [versions[0]] + [
        replace(new, changes=_changes(old, new)) for old, new in pairwise(versions)
    ]
    return ActivityDetail(
        current=versions[-1],
        versions=versions,
        purges=list(activity_purges(activity_id=activity_id)),
    )


def activity_register(*, status: str | None = None, oldest_first: bool = False) -> list[Version]:
    """The current version of every activity (or of those with this status), newest first."""
    states = [s for s in activity_list() if status is None or s.status == status]
    return sorted(_versions(states), key=lambda v: v.state.id, reverse=not oldest_first)


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
            activity = activity_request(actor=actor_for(request.user), **form.cleaned_data)
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
    return render(request, "activities/request.html", {"form": form})


@require_http_methods(["GET", "POST"])
@role_required(*READERS)
def detail(request: HttpRequest, activity_id: int) -> HttpResponse:
    """The activity and its history; privacy officers decide here (POST)."""
    officer = request.user.role == Role.PRIVACY_OFFICER  # type: ignore[union-attr]
    form = None
    if request.method == "POST":
        if not officer:
            raise PermissionDenied
        form = DecisionForm(request.POST)
        if form.is_valid():
            decide = DECISIONS[form.cleaned_data["decision"]]
            try:
                version = decide(
                    activity_id=activity_id,
                    actor=actor_for(request.user),
                    motivation=form.cleaned_data["motivation"],
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
    if decisions and form is None:
        form = DecisionForm()
    return render(
        request,
        "activities/detail.html",
        {
            "activity": activity,
            "current": activity.current,
            "fields": [
                (field_label(f), value_text(f, activity.current.value(f)))
                for f in FIELDS
                if f != "status"
            ],
            "decisions": decisions,
            "form": form,
        },
    )


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
