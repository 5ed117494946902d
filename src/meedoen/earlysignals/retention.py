"""Retention of early-warning signals (Wgs): a signal that led to no follow-up is deleted from
every copy once it is ``MEEDOEN_SIGNALS_RETENTION_DAYS`` old — a step of ``meedoen retention
run``, the scheduled job; logged for every person whose signals went, with what the monitor
keeps (counts per month and partner).

A signal is *followed up*, and kept with the debt-help file, when an outreach that answered it
ended in help accepted, a referral or "already in help"; the open signals of a household whose
outreach is still in progress are kept until it concludes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError

from meedoen.activities.actors import Actor
from meedoen.activities.enforcement import RETENTION_JOB
from meedoen.audits.services import audit_action
from meedoen.audits.trace import TraceContext
from meedoen.earlysignals.models import (
    IN_BEHANDELING,
    Contact,
    SignalHousehold,
    SignalList,
    SignalMonth,
)
from meedoen.earlysignals.selectors import signals_date
from meedoen.earlysignals.services import SUBJECT_TYPE, _read, _refresh
from meedoen_data.signals.retention import ExpireReport, SignalsBusy, signals_expire

#: Outreach results whose signals belong to a debt-help file: kept.
FOLLOWED_UP = ("hulp_geaccepteerd", "doorverwezen", "al_in_hulp")
SIGNALS_EXPIRE = "signals.expire"
#: The processing the deletion belongs to: the debt-help task's early signalling as a whole.
SIGNALS_ACTIVITY = "urn:meedoen:verwerkingsactiviteit:vroegsignalering"


def signals_kept() -> set[str]:
    """The ids of signals with a follow-up, or under an outreach in progress."""
    kept: set[str] = set()
    for ids in Contact.objects.filter(result__in=FOLLOWED_UP).values_list("signal_ids", flat=True):
        kept.update(ids or [])
    for ids in SignalHousehold.objects.filter(status=IN_BEHANDELING).values_list(
        "signal_ids", flat=True
    ):
        kept.update(ids or [])
    return kept


def signals_retention_run(*, trace: TraceContext, dry_run: bool = False) -> ExpireReport:
    """Delete (or with ``dry_run`` count) every signal older than the retention period that had
    no follow-up, then make the work lists again without them."""
    on = signals_date()
    before = on - timedelta(days=settings.SIGNALS_RETENTION_DAYS)
    started = datetime.now(UTC)
    try:
        report = signals_expire(
            home=settings.MEEDOEN_HOME, before=before, keep=signals_kept(), dry_run=dry_run
        )
    except SignalsBusy as exc:
        raise ValidationError(str(exc), code="busy") from None
    if dry_run or not report.signals:
        return report
    months = ", ".join(f"{m} {p} {n}" for (m, p), n in sorted(report.by_month.items()))
    audit_action(
        trace=trace,
        user_name=RETENTION_JOB,
        user_role="operator",
        channel="cli",
        client="",
        operation=SIGNALS_EXPIRE,
        activity=SIGNALS_ACTIVITY,
        subjects={SUBJECT_TYPE: report.persons},
        started=started,
        detail=(
            f"{report.signals} signals dated before {before} without follow-up deleted "
            f"(vault, analytics, {report.linkage_rows} linkage rows, stores "
            f"{dict(sorted(report.stores.items()))}); kept {report.kept}; per month and "
            f"partner: {months}"
        ),
    )
    for activity_id in SignalList.objects.values_list("activity_id", flat=True):
        _refresh(
            activity_id=activity_id,
            actor=Actor(RETENTION_JOB),
            read=_read(activity_id=activity_id, on=on),
            on=on,
        )
    return report


def signal_households_delete(*, activity_id: int) -> int:
    """The work list of an activity whose data is deleted (revoked, expired): its households,
    their outreach, the list's state and the monitor's counts. The caller logs the deletion.
    Returns the rows deleted."""
    # The monitor's counts per month go too: they are the activity's, and it has ended.
    months, _ = SignalMonth.objects.filter(activity_id=activity_id).delete()
    contacts, _ = Contact.objects.filter(household__activity_id=activity_id).delete()
    households, _ = SignalHousehold.objects.filter(activity_id=activity_id).delete()
    lists, _ = SignalList.objects.filter(activity_id=activity_id).delete()
    return months + contacts + households + lists
