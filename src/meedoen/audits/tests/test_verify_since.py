"""``meedoen audit verify --since`` in the web project: an intact check remembers how far it got
(signed with the checkpoint key); the next check recomputes only the newer records and reads
back only the newer subject sets, and still finds what changed there; a remembered position
that is missing, forged or no longer matches the log is refused. And the progress callback.
Run on SQLite and on PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import connection

from meedoen.audits.models import ProcessingRecord
from meedoen.audits.selectors import (
    PROGRESS_EVERY,
    SETS_STEP,
    AuditVerification,
    audit_verify_all,
)
from meedoen.audits.services import (
    activity_uri,
    audit_checkpoint_write,
    audit_processing,
    checkpoint_key_ensure,
)
from meedoen.audits.trace import TraceContext
from meedoen.audits.verified import (
    Verified,
    VerifiedError,
    VerifiedMissing,
    audit_verified_load,
    audit_verified_path,
    audit_verified_remember,
)
from meedoen_data.audit_checkpoint import canonical, key_fingerprint
from meedoen_data.audit_sets import SubjectSet, subject_set_explicit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_home(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The remembered position lives in HOME: each test its own."""
    settings.MEEDOEN_HOME = tmp_path
    checkpoint_key_ensure()


def log(n: int, *, subject_set: SubjectSet | None = None) -> None:
    audit_processing(
        trace=TraceContext.start(),
        name="activity.sql",
        activity=activity_uri(7),
        subjects=[f"{i:032x}" for i in range(n)],
        subject_type="pseudonym-activity-7",
        started=datetime.now(UTC),
        subject_set=subject_set,
    )


def explicit(*subjects: str) -> SubjectSet:
    return subject_set_explicit(subject_type="pseudonym-activity-7", subjects=subjects)


def check(*, since: Verified | None = None) -> AuditVerification:
    """A checkpoint of the log as it is (else verify reports the unwitnessed log), then the
    check."""
    audit_checkpoint_write()
    return audit_verify_all(since=since)


def chains(result: AuditVerification) -> dict[str, tuple[int, int, int | None]]:
    """Per chain: (records checked, first position checked, first broken position)."""
    return {r.chain: (r.records, r.checked_from, r.broken_at) for r in result.chains}


def remembered_after(n: int, *sets: SubjectSet) -> Verified:
    """A log of ``n`` records (then one per set), checked in full and remembered."""
    log(n)
    for made in sets:
        log(0, subject_set=made)
    full = check()
    assert full.intact, full.as_json()
    saved = audit_verified_remember(full)
    assert saved.written and saved.path == audit_verified_path()
    return audit_verified_load()


def tamper(sql: str, params: list[object], *, table: str = "audits_processingrecord") -> None:
    """As a database owner would: the append-only triggers off, a change, triggers back on."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        else:
            cursor.execute(f"DROP TRIGGER {table}_no_update")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def test_an_intact_check_remembers_where_it_ended_signed() -> None:
    since = remembered_after(5)
    last = ProcessingRecord.objects.get(position=5)
    assert since.chains["processing"] == (5, last.hash)
    assert since.chains["access"] == (0, "0" * 64)
    document = json.loads(audit_verified_path().read_text(encoding="utf-8"))
    assert document["format"] == "meedoen-audit-verified/1"
    assert document["chains"]["processing"] == {"position": 5, "hash": last.hash}
    assert audit_verified_path().stat().st_mode & 0o077 == 0


def test_since_checks_only_the_newer_records_and_moves_forward() -> None:
    since = remembered_after(5)
    log(3)
    result = check(since=since)
    assert result.intact, result.as_json()
    assert chains(result)["processing"] == (3, 6, None)
    assert result.as_json()["chains"][0]["checked_from"] == 6
    assert result.as_json()["since"]["chains"]["processing"]["position"] == 5
    # The full check counts every record from the first.
    assert chains(check())["processing"] == (8, 1, None)
    audit_verified_remember(result)
    moved = audit_verified_load()
    assert moved.chains["processing"][0] == 8 and moved.time > since.time
    assert chains(check(since=moved))["processing"] == (0, 9, None)


def test_since_still_finds_a_changed_newer_record() -> None:
    since = remembered_after(5)
    log(3)
    tamper("UPDATE audits_processingrecord SET data_subject_id = 'x' WHERE position = 7", [])
    result = check(since=since)
    assert not result.intact
    assert chains(result)["processing"] == (2, 6, 7)


def test_since_reads_back_only_the_newer_subject_sets_and_finds_a_changed_one() -> None:
    old = explicit("a" * 32, "b" * 32)
    since = remembered_after(2, old)
    assert since.sets_highest >= 1
    new = explicit("c" * 32, "d" * 32)
    log(0, subject_set=old)  # the old set again: read back by the earlier check
    log(0, subject_set=new)
    result = check(since=since)
    assert result.intact and result.sets_checked == 1, result.as_json()
    assert check().sets_checked == 2  # the full check reads both
    new_id = ProcessingRecord.objects.get(subject_set_digest=new.digest).subject_set_id
    tamper(
        "UPDATE audits_subjectsetmember SET subject = %s WHERE subject = %s",
        ["e" * 32, "d" * 32],
        table="audits_subjectsetmember",
    )
    result = check(since=since)
    assert not result.intact
    assert [p for p in result.sets_changed if f"subject set {new_id} " in p], result.sets_changed


def test_a_record_at_the_remembered_position_that_changed_is_found() -> None:
    since = remembered_after(5)
    log(2)
    tamper("UPDATE audits_processingrecord SET data_subject_id = 'x' WHERE position = 5", [])
    result = check(since=since)
    (broken,) = [r for r in result.chains if r.chain == "processing"]
    assert broken.broken_at == 5 and "does not match its hash" in broken.problem
    assert not result.intact


def test_a_rewritten_hash_at_the_remembered_position_is_found() -> None:
    since = remembered_after(5)
    tamper("UPDATE audits_processingrecord SET hash = %s WHERE position = 5", ["f" * 64])
    (broken,) = [r for r in audit_verify_all(since=since).chains if r.chain == "processing"]
    assert broken.broken_at == 5 and "is not the record the check of" in broken.problem


def test_no_remembered_position_is_refused() -> None:
    with pytest.raises(VerifiedMissing, match="run a full `meedoen audit verify` first"):
        audit_verified_load()


def test_an_edited_remembered_position_is_refused() -> None:
    remembered_after(5)
    path = audit_verified_path()
    document = json.loads(path.read_text(encoding="utf-8"))
    document["chains"]["processing"]["position"] = 4  # check less than was checked
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(VerifiedError, match="signature does not match its content"):
        audit_verified_load()
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(VerifiedError, match="not valid JSON"):
        audit_verified_load()


def test_a_remembered_position_signed_by_another_key_is_refused() -> None:
    since = remembered_after(5)
    forger = Ed25519PrivateKey.generate()
    forged = Verified(
        since.time, since.chains, since.sets_highest, key_fingerprint(forger.public_key())
    )
    signature = forger.sign(canonical(forged.statement())).hex()
    audit_verified_path().write_text(
        json.dumps({**forged.statement(), "signature": signature}), encoding="utf-8"
    )
    with pytest.raises(VerifiedError, match="not signed by the trusted key"):
        audit_verified_load()


def test_nothing_is_remembered_without_the_checkpoint_key(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    log(2)
    result = check()
    settings.AUDIT_CHECKPOINT_KEY = tmp_path / "elsewhere" / "audit-checkpoint.key"
    saved = audit_verified_remember(result)
    assert not saved.written and "cannot read the checkpoint key" in saved.note
    assert not audit_verified_path().exists()


def test_progress_is_reported_every_ten_thousand_records_with_totals() -> None:
    log(25_000, subject_set=None)
    log(0, subject_set=explicit("a" * 32))
    audit_checkpoint_write()
    calls: list[tuple[str, int, int]] = []
    assert audit_verify_all(progress=lambda *call: calls.append(call)).intact
    processing = [c for c in calls if c[0] == "processing chain"]
    assert processing == [
        ("processing chain", 0, 25_001),
        ("processing chain", PROGRESS_EVERY, 25_001),
        ("processing chain", 2 * PROGRESS_EVERY, 25_001),
        ("processing chain", 25_001, 25_001),
    ]
    assert [c for c in calls if c[0] == "access chain"][-1] == ("access chain", 0, 0)
    assert [c for c in calls if c[0] == SETS_STEP] == [(SETS_STEP, 0, 1), (SETS_STEP, 1, 1)]
