"""Writes on cases and the family read (issue 20). Roles, caseload and the operational activity
are checked here; views, API and CLI only call these functions.

- A case worker opens a case for themselves; a team lead opens one for a case worker of the
  own team, or assigns an open case to one. One open case per person and team: a second worker
  of the team asks the team lead, or breaks the glass; nothing is said about other teams.
- Break-the-glass: a case worker views a family outside the own caseload for an urgent safety
  situation, with a written reason; the access lasts the day and lands in the privacy
  officer's review queue.
- Every read of person-level data is logged per person shown (``pseudonym-brp``), under the
  case's operational activity, with the case number.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meedoen.accounts.models import User
from meedoen.accounts.roles import Role
from meedoen.activities.actors import Actor, require_role
from meedoen.activities.enforcement import ActivityNotApproved, activity_authorize_operational
from meedoen.activities.selectors import ActivityState
from meedoen.audits.models import ProcessingRecord
from meedoen.audits.services import activity_uri, audit_action
from meedoen.audits.trace import TraceContext
from meedoen.cases.models import BreakGlassReview, Case, Origin
from meedoen.cases.selectors import cases_open, casework_date, source_max_age_days
from meedoen_data.casework import (
    Family,
    FamilyError,
    PersonAmbiguous,
    PersonNotFound,
    caseload_file_rows,
    family_read,
    person_bsn,
    person_find,
    person_pseudonym,
    persons_named,
)
from meedoen_data.intake.subjects import VaultBusy

#: The data-subject type of every casework record: the person's BRP pseudonym, which the
#: privacy officer's and the resident's lookups find by BSN.
SUBJECT_TYPE = "pseudonym-brp"
#: A break-the-glass reason shorter than this is refused: it must say what is urgent.
MIN_BREAK_GLASS_REASON = 20
WORKERS = (Role.CASE_WORKER, Role.TEAM_LEAD)

CASE_OPEN = "casework.case.open"
CASE_ASSIGN = "casework.case.assign"
CASE_CLOSE = "casework.case.close"
FAMILY_READ = "casework.family.read"
CASELOAD_READ = "casework.caseload.read"
CASE_LOAD = "casework.case.load"
#: The reason of a case loaded from the case-management system.
FILE_REASON = "Casus uit het casusregistratiesysteem"
BREAK_GLASS = "casework.break_glass"
BREAK_GLASS_REVIEW = "casework.break_glass.review"


def _log(
    *,
    actor: Actor,
    trace: TraceContext,
    channel: str,
    client: str,
    operation: str,
    activity_id: int,
    subjects: list[str],
    started: datetime,
    detail: str,
    status: str = ProcessingRecord.Status.OK,
) -> None:
    """One action on cases under an operational activity: who, and every person it touched
    (by BRP pseudonym)."""
    audit_action(
        status=status,
        trace=trace,
        user_name=actor.name,
        user_role=actor.role,
        channel=channel,
        client=client,
        operation=operation,
        activity=activity_uri(activity_id),
        subjects={SUBJECT_TYPE: subjects},
        started=started,
        detail=detail,
    )


def _operational(*, activity_id: int, actor: Actor, trace: TraceContext) -> ActivityState:
    """The approved operational activity the actor's role may work under (ValidationError
    naming what is missing otherwise: the pages show it)."""
    try:
        return activity_authorize_operational(
            activity_id=activity_id, role=actor.role, sources=("brp",), trace=trace
        )
    except ActivityNotApproved as exc:
        raise ValidationError(str(exc), code="activity") from None


def _person(*, bsn: str | None, surname: str | None, birth_date: date | None) -> tuple[str, str]:
    """(BSN, BRP pseudonym) of the register's person; ValidationError with the reason."""
    try:
        found = person_find(
            home=settings.MEEDOEN_HOME, bsn=bsn or None, surname=surname, birth_date=birth_date
        )
    except PersonAmbiguous:
        raise ValidationError(
            _("More than one person has this surname and date of birth: open the case by BSN."),
            code="ambiguous",
        ) from None
    except PersonNotFound:
        raise ValidationError(
            _("No person with these details is registered in the BRP delivery."),
            code="not_found",
        ) from None
    except ValueError:
        raise ValidationError(
            _("Give a valid BSN (9 digits, 11-proef), or a surname and a date of birth."),
            code="invalid",
        ) from None
    except (FamilyError, VaultBusy) as exc:
        raise ValidationError(str(exc), code="unavailable") from None
    return found, person_pseudonym(home=settings.MEEDOEN_HOME, bsn=found)


def _worker(*, actor: Actor, username: str) -> User:
    """Whose caseload a new case goes to: the case worker themselves, or a case worker of the
    team lead's own team."""
    assert actor.user is not None
    if actor.role == Role.CASE_WORKER:
        if username and username != actor.user.username:
            raise PermissionDenied(_("A case worker opens cases for themselves only."))
        return actor.user
    worker = User.objects.filter(username=username, role=Role.CASE_WORKER, is_active=True).first()
    if worker is None or not actor.user.team or worker.team != actor.user.team:
        raise ValidationError(_("Choose a case worker of your own team."), code="worker")
    return worker


def _number(case: Case) -> str:
    return f"C{case.start.year}-{case.pk:06d}"


@transaction.atomic
def case_open(
    *,
    actor: Actor,
    activity_id: int,
    reason: str,
    legal_basis: str,
    bsn: str | None = None,
    surname: str | None = None,
    birth_date: date | None = None,
    worker: str = "",
    trace: TraceContext,
    channel: str,
    client: str = "",
) -> Case:
    """A new case for the person with ``bsn`` (or exactly this surname and birth date), on the
    caseload of the actor (a case worker) or of ``worker`` (a team lead's team member)."""
    require_role(actor, *WORKERS)
    started = datetime.now(UTC)
    if not reason.strip():
        raise ValidationError(_("Say why the case is opened."), code="reason")
    if not legal_basis.strip():
        raise ValidationError(_("Name the legal basis of the case."), code="legal_basis")
    state = _operational(activity_id=activity_id, actor=actor, trace=trace)
    owner = _worker(actor=actor, username=worker)
    _bsn, pseudonym = _person(bsn=bsn, surname=surname, birth_date=birth_date)
    today = timezone.localdate()
    # One open case per person and team: the team coordinates (its lead reassigns). Another
    # team may have its own case; saying so would tell whoever asks who is in care elsewhere.
    open_case = _open_cases().filter(person_pseudonym=pseudonym, team=owner.team).first()
    if open_case is not None:
        if open_case.worker_id == owner.pk:
            raise ValidationError(
                _("This person is already on the caseload: case %(number)s."),
                code="duplicate",
                params={"number": open_case.number},
            )
        raise ValidationError(
            _(
                "This person already has an open case with another case worker: ask your team "
                "lead to assign it, or break the glass in an urgent safety situation."
            ),
            code="elsewhere",
        )
    case = Case.objects.create(
        number=f"pending-{secrets.token_hex(12)}",
        person_pseudonym=pseudonym,
        activity_id=state.id,
        reason=reason.strip(),
        legal_basis=legal_basis.strip(),
        worker=owner,
        team=owner.team,
        origin=Origin.OPENED,
        start=today,
        opened_by=actor.name,
    )
    case.number = _number(case)
    case.save(update_fields=["number"])
    _log(
        actor=actor,
        trace=trace,
        channel=channel,
        client=client,
        operation=CASE_OPEN,
        activity_id=case.activity_id,
        subjects=[pseudonym],
        started=started,
        detail=f"case {case.number}: opened for {owner.username}",
    )
    return case


def _open_cases() -> Any:
    today = timezone.localdate()
    return Case.objects.filter(closed_at__isnull=True).exclude(end__lt=today)


def _case_for_team_lead(*, actor: Actor, case_id: int) -> Case:
    case = Case.objects.select_related("worker").get(pk=case_id)
    assert actor.user is not None
    if not actor.user.team or case.team != actor.user.team:
        raise PermissionDenied(_("This case belongs to another team."))
    return case


@transaction.atomic
def case_assign(
    *,
    actor: Actor,
    case_id: int,
    worker: str,
    trace: TraceContext,
    channel: str,
    client: str = "",
) -> Case:
    """A team lead gives an open case of the own team to one of its case workers."""
    require_role(actor, Role.TEAM_LEAD)
    started = datetime.now(UTC)
    case = _case_for_team_lead(actor=actor, case_id=case_id)
    if case.closed_at is not None or case.origin == Origin.BREAK_GLASS:
        raise ValidationError(_("Only an open case can be assigned."), code="closed")
    owner = _worker(actor=actor, username=worker)
    case.worker = owner
    case.save(update_fields=["worker"])
    _log(
        actor=actor,
        trace=trace,
        channel=channel,
        client=client,
        operation=CASE_ASSIGN,
        activity_id=case.activity_id,
        subjects=[case.person_pseudonym],
        started=started,
        detail=f"case {case.number}: assigned to {owner.username}",
    )
    return case


@transaction.atomic
def case_close(
    *, actor: Actor, case_id: int, trace: TraceContext, channel: str, client: str = ""
) -> Case:
    """Close a case: its worker, or the team lead of its team. The family is no longer shown."""
    require_role(actor, *WORKERS)
    started = datetime.now(UTC)
    if actor.role == Role.TEAM_LEAD:
        case = _case_for_team_lead(actor=actor, case_id=case_id)
    else:
        case = Case.objects.get(pk=case_id)
        if case.worker_id != getattr(actor.user, "pk", None):
            raise PermissionDenied(_("This case is not on your caseload."))
    if case.closed_at is not None:
        return case
    case.closed_at = timezone.now()
    case.closed_by = actor.name
    case.end = min(case.end or timezone.localdate(), timezone.localdate())
    case.save(update_fields=["closed_at", "closed_by", "end"])
    _log(
        actor=actor,
        trace=trace,
        channel=channel,
        client=client,
        operation=CASE_CLOSE,
        activity_id=case.activity_id,
        subjects=[case.person_pseudonym],
        started=started,
        detail=f"case {case.number}: closed",
    )
    return case


@transaction.atomic
def break_glass(
    *,
    actor: Actor,
    activity_id: int,
    bsn: str,
    reason: str,
    trace: TraceContext,
    channel: str,
    client: str = "",
) -> Case:
    """Access to a family outside the own caseload, for today only, with a written reason;
    the privacy officer reviews it (:func:`break_glass_review`)."""
    require_role(actor, Role.CASE_WORKER)
    started = datetime.now(UTC)
    if len(reason.strip()) < MIN_BREAK_GLASS_REASON:
        raise ValidationError(
            _(
                "Describe the urgent safety situation in at least %(count)d characters: the "
                "privacy officer reviews every break-the-glass access."
            ),
            code="reason",
            params={"count": MIN_BREAK_GLASS_REASON},
        )
    state = _operational(activity_id=activity_id, actor=actor, trace=trace)
    _bsn, pseudonym = _person(bsn=bsn, surname=None, birth_date=None)
    assert actor.user is not None
    today = timezone.localdate()
    case = Case.objects.create(
        number=f"pending-{secrets.token_hex(12)}",
        person_pseudonym=pseudonym,
        activity_id=state.id,
        reason=reason.strip(),
        legal_basis=state.legal_basis,
        worker=actor.user,
        team=actor.user.team,
        origin=Origin.BREAK_GLASS,
        start=today,
        end=today,
        opened_by=actor.name,
    )
    case.number = f"D{today.year}-{case.pk:06d}"
    case.save(update_fields=["number"])
    BreakGlassReview.objects.create(case=case)
    _log(
        actor=actor,
        trace=trace,
        channel=channel,
        client=client,
        operation=BREAK_GLASS,
        activity_id=case.activity_id,
        subjects=[pseudonym],
        started=started,
        detail=f"case {case.number}: break-the-glass, for review by the privacy officer",
    )
    return case


@transaction.atomic
def break_glass_review(
    *,
    actor: Actor,
    case_id: int,
    justified: bool,
    note: str,
    trace: TraceContext,
    channel: str,
    client: str = "",
) -> BreakGlassReview:
    """The privacy officer's finding on a break-the-glass access (a note is required when it
    was not justified: what follows)."""
    require_role(actor, Role.PRIVACY_OFFICER)
    started = datetime.now(UTC)
    review = BreakGlassReview.objects.select_related("case").get(case_id=case_id)
    if review.reviewed_at is not None:
        raise ValidationError(_("This access has been reviewed already."), code="reviewed")
    if not justified and not note.strip():
        raise ValidationError(_("Say what follows from an unjustified access."), code="note")
    review.reviewed_by = actor.name
    review.reviewed_at = timezone.now()
    review.justified = justified
    review.note = note.strip()
    review.save()
    _log(
        actor=actor,
        trace=trace,
        channel=channel,
        client=client,
        operation=BREAK_GLASS_REVIEW,
        activity_id=review.case.activity_id,
        subjects=[],
        started=started,
        detail=f"case {review.case.number}: {'justified' if justified else 'not justified'}",
    )
    return review


@dataclass(frozen=True)
class FamilyView:
    case: Case
    activity: ActivityState
    family: Family


def case_own_open(*, actor: Actor, case_id: int, closed: str) -> Case:
    """An open case on the actor's own caseload (a team lead's too: only the own caseload).
    PermissionDenied for another's case, or with ``closed`` as the message for a closed one;
    ObjectDoesNotExist for no case."""
    require_role(actor, *WORKERS)
    case = Case.objects.select_related("worker").get(pk=case_id)
    if case.worker_id != getattr(actor.user, "pk", None):
        raise PermissionDenied(_("This case is not on your caseload."))
    today = timezone.localdate()
    if case.closed_at is not None or (case.end is not None and case.end < today):
        raise PermissionDenied(closed)
    return case


def case_family_read(
    *, case: Case, state: ActivityState, sources: Collection[str] | None = None
) -> Family:
    """The family of the case's person today, as far as the activity's sources allow and
    ``sources`` asks (default: all of them; ``("brp",)``: who the family is, no help read).
    The caller logs the read. ValidationError when the register or the vault cannot be read."""
    allowed = [s for s in state.sources if sources is None or s in sources]
    try:
        bsn = person_bsn(home=settings.MEEDOEN_HOME, person=case.person_pseudonym)
        return family_read(
            home=settings.MEEDOEN_HOME,
            bsn=bsn,
            on=casework_date(),
            allowed=allowed,
            max_age_days=source_max_age_days(),
            now=datetime.now(UTC).replace(tzinfo=None),
        )
    except (FamilyError, VaultBusy) as exc:
        raise ValidationError(str(exc), code="unavailable") from None


def family_view(
    *, actor: Actor, case_id: int, trace: TraceContext, channel: str, client: str = ""
) -> FamilyView:
    """The family of an open case on the actor's own caseload, under its operational activity;
    one processing record per member shown. PermissionDenied for anyone else's case (a team
    lead reads families only of cases on the own caseload too); ObjectDoesNotExist for no case;
    ValidationError when the activity or the sources do not allow it now."""
    case = case_own_open(
        actor=actor,
        case_id=case_id,
        closed=_("This case is closed: its family is no longer shown."),
    )
    state = _operational(activity_id=case.activity_id, actor=actor, trace=trace)
    started = datetime.now(UTC)
    family = case_family_read(case=case, state=state)
    _log(
        actor=actor,
        trace=trace,
        channel=channel,
        client=client,
        operation=FAMILY_READ,
        activity_id=case.activity_id,
        subjects=family.subjects,
        started=started,
        detail=f"case {case.number}: {len(family.members)} members shown ({case.origin})",
    )
    return FamilyView(case=case, activity=state, family=family)


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    closed: int = 0
    unchanged: int = 0
    #: (case number, why the row was not loaded): never a BSN or a name.
    skipped: list[tuple[str, str]] = field(default_factory=list)


@transaction.atomic
def cases_load(
    *, actor: Actor, activity_id: int, trace: TraceContext, channel: str, client: str = ""
) -> LoadReport:
    """Turn the newest ``casus`` delivery into cases: new case numbers open a case on the
    named case worker's caseload (origin "file"), known ones follow the file (worker, team,
    end), and a case of the file that is no longer in it, or whose end date has passed, is
    closed. A team lead loads the rows of the own team; the workspace operator all of them.
    Logged as one action with every person of a row loaded."""
    require_role(actor, Role.TEAM_LEAD, operator=True)
    started = datetime.now(UTC)
    try:
        state = activity_authorize_operational(
            activity_id=activity_id, role=Role.CASE_WORKER, sources=("brp",), trace=trace
        )
    except ActivityNotApproved as exc:
        raise ValidationError(str(exc), code="activity") from None
    try:
        rows = caseload_file_rows(home=settings.MEEDOEN_HOME)
    except (FamilyError, VaultBusy) as exc:
        raise ValidationError(str(exc), code="unavailable") from None
    team = actor.user.team if actor.user is not None else None
    if team is not None:
        rows = [row for row in rows if row.team == team]
    workers = {
        u.username: u
        for u in User.objects.filter(
            username__in={row.worker for row in rows}, role=Role.CASE_WORKER, is_active=True
        )
    }
    report = LoadReport()
    today = timezone.localdate()
    now = timezone.now()
    persons: list[str] = []
    numbers: set[str] = set()
    for row in rows:
        numbers.add(row.number)
        worker = workers.get(row.worker)
        if worker is None:
            report.skipped.append((row.number, "no active case worker with this user name"))
            continue
        pseudonym = person_pseudonym(home=settings.MEEDOEN_HOME, bsn=row.bsn)
        ended = row.end is not None and row.end < today
        case = Case.objects.filter(number=row.number).first()
        if case is None:
            if ended:
                report.unchanged += 1
                continue
            Case.objects.create(
                number=row.number,
                person_pseudonym=pseudonym,
                activity_id=state.id,
                reason=FILE_REASON,
                legal_basis=state.legal_basis,
                worker=worker,
                team=row.team,
                origin=Origin.FILE,
                start=row.start,
                end=row.end,
                opened_by=actor.name,
            )
            report.created += 1
            persons.append(pseudonym)
            continue
        if case.origin != Origin.FILE or case.person_pseudonym != pseudonym:
            report.skipped.append((row.number, "a case with this number was opened otherwise"))
            continue
        changed = (case.worker_id, case.team, case.end) != (worker.pk, row.team, row.end)
        case.worker, case.team, case.end = worker, row.team, row.end
        if ended and case.closed_at is None:
            case.closed_at, case.closed_by = now, actor.name
            report.closed += 1
        elif changed:
            report.updated += 1
        else:
            report.unchanged += 1
        case.save()
        persons.append(pseudonym)
    gone = Case.objects.filter(origin=Origin.FILE, closed_at__isnull=True).exclude(
        number__in=numbers
    )
    if team is not None:
        gone = gone.filter(team=team)
    for case in gone:
        case.closed_at, case.closed_by = now, actor.name
        case.end = min(case.end or today, today)
        case.save(update_fields=["closed_at", "closed_by", "end"])
        report.closed += 1
        persons.append(case.person_pseudonym)
    _log(
        actor=actor,
        trace=trace,
        channel=channel,
        client=client,
        operation=CASE_LOAD,
        activity_id=state.id,
        subjects=sorted(set(persons)),
        started=started,
        detail=(
            f"{report.created} opened, {report.updated} changed, {report.closed} closed, "
            f"{len(report.skipped)} skipped"
        ),
    )
    return report


@dataclass(frozen=True)
class CaseRow:
    case: Case
    name: str  # empty when the register no longer holds the person, or the vault is busy
    birth_date: date | None


def caseload_read(
    *, actor: Actor, trace: TraceContext, channel: str, client: str = ""
) -> tuple[list[CaseRow], str]:
    """The open cases of the actor's caseload (a team lead: of the team) with the names of
    their persons, read from the vault and logged per person under each case's activity.
    Returns the rows and a problem to show (the vault busy: names left out)."""
    require_role(actor, *WORKERS)
    assert actor.user is not None
    cases = cases_open(user=actor.user)
    started = datetime.now(UTC)
    problem = ""
    try:
        named = persons_named(
            home=settings.MEEDOEN_HOME, persons=[c.person_pseudonym for c in cases]
        )
    except (FamilyError, VaultBusy) as exc:
        named, problem = {}, str(exc)
    by_activity: dict[int, list[str]] = {}
    for case in cases:
        if case.person_pseudonym in named:
            by_activity.setdefault(case.activity_id, []).append(case.person_pseudonym)
    for activity_id, persons in sorted(by_activity.items()):
        _log(
            actor=actor,
            trace=trace,
            channel=channel,
            client=client,
            operation=CASELOAD_READ,
            activity_id=activity_id,
            subjects=sorted(set(persons)),
            started=started,
            detail=f"{len(persons)} cases listed with names",
        )
    rows = [CaseRow(case, *named.get(case.person_pseudonym, ("", None))) for case in cases]
    return rows, problem


__all__ = [
    "CaseRow",
    "FamilyView",
    "break_glass",
    "break_glass_review",
    "case_assign",
    "case_close",
    "case_open",
    "caseload_read",
    "cases_load",
    "family_view",
]
