"""`meedoen audit compact` on a real workspace: one action logged as a record per person
(pseudonymising ten BSNs) becomes one record about a set, the log still verifies, and a
person's pseudonym still finds the action."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import meedoen, meedoen_json, pseudonymise


def test_compact_a_record_per_person_into_a_set(tmp_path: Path) -> None:
    home = tmp_path / "home"
    meedoen_json("init", "--home", str(home))
    pseudonym = pseudonymise(home, 0, 10)[4]
    before = meedoen_json("audit", "list", "--subject", pseudonym, "--home", str(home))
    traces = {r["trace_id"] for r in before if r["name"] == "vault.pseudonym"}
    meedoen_json("audit", "checkpoint", "--home", str(home))

    dry = meedoen_json("audit", "compact", "--dry-run", "--home", str(home))
    assert (dry["runs"], dry["records_before"]) == (1, 10)
    done = meedoen_json("audit", "compact", "--home", str(home))
    assert (done["runs"], done["records_after"], done["sets"]) == (1, 1, 1)

    verify = meedoen("audit", "verify", "--home", str(home), "--json")
    assert verify.returncode == 0, verify.stdout
    processing = json.loads(verify.stdout)["chains"][0]
    assert processing["checked_from"] == 11  # after the anchor
    after = meedoen_json("audit", "list", "--subject", pseudonym, "--home", str(home))
    found = [r for r in after if r["name"] == "vault.pseudonym"]
    assert {r["trace_id"] for r in found} == traces and found[0]["subject_count"] == 10
    again = meedoen("audit", "compact", "--home", str(home))
    assert again.returncode == 0 and "nothing to compact" in again.stdout
