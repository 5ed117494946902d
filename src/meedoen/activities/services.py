"""Writes on the register: request, approve, refuse, revoke. Roles are checked here.

Every change adds a version; nothing is edited in place. The analyst who requests is never the
privacy officer who decides (one role per account).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from meedoen.accounts.roles import Role
from meedoen.activities.actors import Actor, require_role
from meedoen.activities.models import ActivityVersion, ProcessingActivity, Status
from meedoen.activities.selectors import activity_current
from meedoen.activities.stores import activity_purge
from meedoen.audits.trace import TraceContext
from meedoen_data.activity_store import activity_key_create
from meedoen_data.workspace import SOURCE_DOMAINS

__all__ = [
    "Actor",
    "activity_amend",
    "activity_approve",
    "activity_refuse",
    "activity_request",
    "activity_revoke",
]

EXTRA_DOMAINS = ("bag",)


def _check_sources(sources: list[str]) -> list[str]:
    cleaned = sorted({s.strip().lower() for s in sources if s.strip()})
    if not cleaned:
        raise ValidationError("name at least one source domain")
    unknown = [
        s
        for s in cleaned
        if s not in SOURCE_DOMAINS and s not in EXTRA_DOMAINS and not s.startswith("partner-")
    ]
    if unknown:
        known = ", ".join([*SOURCE_DOMAINS, *EXTRA_DOMAINS, "partner-NAME"])
        raise ValidationError(f"unknown source domain {', '.join(unknown)}; use {known}")
    return cleaned


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
) -> dict[str, object]:
    """The checked content of a version: what the analyst asks the privacy officer for."""
    if retention_days < 1:
        raise ValidationError("the retention period must be at least one day")
    for label, value in (("name", name), ("purpose", purpose), ("legal basis", legal_basis)):
        if not value.strip():
            raise ValidationError(f"the {label} may not be empty")
    return {
        "name": name.strip(),
        "purpose": purpose.strip(),
        "legal_basis": legal_basis.strip(),
        "sources": _check_sources(sources),
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
) -> ProcessingActivity:
    """A new activity, status requested (analysts)."""
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
    note: str = "",
) -> ActivityVersion:
    """A changed request (analysts): a new version with the new content, status requested, so
    the privacy officer decides again and sees what changed. Only requested or refused
    activities can be amended; an approved one is replaced by a new request."""
    require_role(actor, Role.ANALYST)
    current = activity_current(activity_id=activity_id)
    if current.status not in {Status.REQUESTED, Status.REFUSED}:
        raise ValidationError(
            f"activity {activity_id} is {current.status}; only requested or refused activities "
            "can be amended — request a new activity instead"
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
    )
    unchanged = all(getattr(current, field) == value for field, value in content.items())
    if unchanged and current.status == Status.REQUESTED:
        raise ValidationError("nothing was changed")
    return ActivityVersion.objects.create(
        activity_id=activity_id,
        number=current.number + 1,
        status=Status.REQUESTED,
        motivation=note.strip(),
        acted_by=actor.name,
        acted_by_user=actor.user,
        **content,
    )


def _next(
    activity_id: int, *, actor: Actor, status: Status, motivation: str, allowed_from: set[str]
) -> ActivityVersion:
    require_role(actor, Role.PRIVACY_OFFICER)
    if not motivation.strip():
        raise ValidationError("give a motivation")
    current = activity_current(activity_id=activity_id)
    if current.status not in allowed_from:
        raise ValidationError(
            f"activity {activity_id} is {current.status}; only {' or '.join(sorted(allowed_from))}"
            f" activities can become {status.value}"
        )
    version = ActivityVersion.objects.get(pk=current.pk)
    version.pk = None
    version.number = current.number + 1
    version.status = status
    version.motivation = motivation.strip()
    version.acted_by = actor.name
    version.acted_by_user = actor.user
    if status == Status.APPROVED:
        version.valid_until = timezone.localdate() + timedelta(days=version.retention_days)
    version.save(force_insert=True)
    return version


@transaction.atomic
def activity_approve(*, activity_id: int, actor: Actor, motivation: str) -> ActivityVersion:
    """Approve a requested activity; its key (for activity-scoped pseudonyms) is created now."""
    version = _next(
        activity_id,
        actor=actor,
        status=Status.APPROVED,
        motivation=motivation,
        allowed_from={Status.REQUESTED},
    )
    activity_key_create(home=settings.MEEDOEN_HOME, activity_id=activity_id)
    return version


@transaction.atomic
def activity_refuse(*, activity_id: int, actor: Actor, motivation: str) -> ActivityVersion:
    return _next(
        activity_id,
        actor=actor,
        status=Status.REFUSED,
        motivation=motivation,
        allowed_from={Status.REQUESTED},
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
    with transaction.atomic():
        version = _next(
            activity_id,
            actor=actor,
            status=Status.REVOKED,
            motivation=motivation,
            allowed_from={Status.APPROVED},
        )
    activity_purge(
        activity_id=activity_id,
        actor=actor,
        reason=Status.REVOKED,
        trace=trace or TraceContext.start(),
        channel=channel,
    )
    return version
