"""`meedoen serve` writes signed audit checkpoints itself when its account can read the key, and
says once that the operator's timer must when it cannot; `meedoen audit checkpoint` writes one
on demand."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from tests.helpers import meedoen, meedoen_json, served, served_port


def test_serve_writes_a_checkpoint_when_it_starts(tmp_path: Path) -> None:
    home = tmp_path / "home"
    meedoen_json("init", "--home", str(home))
    witness = home / "audit-witness"
    shutil.rmtree(witness)  # the one init wrote: serve must write its own
    with served(home):
        deadline = time.monotonic() + 20
        while not (witness / "checkpoint-00000001.json").exists():
            assert time.monotonic() < deadline, "serve wrote no checkpoint"
            time.sleep(0.2)
    assert meedoen("audit", "verify", "--home", str(home)).returncode == 0


def test_serve_that_cannot_read_the_key_leaves_it_to_the_timer(tmp_path: Path) -> None:
    home = tmp_path / "home"
    meedoen_json("init", "--home", str(home))
    elsewhere = tmp_path / "checkpoint-account" / "audit-checkpoint.key"
    with served_port(home, MEEDOEN_CHECKPOINT_KEY=str(elsewhere)) as (_port, process):
        time.sleep(1)
    output = process.stdout.read() if process.stdout else ""
    assert output.count("cannot read the checkpoint key") == 1
    assert "meedoen audit checkpoint" in output
    assert not elsewhere.exists()  # serve never creates the key
    written = meedoen_json(
        "audit", "checkpoint", "--home", str(home), MEEDOEN_CHECKPOINT_KEY=str(elsewhere)
    )
    assert written["written"] and written["sequence"] == 2  # a new key starts a new series
    assert elsewhere.is_file() and elsewhere.with_suffix(".pub").is_file()
