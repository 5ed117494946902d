"""Finding 4: cutting off the end of the audit log was undetectable.

The attack: someone with the web database file (the workspace's owner, a database
administrator, whoever copied ``web.sqlite3``) wanted reads of personal data gone from the log.
They dropped the append-only triggers with ``sqlite3`` (an owner can), deleted the newest audit
records and rewrote ``audits_chainhead`` to the new last record. What remained was a valid hash
chain, so ``meedoen audit verify`` said "intact" and the reads had vanished without a trace.
``INSERT OR REPLACE`` over the last position did not even need a dropped trigger: SQLite
deletes the replaced row without firing DELETE triggers.

Now:

- signed checkpoints of both chains' ends (Ed25519, a key outside the database) are written to a
  witness folder outside the database (``meedoen init``, ``meedoen audit checkpoint`` from a
  timer, ``meedoen serve``), one new file each, chained to the one before;
- ``meedoen audit verify`` checks that the log extends every checkpoint and reports a cut as
  "N records after position X were removed: the checkpoint of T saw position Y", reports
  missing triggers, and refuses forged, altered or removed checkpoints — removal of the newest
  ones with the copy the privacy officer kept (``--checkpoint``), a swapped key with the
  officer's own copy of the public key (``--public-key``);
- no checkpoint is signed for a log that does not extend the newest one;
- SQLite triggers refuse INSERT OR REPLACE (and any insert) over an existing record or chain
  head; on PostgreSQL ``INSERT … ON CONFLICT DO UPDATE`` is an UPDATE, refused by the UPDATE
  triggers (run this module with DATABASE_URL pointing at PostgreSQL to check).
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction

from meedoen.audits.services import activity_uri, audit_access, audit_processing
from meedoen.audits.trace import TraceContext
from meedoen_data.audit_checkpoint import (
    Checkpoint,
    checkpoint_sign,
    file_name,
    public_key_text,
)
from tests.helpers import meedoen, meedoen_json

REFUSED = (IntegrityError, InternalError, ProgrammingError)
TRIGGERS_0002 = importlib.import_module("meedoen.audits.migrations.0002_append_only")
TRIGGERS_0004 = importlib.import_module("meedoen.audits.migrations.0004_no_overwrite")


@pytest.fixture(scope="module")
def logged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace made with the real command line: a small municipality loaded through the
    intake gate (one processing record per person) and a checkpoint of the log after it."""
    root = tmp_path_factory.mktemp("truncation")
    home = root / "home"
    meedoen_json("init", "--home", str(home))
    meedoen_json("synth", "--persons", "50", "--out", str(root / "sources"))
    (root / "sources" / "voedselbank.csv").unlink()  # no food-bank clients among 50 persons
    meedoen_json("ingest", str(root / "sources"), "--home", str(home))
    written = meedoen_json("audit", "checkpoint", "--home", str(home))
    assert written["written"] and written["sequence"] == 2
    return home


@pytest.fixture
def home(logged: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(logged, copy)
    return copy


def heads(home: Path) -> dict[str, int]:
    with sqlite3.connect(home / "web.sqlite3") as db:
        return dict(db.execute("SELECT chain, position FROM audits_chainhead"))


def verify(home: Path, *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = meedoen("audit", "verify", "--home", str(home), "--json", *args)
    return result.returncode, json.loads(result.stdout)


def cut(home: Path, *, keep: int, restore_triggers: bool) -> None:
    """The attack: drop the triggers, delete every processing record after ``keep``, rewrite
    the chain head to fit, and (if wanted) put the triggers back to cover the tracks."""
    db = sqlite3.connect(home / "web.sqlite3")
    try:
        db.execute("DROP TRIGGER audits_processingrecord_no_delete")
        db.execute("DROP TRIGGER audits_chainhead_forward")
        db.execute("DELETE FROM audits_processingrecord WHERE position > ?", (keep,))
        db.execute(
            "UPDATE audits_chainhead SET position = ?, hash = "
            "(SELECT hash FROM audits_processingrecord WHERE position = ?) "
            "WHERE chain = 'processing'",
            (keep, keep),
        )
        if restore_triggers:
            for sql in TRIGGERS_0002.SQLITE_FORWARD:
                if "processingrecord_no_delete" in sql or "chainhead_forward" in sql:
                    db.execute(sql)
        db.commit()
    finally:
        db.close()


@pytest.mark.parametrize("restore_triggers", [False, True])
def test_cutting_off_the_newest_records_is_reported_with_the_number_lost(
    home: Path, restore_triggers: bool
) -> None:
    assert verify(home)[0] == 0
    last = heads(home)["processing"]
    cut(home, keep=last - 7, restore_triggers=restore_triggers)

    code, report = verify(home)
    # The hash chain alone is fooled: what remains is a valid chain (the old "intact").
    chains = {c["chain"]: c for c in report["chains"]}
    assert chains["processing"]["intact"] and chains["processing"]["records"] == last - 7
    # The checkpoint is not.
    assert code == 1 and not report["intact"]
    (truncation,) = report["checkpoints"]["truncations"]
    assert truncation == {
        "chain": "processing",
        "lost": 7,
        "last_position": last - 7,
        "seen_position": last,
        "seen_by": truncation["seen_by"],
        "seen_sequence": 2,
        "seen_time": truncation["seen_time"],
    }
    assert truncation["seen_by"].startswith("checkpoint 2 of ")
    missing = set(report["triggers_missing"])
    if restore_triggers:
        assert not missing
    else:
        assert missing == {"audits_processingrecord_no_delete", "audits_chainhead_forward"}

    text = meedoen("audit", "verify", "--home", str(home))
    assert text.returncode == 1
    assert (
        f"7 processing records after position {last - 7} were removed: the checkpoint 2 of "
        in text.stdout
    )
    assert f"saw position {last}" in text.stdout


def test_no_checkpoint_vouches_for_a_cut_log(home: Path) -> None:
    cut(home, keep=heads(home)["processing"] - 3, restore_triggers=True)
    result = meedoen("audit", "checkpoint", "--home", str(home))
    assert result.returncode == 1
    assert "does not extend the newest checkpoint" in result.stderr
    assert sorted(p.name for p in (home / "audit-witness").glob("checkpoint-*.json")) == [
        file_name(1),
        file_name(2),
    ]


@pytest.mark.parametrize(
    "statement",
    [
        # Replace the last processing record by one of the attacker's choice.
        "INSERT OR REPLACE INTO audits_processingrecord (position, trace_id, span_id, "
        "parent_span_id, name, status, start_time, end_time, processing_activity_id, "
        "data_subject_id, data_subject_id_type, resource, detail, previous_hash, hash) "
        "SELECT position, trace_id, span_id, parent_span_id, 'intake.nothing', status, "
        "start_time, end_time, processing_activity_id, '', 'none', resource, detail, "
        "previous_hash, hash FROM audits_processingrecord ORDER BY position DESC LIMIT 1",
        # The same by row id, moving the row to a new position.
        "REPLACE INTO audits_accessrecord (id, position, trace_id, at, user_name, user_role, "
        "channel, client, operation, previous_hash, hash) SELECT id, position + 1000, "
        "trace_id, at, 'someone else', user_role, channel, client, operation, previous_hash, "
        "hash FROM audits_accessrecord ORDER BY position DESC LIMIT 1",
        # A plain insert over a taken position.
        "INSERT INTO audits_processingrecord SELECT * FROM audits_processingrecord "
        "ORDER BY position DESC LIMIT 1",
        # Move the chain head back without an UPDATE.
        "INSERT OR REPLACE INTO audits_chainhead (chain, position, hash) "
        "VALUES ('processing', 3, (SELECT hash FROM audits_processingrecord WHERE position = 3))",
        "INSERT OR REPLACE INTO audits_chainhead (rowid, chain, position, hash) "
        "SELECT rowid, 'processing-old', position, hash FROM audits_chainhead LIMIT 1",
        # An upsert is an update.
        "INSERT INTO audits_chainhead (chain, position, hash) VALUES ('access', 0, '') "
        "ON CONFLICT (chain) DO UPDATE SET position = excluded.position",
    ],
)
def test_insert_or_replace_over_an_existing_record_or_head_is_refused(
    home: Path, statement: str
) -> None:
    before = heads(home)
    with sqlite3.connect(home / "web.sqlite3") as db:
        rows = db.execute("SELECT count(*) FROM audits_processingrecord").fetchone()
        with pytest.raises(sqlite3.IntegrityError, match=r"append-only|only move forward|UNIQUE"):
            db.execute(statement)
        assert db.execute("SELECT count(*) FROM audits_processingrecord").fetchone() == rows
    assert heads(home) == before
    assert verify(home)[0] == 0


def test_without_the_new_trigger_insert_or_replace_went_through(home: Path) -> None:
    """Why 0004 exists: with only the triggers of 0002, SQLite's REPLACE deleted the last
    record (no DELETE trigger fires for it) and put another in its place."""
    last = heads(home)["processing"]
    with sqlite3.connect(home / "web.sqlite3") as db:
        db.execute("DROP TRIGGER audits_processingrecord_no_overwrite")
        db.execute(
            "INSERT OR REPLACE INTO audits_processingrecord (position, trace_id, span_id, "
            "parent_span_id, name, status, start_time, end_time, processing_activity_id, "
            "data_subject_id, data_subject_id_type, resource, detail, previous_hash, hash) "
            "SELECT position, trace_id, span_id, parent_span_id, name, status, start_time, "
            "end_time, processing_activity_id, 'x', data_subject_id_type, resource, detail, "
            "previous_hash, hash FROM audits_processingrecord WHERE position = ?",
            (last,),
        )
        (subject,) = db.execute(
            "SELECT data_subject_id FROM audits_processingrecord WHERE position = ?", (last,)
        ).fetchone()
    assert subject == "x"
    code, report = verify(home)
    assert code == 1 and "audits_processingrecord_no_overwrite" in report["triggers_missing"]


# -- The checkpoints themselves ----------------------------------------------------------------


def _newest(home: Path) -> Checkpoint:
    newest = max((home / "audit-witness").glob("checkpoint-*.json"))
    return Checkpoint.parse(json.loads(newest.read_text()))


def test_a_checkpoint_forged_with_another_key_is_detected(home: Path) -> None:
    """The attacker cuts the log and writes a checkpoint that fits it, signed with a key of
    their own (they cannot read the real one)."""
    last = heads(home)["processing"]
    newest = _newest(home)
    cut(home, keep=last - 5, restore_triggers=True)
    fitting = {
        **newest.chains,
        "processing": type(newest.chains["processing"])(
            last - 5, _hash_at(home, last - 5), last - 5
        ),
    }
    forged = checkpoint_sign(
        key=Ed25519PrivateKey.generate(),
        sequence=3,
        time=datetime.now(UTC),
        chains=fitting,
        previous=newest.digest,
    )
    (home / "audit-witness" / file_name(3)).write_text(forged.file_text())
    code, report = verify(home)
    assert code == 1
    problems = " | ".join(report["checkpoints"]["problems"])
    assert f"{file_name(3)} is signed by another key" in problems
    assert report["checkpoints"]["truncations"][0]["lost"] == 5  # checkpoint 2 still counts


def test_a_deleted_newest_checkpoint_is_caught_with_the_checkpoint_the_officer_kept(
    home: Path, tmp_path: Path
) -> None:
    """The witness folder is an ordinary folder here (not WORM): the attacker removes the newest
    checkpoint, then cuts what only it had seen. The folder alone still looks whole; the copy
    the privacy officer downloaded and kept does not agree."""
    witness = home / "audit-witness"
    kept = tmp_path / "bewaard-controlepunt.json"
    shutil.copy(witness / file_name(2), kept)
    os.chmod(witness / file_name(2), 0o644)
    (witness / file_name(2)).unlink()
    cut(home, keep=heads(home)["processing"] - 4, restore_triggers=True)
    code, report = verify(home)
    assert code == 0, report  # checkpoint 1 saw an empty log: nothing to compare
    code, report = verify(home, "--checkpoint", str(kept))
    assert code == 1
    problems = " | ".join(report["checkpoints"]["problems"])
    assert f"the witness folder ends at checkpoint 1, but {kept} holds checkpoint 2" in problems
    assert "newer checkpoints were removed from it" in problems
    assert report["checkpoints"]["truncations"][0]["lost"] == 4


def test_a_swapped_key_is_caught_with_the_officers_copy_of_the_public_key(
    home: Path, tmp_path: Path
) -> None:
    """Someone who can write the workspace replaces the checkpoint key by their own and
    re-signs every checkpoint to fit a cut log. Verification that trusts the key files in the
    workspace is fooled; with the public key the privacy officer keeps it is not."""
    officers_copy = tmp_path / "audit-checkpoint.pub"
    shutil.copy(home / "keys" / "audit-checkpoint.pub", officers_copy)
    last = heads(home)["processing"]
    cut(home, keep=last - 6, restore_triggers=True)
    theirs = Ed25519PrivateKey.generate()
    (home / "keys" / "audit-checkpoint.key").write_text(theirs.private_bytes_raw().hex() + "\n")
    (home / "keys" / "audit-checkpoint.pub").write_text(public_key_text(theirs.public_key()))
    witness = home / "audit-witness"
    previous = "0" * 64
    for number in (1, 2):
        path = witness / file_name(number)
        original = Checkpoint.parse(json.loads(path.read_text()))
        chains = dict(original.chains)
        if number == 2:
            chains["processing"] = type(chains["processing"])(
                last - 6, _hash_at(home, last - 6), last - 6
            )
        resigned = checkpoint_sign(
            key=theirs, sequence=number, time=original.time, chains=chains, previous=previous
        )
        os.chmod(path, 0o644)
        path.write_text(resigned.file_text())
        previous = resigned.digest
    assert verify(home)[0] == 0  # fooled: it trusts the key it finds in the workspace
    code, report = verify(home, "--public-key", str(officers_copy))
    assert code == 1
    assert report["checkpoints"]["key_source"].startswith("given: ")
    assert sum("signed by another key" in p for p in report["checkpoints"]["problems"]) == 2


def _hash_at(home: Path, position: int) -> str:
    with sqlite3.connect(home / "web.sqlite3") as db:
        (digest,) = db.execute(
            "SELECT hash FROM audits_processingrecord WHERE position = ?", (position,)
        ).fetchone()
    return str(digest)


# -- PostgreSQL (and SQLite) through Django: upserts are updates --------------------------------


@pytest.mark.django_db
@pytest.mark.postgres
def test_on_conflict_do_update_is_refused_on_either_database() -> None:
    """PostgreSQL has no INSERT OR REPLACE; its ``ON CONFLICT DO UPDATE`` runs the UPDATE
    triggers, so the same refusal holds (SQLite's upsert too). Runs on PostgreSQL with
    DATABASE_URL set, on SQLite otherwise."""
    trace = TraceContext.start()
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
        subjects=["a" * 32, "b" * 32],
        subject_type="pseudonym-activity-7",
        started=datetime.now(UTC),
    )
    columns = (
        "position, trace_id, span_id, parent_span_id, name, status, start_time, end_time, "
        "processing_activity_id, data_subject_id, data_subject_id_type, resource, detail, "
        "previous_hash, hash"
    )
    attempts = [
        f"INSERT INTO audits_processingrecord ({columns}) SELECT {columns} "
        "FROM audits_processingrecord WHERE position = 2 "
        "ON CONFLICT (position) DO UPDATE SET data_subject_id = 'x'",
        "INSERT INTO audits_chainhead (chain, position, hash) VALUES ('processing', 1, '') "
        "ON CONFLICT (chain) DO UPDATE SET position = excluded.position",
    ]
    for sql in attempts:
        with pytest.raises(REFUSED), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    with connection.cursor() as cursor:
        cursor.execute("SELECT data_subject_id FROM audits_processingrecord WHERE position = 2")
        assert cursor.fetchone() == ("b" * 32,)
        cursor.execute("SELECT position FROM audits_chainhead WHERE chain = 'processing'")
        assert cursor.fetchone() == (2,)


def test_the_new_triggers_are_in_the_migration() -> None:
    assert {s.split()[2] for s in TRIGGERS_0004.SQLITE_FORWARD} == {
        "audits_processingrecord_no_overwrite",
        "audits_accessrecord_no_overwrite",
        "audits_chainhead_no_overwrite",
    }
