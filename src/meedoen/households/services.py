"""``meedoen build``: households and the integrated household table under an approved activity.

The command line runs a build in the foreground; the web app queues it and runs it in a
background thread of the web process (:func:`build_start_background`), showing progress from the
run's row. Both use :func:`build_request` (who may, for which activity) and
:func:`build_execute` (the work, its log and its result).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta

import duckdb
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection

from meedoen.accounts.roles import Role
from meedoen.activities.actors import Actor, require_role
from meedoen.activities.stores import activity_authorize, activity_log, activity_store_open
from meedoen.audits.trace import TraceContext
from meedoen.households.models import BuildRun, RunStatus
from meedoen_data.activity_store import ActivityStoreError
from meedoen_data.households import (
    ENGINES,
    BuildReport,
    EngineError,
    household_build,
    household_subjects,
)

#: A run whose row has not moved for this long is taken as interrupted (the process died).
STALE_AFTER = timedelta(minutes=30)
#: Domains a build needs: the BRP (addresses and relations); BAG addresses are in every store.
REQUIRED_SOURCES = ("brp",)


def build_request(
    *,
    activity_id: int,
    peildatum: date,
    engine: str,
    actor: Actor,
    trace: TraceContext,
    channel: str,
) -> BuildRun:
    """Check who asks, the activity and the arguments; then record a queued run."""
    require_role(actor, Role.ANALYST, Role.ADMINISTRATOR)
    if engine not in ENGINES:
        raise ValidationError(f"unknown engine {engine!r}: choose {' or '.join(ENGINES)}")
    if peildatum > date.today():
        raise ValidationError(
            f"the peildatum {peildatum} lies in the future: households exist up to today"
        )
    activity_authorize(activity_id=activity_id, sources=REQUIRED_SOURCES, trace=trace)
    busy = BuildRun.objects.filter(
        activity_id=activity_id,
        status__in=[RunStatus.QUEUED, RunStatus.RUNNING],
        updated_at__gte=datetime.now(UTC) - STALE_AFTER,
    ).first()
    if busy is not None:
        raise ValidationError(
            f"build {busy.pk} for activity {activity_id} is still {busy.status}; wait until it "
            "has finished"
        )
    return BuildRun.objects.create(
        activity_id=activity_id,
        peildatum=peildatum,
        engine=engine,
        requested_by=actor.name,
        channel=channel,
        trace_id=trace.trace_id,
    )


def _report_summary(report: BuildReport) -> dict[str, object]:
    summary = asdict(report)
    summary["peildatum"] = report.peildatum.isoformat()
    summary["seconds"] = round(report.seconds, 2)
    return summary


def build_execute(
    *,
    run_id: int,
    actor: Actor,
    trace: TraceContext,
    client: str = "",
    progress: Callable[[str, int, int], None] | None = None,
) -> BuildReport:
    """Run a queued build: refresh the activity's store, derive, write, log every person placed
    in a household. ``progress(step, done, total)`` is called besides the run's own row."""
    run = BuildRun.objects.get(pk=run_id)
    run.status, run.started_at = RunStatus.RUNNING, datetime.now(UTC)
    run.save(update_fields=["status", "started_at", "updated_at"])

    def report_progress(step: str, done: int, total: int) -> None:
        BuildRun.objects.filter(pk=run_id).update(
            step=step[:64], step_number=done, step_total=total, updated_at=datetime.now(UTC)
        )
        if progress is not None:
            progress(step, done, total)

    try:
        state = activity_authorize(
            activity_id=run.activity_id, sources=REQUIRED_SOURCES, trace=trace
        )
        activity_store_open(
            activity_id=run.activity_id,
            actor=actor,
            trace=trace,
            channel=run.channel,
            client=client,
            progress=lambda table, done, total: report_progress(f"store: {table}", done, total),
        )
        started = datetime.now(UTC)
        report = household_build(
            home=settings.MEEDOEN_HOME,
            activity_id=run.activity_id,
            peildatum=run.peildatum,
            domains=state.sources,
            engine=run.engine,
            progress=report_progress,
        )
        activity_log(
            trace=trace,
            actor=actor,
            channel=run.channel,
            client=client,
            operation="household.build",
            activity_id=run.activity_id,
            subjects=household_subjects(
                home=settings.MEEDOEN_HOME, activity_id=run.activity_id, peildatum=run.peildatum
            ),
            started=started,
            detail=(
                f"peildatum {run.peildatum}, engine {run.engine}: {report.households} "
                f"households, {report.persons} persons"
            ),
        )
    except (EngineError, ActivityStoreError, duckdb.Error) as exc:
        _finish(run_id, RunStatus.FAILED, message=str(exc).splitlines()[0])
        raise ValidationError(str(exc).splitlines()[0]) from None
    except BaseException as exc:
        _finish(run_id, RunStatus.FAILED, message=_refusal(exc))
        raise
    _finish(run_id, RunStatus.DONE, summary=_report_summary(report))
    return report


def _refusal(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    return str(exc) or type(exc).__name__


def _finish(
    run_id: int, status: str, *, message: str = "", summary: dict[str, object] | None = None
) -> None:
    BuildRun.objects.filter(pk=run_id).update(
        status=status,
        message=message,
        summary=summary or {},
        finished_at=datetime.now(UTC),
        updated_at=datetime.now(UTC),
    )


def build_start_background(*, run_id: int, actor: Actor, trace: TraceContext, client: str) -> None:
    """Run the build in a thread of this process (the web app); its row shows the progress."""

    def work() -> None:
        close_old_connections()
        try:
            build_execute(run_id=run_id, actor=actor, trace=trace, client=client)
        except Exception:  # noqa: S110 - the failure is recorded on the run's row
            pass
        finally:
            connection.close()

    threading.Thread(target=work, name=f"meedoen-build-{run_id}", daemon=True).start()
