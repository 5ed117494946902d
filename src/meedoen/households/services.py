"""``meedoen build``: households and the integrated household table under an approved activity.

The command line runs a build in the foreground; the web app queues it and runs it in a
background thread of the web process (:func:`build_start_background`), showing progress from the
run's row. Both use :func:`build_request` (who may, for which activity) and
:func:`build_execute` (the work, its log and its result).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict
from datetime import UTC, date, datetime

import duckdb
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from meedoen.accounts.roles import Role
from meedoen.activities.actors import Actor, require_role
from meedoen.activities.enforcement import (
    activity_authorize,
    activity_log,
    activity_store_open,
    activity_store_use,
    activity_store_watch,
)
from meedoen.audits.trace import TraceContext
from meedoen.households.models import BuildRun, RunStatus
from meedoen.utils.runs import (
    run_begin,
    run_busy,
    run_finish,
    run_in_background,
    run_progress,
    run_refusal,
    run_status_word,
)
from meedoen_data.activity_store import ActivityStoreError
from meedoen_data.categories import HOUSEHOLD_DEATH, household_detail
from meedoen_data.households import (
    ENGINES,
    BuildReport,
    EngineError,
    household_build,
    household_subjects,
)

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
    require_role(actor, Role.ANALYST)
    if engine not in ENGINES:
        raise ValidationError(
            _("unknown engine %(engine)s: choose %(engines)s"),
            code="unknown_engine",
            params={"engine": repr(engine), "engines": " or ".join(ENGINES)},
        )
    if peildatum > date.today():
        raise ValidationError(
            _("the peildatum %(peildatum)s lies in the future: households exist up to today"),
            code="future",
            params={"peildatum": peildatum},
        )
    state = activity_authorize(activity_id=activity_id, sources=REQUIRED_SOURCES, trace=trace)
    missing = [c for c in household_detail(peildatum) if c not in state.fine_columns]
    if missing:
        death = (
            _(
                "; the day of death only for a peildatum other than 1 January (%(peildatum)s): "
                "build for 1 January, or request it too"
            )
            if HOUSEHOLD_DEATH in missing
            else ""
        )
        raise ValidationError(
            format_lazy(
                "{}{}",
                _(
                    "activity %(id)s (%(name)s) is not approved for what a household build "
                    "needs at finer detail: %(missing)s; request an activity with these columns "
                    "at finer detail and a reason (meedoen activity request --fine …, see "
                    "docs/households.md)"
                ),
                death,
            ),
            code="not_fine",
            params={
                "id": activity_id,
                "name": state.name,
                "missing": ", ".join(missing),
                "peildatum": peildatum,
            },
        )
    busy = run_busy(BuildRun, activity_id=activity_id)
    if busy is not None:
        raise ValidationError(
            _("build %(run)s for activity %(id)s is still %(status)s; wait until it has finished"),
            code="busy",
            params={"run": busy.pk, "id": activity_id, "status": run_status_word(busy.status)},
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
    run = run_begin(BuildRun, run_id=run_id)
    # A revocation stops the build at its next step and deletes the store when it has let go.
    report_progress = activity_store_watch(
        run.activity_id, run_progress(BuildRun, run_id, progress)
    )
    use = ExitStack()

    try:
        use.enter_context(activity_store_use(activity_id=run.activity_id))
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
        activity_authorize(activity_id=run.activity_id, trace=trace)  # not revoked meanwhile
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
        run_finish(BuildRun, run_id, RunStatus.FAILED, message=str(exc).splitlines()[0])
        raise ValidationError(str(exc).splitlines()[0]) from None
    except BaseException as exc:
        run_finish(BuildRun, run_id, RunStatus.FAILED, message=run_refusal(exc))
        raise
    finally:
        use.close()
    run_finish(BuildRun, run_id, RunStatus.DONE, summary=_report_summary(report))
    return report


def build_start_background(*, run_id: int, actor: Actor, trace: TraceContext, client: str) -> None:
    """Run the build in a thread of this process (the web app); its row shows the progress."""
    run_in_background(
        f"meedoen-build-{run_id}",
        lambda: build_execute(run_id=run_id, actor=actor, trace=trace, client=client),
    )
