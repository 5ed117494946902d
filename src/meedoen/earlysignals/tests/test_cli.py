"""``meedoen signals link``: run by the workspace operator or an administrator; the summary."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from meedoen.audits.models import AccessRecord
from meedoen.cli.main import app
from meedoen.conftest import PASSWORD
from meedoen.earlysignals.models import SignalHousehold

pytestmark = pytest.mark.django_db


def test_signals_link_prints_what_was_linked(people, activity_id, home, monkeypatch) -> None:
    monkeypatch.setenv("MEEDOEN_HOME", str(home))  # the command sets it; restored afterwards
    runner = CliRunner()
    args = ["signals", "link", "--activity", str(activity_id), "--home", str(home), "--json"]
    answer = runner.invoke(app, args)
    assert answer.exit_code == 0, answer.output
    summary = json.loads(answer.stdout)
    assert summary["signals"] == 12 and summary["by_bsn"] == 11
    assert summary["by_linkage"] == {"auto": 0, "accepted": 0, "pending": 0}
    assert summary["unmatched_by_reason"] == {"the BSN the partner sent is not in the register": 1}
    assert summary["households"]["open"] == 6 == SignalHousehold.objects.count()
    assert AccessRecord.objects.get(operation="signals.link").user_role == "operator"
    # --by an administrator (signed in); a debt worker may not link.
    monkeypatch.setenv("MEEDOEN_PASSWORD", PASSWORD)
    again = runner.invoke(app, [*args[:-1], "--by", "admin"])
    assert again.exit_code == 0, again.output
    assert "6 with open signals on the work list (0 new" in again.stdout
    refused = runner.invoke(app, [*args, "--by", "debt"])
    assert refused.exit_code == 2 and "administrator" in refused.output
