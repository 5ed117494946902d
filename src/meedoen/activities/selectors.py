"""Reads on the register. Expiry is computed: an approval past its end date is expired."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from meedoen.activities.models import ActivityPurge, ActivityVersion, Status


@dataclass(frozen=True)
class ActivityState:
    pk: int
    id: int
    number: int
    name: str
    purpose: str
    legal_basis: str
    sources: list[str]
    retention_days: int
    status: str
    valid_until: date | None
    motivation: str
    acted_by: str


def _state(version: ActivityVersion, today: date) -> ActivityState:
    status = version.status
    if status == Status.APPROVED and version.valid_until and version.valid_until < today:
        status = Status.EXPIRED
    return ActivityState(
        pk=version.pk,
        id=version.activity_id,
        number=version.number,
        name=version.name,
        purpose=version.purpose,
        legal_basis=version.legal_basis,
        sources=list(version.sources),
        retention_days=version.retention_days,
        status=status,
        valid_until=version.valid_until,
        motivation=version.motivation,
        acted_by=version.acted_by,
    )


def activity_current(*, activity_id: int) -> ActivityState:
    version = ActivityVersion.objects.filter(activity_id=activity_id).order_by("-number").first()
    if version is None:
        raise ObjectDoesNotExist(f"there is no activity {activity_id}")
    return _state(version, timezone.localdate())


def activity_list() -> list[ActivityState]:
    today = timezone.localdate()
    latest: dict[int, ActivityVersion] = {}
    for version in ActivityVersion.objects.order_by("activity_id", "number"):
        latest[version.activity_id] = version
    return [_state(v, today) for v in latest.values()]


def activity_history(*, activity_id: int) -> list[ActivityState]:
    today = timezone.localdate()
    return [
        _state(v, today)
        for v in ActivityVersion.objects.filter(activity_id=activity_id).order_by("number")
    ]


@dataclass(frozen=True)
class PurgeState:
    activity_id: int
    at: datetime
    by: str
    reason: str
    tables: dict[str, int]
    files: list[str]
    key_destroyed: bool
    summary: str


def purge_state(purge: ActivityPurge) -> PurgeState:
    return PurgeState(
        activity_id=purge.activity_id,
        at=purge.at,
        by=purge.by,
        reason=purge.reason,
        tables=dict(purge.tables),
        files=list(purge.files),
        key_destroyed=purge.key_destroyed,
        summary=purge.summary,
    )


def activity_purges(*, activity_id: int | None = None) -> list[PurgeState]:
    """What was deleted under activities (all, or one), oldest first."""
    purges = ActivityPurge.objects.all()
    if activity_id is not None:
        purges = purges.filter(activity_id=activity_id)
    return [purge_state(p) for p in purges]
