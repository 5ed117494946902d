"""Services that use an activity's data: the enforcement point of the governance model.

Every command or page that combines source domains goes through :func:`activity_authorize`
(approved, not expired, covering all its sources) and works on the activity's own store with
activity-scoped pseudonyms. Every read and write of person-level data is logged per data subject.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import duckdb
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError

from meedoen.accounts.roles import Role
from meedoen.activities.actors import Actor, require_role
from meedoen.activities.models import ActivityPurge, Status
from meedoen.activities.selectors import (
    ActivityState,
    PurgeState,
    activity_current,
    purge_state,
)
from meedoen.audits.services import activity_uri, audit_action
from meedoen.audits.trace import TraceContext
from meedoen_data.activity_store import (
    DEFAULT_MAX_ROWS,
    ActivityStoreError,
    Progress,
    QueryResult,
    StoreReport,
    activity_pseudonyms,
    store_activity_ids,
    store_delete,
    store_prepare,
    store_query,
    store_subjects,
)

#: Who deletes data whose activity ended, in the register of deletions and the audit log.
RETENTION_JOB = "retention job"


class ActivityNotApproved(PermissionDenied):
    """The activity is missing, not approved, expired or does not cover the sources."""


def subject_type(activity_id: int) -> str:
    return f"pseudonym-activity-{activity_id}"


def activity_authorize(
    *, activity_id: int, sources: Iterable[str] = (), trace: TraceContext | None = None
) -> ActivityState:
    """The activity's state if it may be used now for ``sources``; otherwise
    :class:`ActivityNotApproved` naming the approval that is missing. An activity found
    expired has its data deleted on the spot."""
    try:
        state = activity_current(activity_id=activity_id)
    except ObjectDoesNotExist:
        raise ActivityNotApproved(
            f"there is no processing activity {activity_id}: an analyst requests one "
            "(meedoen activity request) and the privacy officer approves it"
        ) from None
    if state.status == Status.EXPIRED:
        activity_purge(
            activity_id=activity_id,
            actor=Actor(RETENTION_JOB),
            reason=Status.EXPIRED,
            trace=trace or TraceContext.start(),
        )
        raise ActivityNotApproved(
            f"activity {activity_id} ({state.name}) expired on {state.valid_until}: its "
            "approval has ended and the data derived under it is deleted; request a new activity"
        )
    if state.status != Status.APPROVED:
        raise ActivityNotApproved(
            f"activity {activity_id} ({state.name}) is {state.status}, not approved: the "
            f"privacy officer must approve it first (meedoen activity approve {activity_id} "
            "--by USERNAME --motivation TEXT)"
        )
    missing = sorted(set(sources) - set(state.sources))
    if missing:
        raise ActivityNotApproved(
            f"activity {activity_id} ({state.name}) is not approved for {', '.join(missing)}; "
            f"it covers {', '.join(state.sources)}. Request an activity that covers every "
            "source you combine."
        )
    return state


def activity_log(
    *,
    trace: TraceContext,
    actor: Actor,
    channel: str,
    client: str,
    operation: str,
    activity_id: int,
    subjects: Iterable[str],
    started: datetime,
    status: str = "Ok",
    detail: str = "",
) -> int:
    """Log one read or write of person-level data under an activity: an access record for who
    acted and one processing record per data subject (activity pseudonyms)."""
    return audit_action(
        trace=trace,
        user_name=actor.name,
        user_role=actor.role,
        channel=channel,
        client=client,
        operation=operation,
        activity=activity_uri(activity_id),
        subjects={subject_type(activity_id): subjects},
        started=started,
        status=status,
        detail=detail,
    )


def _store_busy(activity_id: int, exc: Exception) -> str:
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return (
        f"the tables of activity {activity_id} are in use (a build or refresh is running?); "
        f"try again when it has finished ({first})"
    )


def activity_store_open(
    *,
    activity_id: int,
    actor: Actor,
    trace: TraceContext,
    channel: str,
    client: str = "",
    progress: Progress | None = None,
) -> StoreReport:
    """Build or refresh the activity's store (analysts, administrators). Building writes
    person-level data: logged per person."""
    require_role(actor, Role.ANALYST, Role.ADMINISTRATOR)
    state = activity_authorize(activity_id=activity_id, trace=trace)
    started = datetime.now(UTC)
    try:
        report = store_prepare(
            home=settings.MEEDOEN_HOME,
            activity_id=activity_id,
            sources=state.sources,
            progress=progress,
        )
    except ActivityStoreError as exc:
        raise ValidationError(str(exc)) from None
    except duckdb.Error as exc:  # the file is locked by a build or a refresh in another process
        raise ValidationError(_store_busy(activity_id, exc)) from None
    if report.status == "built":
        tables = ", ".join(f"{t} {n}" for t, n in sorted(report.tables.items()))
        activity_log(
            trace=trace,
            actor=actor,
            channel=channel,
            client=client,
            operation="activity.store.build",
            activity_id=activity_id,
            subjects=store_subjects(home=settings.MEEDOEN_HOME, activity_id=activity_id),
            started=started,
            detail=tables,
        )
    return report


def activity_sql(
    *,
    activity_id: int,
    actor: Actor,
    sql: str,
    trace: TraceContext,
    channel: str,
    client: str = "",
    max_rows: int = DEFAULT_MAX_ROWS,
    progress: Progress | None = None,
) -> QueryResult:
    """Read-only SQL on the activity's tables, logged per person that appears in the result.
    The tables are built or refreshed first (``progress`` reports that per table)."""
    activity_store_open(
        activity_id=activity_id,
        actor=actor,
        trace=trace,
        channel=channel,
        client=client,
        progress=progress,
    )
    started = datetime.now(UTC)
    refusal: ActivityStoreError | None = None
    try:
        result = store_query(
            home=settings.MEEDOEN_HOME, activity_id=activity_id, sql=sql, max_rows=max_rows
        )
    except ActivityStoreError as exc:
        refusal = exc
    except duckdb.Error as exc:
        refusal = ActivityStoreError(_store_busy(activity_id, exc))
    activity_log(
        trace=trace,
        actor=actor,
        channel=channel,
        client=client,
        operation="activity.sql",
        activity_id=activity_id,
        subjects=[] if refusal else result.subjects,
        started=started,
        status="Unset" if refusal else "Ok",
        detail=f"refused: {sql}" if refusal else sql,
    )
    if refusal:
        raise ValidationError(str(refusal))
    return result


def activity_pseudonymise(
    *, activity_id: int, actor: Actor, bsns: list[str], trace: TraceContext, channel: str
) -> list[str]:
    """BSNs to the activity's person pseudonyms (vault administrators), logged per person."""
    require_role(actor, Role.ADMINISTRATOR)
    activity_authorize(activity_id=activity_id, trace=trace)
    started = datetime.now(UTC)
    try:
        values = activity_pseudonyms(home=settings.MEEDOEN_HOME, activity_id=activity_id, bsns=bsns)
    except ActivityStoreError as exc:
        raise ValidationError(str(exc)) from None
    activity_log(
        trace=trace,
        actor=actor,
        channel=channel,
        client="",
        operation="vault.pseudonym",
        activity_id=activity_id,
        subjects=sorted(set(values)),
        started=started,
    )
    return values


def activity_purge(
    *,
    activity_id: int,
    actor: Actor,
    reason: str,
    trace: TraceContext,
    channel: str = "job",
) -> ActivityPurge:
    """Delete everything derived under an activity, log it per person and record what went."""
    started = datetime.now(UTC)
    subjects = store_subjects(home=settings.MEEDOEN_HOME, activity_id=activity_id)
    report = store_delete(home=settings.MEEDOEN_HOME, activity_id=activity_id)
    if report.files or report.key_destroyed:
        activity_log(
            trace=trace,
            actor=actor,
            channel=channel,
            client="",
            operation="activity.delete",
            activity_id=activity_id,
            subjects=subjects,
            started=started,
            detail=f"{reason}: {report.summary}",
        )
    return ActivityPurge.objects.create(
        activity_id=activity_id,
        by=actor.name,
        reason=reason,
        tables=report.tables,
        files=report.files,
        key_destroyed=report.key_destroyed,
        summary=report.summary,
    )


def retention_run(*, trace: TraceContext) -> list[PurgeState]:
    """The scheduled job: delete the data of every activity that is no longer approved
    (expired, revoked, refused, or unknown to the register). Safe to run at any time."""
    purges = []
    for activity_id in store_activity_ids(home=settings.MEEDOEN_HOME):
        try:
            status = activity_current(activity_id=activity_id).status
        except ObjectDoesNotExist:
            status = "unregistered"
        if status != Status.APPROVED:
            purge = activity_purge(
                activity_id=activity_id, actor=Actor(RETENTION_JOB), reason=status, trace=trace
            )
            purges.append(purge_state(purge))
    return purges
