"""The retention step of `meedoen retention run` for early signals: a signal past the retention
period without a follow-up is gone from the vault and the analytics store and from the work
list; a followed-up one stays; the deletion is logged for the person it was about; a dry run
deletes nothing."""

from __future__ import annotations

from datetime import date

import duckdb

from meedoen.audits.models import ProcessingRecord
from meedoen.audits.trace import TraceContext
from meedoen.earlysignals.retention import SIGNALS_EXPIRE, signals_retention_run
from meedoen.earlysignals.tests.test_services import pseudonym, register, row_of
from meedoen_data.intake import vault_path
from meedoen_data.workspace import Workspace


def signal_ids(home) -> set[str]:  # type: ignore[no-untyped-def]
    con = duckdb.connect(str(vault_path(Workspace(home))), read_only=True)
    try:
        rows = con.execute("SELECT signaalid FROM identity.vroegsignaal").fetchall()
        return {str(r[0]) for r in rows}
    finally:
        con.close()


def piet_signals(home) -> dict[date, str]:  # type: ignore[no-untyped-def]
    con = duckdb.connect(str(vault_path(Workspace(home))), read_only=True)
    try:
        rows = con.execute(
            "SELECT signaaldatum, signaalid FROM identity.vroegsignaal "
            "WHERE geslachtsnaam = 'Anders'"
        ).fetchall()
    finally:
        con.close()
    return {d: str(s) for d, s in rows}


def test_signals_without_follow_up_go_and_followed_up_ones_stay(
    people, linked, town, home, settings
) -> None:
    settings.SIGNALS_RETENTION_DAYS = 60  # before 2024-11-02
    piet = piet_signals(home)
    march, october = piet[date(2024, 3, 1)], piet[date(2024, 10, 5)]
    row = row_of(home, town, "Piet Anders")
    register(people, row, "hulp_geaccepteerd", "intake_schuldhulp", on=date(2024, 12, 31))
    everything = signal_ids(home)

    dry = signals_retention_run(trace=TraceContext.start(), dry_run=True)
    assert dry.signals == 1 and dry.kept >= 1 and signal_ids(home) == everything
    assert not ProcessingRecord.objects.filter(name=SIGNALS_EXPIRE).exists()

    report = signals_retention_run(trace=TraceContext.start())
    assert report.signals == 1 and report.by_month == {("2024-03", "WATER"): 1}
    assert signal_ids(home) == everything - {march}  # October answered by help accepted: kept
    assert october in signal_ids(home)
    logged = ProcessingRecord.objects.filter(name=SIGNALS_EXPIRE)
    assert {r.data_subject_id for r in logged} == {pseudonym(home, town, "Piet Anders")}
    assert signals_retention_run(trace=TraceContext.start()).signals == 0


def test_without_follow_up_the_old_signals_leave_the_work_list(
    people, linked, town, home, settings
) -> None:
    settings.SIGNALS_RETENTION_DAYS = 60
    piet = piet_signals(home)
    row = row_of(home, town, "Piet Anders")
    assert piet[date(2024, 10, 5)] in row.signal_ids
    report = signals_retention_run(trace=TraceContext.start())
    assert report.signals == 2  # March and October
    row.refresh_from_db()
    assert piet[date(2024, 10, 5)] not in row.signal_ids
    assert piet[date(2024, 11, 5)] in row.signal_ids  # newer: still open on the list


def test_an_outreach_in_progress_keeps_its_signals(people, linked, town, home, settings) -> None:
    settings.SIGNALS_RETENTION_DAYS = 60
    piet = piet_signals(home)
    row = row_of(home, town, "Piet Anders")
    register(people, row, "niet_bereikt", on=date(2024, 12, 31))
    report = signals_retention_run(trace=TraceContext.start())
    assert report.signals == 1  # March only: October is under an outreach in progress
    assert piet[date(2024, 10, 5)] in signal_ids(home)


def test_revoking_the_activity_deletes_its_work_list(people, linked, town, home) -> None:
    from meedoen.activities.models import ActivityPurge
    from meedoen.activities.services import activity_revoke
    from meedoen.earlysignals.models import Contact, SignalHousehold, SignalList
    from meedoen.earlysignals.tests.conftest import actor

    register(people, row_of(home, town, "Piet Anders"), "niet_bereikt", on=date(2024, 12, 31))
    assert SignalHousehold.objects.filter(activity_id=linked).exists()
    activity_revoke(activity_id=linked, actor=actor(people["officer"]), motivation="DPIA herzien")
    assert not SignalHousehold.objects.filter(activity_id=linked).exists()
    assert not Contact.objects.exists() and not SignalList.objects.filter(activity_id=linked)
    purge = ActivityPurge.objects.get(activity_id=linked)
    assert purge.tables["work list of early signals"] >= 3
