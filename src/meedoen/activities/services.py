"""Writes on the register: request, approve, refuse, revoke. Roles are checked here.

Every change adds a version; nothing is edited in place. The analyst who requests is never the
privacy officer who decides (one role per account).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from meedoen.accounts.models import User
from meedoen.accounts.roles import Role
from meedoen.activities.actors import Actor, require_role
from meedoen.activities.enforcement import activity_purge
from meedoen.activities.floors import DEFAULT_FLOOR, Floor
from meedoen.activities.models import (
    OPERATIONAL_ROLES,
    PURPOSE_BOUND,
    PURPOSE_BOUND_TEXT,
    ActivityVersion,
    Kind,
    ProcessingActivity,
    ReviewerGrant,
    Status,
    Task,
)
from meedoen.activities.selectors import ActivityState, activity_checklist, activity_current
from meedoen.audits.services import audit_governance
from meedoen.audits.trace import TraceContext
from meedoen_data.activity_store import activity_key_create
from meedoen_data.categories import CategoryError, categories_check
from meedoen_data.workspace import SOURCE_DOMAINS

__all__ = [
    "Actor",
    "activity_amend",
    "activity_approve",
    "activity_refuse",
    "activity_request",
    "activity_revoke",
    "reviewer_grant",
    "reviewer_withdraw",
]

EXTRA_DOMAINS = ("bag",)
#: The audit log's operation for each decision of the privacy officer.
DECISION_OPERATIONS = {
    Status.APPROVED: "activity.approve",
    Status.REFUSED: "activity.refuse",
    Status.REVOKED: "activity.revoke",
}


def _check_sources(sources: list[str]) -> list[str]:
    cleaned = sorted({s.strip().lower() for s in sources if s.strip()})
    if not cleaned:
        raise ValidationError(_("name at least one source domain"), code="no_sources")
    unknown = [
        s
        for s in cleaned
        if s not in SOURCE_DOMAINS and s not in EXTRA_DOMAINS and not s.startswith("partner-")
    ]
    if unknown:
        known = ", ".join([*SOURCE_DOMAINS, *EXTRA_DOMAINS, "partner-NAME"])
        raise ValidationError(
            _("unknown source domain %(unknown)s; use %(known)s"),
            code="unknown_source",
            params={"unknown": ", ".join(unknown), "known": known},
        )
    return cleaned


def _check_kind(kind: str, roles: Iterable[str]) -> tuple[str, list[str]]:
    """The kind (``analyse`` or ``uitvoering``) and, for an operational activity, its roles in
    the order of ``OPERATIONAL_ROLES``; an analysis has none."""
    kind = (kind or "").strip().lower()
    if kind not in Kind.values:
        raise ValidationError(
            _("unknown kind of activity %(kind)s; use %(known)s"),
            code="unknown_kind",
            params={"kind": repr(kind), "known": ", ".join(Kind.values)},
        )
    cleaned = {r.strip().lower() for r in roles if r.strip()}
    if kind == Kind.ANALYSE:
        if cleaned:
            raise ValidationError(
                _("roles apply only to an operational activity (uitvoering); an analysis has none"),
                code="roles_for_analysis",
            )
        return kind, []
    unknown = sorted(cleaned - set(OPERATIONAL_ROLES))
    if unknown:
        raise ValidationError(
            _("unknown role %(unknown)s; an operational activity allows %(known)s"),
            code="unknown_role",
            params={"unknown": ", ".join(unknown), "known": ", ".join(OPERATIONAL_ROLES)},
        )
    if not cleaned:
        raise ValidationError(
            _(
                "name at least one role that may work under an operational activity "
                "(uitvoering): %(known)s"
            ),
            code="no_roles",
            params={"known": ", ".join(OPERATIONAL_ROLES)},
        )
    return kind, [r for r in OPERATIONAL_ROLES if r in cleaned]


def _check_task(task: str, sources: Sequence[str]) -> str:
    """The statutory task, if it is one of ``Task``; refused when a purpose-bound source among
    ``sources`` (``PURPOSE_BOUND``: the early-warning signals, for debt help only) is bound to
    another task (doelbinding)."""
    task = (task or "").strip().lower()
    if task not in Task.values:
        raise ValidationError(
            _("unknown task %(task)s; leave it empty or use %(known)s"),
            code="unknown_task",
            params={"task": repr(task), "known": ", ".join(t for t in Task.values if t)},
        )
    for source in sources:
        bound = PURPOSE_BOUND.get(source)
        if bound is not None and bound != task:
            what, only_for = PURPOSE_BOUND_TEXT[source]
            raise ValidationError(
                _(
                    "the source %(source)s (%(what)s) may only be used for %(only_for)s: choose "
                    "the task %(task)s or leave %(source)s out"
                ),
                code="purpose_bound",
                params={"source": source, "what": what, "only_for": only_for, "task": bound},
            )
    return task


def _content(
    *,
    name: str,
    purpose: str,
    legal_basis: str,
    sources: list[str],
    retention_days: int,
    data_categories: str,
    recipients: str,
    dpia_reference: str,
    columns: Sequence[str] = (),
    fine_columns: Sequence[str] = (),
    fine_reason: str = "",
    kind: str = Kind.ANALYSE,
    roles: Iterable[str] = (),
    task: str = Task.NONE,
) -> dict[str, object]:
    """The checked content of a version: what the analyst asks the privacy officer for. No
    ``columns`` means every column of the sources, written out so the officer sees them. An
    operational activity (``uitvoering``) has no store: its sources are what a case's family
    view may show, and columns and finer detail do not apply (ignored, stored empty). A
    purpose-bound source needs the ``task`` it is bound to (either kind)."""
    if retention_days < 1:
        raise ValidationError(_("the retention period must be at least one day"), code="retention")
    for empty, value in (
        (_("the name may not be empty"), name),
        (_("the purpose may not be empty"), purpose),
        (_("the legal basis may not be empty"), legal_basis),
    ):
        if not value.strip():
            raise ValidationError(empty, code="empty")
    kind, checked_roles = _check_kind(kind, roles)
    checked_sources = _check_sources(sources)
    checked_task = _check_task(task, checked_sources)
    chosen: list[str] = []
    fine: list[str] = []
    if kind == Kind.ANALYSE:
        try:
            chosen, fine = categories_check(
                sources=checked_sources, columns=columns, fine=fine_columns, reason=fine_reason
            )
        except CategoryError as exc:
            raise ValidationError(str(exc)) from None
    return {
        "name": name.strip(),
        "kind": kind,
        "roles": checked_roles,
        "task": checked_task,
        "purpose": purpose.strip(),
        "legal_basis": legal_basis.strip(),
        "sources": checked_sources,
        "columns": chosen,
        "fine_columns": fine,
        "fine_reason": fine_reason.strip() if fine else "",
        "data_categories": data_categories.strip(),
        "recipients": recipients.strip(),
        "retention_days": retention_days,
        "dpia_reference": dpia_reference.strip(),
    }


@transaction.atomic
def activity_request(
    *,
    actor: Actor,
    name: str,
    purpose: str,
    legal_basis: str,
    sources: list[str],
    retention_days: int,
    data_categories: str = "",
    recipients: str = "",
    dpia_reference: str = "",
    columns: Sequence[str] = (),
    fine_columns: Sequence[str] = (),
    fine_reason: str = "",
    kind: str = Kind.ANALYSE,
    roles: Iterable[str] = (),
    task: str = Task.NONE,
    trace: TraceContext | None = None,
    channel: str = "cli",
) -> ProcessingActivity:
    """A new activity, status requested (analysts, among them the information adviser); logged
    as ``activity.request``. ``kind`` is ``analyse`` (the default) or ``uitvoering``: an
    operational activity, under which ``roles`` (at least one of ``OPERATIONAL_ROLES``) may see
    the approved sources of a case's family on their own caseload; it can never be used for
    analysis. ``task`` is the statutory task it serves (``Task``): a source bound by law to one
    task (``PURPOSE_BOUND``: the early-warning signals, debt help only) is refused
    (``purpose_bound``) for an activity of another task."""
    require_role(actor, Role.ANALYST)
    content = _content(
        name=name,
        purpose=purpose,
        legal_basis=legal_basis,
        sources=sources,
        retention_days=retention_days,
        data_categories=data_categories,
        recipients=recipients,
        dpia_reference=dpia_reference,
        columns=columns,
        fine_columns=fine_columns,
        fine_reason=fine_reason,
        kind=kind,
        roles=roles,
        task=task,
    )
    activity = ProcessingActivity.objects.create()
    ActivityVersion.objects.create(
        activity=activity,
        number=1,
        status=Status.REQUESTED,
        acted_by=actor.name,
        acted_by_user=actor.user,
        **content,
    )
    audit_governance(
        trace=trace or TraceContext.start(),
        actor=actor,
        channel=channel,
        operation="activity.request",
        activity_id=activity.pk,
        detail="version 1",
    )
    return activity


@transaction.atomic
def activity_amend(
    *,
    activity_id: int,
    actor: Actor,
    name: str,
    purpose: str,
    legal_basis: str,
    sources: list[str],
    retention_days: int,
    data_categories: str = "",
    recipients: str = "",
    dpia_reference: str = "",
    columns: Sequence[str] = (),
    fine_columns: Sequence[str] = (),
    fine_reason: str = "",
    kind: str = Kind.ANALYSE,
    roles: Iterable[str] = (),
    task: str = Task.NONE,
    note: str = "",
    trace: TraceContext | None = None,
    channel: str = "cli",
) -> ActivityVersion:
    """A changed request (analysts): a new version with the new content, status requested, so
    the privacy officer decides again and sees what changed. Only requested or refused
    activities can be amended; an approved one is replaced by a new request. The ``task`` is
    checked against the sources as in :func:`activity_request`."""
    require_role(actor, Role.ANALYST)
    current = activity_current(activity_id=activity_id)
    if current.status not in {Status.REQUESTED, Status.REFUSED}:
        raise ValidationError(
            _(
                "activity %(id)s is %(status)s; only requested or refused activities can be "
                "amended — request a new activity instead"
            ),
            code="not_amendable",
            params={"id": activity_id, "status": Status(current.status).label},
        )
    content = _content(
        name=name,
        purpose=purpose,
        legal_basis=legal_basis,
        sources=sources,
        retention_days=retention_days,
        data_categories=data_categories,
        recipients=recipients,
        dpia_reference=dpia_reference,
        columns=columns,
        fine_columns=fine_columns,
        fine_reason=fine_reason,
        kind=kind,
        roles=roles,
        task=task,
    )
    unchanged = all(getattr(current, field) == value for field, value in content.items())
    if unchanged and current.status == Status.REQUESTED:
        raise ValidationError(_("nothing was changed"), code="unchanged")
    amended = ActivityVersion.objects.create(
        activity_id=activity_id,
        number=current.number + 1,
        status=Status.REQUESTED,
        motivation=note.strip(),
        acted_by=actor.name,
        acted_by_user=actor.user,
        **content,
    )
    audit_governance(
        trace=trace or TraceContext.start(),
        actor=actor,
        channel=channel,
        operation="activity.amend",
        activity_id=activity_id,
        detail=f"version {amended.number}",
    )
    return amended


def _next(
    activity_id: int,
    *,
    actor: Actor,
    status: Status,
    motivation: str,
    allowed_from: set[str],
    version: int | None = None,
    floor: Floor | None = None,
    trace: TraceContext | None = None,
    channel: str = "cli",
) -> ActivityVersion:
    """The privacy officer's decision as a new version, and as an audit record
    (``activity.approve``/``refuse``/``revoke``: the officer, the version decided on and, for an
    approval, the floors). ``version`` is the version the officer
    read: a decision on a request that changed since is refused."""
    require_role(actor, Role.PRIVACY_OFFICER)
    if not motivation.strip():
        raise ValidationError(_("give a motivation"), code="no_motivation")
    current = activity_current(activity_id=activity_id)
    if current.status not in allowed_from:
        raise ValidationError(
            _("activity %(id)s is %(status)s; only %(allowed)s activities can become %(new)s"),
            code="wrong_status",
            params={
                "id": activity_id,
                "status": Status(current.status).label,
                "allowed": _alternatives([Status(s).label for s in sorted(allowed_from)]),
                "new": status.label,
            },
        )
    if version is not None and version != current.number:
        raise ValidationError(
            _(
                "the request changed; review it again: you decided on version %(version)s of "
                "activity %(id)s, its current version is %(current)s"
            ),
            code="request_changed",
            params={"version": version, "id": activity_id, "current": current.number},
        )
    if status == Status.APPROVED:
        _require_complete(current)
    decided = ActivityVersion.objects.select_for_update().get(pk=current.pk)
    if ActivityVersion.objects.filter(activity_id=activity_id, number__gt=decided.number).exists():
        raise ValidationError(
            _("the request changed; review it again: activity %(id)s has a newer version"),
            code="request_changed",
            params={"id": activity_id},
        )
    decided.pk = None
    decided.number = current.number + 1
    decided.status = status
    decided.motivation = motivation.strip()
    decided.acted_by = actor.name
    decided.acted_by_user = actor.user
    # An operational activity publishes nothing: it has no floors.
    analysis = decided.kind != Kind.UITVOERING
    if status == Status.APPROVED:
        decided.valid_until = timezone.localdate() + timedelta(days=decided.retention_days)
        decided.disclosure_floor = (floor or DEFAULT_FLOOR).as_dict() if analysis else {}
    decided.save(force_insert=True)
    detail = f"version {decided.number} on version {current.number}"
    if status == Status.APPROVED and analysis:
        detail += f"; floor: {(floor or DEFAULT_FLOOR).describe()}"
    elif status == Status.APPROVED:
        detail += f"; operational, roles: {', '.join(decided.roles)}"
    audit_governance(
        trace=trace or TraceContext.start(),
        actor=actor,
        channel=channel,
        operation=DECISION_OPERATIONS[status],
        activity_id=activity_id,
        detail=detail,
    )
    return decided


#: What an incomplete request lacks, in the refusal of an approval (command line and API).
#: Joins alternatives in a message ("requested or refused").
OR = _(" or ")


def _alternatives(items: Sequence[object]) -> object:
    """``a or b or c``, translated when it is shown (lazily, as the message it is part of)."""
    if not items:
        return ""
    args: list[object] = [items[0]]
    for item in items[1:]:
        args += [OR, item]
    return format_lazy("{}" * len(args), *args)


CHECKLIST_MISSING = {
    "data_categories": _("its data categories"),
    "recipients": _("its recipients and roles"),
    "dpia_reference": _("a DPIA reference or why none is needed"),
    "retention_days": _("a retention period"),
    "roles": _("the roles that may work under it"),
    "purpose_binding": _("a task its purpose-bound sources may be used for"),
}


def _require_complete(state: ActivityState) -> None:
    """An approval needs every point of the checklist stated (``activity_checklist``)."""
    missing = [item.key for item in activity_checklist(state=state) if not item.complete]
    if missing:
        raise ValidationError(
            _(
                "activity %(id)s cannot be approved: the request does not state %(missing)s; "
                "the analyst completes it (meedoen activity amend, or Wijzigen on its page)"
            ),
            code="checklist_incomplete",
            params={
                "id": state.id,
                "missing": format_lazy(
                    ", ".join(["{}"] * len(missing)), *(CHECKLIST_MISSING[k] for k in missing)
                ),
            },
        )


@transaction.atomic
def activity_approve(
    *,
    activity_id: int,
    actor: Actor,
    motivation: str,
    version: int | None,
    floor: Floor | None = None,
    trace: TraceContext | None = None,
    channel: str = "cli",
) -> ActivityVersion:
    """Approve version ``version`` of a requested activity (the one the officer read), with the
    floors for its publications (default: CBS's); its key (for activity-scoped pseudonyms) is
    created now. Refused while the request lacks a point of the checklist
    (``activity_checklist``: data categories, recipients, DPIA or why none, retention)."""
    if version is None:
        raise ValidationError(
            _("name the version you approve (the request may have changed)"), code="no_version"
        )
    decided = _next(
        activity_id,
        actor=actor,
        status=Status.APPROVED,
        motivation=motivation,
        allowed_from={Status.REQUESTED},
        version=version,
        floor=floor,
        trace=trace,
        channel=channel,
    )
    activity_key_create(home=settings.MEEDOEN_HOME, activity_id=activity_id)
    return decided


@transaction.atomic
def activity_refuse(
    *,
    activity_id: int,
    actor: Actor,
    motivation: str,
    version: int | None,
    trace: TraceContext | None = None,
    channel: str = "cli",
) -> ActivityVersion:
    """Refuse version ``version`` of a requested activity (the one the officer read): a request
    amended since is not refused unread."""
    if version is None:
        raise ValidationError(
            _("name the version you refuse (the request may have changed)"), code="no_version"
        )
    return _next(
        activity_id,
        actor=actor,
        status=Status.REFUSED,
        motivation=motivation,
        allowed_from={Status.REQUESTED},
        version=version,
        trace=trace,
        channel=channel,
    )


def activity_revoke(
    *,
    activity_id: int,
    actor: Actor,
    motivation: str,
    trace: TraceContext | None = None,
    channel: str = "cli",
) -> ActivityVersion:
    """Revoke an approved activity and delete everything derived under it (see
    ``activity_purges`` for what was deleted). If the deletion is interrupted, the retention
    job finishes it."""
    trace = trace or TraceContext.start()
    with transaction.atomic():
        version = _next(
            activity_id,
            actor=actor,
            status=Status.REVOKED,
            motivation=motivation,
            allowed_from={Status.APPROVED},
            trace=trace,
            channel=channel,
        )
    activity_purge(
        activity_id=activity_id,
        actor=actor,
        reason=Status.REVOKED,
        trace=trace,
        channel=channel,
    )
    return version


@transaction.atomic
def reviewer_grant(
    *,
    activity_id: int,
    username: str,
    actor: Actor,
    trace: TraceContext | None = None,
    channel: str = "cli",
) -> ReviewerGrant:
    """Let analyst ``username`` review the uncertain links of an approved activity (privacy
    officer). The review pages show names, birth dates and addresses of the partner's record
    and its candidates; only analysts granted this may open them."""
    require_role(actor, Role.PRIVACY_OFFICER)
    state = activity_current(activity_id=activity_id)
    if state.status != Status.APPROVED:
        raise ValidationError(
            _("activity %(id)s is %(status)s: reviewers are granted on approved activities only"),
            code="not_approved",
            params={"id": activity_id, "status": Status(state.status).label},
        )
    if state.operational:
        raise ValidationError(
            _(
                "activity %(id)s is an operational activity (uitvoering): it links nothing, so "
                "it has no links to review"
            ),
            code="operational",
            params={"id": activity_id},
        )
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None or user.role != Role.ANALYST:
        raise ValidationError(
            _("%(user)s is not an active analyst: only analysts review links"),
            code="not_analyst",
            params={"user": repr(username)},
        )
    existing = ReviewerGrant.objects.filter(
        activity_id=activity_id, user=user, withdrawn_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    grant = ReviewerGrant.objects.create(activity_id=activity_id, user=user, granted_by=actor.name)
    audit_governance(
        trace=trace or TraceContext.start(),
        actor=actor,
        channel=channel,
        operation="activity.reviewer_grant",
        activity_id=activity_id,
        detail=f"reviewer {username}",
    )
    return grant


@transaction.atomic
def reviewer_withdraw(
    *,
    activity_id: int,
    username: str,
    actor: Actor,
    trace: TraceContext | None = None,
    channel: str = "cli",
) -> int:
    """Withdraw the reviewer grant of ``username`` on the activity (privacy officer); returns
    how many grants ended (0 when there was none)."""
    require_role(actor, Role.PRIVACY_OFFICER)
    ended = ReviewerGrant.objects.filter(
        activity_id=activity_id, user__username=username, withdrawn_at__isnull=True
    ).update(withdrawn_at=timezone.now(), withdrawn_by=actor.name)
    if ended:
        audit_governance(
            trace=trace or TraceContext.start(),
            actor=actor,
            channel=channel,
            operation="activity.reviewer_withdraw",
            activity_id=activity_id,
            detail=f"reviewer {username}",
        )
    return ended
