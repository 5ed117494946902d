"""`meedoen audit prune` on a real workspace: refusals with their messages, and a run that finds
nothing old enough (records written today cannot be pruned from the command line; pruning a
log of the past is tested in src/meedoen/audits/tests/test_prune.py)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.helpers import meedoen, meedoen_json


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("prune") / "home"
    meedoen_json("init", "--home", str(home))
    result = meedoen(
        "pseudonym", "--domain", "brp", "--home", str(home), stdin="111222333\n123456782\n"
    )
    assert result.returncode == 0, result.stderr
    meedoen_json("audit", "checkpoint", "--home", str(home))
    return home


@pytest.mark.parametrize(
    ("before", "env", "message"),
    [
        ("1-1-2020", {}, "--before must be a date YYYY-MM-DD"),
        (str(date.today() - timedelta(days=30)), {}, "within the minimum retention"),
        (
            str(date.today() + timedelta(days=1)),
            {"MEEDOEN_AUDIT_MIN_RETENTION_DAYS": "0"},
            "within the minimum retention",
        ),
    ],
)
def test_refused(home: Path, before: str, env: dict[str, str], message: str) -> None:
    result = meedoen("audit", "prune", "--before", before, "--home", str(home), **env)
    assert result.returncode == 2 and message in result.stderr, result.stderr


def test_nothing_ended_before_the_date(home: Path) -> None:
    result = meedoen(
        "audit",
        "prune",
        "--before",
        str(date.today()),
        "--home",
        str(home),
        "--json",
        MEEDOEN_AUDIT_MIN_RETENTION_DAYS="0",
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["records_removed"] == 0 and report["sets_removed"] == 0
    assert {c["chain"]: c["removed"] for c in report["chains"]} == {"processing": 0, "access": 0}
    text = meedoen(
        "audit",
        "prune",
        "--before",
        str(date.today()),
        "--dry-run",
        "--home",
        str(home),
        MEEDOEN_AUDIT_MIN_RETENTION_DAYS="0",
    )
    assert "processing chain: nothing ended before" in text.stdout, text.stderr
    verify = meedoen("audit", "verify", "--home", str(home))
    assert verify.returncode == 0, verify.stdout
