"""`meedoen audit verify --since` on a real workspace: the full check remembers its position, the
incremental check recomputes only the newer records (and moves the position on), and refuses a
missing, edited or contradicted remembered position."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.helpers import meedoen, meedoen_json, pseudonymise


def verify(home: Path, *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = meedoen("audit", "verify", "--home", str(home), "--json", *args)
    return result.returncode, json.loads(result.stdout)


def checkpoint(home: Path) -> None:
    meedoen_json("audit", "checkpoint", "--home", str(home))


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with 6 processing records, checked in full (so its position is remembered),
    then 4 newer records and a checkpoint of them."""
    home = tmp_path_factory.mktemp("since") / "home"
    meedoen_json("init", "--home", str(home))
    pseudonymise(home, 0, 6)
    checkpoint(home)
    code, report = verify(home)
    assert code == 0 and report["remembered"]["written"], report
    pseudonymise(home, 6, 4)
    checkpoint(home)
    return home


@pytest.fixture
def home(checked: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(checked, copy)
    return copy


def tamper(home: Path, sql: str) -> None:
    with sqlite3.connect(home / "web.sqlite3") as db:
        db.execute("DROP TRIGGER audits_processingrecord_no_update")
        db.execute(sql)


def test_the_full_check_remembers_and_since_checks_only_the_newer_records(home: Path) -> None:
    remembered = json.loads((home / "audit-verified.json").read_text(encoding="utf-8"))
    assert remembered["chains"]["processing"]["position"] == 6
    code, report = verify(home, "--since")
    assert code == 0 and report["intact"], report
    chains = {c["chain"]: c for c in report["chains"]}
    assert (chains["processing"]["records"], chains["processing"]["checked_from"]) == (4, 7)
    assert chains["processing"]["last_position"] == 10
    assert report["since"]["chains"]["processing"]["position"] == 6
    assert report["remembered"]["written"]
    # The position moved on: nothing is new now.
    code, report = verify(home, "--since")
    processing = report["chains"][0]
    assert code == 0 and (processing["records"], processing["checked_from"]) == (0, 11)
    # The full check still counts everything.
    code, report = verify(home)
    assert code == 0 and report["chains"][0]["records"] == 10


def test_the_text_output_says_from_where_it_checked(home: Path) -> None:
    result = meedoen("audit", "verify", "--since", "--home", str(home))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "since the intact check of " in result.stdout
    assert "intact processing chain: 4 records (from record 7), ends at record 10" in result.stdout
    assert "remembered for --since: checked up to processing record 10" in result.stdout


def test_since_finds_a_changed_newer_record(home: Path) -> None:
    tamper(home, "UPDATE audits_processingrecord SET data_subject_id = 'x' WHERE position = 8")
    result = meedoen("audit", "verify", "--since", "--home", str(home))
    assert result.returncode == 1
    assert "BROKEN processing chain at record 8" in result.stdout
    assert "remembered for --since" not in result.stdout


def test_a_changed_record_at_the_remembered_position_is_found(home: Path) -> None:
    tamper(home, "UPDATE audits_processingrecord SET data_subject_id = 'x' WHERE position = 6")
    code, report = verify(home, "--since")
    assert code == 1 and not report["intact"]
    processing = report["chains"][0]
    assert processing["broken_at"] == 6 and "does not match its hash" in processing["problem"]
    assert report["remembered"] is None


def test_since_without_a_remembered_position_is_refused(home: Path) -> None:
    (home / "audit-verified.json").unlink()
    result = meedoen("audit", "verify", "--since", "--home", str(home))
    assert result.returncode == 2
    assert "run a full `meedoen audit verify` first" in result.stderr
    assert not (home / "audit-verified.json").exists()


def test_an_edited_remembered_position_is_refused(home: Path) -> None:
    path = home / "audit-verified.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["chains"]["processing"]["position"] = 9  # skip checking records 7 to 9
    path.write_text(json.dumps(document), encoding="utf-8")
    result = meedoen("audit", "verify", "--since", "--home", str(home))
    assert result.returncode == 1
    assert "BROKEN remembered position" in result.stdout
    assert "signature does not match its content" in result.stdout
    code, report = verify(home, "--since")
    assert code == 1 and report["intact"] is False and "refused" in report["since"]
    assert json.loads(path.read_text(encoding="utf-8")) == document  # never silently replaced


def test_without_the_checkpoint_key_nothing_is_remembered(home: Path, tmp_path: Path) -> None:
    (home / "audit-verified.json").unlink()
    pinned = home / "keys" / "audit-checkpoint.pub"
    result = meedoen(
        "audit",
        "verify",
        "--home",
        str(home),
        "--public-key",
        str(pinned),
        MEEDOEN_CHECKPOINT_KEY=str(tmp_path / "elsewhere" / "audit-checkpoint.key"),
    )
    assert result.returncode == 0, result.stdout
    (note,) = [line for line in result.stdout.splitlines() if "not remembered" in line]
    assert note.startswith("note: this account cannot read the checkpoint key")
    assert not (home / "audit-verified.json").exists()
