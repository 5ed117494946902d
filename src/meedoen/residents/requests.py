"""Residents' objection and correction requests (AVG art. 21 and 16) and the privacy officer's
queue: services (writes) and selectors (reads).

A resident objects to their data being used in one *analysis* activity of the register, or asks
for data to be corrected. Every request gets a deadline of one month after it was received
(AVG art. 12(3), calendar months: received on 31 January, due on 28 or 29 February). The privacy
officer upholds or rejects it with a motivation; the resident reads the decision on their list.

An upheld objection against analysis activity X excludes the person from X's store when it is
next built: :func:`objection_excluded_bsns` gives the BSNs that every build of an activity's
store leaves out (:func:`meedoen.activities.enforcement.activity_store_open`, which passes them
to :func:`meedoen_data.activity_store.store_prepare`). The web database only knows the resident
by their BRP pseudonym; the BSNs are found in the identity zone, at build time.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meedoen.accounts.roles import Role
from meedoen.activities.actors import Actor, require_role
from meedoen.activities.models import Kind, Status
from meedoen.activities.selectors import ActivityState, activity_list
from meedoen.audits.trace import TraceContext
from meedoen.residents.models import SubjectRequest
from meedoen.residents.services import (
    Acting,
    acting_log,
    portal_log,
    resident_person,
)
from meedoen_data.casework import FamilyError, person_bsns
from meedoen_data.intake.subjects import VaultBusy

#: Longest reason (and motivation) a request or decision takes, in characters.
REASON_MAX = 2000
#: Longest description of what is wrong (a correction).
WHAT_MAX = 1000
#: Months a request may take before it must be decided (AVG art. 12(3)).
DEADLINE_MONTHS = 1

#: What a correction can be about, as a resident recognises it (the source domains).
CORRECTION_SOURCES: dict[str, Promise] = {
    "brp": gettext_lazy("My personal details, address or family (BRP)"),
    "wmo": gettext_lazy("Support at home (Wmo)"),
    "jeugd": gettext_lazy("Youth care (Jeugdwet)"),
    "participatie": gettext_lazy("Income support or benefits (Participatiewet)"),
    "schulden": gettext_lazy("Debt help"),
    "signalen": gettext_lazy("Reports of payment arrears (early signals)"),
    "anders": gettext_lazy("Something else, or I do not know"),
}

#: The privacy officer's queue: which requests it shows.
SHOW_OPEN, SHOW_DECIDED, SHOW_ALL = "open", "besloten", "alle"
SHOW_CHOICES = (SHOW_OPEN, SHOW_DECIDED, SHOW_ALL)


# -- Deadlines -----------------------------------------------------------------------------------


def months_later(day: date, months: int = DEADLINE_MONTHS) -> date:
    """The same day ``months`` calendar months later, or the last day of that month when it is
    shorter (31 January + 1 month = 28 February, or 29 in a leap year)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def request_deadline(*, received: datetime) -> date:
    """The date a request received at ``received`` must be decided by (local calendar date)."""
    return months_later(timezone.localdate(received))


# -- Selectors -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityChoice:
    """An analysis activity a resident can object to, as they see it: name and purpose."""

    id: int
    name: str
    purpose: str


@dataclass(frozen=True)
class RequestView:
    """One request as the pages show it. ``person`` is the resident's BRP pseudonym (for the
    privacy officer: the audit log finds the person by it); the resident's pages do not show
    it."""

    id: int
    person: str
    kind: str
    kind_label: str
    state: str
    state_label: str
    activity_id: int | None
    activity_name: str
    activity_purpose: str
    reason: str
    received_at: datetime
    deadline: date
    overdue: bool
    days_left: int
    decision: str
    decided_by: str
    decided_at: datetime | None

    @property
    def open(self) -> bool:
        return self.state == SubjectRequest.State.RECEIVED

    @property
    def upheld(self) -> bool:
        return self.state == SubjectRequest.State.UPHELD


def objection_activities() -> list[ActivityChoice]:
    """The analysis activities a resident can object to now: approved (not expired) analysis
    activities of the register, by name."""
    return sorted(
        (
            ActivityChoice(state.id, state.name, state.purpose)
            for state in activity_list()
            if state.status == Status.APPROVED and state.kind == Kind.ANALYSE
        ),
        key=lambda choice: (choice.name.lower(), choice.id),
    )


def _views(requests: QuerySet[SubjectRequest]) -> list[RequestView]:
    today = timezone.localdate()
    states: dict[int, ActivityState] = {state.id: state for state in activity_list()}
    out = []
    for request in requests:
        state = states.get(request.activity_id) if request.activity_id else None
        open_ = request.state == SubjectRequest.State.RECEIVED
        out.append(
            RequestView(
                id=request.pk,
                person=request.person,
                kind=request.kind,
                kind_label=str(request.get_kind_display()),
                state=request.state,
                state_label=str(request.get_state_display()),
                activity_id=request.activity_id,
                activity_name=state.name if state else "",
                activity_purpose=state.purpose if state else "",
                reason=request.reason,
                received_at=request.received_at,
                deadline=request.deadline,
                overdue=open_ and request.deadline < today,
                days_left=(request.deadline - today).days,
                decision=request.decision,
                decided_by=request.decided_by,
                decided_at=request.decided_at,
            )
        )
    return out


def requests_of(*, person: str) -> list[RequestView]:
    """A resident's own requests (by their BRP pseudonym), newest first."""
    return _views(SubjectRequest.objects.filter(person=person).order_by("-received_at", "-pk"))


def request_of(*, person: str, request_id: int) -> RequestView:
    """One of the resident's own requests; SubjectRequest.DoesNotExist for any other (also one
    of another resident: the page answers 404, as for a number that does not exist)."""
    request = SubjectRequest.objects.filter(person=person, pk=request_id)
    views = _views(request)
    if not views:
        raise SubjectRequest.DoesNotExist(f"no request {request_id} of this resident")
    return views[0]


def request_queue(*, show: str = SHOW_OPEN) -> list[RequestView]:
    """The privacy officer's queue: open requests first, the nearest deadline first (overdue
    ones on top), then the decided ones, most recently decided first. ``show``: ``open``,
    ``besloten`` (decided) or ``alle``."""
    requests = SubjectRequest.objects.all()
    if show == SHOW_OPEN:
        requests = requests.filter(state=SubjectRequest.State.RECEIVED)
    elif show == SHOW_DECIDED:
        requests = requests.exclude(state=SubjectRequest.State.RECEIVED)
    open_first = Case(
        When(state=SubjectRequest.State.RECEIVED, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    views = _views(requests.order_by(open_first, "deadline", "pk"))
    decided = sorted(
        (v for v in views if not v.open),
        key=lambda v: (v.decided_at or v.received_at, v.id),
        reverse=True,
    )
    return [v for v in views if v.open] + decided


def request_for_officer(
    *,
    request_id: int,
    actor: Actor,
    trace: TraceContext | None = None,
    channel: str = "web",
    client: str = "",
) -> RequestView:
    """One request for the privacy officer (SubjectRequest.DoesNotExist when there is none).
    Its page shows the resident's words and pseudonym: logged as a read
    (``resident.request_read``, the resident as data subject)."""
    started = timezone.now()
    views = _views(SubjectRequest.objects.filter(pk=request_id))
    if not views:
        raise SubjectRequest.DoesNotExist(f"there is no request {request_id}")
    view = views[0]
    portal_log(
        trace=trace,
        user_name=actor.name,
        user_role=actor.role,
        channel=channel,
        client=client,
        operation="resident.request_read",
        subjects=[view.person],
        started=started,
        detail=f"request {view.id}: {view.kind}",
    )
    return view


def requests_open_count() -> int:
    """Requests waiting for the privacy officer's decision (the start page's count)."""
    return SubjectRequest.objects.filter(state=SubjectRequest.State.RECEIVED).count()


def requests_overdue_count() -> int:
    """Open requests past their deadline."""
    return SubjectRequest.objects.filter(
        state=SubjectRequest.State.RECEIVED, deadline__lt=timezone.localdate()
    ).count()


def objection_exclusions(*, activity_id: int) -> list[str]:
    """The BRP pseudonyms of the persons with an upheld objection against the activity: who is
    left out of its store when it is next built."""
    return sorted(
        set(
            SubjectRequest.objects.filter(
                kind=SubjectRequest.Kind.OBJECTION,
                state=SubjectRequest.State.UPHELD,
                activity_id=activity_id,
            ).values_list("person", flat=True)
        )
    )


def objection_excluded_bsns(*, activity_id: int) -> list[str]:
    """The BSNs of :func:`objection_exclusions`, found in the identity zone (the vault): what a
    build of the activity's store leaves out. A person the BRP no longer holds is skipped (their
    pseudonym names nobody any more). Any other failure to read the vault refuses the build
    (ValidationError): an upheld objection is never silently ignored."""
    persons = objection_exclusions(activity_id=activity_id)
    if not persons:
        return []  # the common case: nothing to look up, the vault is not opened
    try:
        bsns = list(person_bsns(home=settings.MEEDOEN_HOME, persons=persons).values())
    except (FamilyError, VaultBusy, duckdb.Error, OSError) as exc:  # no BRP, vault busy
        raise ValidationError(
            _(
                "The store of activity %(id)s is not built: the persons who objected to it "
                "cannot be looked up in the identity vault (%(error)s). Try again later."
            )
            % {"id": activity_id, "error": str(exc).splitlines()[0] if str(exc) else exc},
            code="objection_lookup",
        ) from None
    return sorted(set(bsns))


# -- Services ------------------------------------------------------------------------------------


def _correction_text(*, what: str, source: str, reason: str) -> str:
    """A correction as stored in ``reason``: what is wrong, the source, the resident's reason
    (labels in the site's language, as the privacy officer and the resident read it)."""
    with translation.override(settings.LANGUAGE_CODE):
        return "\n\n".join(
            (
                f"{_('What is wrong')}: {what}",
                f"{_('Source')}: {CORRECTION_SOURCES[source]}",
                f"{_('Reason')}: {reason}",
            )
        )


def request_submit(
    *,
    acting: Acting,
    kind: str,
    reason: str,
    activity_id: int | None = None,
    what: str = "",
    source: str = "",
) -> SubjectRequest:
    """File a resident's request: an objection against an approved analysis activity
    (``activity_id``), or a correction of ``what`` is wrong in ``source``; ``reason`` is
    required. Deadline: one calendar month after today. Logged (``resident.request_submit``,
    the resident as data subject). ValidationError for a request that cannot be filed."""
    person = resident_person(user=acting.user)
    reason = reason.strip()
    what = what.strip()
    if not reason:
        raise ValidationError(_("Write why you make this request."), code="reason")
    if len(reason) > REASON_MAX:
        raise ValidationError(_("Your reason is too long."), code="reason")
    if kind == SubjectRequest.Kind.OBJECTION:
        allowed = {choice.id for choice in objection_activities()}
        if activity_id not in allowed:
            raise ValidationError(_("Choose one of the analyses in the list."), code="activity")
        if SubjectRequest.objects.filter(
            person=person,
            kind=SubjectRequest.Kind.OBJECTION,
            activity_id=activity_id,
            state__in=[SubjectRequest.State.RECEIVED, SubjectRequest.State.UPHELD],
        ).exists():
            raise ValidationError(
                _("You already objected to this analysis. Look at your requests for the state."),
                code="duplicate",
            )
        text = reason
    elif kind == SubjectRequest.Kind.CORRECTION:
        if not what or len(what) > WHAT_MAX:
            raise ValidationError(_("Write what is wrong."), code="what")
        if source not in CORRECTION_SOURCES:
            raise ValidationError(_("Choose where the wrong data is."), code="source")
        activity_id = None
        text = _correction_text(what=what, source=source, reason=reason)
    else:
        raise ValidationError(_("Choose an objection or a correction."), code="kind")
    started = timezone.now()
    with transaction.atomic():
        request = SubjectRequest.objects.create(
            person=person,
            kind=kind,
            activity_id=activity_id,
            reason=text,
            received_at=started,
            deadline=request_deadline(received=started),
        )
        acting_log(
            acting=acting,
            operation="resident.request_submit",
            subjects=[person],
            started=started,
            detail=f"request {request.pk}: {kind}"
            + (f", activity {activity_id}" if activity_id else ""),
        )
    return request


def request_decide(
    *,
    actor: Actor,
    request_id: int,
    upheld: bool,
    motivation: str,
    trace: TraceContext | None = None,
    channel: str = "web",
    client: str = "",
) -> SubjectRequest:
    """The privacy officer upholds or rejects an open request, with a motivation (required).
    An upheld objection excludes the person from the activity's store at its next build.
    Logged (``resident.request_decide``, the resident as data subject).
    SubjectRequest.DoesNotExist for an unknown request; ValidationError when it was decided
    already or the motivation is missing."""
    require_role(actor, Role.PRIVACY_OFFICER)
    motivation = motivation.strip()
    if not motivation:
        raise ValidationError(_("Write the motivation of your decision."), code="motivation")
    if len(motivation) > REASON_MAX:
        raise ValidationError(_("The motivation is too long."), code="motivation")
    started = timezone.now()
    with transaction.atomic():
        request = SubjectRequest.objects.select_for_update().get(pk=request_id)
        if request.state != SubjectRequest.State.RECEIVED:
            raise ValidationError(
                _("This request was decided already (%(state)s).")
                % {"state": request.get_state_display()},
                code="decided",
            )
        request.state = SubjectRequest.State.UPHELD if upheld else SubjectRequest.State.REJECTED
        request.decision = motivation
        request.decided_by = actor.name
        request.decided_at = started
        request.save(update_fields=["state", "decision", "decided_by", "decided_at"])
        portal_log(
            trace=trace,
            user_name=actor.name,
            user_role=actor.role,
            channel=channel,
            client=client,
            operation="resident.request_decide",
            subjects=[request.person],
            started=started,
            detail=f"request {request.pk}: {request.kind} {request.state}"
            + (f", activity {request.activity_id}" if request.activity_id else ""),
        )
    return request
