"""The audit log in the database: records per data subject, chain verification, triggers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction

from meedoen.audits.models import AccessRecord, ChainHead, ProcessingRecord
from meedoen.audits.selectors import audit_records, audit_verify
from meedoen.audits.services import activity_uri, audit_access, audit_processing
from meedoen.audits.trace import TraceContext

pytestmark = pytest.mark.django_db
REFUSED = (IntegrityError, InternalError, ProgrammingError)


def log(subjects: list[str], trace: TraceContext | None = None) -> TraceContext:
    trace = trace or TraceContext.start()
    audit_access(
        trace=trace,
        user_name="analist",
        user_role="analyst",
        channel="cli",
        client="test",
        operation="activity.sql",
    )
    audit_processing(
        trace=trace,
        name="activity.sql",
        activity=activity_uri(7),
        subjects=subjects,
        subject_type="pseudonym-activity-7",
        started=datetime.now(UTC),
    )
    return trace


def problems() -> dict[str, tuple[int | None, str]]:
    return {r.chain: (r.broken_at, r.problem) for r in audit_verify()}


def test_one_record_per_data_subject_and_a_separate_access_record() -> None:
    trace = log(["a" * 32, "b" * 32, "c" * 32])
    records = list(ProcessingRecord.objects.filter(trace_id=trace.trace_id))
    assert [r.data_subject_id for r in records] == ["a" * 32, "b" * 32, "c" * 32]
    assert {r.span_id for r in records} != {trace.span_id}
    assert all(r.parent_span_id == trace.span_id for r in records)
    assert all(r.processing_activity_id == "urn:meedoen:verwerkingsactiviteit:7" for r in records)
    assert all(r.status == "Ok" and r.end_time >= r.start_time for r in records)
    fields = {f.name for f in ProcessingRecord._meta.get_fields()}
    assert not fields & {"user_name", "user", "user_role"}  # identity is elsewhere
    access = AccessRecord.objects.get(trace_id=trace.trace_id)
    assert access.user_name == "analist"
    assert [p for p, _ in problems().values()] == [None, None]


def test_an_action_without_persons_still_gets_a_record() -> None:
    trace = log([])
    record = ProcessingRecord.objects.get(trace_id=trace.trace_id)
    assert (record.data_subject_id, record.data_subject_id_type) == ("", "none")


def test_a_callers_traceparent_is_continued() -> None:
    caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    trace = TraceContext.start(caller)
    assert trace.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert trace.parent_span_id == "00f067aa0ba902b7"
    assert TraceContext.start("garbage").trace_id != trace.trace_id


def test_positions_are_consecutive_and_the_head_follows() -> None:
    log(["a" * 32, "b" * 32])
    log(["c" * 32])
    positions = list(ProcessingRecord.objects.values_list("position", flat=True))
    assert positions == list(range(1, len(positions) + 1))
    assert ChainHead.objects.get(chain="processing").position == positions[-1]
    rows = audit_records(data_subject_id="c" * 32)
    assert [(r["data_subject_id"], r["user_name"]) for r in rows] == [("c" * 32, "analist")]


def test_the_database_refuses_update_and_delete() -> None:
    log(["a" * 32, "b" * 32])
    for attempt in (
        lambda: ProcessingRecord.objects.filter(position=1).update(data_subject_id="x"),
        lambda: ProcessingRecord.objects.filter(position=2).delete(),
        lambda: AccessRecord.objects.all().update(user_name="someone else"),
        lambda: AccessRecord.objects.all().delete(),
        lambda: ChainHead.objects.filter(chain="processing").update(position=0),
        lambda: ChainHead.objects.all().delete(),
    ):
        with pytest.raises(REFUSED), transaction.atomic():
            attempt()
    assert ProcessingRecord.objects.filter(data_subject_id="a" * 32).exists()


def _without_triggers(sql: str, params: list[object]) -> None:
    """Tamper as a database owner would: switch the triggers off for one statement."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audits_processingrecord DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE audits_processingrecord ENABLE TRIGGER USER")
        else:
            names = ("audits_processingrecord_no_update", "audits_processingrecord_no_delete")
            for name in names:
                cursor.execute(f"DROP TRIGGER {name}")
            cursor.execute(sql, params)


def test_verify_names_an_altered_record() -> None:
    log(["a" * 32, "b" * 32, "c" * 32])
    _without_triggers(
        "UPDATE audits_processingrecord SET data_subject_id = %s WHERE position = 2", ["x" * 32]
    )
    broken, problem = problems()["processing"]
    assert broken == 2 and "does not match its hash" in problem


def test_verify_names_a_deleted_record() -> None:
    log(["a" * 32, "b" * 32, "c" * 32])
    _without_triggers("DELETE FROM audits_processingrecord WHERE position = %s", [2])
    broken, problem = problems()["processing"]
    assert broken == 2 and "record 2 is missing" in problem


def test_verify_names_an_inserted_record() -> None:
    trace = log(["a" * 32, "b" * 32])
    last = ProcessingRecord.objects.get(position=2)
    ProcessingRecord.objects.create(
        position=3,
        trace_id=trace.trace_id,
        span_id=last.span_id,
        name="activity.sql",
        status="Ok",
        start_time=last.start_time,
        end_time=last.end_time,
        processing_activity_id=last.processing_activity_id,
        data_subject_id="d" * 32,
        data_subject_id_type=last.data_subject_id_type,
        resource=last.resource,
        previous_hash=last.hash,
        hash="0" * 64,
    )
    broken, _ = problems()["processing"]
    assert broken == 3


@pytest.mark.postgres
def test_on_postgresql_an_application_role_without_privileges_cannot_change_records() -> None:
    """The set-up of docs/admin/postgresql.md: the app role may only SELECT and INSERT."""
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL")
    log(["a" * 32])
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE meedoen_app_test NOLOGIN")
        cursor.execute(
            "GRANT SELECT, INSERT ON audits_processingrecord, audits_accessrecord "
            "TO meedoen_app_test"
        )
        cursor.execute("SET ROLE meedoen_app_test")
        try:
            for sql in (
                "UPDATE audits_processingrecord SET data_subject_id = 'x'",
                "DELETE FROM audits_processingrecord",
                "TRUNCATE audits_accessrecord",
                "ALTER TABLE audits_processingrecord DISABLE TRIGGER USER",
            ):
                cursor.execute("SAVEPOINT attempt")
                with pytest.raises(ProgrammingError, match=r"permission denied|must be owner"):
                    cursor.execute(sql)
                cursor.execute("ROLLBACK TO SAVEPOINT attempt")
        finally:
            cursor.execute("RESET ROLE")
