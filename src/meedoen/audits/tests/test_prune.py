"""Pruning the audit log at the end of its retention period (ADR 0013): the old part goes, the
rest still verifies from a signed anchor — chains, subject sets, checkpoints and ``--since`` —
and whoever removes records without the checkpoint key, or forges an anchor, is caught.
Run on SQLite and on PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from meedoen.activities.actors import Actor
from meedoen.audits import services
from meedoen.audits.models import AccessRecord, ProcessingRecord, PruneAnchor, SubjectSet
from meedoen.audits.retention import audit_prune
from meedoen.audits.selectors import (
    audit_records,
    audit_verify_all,
)
from meedoen.audits.services import (
    activity_uri,
    audit_action,
    audit_checkpoint_write,
    checkpoint_key_ensure,
)
from meedoen.audits.trace import TraceContext
from meedoen.audits.verified import (
    audit_verified_load,
    audit_verified_remember,
)
from meedoen_data.audit_prune import Anchor
from meedoen_data.audit_sets import subject_set_explicit, subject_set_serials

pytestmark = pytest.mark.django_db
OPERATOR = Actor(name="beheer")
NOW = datetime.now(UTC)
OLD = NOW - timedelta(days=800)  # past any retention
CUTOFF = NOW - timedelta(days=400)


@pytest.fixture(autouse=True)
def _own_home(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEEDOEN_HOME = tmp_path
    settings.AUDIT_MIN_RETENTION_DAYS = 365
    checkpoint_key_ensure()


def act(subjects: object, *, at: datetime, monkeypatch: pytest.MonkeyPatch) -> str:
    """One action at ``at`` (its records written then): an access record and its processing
    record(s). Returns the trace id."""
    monkeypatch.setattr(services, "_now", lambda: at)
    trace = TraceContext.start()
    audit_action(
        trace=trace,
        user_name="analist",
        user_role="analyst",
        channel="cli",
        client="",
        operation="activity.sql",
        activity=activity_uri(7),
        subjects={"pseudonym-activity-7": subjects},  # type: ignore[dict-item]
        started=at,
    )
    monkeypatch.undo()
    return trace.trace_id


@pytest.fixture
def log(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """Two years ago: three actions (one about a set only they use, one about a set a recent
    action shares) and checkpoints; now: two actions and a checkpoint."""
    only_old = subject_set_serials(subject_type="person", serials=range(100, 5_000))
    shared = subject_set_explicit(subject_type="pseudonym-activity-7", subjects=["s" * 32])
    old = [act(["a" * 32, "b" * 32], at=OLD, monkeypatch=monkeypatch)]
    audit_checkpoint_write()  # a checkpoint inside the part that will be pruned
    old += [
        act(only_old, at=OLD, monkeypatch=monkeypatch),
        act(shared, at=OLD + timedelta(days=1), monkeypatch=monkeypatch),
    ]
    checkpoint_key_ensure()
    audit_checkpoint_write()
    new = [
        act(shared, at=NOW, monkeypatch=monkeypatch),
        act(["c" * 32], at=NOW, monkeypatch=monkeypatch),
    ]
    audit_checkpoint_write()
    return {"old": old, "new": new, "only_old": only_old, "shared": shared}


def test_the_old_part_goes_and_the_rest_still_verifies(log: dict[str, object]) -> None:
    before = audit_verify_all()
    assert before.intact, before.as_json()
    report = audit_prune(before=CUTOFF, actor=OPERATOR, trace=TraceContext.start(), channel="cli")
    removed = {p.chain: (p.after, p.upto) for p in report.chains}
    assert removed == {"processing": (0, 4), "access": (0, 3)}  # 2 + 1 + 1 records, 3 actions
    assert report.sets_removed == 1
    # Gone: the old records and the set only they referenced; kept: the shared set.
    for trace in log["old"]:  # type: ignore[attr-defined]
        assert not ProcessingRecord.objects.filter(trace_id=trace).exists()
        assert not AccessRecord.objects.filter(trace_id=trace).exists()
    digests = set(SubjectSet.objects.values_list("digest", flat=True))
    assert log["shared"].digest in digests  # type: ignore[attr-defined]
    assert log["only_old"].digest not in digests  # type: ignore[attr-defined]
    # One signed anchor per chain, the prune in the log, and everything verifies.
    anchors = {a.chain: a.upto for a in PruneAnchor.objects.all()}
    assert anchors == {"processing": 4, "access": 3}
    (prune,) = ProcessingRecord.objects.filter(name="audit.prune")
    assert "ended before" in prune.detail and prune.data_subject_id_type == "none"
    after = audit_verify_all()
    assert after.intact, after.as_json()
    processing = next(r for r in after.chains if r.chain == "processing")
    assert processing.checked_from == 5 and processing.records == 3  # 2 new + the prune
    assert any("pruned part" in note for note in after.checkpoints.notes)
    # The newest records are still found by person.
    assert [r["data_subject_id"] for r in audit_records(data_subject_id="c" * 32)] == ["c" * 32]
    # Nothing is older than the cut-off now: a second prune removes nothing.
    again = audit_prune(before=CUTOFF, actor=OPERATOR, trace=TraceContext.start(), channel="cli")
    assert again.records_removed == 0 and PruneAnchor.objects.count() == 2


def test_a_dry_run_removes_nothing(log: dict[str, object]) -> None:
    records = ProcessingRecord.objects.count()
    report = audit_prune(
        before=CUTOFF, actor=OPERATOR, trace=TraceContext.start(), channel="cli", dry_run=True
    )
    assert report.records_removed == 7 and report.sets_removed == 1
    assert ProcessingRecord.objects.count() == records and not PruneAnchor.objects.exists()


def test_since_after_a_prune_starts_at_the_anchor(log: dict[str, object]) -> None:
    full = audit_verify_all()
    audit_verified_remember(full)  # remembered at the end of the log, then pruned below it
    audit_prune(before=CUTOFF, actor=OPERATOR, trace=TraceContext.start(), channel="cli")
    audit_checkpoint_write()
    result = audit_verify_all(since=audit_verified_load())
    assert result.intact, result.as_json()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"before": NOW - timedelta(days=30)}, "within the minimum retention"),
        ({"actor": "analyst"}, ""),
    ],
)
def test_refused_too_recent_or_not_an_administrator(
    log: dict[str, object], change: dict[str, object], message: str
) -> None:
    from meedoen.accounts.models import User

    kwargs: dict[str, object] = {"before": CUTOFF, "actor": OPERATOR}
    if change.get("actor") == "analyst":
        user = User.objects.create_user(username="ana", password="x" * 20, role="analyst")
        kwargs["actor"] = Actor(name="ana", user=user)
        with pytest.raises(PermissionDenied):
            audit_prune(**kwargs, trace=TraceContext.start(), channel="cli")  # type: ignore[arg-type]
    else:
        kwargs.update(change)
        with pytest.raises(ValidationError, match=message):
            audit_prune(**kwargs, trace=TraceContext.start(), channel="cli")  # type: ignore[arg-type]
    assert not PruneAnchor.objects.exists()
    assert ProcessingRecord.objects.filter(position=1).exists()


def test_a_broken_log_is_not_pruned(log: dict[str, object]) -> None:
    tamper("UPDATE audits_processingrecord SET detail = 'x' WHERE position = 2")
    with pytest.raises(ValidationError, match="does not verify"):
        audit_prune(before=CUTOFF, actor=OPERATOR, trace=TraceContext.start(), channel="cli")
    assert ProcessingRecord.objects.filter(position=1).exists()


def test_without_the_checkpoint_key_nothing_is_pruned(log: dict[str, object], settings) -> None:  # type: ignore[no-untyped-def]
    settings.AUDIT_CHECKPOINT_KEY = settings.MEEDOEN_HOME / "elsewhere" / "checkpoint.key"
    with pytest.raises(ValidationError, match="signs where the chains now start"):
        audit_prune(before=CUTOFF, actor=OPERATOR, trace=TraceContext.start(), channel="cli")
    assert ProcessingRecord.objects.filter(position=1).exists()


def test_removing_old_records_without_an_anchor_is_caught(log: dict[str, object]) -> None:
    """The attack a prune must not open: an owner deletes the oldest records (and could claim a
    retention period did it). Without a signed anchor verify names them as missing."""
    tamper("DELETE FROM audits_processingrecord WHERE position <= 4")
    (broken,) = [r for r in audit_verify_all().chains if r.chain == "processing"]
    assert broken.broken_at == 1 and "records 1 to 4 are missing" in broken.problem


def test_a_deleted_anchor_is_caught(log: dict[str, object]) -> None:
    audit_prune(before=CUTOFF, actor=OPERATOR, trace=TraceContext.start(), channel="cli")
    tamper("DELETE FROM audits_pruneanchor WHERE chain = 'processing'", table="audits_pruneanchor")
    (broken,) = [r for r in audit_verify_all().chains if r.chain == "processing"]
    assert broken.broken_at == 1 and "records 1 to 4 are missing" in broken.problem


def test_an_anchor_forged_with_another_key_is_caught(log: dict[str, object]) -> None:
    """An owner deletes records and writes an anchor of their own: its signature is not the
    checkpoint key's, so verify does not start there."""
    tamper("DELETE FROM audits_processingrecord WHERE position <= 4")
    upto_hash = ProcessingRecord.objects.get(position=5).previous_hash
    forged = Anchor("processing", 4, upto_hash, 4, "0" * 64, CUTOFF, NOW).signed(
        Ed25519PrivateKey.generate()
    )
    PruneAnchor.objects.create(
        chain="processing",
        upto=4,
        upto_hash=upto_hash,
        removed=4,
        digest=forged.digest,
        before=forged.before,
        time=forged.time,
        key=forged.key,
        signature=forged.signature,
    )
    result = audit_verify_all()
    (broken,) = [r for r in result.chains if r.chain == "processing"]
    assert not result.intact
    assert broken.broken_at == 1 and "cannot be trusted" in broken.problem
    assert "not signed by the trusted key" in broken.problem


def test_anchors_are_append_only(log: dict[str, object]) -> None:
    from django.db import IntegrityError, InternalError, ProgrammingError, transaction

    audit_prune(before=CUTOFF, actor=OPERATOR, trace=TraceContext.start(), channel="cli")
    for statement in (
        "UPDATE audits_pruneanchor SET upto = 2",
        "DELETE FROM audits_pruneanchor",
    ):
        with (
            pytest.raises((IntegrityError, InternalError, ProgrammingError)),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert PruneAnchor.objects.count() == 2


def tamper(sql: str, *, table: str = "audits_processingrecord") -> None:
    """As a database owner would: the append-only triggers off, a change, triggers back on."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        else:
            for op in ("update", "delete"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")
        cursor.execute(sql)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


@pytest.mark.postgres
def test_on_postgresql_the_application_role_cannot_prune(log: dict[str, object]) -> None:
    """The set-up of docs/admin/install.md: the app role reads and inserts, never deletes audit
    records, nor switches their triggers off; a prune needs the owner, as a migration does."""
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE meedoen_prune_test NOLOGIN")
        cursor.execute("GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO meedoen_prune_test")
        cursor.execute("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO meedoen_prune_test")
        cursor.execute("SET ROLE meedoen_prune_test")
        try:
            with pytest.raises(ValidationError, match="needs the database owner"):
                audit_prune(
                    before=CUTOFF, actor=OPERATOR, trace=TraceContext.start(), channel="cli"
                )
        finally:
            cursor.execute("RESET ROLE")
    assert ProcessingRecord.objects.filter(position=1).exists()
    assert not PruneAnchor.objects.exists()
