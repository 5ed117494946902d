"""Abusing the audit log's prune to erase recent records (found in review of issue 16).

The attack: `meedoen audit prune` removes old records behind an anchor signed with the checkpoint
key, and verify then starts the chain at the anchor and counts the checkpoints before it as
covered. On a one-account installation the operator holds that key. As first built, the operator
could set MEEDOEN_AUDIT_MIN_RETENTION_DAYS=0 and prune yesterday's records (what they did
yesterday), and verify stayed green: the checkpoints that had seen those records counted as
covered by the anchor. Without the setting, they could write and sign such an anchor themselves,
or date it a year into the future so that its cut-off looked old enough.

Now the minimum retention cannot be set below a year (tests/cli/test_audit_prune.py), and verify
holds every retention anchor to a fixed floor of 365 days between its cut-off and its own time,
refuses an anchor dated in the future, and accepts one compaction per chain only: each attack
below, done with the real key, leaves the log BROKEN. Every prune and compaction is named in
verify's notes, so a legitimate one is visible too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from meedoen.audits.models import ProcessingRecord, PruneAnchor
from meedoen.audits.selectors import audit_verify_all
from meedoen.audits.services import (
    activity_uri,
    audit_checkpoint_write,
    audit_processing,
    checkpoint_key_ensure,
)
from meedoen.audits.trace import TraceContext
from meedoen_data.audit_checkpoint import checkpoint_key_load
from meedoen_data.audit_prune import COMPACTION, RETENTION, Anchor, removed_digest

pytestmark = pytest.mark.django_db
NOW = datetime.now(UTC)


@pytest.fixture(autouse=True)
def _own_keys(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEEDOEN_HOME = tmp_path
    settings.AUDIT_WITNESS_DIR = tmp_path / "audit-witness"
    settings.AUDIT_CHECKPOINT_KEY = tmp_path / "keys" / "audit-checkpoint.key"
    settings.AUDIT_CHECKPOINT_PUBLIC_KEY = tmp_path / "keys" / "audit-checkpoint.pub"
    checkpoint_key_ensure()


def yesterdays_log() -> None:
    """What the operator did yesterday, seen by a checkpoint: five reads of persons."""
    for n in range(5):
        audit_processing(
            trace=TraceContext.start(),
            name="activity.sql",
            activity=activity_uri(7),
            subjects=[f"{n:032x}"],
            subject_type="pseudonym-activity-7",
            started=NOW,
        )
    audit_checkpoint_write()
    assert audit_verify_all().intact


def erase_with_own_anchor(
    *, before: datetime, time: datetime, upto: int = 4, kind: str = RETENTION
) -> None:
    """As the operator with the checkpoint key would: triggers off, the records up to ``upto``
    deleted, an anchor made and signed with the real key, triggers on."""
    records = list(
        ProcessingRecord.objects.filter(position__lte=upto)
        .order_by("position")
        .values_list("position", "hash")
    )
    settings_key = checkpoint_key_load(_key_path())
    anchor = Anchor(
        "processing",
        upto,
        records[-1][1],
        len(records),
        removed_digest(records),
        before,
        time,
        kind=kind,
    ).signed(settings_key)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audits_processingrecord DISABLE TRIGGER USER")
        else:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE name = 'audits_processingrecord_no_delete'"
            )
            (trigger,) = cursor.fetchone()
            cursor.execute("DROP TRIGGER audits_processingrecord_no_delete")
        cursor.execute("DELETE FROM audits_processingrecord WHERE position <= %s", [upto])
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audits_processingrecord ENABLE TRIGGER USER")
        else:
            cursor.execute(trigger)  # back on, as the attacker would leave it
    PruneAnchor.objects.create(
        chain=anchor.chain,
        upto=anchor.upto,
        upto_hash=anchor.upto_hash,
        removed=anchor.removed,
        digest=anchor.digest,
        before=anchor.before,
        time=anchor.time,
        kind=anchor.kind,
        key=anchor.key,
        signature=anchor.signature,
    )


def _key_path():  # type: ignore[no-untyped-def]
    from django.conf import settings

    return settings.AUDIT_CHECKPOINT_KEY


def broken() -> str:
    result = audit_verify_all()
    assert not result.intact, result.as_json()
    (processing,) = [r for r in result.chains if r.chain == "processing"]
    assert processing.broken_at == 1
    return processing.problem


def test_pruning_yesterdays_records_with_the_real_key_is_caught() -> None:
    yesterdays_log()
    erase_with_own_anchor(before=NOW + timedelta(minutes=1), time=NOW + timedelta(minutes=2))
    problem = broken()
    assert "cannot be trusted" in problem and "less than 365 days" in problem


def test_dating_the_prune_into_the_future_is_caught() -> None:
    yesterdays_log()
    erase_with_own_anchor(
        before=NOW + timedelta(minutes=1), time=NOW + timedelta(days=400)
    )  # the cut-off looks a year old
    assert "in the future" in broken()


def test_a_second_compaction_is_caught_and_a_first_is_named() -> None:
    """A compaction is the one removal verify cannot hold to the floor (its records were
    copied, not aged out), so a log is compacted once: an erasure labelled as a second
    compaction breaks the chain. The first stays named in the notes for the privacy officer,
    who can compare it with the checkpoints kept before it (the rest of the risk, ADR 0013)."""
    yesterdays_log()
    erase_with_own_anchor(before=NOW, time=NOW, upto=2, kind=COMPACTION)
    result = audit_verify_all()
    assert result.intact
    assert any("compaction of" in note for note in result.checkpoints.notes)
    erase_with_own_anchor(before=NOW, time=NOW, upto=4, kind=COMPACTION)
    assert "a second removal labelled a compaction" in broken()


def test_a_legitimate_prune_stays_visible_in_the_notes(monkeypatch: pytest.MonkeyPatch) -> None:
    from meedoen.activities.actors import Actor
    from meedoen.audits import services
    from meedoen.audits.retention import audit_prune

    monkeypatch.setattr(services, "_now", lambda: NOW - timedelta(days=800))
    yesterdays_log()
    monkeypatch.undo()
    audit_prune(
        before=NOW - timedelta(days=400),
        actor=Actor(name="beheer"),
        trace=TraceContext.start(),
        channel="cli",
    )
    result = audit_verify_all()
    assert result.intact, result.as_json()
    assert any(
        "the prune of" in note and "5 processing records up to 5 were removed" in note
        for note in result.checkpoints.notes
    ), result.checkpoints.notes
