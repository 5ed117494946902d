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


LONG_AGO = str(date.today() - timedelta(days=400))


@pytest.mark.parametrize(
    ("before", "env", "message"),
    [
        ("1-1-2020", {}, "--before must be a date YYYY-MM-DD"),
        (str(date.today() - timedelta(days=30)), {}, "within the minimum retention"),
        (
            str(date.today() - timedelta(days=400)),
            {"MEEDOEN_AUDIT_MIN_RETENTION_DAYS": "500"},
            "within the minimum retention",
        ),
    ],
)
def test_refused(home: Path, before: str, env: dict[str, str], message: str) -> None:
    result = meedoen("audit", "prune", "--before", before, "--home", str(home), **env)
    assert result.returncode == 2 and message in result.stderr, result.stderr


def test_the_minimum_retention_cannot_be_set_below_a_year(home: Path) -> None:
    """The floor verify holds every prune to (meedoen_data.audit_prune.RETENTION_FLOOR)."""
    result = meedoen(
        "audit",
        "prune",
        "--before",
        LONG_AGO,
        "--home",
        str(home),
        MEEDOEN_AUDIT_MIN_RETENTION_DAYS="0",
    )
    assert result.returncode != 0
    assert "MEEDOEN_AUDIT_MIN_RETENTION_DAYS must be 365 or more" in result.stderr


def test_nothing_ended_before_the_date(home: Path) -> None:
    result = meedoen("audit", "prune", "--before", LONG_AGO, "--home", str(home), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["records_removed"] == 0 and report["sets_removed"] == 0
    assert {c["chain"]: c["removed"] for c in report["chains"]} == {"processing": 0, "access": 0}
    text = meedoen("audit", "prune", "--before", LONG_AGO, "--dry-run", "--home", str(home))
    assert "processing chain: nothing ended before" in text.stdout, text.stderr
    verify = meedoen("audit", "verify", "--home", str(home))
    assert verify.returncode == 0, verify.stdout
