"""`meedoen ingest`, `quarantine`, `pseudonym` and `keys rotate` as scripts use them."""

from __future__ import annotations

import json

from tests.helpers import meedoen, meedoen_json
from tests.intake.conftest import PERSON_HEADER, analytics_rows, person_rows


def test_ingest_quarantine_and_history(home, delivery) -> None:
    rows = person_rows(41)
    rows[40] = rows[40].replace("1980-05", "1980-13")  # one bad row of 41: 2.4%
    folder = delivery("ingeschrevenpersoon.csv", "\n".join([PERSON_HEADER, *rows]))
    result = meedoen("ingest", str(folder), "--home", str(home), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["tables"] == {"ingeschrevenpersoon": 40}
    [file] = report["files"]
    assert file["errors"] == [
        {
            "row": 41,
            "column": "datumgeboorte",
            "reason": "not a valid date (expected YYYY-MM-DD or DD-MM-YYYY)",
        }
    ]

    listed = meedoen_json("quarantine", "list", "--home", str(home))
    assert [(q["batch_id"], q["rows"]) for q in listed] == [(file["batch_id"], 1)]
    shown = meedoen_json("quarantine", "show", file["batch_id"], "--home", str(home))
    assert shown[0]["row_number"] == 41 and "1980-13" in shown[0]["raw_row"]

    history = meedoen_json("ingest", "--history", "--home", str(home))
    assert [h["status"] for h in history] == ["loaded"]
    again = meedoen("ingest", str(folder), "--home", str(home))
    assert again.returncode == 0 and "nothing changed" in again.stdout


def test_a_rejected_file_exits_2(home, delivery) -> None:
    result = meedoen("ingest", str(delivery("personen.csv", "a,b\n1,2\n")), "--home", str(home))
    assert result.returncode == 2
    assert "unknown table 'personen'" in result.stdout


def test_pseudonym_command_matches_the_analytics_store(home, delivery) -> None:
    rows = person_rows(3)
    meedoen_json(
        "ingest",
        str(delivery("ingeschrevenpersoon.csv", "\n".join([PERSON_HEADER, *rows]))),
        "--home",
        str(home),
    )
    bsns = "\n".join(r[:9] for r in rows) + "\n"
    result = meedoen("pseudonym", "--domain", "brp", "--home", str(home), stdin=bsns)
    assert result.returncode == 0, result.stderr
    stored = {
        p
        for (p,) in analytics_rows(home, "SELECT person_pseudonym FROM source.ingeschrevenpersoon")
    }
    assert set(result.stdout.split()) == stored
    bad = meedoen("pseudonym", "--domain", "brp", "--home", str(home), stdin="123456789\n")
    assert bad.returncode == 2 and "line 1: not a valid BSN" in bad.stderr
    assert "123456789" not in bad.stderr.replace("line 1", "")


def test_keys_rotate(home, delivery) -> None:
    meedoen_json(
        "ingest",
        str(delivery("ingeschrevenpersoon.csv", "\n".join([PERSON_HEADER, *person_rows(4)]))),
        "--home",
        str(home),
    )
    report = meedoen_json("keys", "rotate", "brp", "--home", str(home))
    assert report["analytics_rows"] == 4 and report["vault_rows"] == 4
    logged = meedoen_json("audit", "list", "--limit", "10", "--home", str(home))
    rotated = [r for r in logged if r["name"] == "vault.key_rotate"]
    assert len(rotated) == 4 and {r["data_subject_id_type"] for r in rotated} == {"pseudonym-brp"}
    missing = meedoen("keys", "rotate", "nope", "--home", str(home))
    assert missing.returncode == 2 and "no key for domain 'nope'" in missing.stderr
