"""Services that use an activity's data: the enforcement point of the governance model.

Every command or page that combines source domains goes through :func:`activity_authorize`
(approved, not expired, an analysis, covering all its sources) and works on the activity's own
store with activity-scoped pseudonyms. Operational use (a case's family shown to a named
professional) goes through :func:`activity_authorize_operational` instead: an activity of one
kind is never usable as the other. A source the law binds to one task (``PURPOSE_BOUND``: the
early-warning signals, for debt help only) is never usable by an activity of another task, also
when it was approved before that was checked: both refuse it, and the state they return leaves it
out of the activity's sources, so no store, build, table or case view gets it. Every read and
write of person-level data is logged per data subject.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime

import duckdb
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.utils import translation

from meedoen.accounts.roles import Role
from meedoen.activities.actors import Actor, require_role
from meedoen.activities.models import PURPOSE_BOUND, PURPOSE_BOUND_TEXT, ActivityPurge, Kind, Status
from meedoen.activities.selectors import (
    ActivityState,
    PurgeState,
    activity_current,
    purge_state,
)
from meedoen.audits.services import activity_uri, audit_action
from meedoen.audits.trace import TraceContext, new_span_id
from meedoen.conf.env import env_str
from meedoen.residents.requests import objection_excluded_bsns
from meedoen_data import audit_sets
from meedoen_data.activity_store import (
    ActivityStoreError,
    Progress,
    QueryRefused,
    QueryResult,
    StoreReport,
    activity_pseudonyms,
    query_spill_dir,
    store_activity_ids,
    store_delete,
    store_exclusion_current,
    store_prepare,
    store_query,
    store_sources,
    store_subjects,
)
from meedoen_data.activity_subjects import subject_map_numbers
from meedoen_data.categories import category_tables
from meedoen_data.sql_errors import CODES as SQL_PROBLEMS
from meedoen_data.store_lock import (
    StoreLockTimeout,
    lock_remove,
    purge_done,
    purge_note,
    purge_pending,
    store_lock,
)
from meedoen_data.store_sql import (
    CANCELLED,
    FUNCTION,
    MEMORY,
    TIMEOUT,
    QueryGuard,
    QueryLimits,
)

#: Who deletes data whose activity ended, in the register of deletions and the audit log.
RETENTION_JOB = "retention job"


class ActivityNotApproved(PermissionDenied):
    """The activity is missing, not approved, expired or does not cover the sources."""


class StoreOpenElsewhere(Exception):
    """The store could not be opened to list its persons before deleting it."""


class ActivityRevokedDuringRead(ActivityNotApproved):
    """The activity stopped being approved while a query on its tables ran: no result."""


class QueryStopped(ValidationError):
    """A query that may not run as asked or was stopped: ``reason`` is one of ``limit`` (a cap
    above the configured one), ``timeout``, ``memory``, ``busy`` (the tables are being deleted),
    ``function`` (a table function not allowed), a code of :mod:`meedoen_data.sql_errors` (not
    valid SQL, not one SELECT, an unknown table or column, …) or ``refused``; ``limit`` what a
    translated message needs (seconds, memory, the name and place of the problem, …)."""

    def __init__(self, message: str, *, reason: str, limit: object = None) -> None:
        super().__init__(message, code=reason)
        self.reason = reason
        self.limit = limit


# -- Limits of a query ---------------------------------------------------------------------------

#: The SQL page and ``meedoen sql`` ask at most these; set lower per query, never higher.
SQL_LIMIT_VARIABLES = {
    "max_rows": ("MEEDOEN_SQL_MAX_ROWS", "10000"),
    "max_cells": ("MEEDOEN_SQL_MAX_CELLS", "100000"),
    "max_bytes": ("MEEDOEN_SQL_MAX_BYTES", "500000"),
    "seconds": ("MEEDOEN_SQL_TIMEOUT", "60"),
}
#: Extra seconds a deletion waits for running queries beyond their time limit.
PURGE_GRACE = 10.0


def _positive(name: str, default: str) -> float:
    raw = env_str(name, default).strip()
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if value <= 0:
        raise ValidationError(f"{name}={raw!r} must be a positive number")
    return value


def sql_limits(
    *,
    max_rows: int | None = None,
    max_cells: int | None = None,
    max_bytes: int | None = None,
    seconds: float | None = None,
) -> QueryLimits:
    """The limits of one query: the configured ones (``MEEDOEN_SQL_*``), or lower ones asked
    for. Asking for more than configured is refused: the administrator sets the ceiling."""
    asked = {"max_rows": max_rows, "max_cells": max_cells, "max_bytes": max_bytes}
    asked["seconds"] = seconds  # type: ignore[assignment]
    values: dict[str, float] = {}
    for field, (variable, default) in SQL_LIMIT_VARIABLES.items():
        ceiling = _positive(variable, default)
        wanted = asked[field]
        if wanted is not None and wanted <= 0:
            raise QueryStopped(f"{field} must be positive, not {wanted}", reason="limit")
        if wanted is not None and wanted > ceiling:
            raise QueryStopped(
                f"{field.replace('_', '-')} {wanted:g} is above the limit of {ceiling:g} set "
                f"for this installation ({variable}); ask for less",
                reason="limit",
                limit=ceiling,
            )
        values[field] = ceiling if wanted is None else wanted
    spill = env_str("MEEDOEN_SQL_SPILL", "0").strip() or "0"
    return QueryLimits(
        max_rows=int(values["max_rows"]),
        max_cells=int(values["max_cells"]),
        max_bytes=int(values["max_bytes"]),
        seconds=values["seconds"],
        memory=env_str("MEEDOEN_SQL_MEMORY", "1GB").strip() or "1GB",
        threads=int(_positive("MEEDOEN_SQL_THREADS", "2")),
        spill=spill,
        spill_dir=None if spill == "0" else query_spill_dir(settings.MEEDOEN_HOME),
    )


def purge_wait() -> float:
    """How long a deletion waits for the queries running on the store: their time limit."""
    return _positive(*SQL_LIMIT_VARIABLES["seconds"]) + PURGE_GRACE


# -- Who uses an activity's store ----------------------------------------------------------------

#: The stores this thread holds (activity id -> depth): uses nest, and a deletion started by a
#: thread that uses the store is left to that thread (it cannot wait for itself).
_held = threading.local()
#: The queries running in this process, per activity: a revocation stops them.
_reads: dict[int, set[QueryGuard]] = {}
_reads_lock = threading.Lock()


class _Gate:
    """Within this process, per store: DuckDB shares one database instance among the
    connections to a file and refuses a connection with another configuration while one is
    open. So queries (all with the same configuration) run side by side, and a refresh of the
    store (its own configuration) waits until they are done, and they for it."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._readers = 0
        self._writing = False

    @contextmanager
    def hold(self, *, exclusive: bool, wait: float, activity_id: int) -> Iterator[None]:
        deadline = time.monotonic() + wait
        with self._changed:
            while self._writing or (exclusive and self._readers):
                left = deadline - time.monotonic()
                if left <= 0 or not self._changed.wait(left):
                    raise QueryStopped(
                        f"the tables of activity {activity_id} are in use by a query or a "
                        "refresh in this process; try again when it has finished",
                        reason="busy",
                    )
            if exclusive:
                self._writing = True
            else:
                self._readers += 1
        try:
            yield
        finally:
            with self._changed:
                if exclusive:
                    self._writing = False
                else:
                    self._readers -= 1
                self._changed.notify_all()


_gates: dict[int, _Gate] = {}
_gates_lock = threading.Lock()


def _gate(activity_id: int) -> _Gate:
    with _gates_lock:
        return _gates.setdefault(activity_id, _Gate())


def _holding() -> dict[int, int]:
    if not hasattr(_held, "stores"):
        _held.stores = {}
    return _held.stores  # type: ignore[no-any-return]


@contextmanager
def activity_store_use(*, activity_id: int, wait: float | None = None) -> Iterator[None]:
    """Use the activity's store in the ``with`` block (a query, a refresh, a build, a
    linkage): a shared lock that a deletion waits for (:mod:`meedoen_data.store_lock`).
    Check the approval *inside* the block: a deletion may have happened while this waited.
    When the block ends and a deletion waits for this use, the store is deleted now."""
    holding = _holding()
    if activity_id in holding:
        holding[activity_id] += 1
        try:
            yield
        finally:
            holding[activity_id] -= 1
        return
    home = settings.MEEDOEN_HOME
    try:
        lock = store_lock(
            home=home,
            activity_id=activity_id,
            exclusive=False,
            wait=purge_wait() if wait is None else wait,
        )
        lock.__enter__()
    except StoreLockTimeout:
        raise QueryStopped(
            f"the tables of activity {activity_id} are being deleted right now; try again "
            "in a moment",
            reason="busy",
        ) from None
    holding[activity_id] = 1
    try:
        yield
    finally:
        del holding[activity_id]
        lock.__exit__(None, None, None)
        _purge_if_noted(activity_id)


@contextmanager
def _read_running(activity_id: int, guard: QueryGuard) -> Iterator[None]:
    with _reads_lock:
        _reads.setdefault(activity_id, set()).add(guard)
    if (
        purge_pending(home=settings.MEEDOEN_HOME, activity_id=activity_id) is not None
        and _status(activity_id) != Status.APPROVED
    ):
        guard.stop(CANCELLED, "its data is being deleted")  # noted before this registered
    try:
        yield
    finally:
        with _reads_lock:
            _reads.get(activity_id, set()).discard(guard)


def _reads_stop(activity_id: int, reason: str) -> int:
    """Stop the queries on the activity's store that run in this process."""
    with _reads_lock:
        guards = list(_reads.get(activity_id, ()))
    for guard in guards:
        guard.stop(CANCELLED, reason)
    return len(guards)


def _status(activity_id: int) -> str:
    """The activity's status now (``unregistered`` if there is none)."""
    try:
        return str(activity_current(activity_id=activity_id).status)
    except ObjectDoesNotExist:
        return "unregistered"


def subject_type(activity_id: int) -> str:
    return f"pseudonym-activity-{activity_id}"


def record_subject_type(activity_id: int) -> str:
    """The data-subject type of a partner's record (a person known to the partner, by the
    activity's pseudonym of the record: ``record_id`` of ``link.partner_link``)."""
    return f"record-pseudonym-activity-{activity_id}"


def activity_authorize(
    *,
    activity_id: int,
    sources: Iterable[str] = (),
    trace: TraceContext | None = None,
    kind: str = Kind.ANALYSE,
) -> ActivityState:
    """The activity's state if it may be used now for ``sources`` as an activity of ``kind``
    (``analyse`` unless said otherwise: every build, linkage, query and table); otherwise
    :class:`ActivityNotApproved` naming the approval that is missing. An operational activity
    (``uitvoering``) is never usable for analysis, nor an analysis for operational use. An
    activity found expired has its data deleted on the spot.

    Purpose binding: ``sources`` with a purpose-bound domain (``PURPOSE_BOUND``) are refused
    unless the activity's task is the one it is bound to, and the state returned leaves such a
    domain (and its columns) out of ``sources``, so whoever builds or reads by the approved
    sources never gets it. An analysis whose store still holds such a domain (built before the
    binding was checked) is refused until the store is rebuilt without it
    (:func:`activity_store_open`, or ``meedoen retention run``)."""
    state = _authorize(activity_id=activity_id, sources=sources, trace=trace, kind=kind)
    if kind == Kind.ANALYSE and state.withheld:
        held = sorted(
            set(store_sources(home=settings.MEEDOEN_HOME, activity_id=activity_id) or ())
            & set(state.withheld)
        )
        if held:
            raise ActivityNotApproved(
                f"the tables of activity {activity_id} ({state.name}) were built before purpose "
                f"binding and still hold {', '.join(held)}, which it may not use "
                f"({_bound_text(held[0])}): they are rebuilt without it when they are opened "
                f"again (meedoen sql --activity {activity_id}, the SQL page, or meedoen "
                "retention run); then build the households again"
            )
    return _usable(state)


def _bound_text(source: str) -> str:
    """``signalen`` (what it is) may only be used for (its task and law), in English."""
    what, only_for = PURPOSE_BOUND_TEXT[source]
    with translation.override("en"):
        return f"the source {source} ({what}) may only be used for {only_for}"


def _purpose_refusal(state: ActivityState, sources: Iterable[str]) -> None:
    """Refuse ``sources`` that hold a domain the law binds to another task than the activity's
    (an activity approved before purpose binding was checked)."""
    wrong = sorted({s for s in sources if s in PURPOSE_BOUND and PURPOSE_BOUND[s] != state.task})
    if wrong:
        task = state.task or "none"
        raise ActivityNotApproved(
            f"activity {state.id} ({state.name}) may not use {', '.join(wrong)}: "
            f"{_bound_text(wrong[0])}, and the task of this activity is {task}. Request an "
            f"activity with the task {PURPOSE_BOUND[wrong[0]]} for it."
        )


def _usable(state: ActivityState) -> ActivityState:
    """The state with the purpose-bound domains it may not use (``state.withheld``) left out
    of its sources and columns: what every store, build and view gets."""
    withheld = state.withheld
    if not withheld:
        return state
    sources = [s for s in state.sources if s not in withheld]
    tables = set(category_tables(withheld)) - set(category_tables(sources))
    return replace(
        state,
        sources=sources,
        columns=[c for c in state.columns if c.partition(".")[0] not in tables],
        fine_columns=[c for c in state.fine_columns if c.partition(".")[0] not in tables],
    )


def _authorize(
    *,
    activity_id: int,
    sources: Iterable[str],
    trace: TraceContext | None,
    kind: str,
) -> ActivityState:
    """:func:`activity_authorize` without the check of the store, for the refresh that
    rebuilds it: the state as stored (purpose-bound sources not yet left out)."""
    sources = list(sources)
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
            wait=0,  # in use: its last user deletes it
        )
        raise ActivityNotApproved(
            f"activity {activity_id} ({state.name}) expired on {state.valid_until}: its "
            "approval has ended and the data derived under it is deleted; request a new activity"
        )
    if state.kind != kind:
        raise ActivityNotApproved(_wrong_kind(state))
    if state.status != Status.APPROVED:
        raise ActivityNotApproved(
            f"activity {activity_id} ({state.name}) is {state.status}, not approved: the "
            f"privacy officer must approve it first (meedoen activity approve {activity_id} "
            "--by USERNAME --motivation TEXT)"
        )
    _purpose_refusal(state, sources)
    missing = sorted(set(sources) - set(state.sources))
    if missing:
        raise ActivityNotApproved(
            f"activity {activity_id} ({state.name}) is not approved for {', '.join(missing)}; "
            f"it covers {', '.join(state.sources)}. Request an activity that covers every "
            "source you combine."
        )
    return state


def _wrong_kind(state: ActivityState) -> str:
    if state.kind == Kind.UITVOERING:
        return (
            f"activity {state.id} ({state.name}) is an operational activity (uitvoering): it "
            f"allows showing a case's family to the roles {', '.join(state.roles)}, not "
            "analysis; request an analysis activity"
        )
    return (
        f"activity {state.id} ({state.name}) is an analysis activity: it allows analysis on "
        "activity-scoped pseudonyms, not showing a case's family to a professional; request an "
        "operational activity (uitvoering)"
    )


def activity_authorize_operational(
    *,
    activity_id: int,
    role: str,
    sources: Iterable[str] = (),
    trace: TraceContext | None = None,
) -> ActivityState:
    """The operational activity's state if a professional in ``role`` may work under it now and
    be shown ``sources``: approved and not expired, of kind ``uitvoering``, ``role`` among its
    roles, and ``sources`` among its approved sources, none of them bound by law to another
    task than the activity's (``PURPOSE_BOUND``). Otherwise :class:`ActivityNotApproved`
    naming what is missing. The state returned leaves out the purpose-bound sources it may not
    use, so a view by its sources never shows them. Whether the case is on the professional's
    own caseload is the caller's check."""
    sources = list(sources)
    state = activity_authorize(activity_id=activity_id, trace=trace, kind=Kind.UITVOERING)
    _purpose_refusal(state, sources)
    if role not in state.roles:
        raise ActivityNotApproved(
            f"activity {activity_id} ({state.name}) does not allow the role {role}: it allows "
            f"{', '.join(state.roles)}; the privacy officer approves the roles of an "
            "operational activity: request one that names this role"
        )
    missing = sorted(set(sources) - set(state.sources))
    if missing:
        raise ActivityNotApproved(
            f"activity {activity_id} ({state.name}) is not approved to show {', '.join(missing)}; "
            f"it allows {', '.join(state.sources)}"
        )
    return state


#: Whom an action is about, per data-subject type: sets of register numbers, or pseudonyms.
Groups = list[tuple[str, Iterable[str] | audit_sets.SubjectSet]]


def activity_subject_groups(
    *, activity_id: int, persons: Iterable[str], records: Iterable[str] = ()
) -> Groups:
    """The activity's persons and partner records as subject sets of their numbers in the
    vault's register, found through the activity's subject map (ADR 0011): one set per kind,
    logged as one record each. Subjects the register does not know are kept by pseudonym (one
    record each, as before the register). Read the map before the store is deleted."""
    groups: Groups = []
    for type_, pseudonyms in (
        (subject_type(activity_id), persons),
        (record_subject_type(activity_id), records),
    ):
        numbered = subject_map_numbers(
            home=settings.MEEDOEN_HOME, activity_id=activity_id, pseudonyms=pseudonyms
        )
        for kind, serials in sorted(numbered.serials.items()):
            groups.append(
                (type_, audit_sets.subject_set_serials(subject_type=kind, serials=serials))
            )
        if numbered.unknown:
            groups.append((type_, numbered.unknown))
    if not groups:
        groups.append((subject_type(activity_id), []))  # one record: nobody's data
    return groups


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
    records: Iterable[str] = (),
    groups: Groups | None = None,
) -> int:
    """Log one read or write of person-level data under an activity: an access record for who
    acted and processing records for whom — the activity pseudonyms of persons (``subjects``)
    and of partner records (``records``), as sets of their numbers in the vault's register
    (:func:`activity_subject_groups`; ``groups`` when already made)."""
    if groups is None:
        groups = activity_subject_groups(activity_id=activity_id, persons=subjects, records=records)
    return audit_action(
        trace=trace,
        user_name=actor.name,
        user_role=actor.role,
        channel=channel,
        client=client,
        operation=operation,
        activity=activity_uri(activity_id),
        subjects=groups,
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
    """Build or refresh the activity's store (analysts: administrators administer, they do not
    analyse). Building writes person-level data: logged per person."""
    require_role(actor, Role.ANALYST)
    with (
        activity_store_use(activity_id=activity_id),  # a deletion waits; approval checked inside
        _gate(activity_id).hold(exclusive=True, wait=purge_wait(), activity_id=activity_id),
    ):
        return _store_refresh(
            activity_id=activity_id,
            actor=actor,
            trace=trace,
            channel=channel,
            client=client,
            progress=progress,
        )


def _store_refresh(
    *,
    activity_id: int,
    actor: Actor,
    trace: TraceContext,
    channel: str,
    client: str,
    progress: Progress | None,
) -> StoreReport:
    # Not activity_authorize: a store built before purpose binding is rebuilt here, without the
    # purpose-bound sources the activity may not use (left out of the state's sources).
    state = _usable(_authorize(activity_id=activity_id, sources=(), trace=trace, kind=Kind.ANALYSE))
    started = datetime.now(UTC)
    # Every build of an analysis store comes here (the web, the command line, households,
    # linkages, signals, the retention job): persons with an upheld objection (AVG art. 21)
    # are left out of it, in the identity zone's BSNs.
    excluded = objection_excluded_bsns(activity_id=activity_id)
    try:
        report = store_prepare(
            home=settings.MEEDOEN_HOME,
            activity_id=activity_id,
            sources=state.sources,
            columns=state.columns,
            fine=state.fine_columns,
            excluded=excluded,
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
            records=store_subjects(
                home=settings.MEEDOEN_HOME, activity_id=activity_id, records=True
            ),
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
    max_rows: int | None = None,
    max_cells: int | None = None,
    max_bytes: int | None = None,
    seconds: float | None = None,
    progress: Progress | None = None,
) -> QueryResult:
    """Read-only SQL on the activity's tables, logged as a read of every person (and every
    partner record) in every table the query references — whether or not they appear in the
    result (:mod:`meedoen_data.store_sql`). The result is capped in rows, cells and bytes and
    the query limited in time and memory (:func:`sql_limits`: the configured limits, or lower
    ones asked for). The tables are built or refreshed first (``progress`` reports that).

    The query holds the store (:func:`activity_store_use`): a revocation stops it (in this
    process) or waits for it (another process), and the approval is checked again after the
    query, so no data of a revoked activity is ever returned
    (:class:`ActivityRevokedDuringRead`). Refusals: :class:`QueryStopped`."""
    limits = sql_limits(
        max_rows=max_rows, max_cells=max_cells, max_bytes=max_bytes, seconds=seconds
    )
    refusal: ActivityStoreError | None = None
    result: QueryResult | None = None
    guard = QueryGuard()
    with activity_store_use(activity_id=activity_id, wait=limits.seconds):
        activity_store_open(
            activity_id=activity_id,
            actor=actor,
            trace=trace,
            channel=channel,
            client=client,
            progress=progress,
        )
        started = datetime.now(UTC)
        with (
            _gate(activity_id).hold(exclusive=False, wait=limits.seconds, activity_id=activity_id),
            _read_running(activity_id, guard),
        ):
            try:
                result = store_query(
                    home=settings.MEEDOEN_HOME,
                    activity_id=activity_id,
                    sql=sql,
                    limits=limits,
                    guard=guard,
                )
            except ActivityStoreError as exc:
                refusal = exc
            except duckdb.Error as exc:
                refusal = ActivityStoreError(_store_busy(activity_id, exc))
        status = _status(activity_id)  # again, after the query: revoked meanwhile?
    if status != Status.APPROVED:
        activity_log(
            trace=trace,
            actor=actor,
            channel=channel,
            client=client,
            operation="activity.sql",
            activity_id=activity_id,
            subjects=[],
            started=started,
            status="Unset",
            detail=f"stopped, activity {status} during the query: {sql}",
        )
        raise ActivityRevokedDuringRead(
            f"activity {activity_id} was {status} while the query ran: its data is deleted and "
            "no result is shown"
        )
    activity_log(
        trace=trace,
        actor=actor,
        channel=channel,
        client=client,
        operation="activity.sql",
        activity_id=activity_id,
        subjects=[] if refusal or result is None else result.subjects,
        records=[] if refusal or result is None else result.records,
        started=started,
        status="Unset" if refusal else "Ok",
        detail=f"refused: {sql}" if refusal else sql,
    )
    if refusal is not None or result is None:
        reason = refusal.reason if isinstance(refusal, QueryRefused) else "refused"
        limit: object = {TIMEOUT: limits.seconds, MEMORY: limits.memory}.get(reason)
        if reason == FUNCTION and isinstance(refusal, QueryRefused):
            limit = refusal.detail  # the table functions refused
        elif reason in SQL_PROBLEMS and isinstance(refusal, QueryRefused):
            # What the page says in the user's language: the name and the place in the query.
            limit = {"name": refusal.detail, "line": refusal.line, "column": refusal.column}
        raise QueryStopped(str(refusal), reason=reason, limit=limit)
    return result


def activity_pseudonymise(
    *, activity_id: int, actor: Actor, bsns: list[str], trace: TraceContext, channel: str
) -> list[str]:
    """BSNs to the activity's person pseudonyms (vault administrators, authenticated: never the
    operator without ``--by``), logged per person."""
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
    wait: float | None = None,
    defer: bool = True,
) -> ActivityPurge | None:
    """Delete everything derived under an activity, log it per person and record what went.

    The deletion is noted first (``HOME/activities/activity-N.purge``): queries on the store
    that run in this process stop at once, builds and linkages stop at their next step
    (:func:`activity_store_watch`) and nobody starts a new use. It then waits until no one uses
    the store (:func:`activity_store_use`: a query in another process, a refresh, a build, a
    linkage) — at most ``wait`` seconds, by default a query's time limit and a little
    (:func:`purge_wait`) — and deletes in the same operation. If the store is still in use
    after that, the last user to let go of it deletes it; this returns a record saying so
    (``defer=False``: None, for the retention job)."""
    home = settings.MEEDOEN_HOME
    arguments = {
        "activity_id": activity_id,
        "actor": actor,
        "reason": reason,
        "trace": trace,
        "channel": channel,
    }
    purge_note(
        home=home,
        activity_id=activity_id,
        note={"by": actor.name, "reason": str(reason), "channel": channel, "trace": trace.trace_id},
    )
    _reads_stop(activity_id, str(reason))
    if activity_id not in _holding():  # a thread cannot wait for its own use of the store
        with (
            contextlib.suppress(StoreLockTimeout),
            store_lock(
                home=home,
                activity_id=activity_id,
                exclusive=True,
                wait=purge_wait() if wait is None else wait,
            ),
        ):
            if purge_pending(home=home, activity_id=activity_id) is None:
                # the last user of the store deleted it meanwhile, in this deletion's name
                return ActivityPurge.objects.filter(activity_id=activity_id).last()
            with contextlib.suppress(StoreOpenElsewhere):  # then: as if still in use
                return _purge_now(**arguments)
    if not defer:
        return None
    _publications_withdraw(activity_id=activity_id, actor=actor, reason=reason, trace=trace)
    return ActivityPurge.objects.create(
        activity_id=activity_id,
        by=actor.name,
        reason=reason,
        tables={},
        files=[],
        key_destroyed=False,
        summary=(
            "nothing deleted yet: the activity's tables are in use by a build, a linkage or a "
            "query; they are deleted as soon as it has stopped"
        ),
    )


def activity_store_watch(
    activity_id: int, progress: Callable[[str, int, int], None]
) -> Callable[[str, int, int], None]:
    """``progress`` of a build or linkage that first checks whether the activity's data is
    being deleted (revoked, expired): then the work stops there, with
    :class:`ActivityRevokedDuringRead`, instead of finishing for nothing."""

    def watched(step: str, done: int, total: int) -> None:
        if purge_pending(home=settings.MEEDOEN_HOME, activity_id=activity_id) is not None:
            status = _status(activity_id)
            if status != Status.APPROVED:
                raise ActivityRevokedDuringRead(
                    f"activity {activity_id} was {status} while this ran: it stopped, and the "
                    "data derived under the activity is deleted"
                )
        progress(step, done, total)

    return watched


def _publications_withdraw(
    *, activity_id: int, actor: Actor, reason: str, trace: TraceContext
) -> None:
    from meedoen.publications.services import activity_publications_withdraw  # import cycle

    activity_publications_withdraw(activity_id=activity_id, actor=actor, reason=reason, trace=trace)


def _purge_if_noted(activity_id: int) -> None:
    """After a use of the store: if a deletion waits for it and no one else uses the store,
    delete now (for whoever asked, in their name)."""
    home = settings.MEEDOEN_HOME
    note = purge_pending(home=home, activity_id=activity_id)
    if note is None or activity_id in _holding():
        return
    with (
        contextlib.suppress(StoreLockTimeout, StoreOpenElsewhere),  # then: the next one deletes
        store_lock(home=home, activity_id=activity_id, exclusive=True, wait=0),
    ):
        if purge_pending(home=home, activity_id=activity_id) is None:
            return  # done by another user meanwhile
        status = _status(activity_id)
        if status == Status.APPROVED:  # approved again since: nothing to delete
            purge_done(home=home, activity_id=activity_id)
            return
        trace_id = str(note.get("trace") or "")  # the trace of whoever asked
        _purge_now(
            activity_id=activity_id,
            actor=Actor(str(note.get("by") or RETENTION_JOB)),
            reason=str(note.get("reason") or status),
            trace=TraceContext(trace_id, new_span_id())
            if re.fullmatch(r"[0-9a-f]{32}", trace_id)
            else TraceContext.start(),
            channel=str(note.get("channel") or "job"),
        )


def _purge_now(
    *, activity_id: int, actor: Actor, reason: str, trace: TraceContext, channel: str
) -> ActivityPurge:
    """The deletion itself, under the store's exclusive lock. The persons are listed first
    (for the log); a reader in this process that does not take the lock (a publication) may
    hold the file open with another configuration for a moment: then try again shortly, and
    give up with :class:`StoreOpenElsewhere` before anything is deleted."""
    started = datetime.now(UTC)
    for attempt in range(20):
        try:
            subjects = store_subjects(home=settings.MEEDOEN_HOME, activity_id=activity_id)
            records = store_subjects(
                home=settings.MEEDOEN_HOME, activity_id=activity_id, records=True
            )
            groups = activity_subject_groups(
                activity_id=activity_id, persons=subjects, records=records
            )
            break
        except duckdb.Error as exc:
            if attempt == 19:
                raise StoreOpenElsewhere(str(exc)) from None
            time.sleep(0.25)
    report = store_delete(home=settings.MEEDOEN_HOME, activity_id=activity_id)
    # The debt workers' list of an operational activity holds pseudonyms: it goes too. (Imported
    # here: the early-signals app builds on this module.)
    from meedoen.earlysignals.retention import signal_households_delete

    worklist = signal_households_delete(activity_id=activity_id)
    if worklist:
        report.tables["work list of early signals"] = worklist
    if report.files or report.key_destroyed or worklist:
        activity_log(
            trace=trace,
            actor=actor,
            channel=channel,
            client="",
            operation="activity.delete",
            activity_id=activity_id,
            subjects=subjects,
            groups=groups,  # read before the map went with the store
            started=started,
            detail=f"{reason}: {report.summary}",
        )
    _publications_withdraw(activity_id=activity_id, actor=actor, reason=reason, trace=trace)
    purge_done(home=settings.MEEDOEN_HOME, activity_id=activity_id)
    lock_remove(home=settings.MEEDOEN_HOME, activity_id=activity_id)
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
    (expired, revoked, refused, or unknown to the register), and rebuild the store of an
    approved one that still holds a source it may not use (purpose binding,
    :func:`_store_rebind`) or a person whose objection was upheld since it was built. Safe to
    run at any time."""
    purges = []
    for activity_id in store_activity_ids(home=settings.MEEDOEN_HOME):
        try:
            status = activity_current(activity_id=activity_id).status
        except ObjectDoesNotExist:
            status = "unregistered"
        if status == Status.APPROVED:
            _store_rebind(activity_id=activity_id, trace=trace)
        else:
            purge = activity_purge(
                activity_id=activity_id,
                actor=Actor(RETENTION_JOB),
                reason=status,
                trace=trace,
                defer=False,  # still in use after the wait: the next run deletes it
            )
            if purge is not None:
                purges.append(purge_state(purge))
    _publications_sweep(trace=trace)
    return purges


def _store_rebind(*, activity_id: int, trace: TraceContext) -> None:
    """Rebuild the store of an approved analysis that still holds a purpose-bound source it may
    not use (built before purpose binding was checked), or a person whose objection was upheld
    after it was built: without that source or person, and without what was derived in the old
    store. Left for the next run when the store is in use."""
    state = activity_current(activity_id=activity_id)
    if state.operational:
        return
    withheld = set(state.withheld)
    held = set(store_sources(home=settings.MEEDOEN_HOME, activity_id=activity_id) or ())
    if not held & withheld and not _objections_pending(activity_id):
        return
    with (
        contextlib.suppress(ValidationError, ActivityNotApproved),  # busy, or ended meanwhile
        activity_store_use(activity_id=activity_id),
        _gate(activity_id).hold(exclusive=True, wait=purge_wait(), activity_id=activity_id),
    ):
        _store_refresh(
            activity_id=activity_id,
            actor=Actor(RETENTION_JOB),
            trace=trace,
            channel="job",
            client="",
            progress=None,
        )


def _objections_pending(activity_id: int) -> bool:
    """Whether the activity's store still holds a person whose objection was upheld after it
    was built (AVG art. 21): then the retention job rebuilds it without them."""
    try:
        excluded = objection_excluded_bsns(activity_id=activity_id)
    except ValidationError:
        return False  # the vault cannot be read now: the next run looks again
    return not store_exclusion_current(
        home=settings.MEEDOEN_HOME, activity_id=activity_id, excluded=excluded
    )


def _publications_sweep(*, trace: TraceContext) -> None:
    """Withdraw the visible publications of activities that are no longer approved but have
    no store left to purge (deleted before publications were withdrawn with their store)."""
    from meedoen.publications.models import Publication  # import cycle

    visible = Publication.objects.filter(withdrawn_at__isnull=True)
    for activity_id in sorted(set(visible.values_list("activity_id", flat=True))):
        try:
            status = activity_current(activity_id=activity_id).status
        except ObjectDoesNotExist:
            status = "unregistered"
        if status != Status.APPROVED:
            _publications_withdraw(
                activity_id=activity_id, actor=Actor(RETENTION_JOB), reason=status, trace=trace
            )
