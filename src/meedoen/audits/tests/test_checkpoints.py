"""Checkpoints of the audit log through the web project: what is signed, when nothing is, the
serve timer, and the trust in the public key."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest
from django.db import connection

from meedoen.audits.selectors import audit_checkpoints_verify, checkpoint_trust
from meedoen.audits.services import (
    activity_uri,
    audit_checkpoint_write,
    audit_processing,
    checkpoint_key_ensure,
    checkpoint_timer_start,
)
from meedoen.audits.trace import TraceContext
from meedoen_data.audit_checkpoint import CheckpointError, file_name, key_fingerprint

pytestmark = pytest.mark.django_db


def log(n: int) -> None:
    audit_processing(
        trace=TraceContext.start(),
        name="activity.sql",
        activity=activity_uri(7),
        subjects=[f"{i:032x}" for i in range(n)],
        subject_type="pseudonym-activity-7",
        started=datetime.now(UTC),
    )


def test_a_checkpoint_signs_both_chains_ends(settings) -> None:
    log(3)
    written = audit_checkpoint_write()
    assert written.written and written.path == settings.AUDIT_WITNESS_DIR / file_name(1)
    chains = written.checkpoint.chains
    assert (chains["processing"].position, chains["processing"].records) == (3, 3)
    assert chains["access"].position == 0
    assert settings.AUDIT_CHECKPOINT_KEY.is_file()  # created on first use
    assert audit_checkpoint_write().written is False  # nothing moved
    log(1)
    assert audit_checkpoint_write().checkpoint.sequence == 2
    report = audit_checkpoints_verify()
    assert report.intact and report.checkpoints == 2


def test_no_checkpoint_for_a_head_that_does_not_match_its_log() -> None:
    log(3)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audits_chainhead DISABLE TRIGGER USER")
        cursor.execute("UPDATE audits_chainhead SET position = 5 WHERE chain = 'processing'")
    with pytest.raises(CheckpointError, match="names record 5, which the log does not hold"):
        audit_checkpoint_write()


def test_the_trusted_key_is_never_the_witness_folders_copy(settings, tmp_path) -> None:
    assert checkpoint_trust() == ([], checkpoint_trust()[1])  # no key anywhere yet
    checkpoint_key_ensure()
    keys, source = checkpoint_trust()
    assert source.startswith("the private key ")
    # A verifier that cannot read the private key uses the pinned public key.
    settings.AUDIT_CHECKPOINT_KEY = tmp_path / "elsewhere" / "unreadable.key"
    pinned, source = checkpoint_trust()
    assert source.startswith("the pinned public key ")
    assert key_fingerprint(pinned[0]) == key_fingerprint(keys[0])


def test_the_download_names_the_newest_checkpoint(settings) -> None:
    from meedoen.audits.selectors import audit_checkpoint_download

    log(2)
    written = audit_checkpoint_write()
    document = audit_checkpoint_download(user_name="privacy_officer")
    assert document["checkpoint"] == written.checkpoint.as_json()
    kept = [("kept.json", json.dumps(document).encode())]
    assert audit_checkpoints_verify(kept=kept).intact


def test_serve_without_the_key_says_once_that_the_timer_must(caplog) -> None:
    with caplog.at_level(logging.INFO, logger="meedoen.audits"):
        assert checkpoint_timer_start(interval=900) is None
        assert checkpoint_timer_start(interval=0) is None
    assert "cannot read the checkpoint key" in caplog.text
    assert "MEEDOEN_CHECKPOINT_INTERVAL=0" in caplog.text
