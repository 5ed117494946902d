"""Signed checkpoints of the audit log, in the data package alone (no Django): writing them to a
witness folder, and every way of cutting the log or the checkpoints short being caught."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Collection, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from meedoen_data.audit_checkpoint import (
    GENESIS,
    ChainState,
    Checkpoint,
    CheckpointError,
    checkpoint_key_create,
    checkpoint_key_load,
    checkpoint_sign,
    checkpoints_verify,
    download_document,
    file_name,
    key_fingerprint,
    public_key_load,
    public_key_path,
    witness_files,
    witness_write,
)

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


class Log:
    """A stand-in for the database: per chain, the hash of each position (1, 2, …)."""

    def __init__(self) -> None:
        self.hashes: dict[str, list[str]] = {"processing": [], "access": []}

    def append(self, chain: str, n: int = 1) -> None:
        for _ in range(n):
            self.hashes[chain].append(f"{len(self.hashes[chain]) + 1:064x}")

    def states(self) -> dict[str, ChainState]:
        return {
            chain: ChainState(len(h), h[-1] if h else GENESIS, len(h))
            for chain, h in self.hashes.items()
        }

    def ends(self) -> dict[str, int]:
        return {chain: len(h) for chain, h in self.hashes.items()}

    def hashes_at(self, chain: str, positions: Collection[int]) -> Mapping[int, str]:
        h = self.hashes[chain]
        return {p: h[p - 1] for p in positions if 1 <= p <= len(h)}

    def extends(self, newest: Checkpoint) -> list[str]:
        return [
            f"{chain} differs"
            for chain, state in newest.chains.items()
            if state.position
            and self.hashes_at(chain, [state.position]) != {state.position: state.hash}
        ]


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def write(folder: Path, key: Ed25519PrivateKey, log: Log, at: datetime = T0):  # type: ignore[no-untyped-def]
    return witness_write(folder=folder, key=key, chains=log.states(), extends=log.extends, now=at)


def verify(folder: Path, key: Ed25519PrivateKey, log: Log, kept: list[Path] = ()):  # type: ignore[no-untyped-def, assignment]
    return checkpoints_verify(
        witness=witness_files(folder),
        kept=[(p.name, p.read_bytes()) for p in kept],
        trusted=[key.public_key()],
        key_source="test",
        ends=log.ends(),
        hashes_at=log.hashes_at,
    )


def three_checkpoints(folder: Path, key: Ed25519PrivateKey) -> Log:
    log = Log()
    for step in range(3):
        log.append("processing", 10)
        log.append("access", 2)
        write(folder, key, log, T0 + timedelta(minutes=15 * step))
    return log


def test_the_key_is_created_once_owner_only_with_its_public_key_beside_it(tmp_path) -> None:
    path = tmp_path / "keys" / "audit-checkpoint.key"
    assert checkpoint_key_create(path) is True
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = checkpoint_key_load(path)
    assert checkpoint_key_create(path) is False  # never overwritten
    assert checkpoint_key_load(path).private_bytes_raw() == first.private_bytes_raw()
    public = public_key_load(public_key_path(path))
    assert key_fingerprint(public) == key_fingerprint(first.public_key())
    os.chmod(path, 0o640)
    with pytest.raises(CheckpointError, match="readable by group or others"):
        checkpoint_key_load(path)


def test_checkpoints_chain_to_each_other_and_are_never_rewritten(tmp_path, key) -> None:
    log = three_checkpoints(tmp_path, key)
    names = [name for name, _ in witness_files(tmp_path)]
    assert names == [file_name(1), file_name(2), file_name(3)]
    first, second, third = (json.loads(data) for _, data in witness_files(tmp_path))
    assert first["previous"] == GENESIS
    assert second["previous"] == Checkpoint.parse(first).digest
    assert third["chains"]["processing"] == {
        "position": 30,
        "hash": log.hashes["processing"][-1],
        "records": 30,
    }
    assert third["key"] == key_fingerprint(key.public_key())
    assert stat.S_IMODE((tmp_path / file_name(3)).stat().st_mode) == 0o400
    # Nothing moved: nothing new is written.
    again = write(tmp_path, key, log)
    assert again.written is False and again.checkpoint.sequence == 3
    report = verify(tmp_path, key, log)
    assert report.intact, report.problems
    assert report.checkpoints == 3 and report.newest is not None
    assert report.unwitnessed == {"access": 0, "processing": 0}


def test_a_number_taken_by_another_writer_is_skipped_not_overwritten(tmp_path, key) -> None:
    log = Log()
    log.append("processing")
    write(tmp_path, key, log)
    # Another writer created checkpoint 2 a moment ago (here: a stray file with that name).
    (tmp_path / file_name(2)).write_text("{}")
    log.append("processing")
    result = write(tmp_path, key, log)
    assert result.checkpoint.sequence == 3 and result.written
    assert (tmp_path / file_name(2)).read_text() == "{}"
    assert Checkpoint.parse(json.loads((tmp_path / file_name(3)).read_text())).previous == (
        Checkpoint.parse(json.loads((tmp_path / file_name(1)).read_text())).digest
    )


def test_records_not_yet_witnessed_are_counted(tmp_path, key) -> None:
    log = three_checkpoints(tmp_path, key)
    log.append("processing", 4)
    report = verify(tmp_path, key, log)
    assert report.intact
    assert report.unwitnessed == {"access": 0, "processing": 4}
    assert "4 processing records are newer than the newest checkpoint" in report.notes[0]


def test_a_cut_off_log_is_a_truncation_with_the_number_of_lost_records(tmp_path, key) -> None:
    log = three_checkpoints(tmp_path, key)
    del log.hashes["processing"][23:]  # the newest 7 records deleted
    report = verify(tmp_path, key, log)
    assert not report.intact
    (truncation,) = report.truncations
    assert (truncation.chain, truncation.lost, truncation.last_position) == ("processing", 7, 23)
    assert truncation.seen_sequence == 3
    assert truncation.message == (
        "7 processing records after position 23 were removed: the checkpoint 3 of "
        "2026-11-23 10:30:00 UTC saw position 30"
    )
    assert truncation.message in report.problems
    # And no new checkpoint vouches for the shorter log.
    with pytest.raises(CheckpointError, match="does not extend the newest checkpoint"):
        write(tmp_path, key, log)


def test_a_rewritten_log_does_not_have_the_checkpoints_hashes(tmp_path, key) -> None:
    log = three_checkpoints(tmp_path, key)
    log.hashes["processing"][19] = "f" * 64  # record 20, seen by checkpoint 2
    report = verify(tmp_path, key, log)
    assert any(
        p.startswith("record 20 of the processing chain is not the record the checkpoint 2")
        for p in report.problems
    ), report.problems


def test_a_checkpoint_of_another_key_is_forged(tmp_path, key) -> None:
    log = three_checkpoints(tmp_path, key)
    forger = Ed25519PrivateKey.generate()
    newest = Checkpoint.parse(json.loads((tmp_path / file_name(3)).read_text()))
    forged = checkpoint_sign(
        key=forger, sequence=4, time=T0, chains=log.states(), previous=newest.digest
    )
    (tmp_path / file_name(4)).write_text(forged.file_text())
    report = verify(tmp_path, key, log)
    assert any("is signed by another key" in p for p in report.problems)
    assert report.checkpoints == 3


def test_an_altered_checkpoint_no_longer_matches_its_signature(tmp_path, key) -> None:
    three_checkpoints(tmp_path, key)
    path = tmp_path / file_name(3)
    data = json.loads(path.read_text())
    data["chains"]["processing"]["position"] = 25  # hide records 26 to 30
    os.chmod(path, 0o644)
    path.write_text(json.dumps(data))
    log = Log()
    log.append("processing", 25)
    log.append("access", 6)
    report = verify(tmp_path, key, log)
    assert any("signature does not match its content" in p for p in report.problems)


def test_a_removed_intermediate_checkpoint_breaks_the_chain_of_checkpoints(tmp_path, key) -> None:
    log = three_checkpoints(tmp_path, key)
    (tmp_path / file_name(2)).unlink()
    report = verify(tmp_path, key, log)
    assert "checkpoint 3 does not follow checkpoint 1" in report.problems[0]
    (tmp_path / file_name(1)).unlink()
    report = verify(tmp_path, key, log)
    assert "checkpoint 3 does not start the chain of checkpoints" in report.problems[0]


def test_a_removed_newest_checkpoint_is_caught_by_the_officers_copy(tmp_path, key) -> None:
    witness = tmp_path / "witness"
    log = three_checkpoints(witness, key)
    kept = tmp_path / "kept.json"
    kept.write_bytes((witness / file_name(3)).read_bytes())
    # An attacker removes the newest checkpoint and the records it saw beyond checkpoint 2.
    (witness / file_name(3)).unlink()
    del log.hashes["processing"][20:]
    del log.hashes["access"][4:]
    assert verify(witness, key, log).intact  # the folder alone cannot tell
    report = verify(witness, key, log, kept=[kept])
    assert not report.intact
    assert any("newer checkpoints were removed" in p for p in report.problems)
    assert {(t.chain, t.lost) for t in report.truncations} == {("processing", 10), ("access", 2)}


def test_a_replaced_newest_checkpoint_differs_from_the_officers_copy(tmp_path, key) -> None:
    witness = tmp_path / "witness"
    log = three_checkpoints(witness, key)
    kept = tmp_path / "kept.json"
    kept.write_bytes((witness / file_name(3)).read_bytes())
    (witness / file_name(3)).unlink()
    del log.hashes["processing"][20:]
    log.append("processing", 3)  # new records where the removed ones were
    write(witness, key, log)  # a new checkpoint 3, signed with the real key
    report = verify(witness, key, log, kept=[kept])
    assert any("differs from the one in kept.json: it was replaced" in p for p in report.problems)


def test_the_heads_in_a_download_catch_a_cut_after_the_newest_checkpoint(tmp_path, key) -> None:
    witness = tmp_path / "witness"
    log = three_checkpoints(witness, key)
    log.append("access", 5)  # not witnessed yet, but the officer's download saw them
    newest = Checkpoint.parse(json.loads((witness / file_name(3)).read_text()))
    document = download_document(
        checkpoint=newest,
        heads=log.states(),
        downloaded_at=T0 + timedelta(hours=1),
        downloaded_by="privacy_officer",
        public_key=key.public_key(),
    )
    kept = tmp_path / "meedoen-controlepunt.json"
    kept.write_text(json.dumps(document))
    assert verify(witness, key, log, kept=[kept]).intact
    del log.hashes["access"][7:]
    report = verify(witness, key, log, kept=[kept])
    (truncation,) = report.truncations
    assert (truncation.chain, truncation.lost, truncation.seen_sequence) == ("access", 4, None)
    assert "the download meedoen-controlepunt.json of 2026-11-23 11:00:00 UTC" in (
        truncation.message
    )


def test_a_checkpoint_that_saw_fewer_records_than_the_one_before_is_reported(tmp_path, key) -> None:
    """Whoever holds the key could sign a shorter log; an append-only witness folder keeps the
    earlier checkpoint, and the regression shows."""
    log = three_checkpoints(tmp_path, key)
    newest = Checkpoint.parse(json.loads((tmp_path / file_name(3)).read_text()))
    del log.hashes["processing"][25:]
    shorter = checkpoint_sign(
        key=key,
        sequence=4,
        time=T0 + timedelta(hours=1),
        chains=log.states(),
        previous=newest.digest,
    )
    (tmp_path / file_name(4)).write_text(shorter.file_text())
    report = verify(tmp_path, key, log)
    assert any("fewer than the checkpoint 3" in p for p in report.problems)
    assert {(t.chain, t.lost) for t in report.truncations} == {("processing", 5)}


def test_without_a_trusted_key_or_a_checkpoint_nothing_is_called_intact(tmp_path, key) -> None:
    log = Log()
    log.append("processing")
    report = checkpoints_verify(
        witness=[], trusted=[], key_source="none", ends=log.ends(), hashes_at=log.hashes_at
    )
    assert not report.intact and "no trusted public key" in report.problems[0]
    report = verify(tmp_path, key, log)
    assert not report.intact and "holds no checkpoint of this log" in report.problems[0]
    assert verify(tmp_path, key, Log()).intact  # an empty log needs none


def test_junk_in_the_witness_folder_is_named(tmp_path, key) -> None:
    log = three_checkpoints(tmp_path, key)
    (tmp_path / "checkpoint-7.json").write_text("{}")
    (tmp_path / file_name(9)).write_text("not json")
    copy = (tmp_path / file_name(1)).read_text()
    (tmp_path / file_name(8)).write_text(copy)  # checkpoint 1 under another number
    problems = " | ".join(verify(tmp_path, key, log).problems)
    assert "checkpoint-7.json in the witness folder is not named like a checkpoint" in problems
    assert "checkpoint-00000009.json is not a checkpoint: not valid JSON" in problems
    assert "checkpoint-00000008.json holds checkpoint 1: renamed or copied" in problems
