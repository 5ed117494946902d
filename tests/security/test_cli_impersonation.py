"""Finding 2 of issue 15: impersonation on the command line.

The attack: anyone who could run `meedoen` on the workspace typed
`meedoen activity approve 2 --by privacy_officer --motivation x` and activity 2 was approved in
the privacy officer's name — no password, no token, nothing but the user name. The same for
`activity revoke` (deleting everything derived under an activity), `sql` (reading an activity's
pseudonymised tables as the analyst) and `table` (publishing figures as the analyst). Without
`--by` the operating-system user acted as "operator" and was let through as analyst or
administrator: it could run `sql`, `table`, `build`, `link` and request activities itself.

Now `--by USER` authenticates USER — a personal API token in MEEDOEN_TOKEN, the password in
MEEDOEN_PASSWORD, or the password typed at a terminal — and without a secret (no terminal in a
script) or with a wrong one the command exits 2 and nothing happens: the activity stays
requested or approved, no query runs, nothing is published. The operator without `--by` runs
maintenance only and is refused the rest with a message that says to give `--by USERNAME`."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import demo_copy, meedoen, meedoen_as, meedoen_json, meedoen_json_as, passwords

QUERY = "SELECT person_pseudonym FROM source.ingeschrevenpersoon LIMIT 3"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo workspace, with activity 2 requested by the analyst (with her password)."""
    home = str(tmp_path_factory.mktemp("impersonation") / "home")
    result = demo_copy(Path(home))
    secrets = passwords(result)
    requested = meedoen_json_as(
        "analyst",
        secrets["analyst"],
        "activity",
        "request",
        "--name",
        "Tweede",
        "--purpose",
        "Klanten in beeld",
        "--legal-basis",
        "Participatiewet art. 7",
        "--sources",
        "brp",
        "--retention-days",
        "30",
        *("--data-categories", "Huishoudens", "--recipients", "Analisten", "--dpia", "DPIA-1"),
        "--home",
        home,
    )
    return {
        "home": home,
        "passwords": secrets,
        "activity": str(result["activity"]["id"]),
        "requested": str(requested["id"]),  # the demo's activities come first
    }


def status(demo: dict[str, Any], activity: str) -> str:
    shown = meedoen_json("activity", "show", activity, "--home", demo["home"])
    return str(shown["status"])


def count(demo: dict[str, Any], sql: str) -> int:
    with sqlite3.connect(Path(demo["home"]) / "web.sqlite3") as db:
        return int(db.execute(sql).fetchone()[0])


def reads(demo: dict[str, Any]) -> int:
    return count(demo, "SELECT count(*) FROM audits_accessrecord WHERE operation = 'activity.sql'")


def publications(demo: dict[str, Any]) -> int:
    return count(demo, "SELECT count(*) FROM publications_publication")


def refused_for_no_secret(result: Any, user: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"no password or token for {user}" in result.stderr
    for way in ("MEEDOEN_TOKEN", "MEEDOEN_PASSWORD", "prompt"):
        assert way in result.stderr


def test_approve_as_the_privacy_officer_without_a_secret_is_refused(demo) -> None:
    home = demo["home"]
    asked = demo["requested"]
    decide = ("activity", "approve", asked, "--version", "1", "--motivation", "x", "--home", home)
    refused_for_no_secret(meedoen(*decide, "--by", "privacy_officer"), "privacy_officer")
    assert status(demo, asked) == "requested"
    wrong = meedoen(*decide, "--by", "privacy_officer", MEEDOEN_PASSWORD="guessed-password")
    assert wrong.returncode == 2
    assert "authentication failed for privacy_officer" in wrong.stderr
    assert status(demo, asked) == "requested"
    # Another user's password or token does not make you the privacy officer either.
    analysts = meedoen(
        *decide, "--by", "privacy_officer", MEEDOEN_PASSWORD=demo["passwords"]["analyst"]
    )
    assert analysts.returncode == 2 and status(demo, asked) == "requested"
    token = meedoen_json_as(
        "analyst", demo["passwords"]["analyst"], "user", "token", "create", "--home", home
    )["token"]
    borrowed = meedoen(*decide, "--by", "privacy_officer", MEEDOEN_TOKEN=token)
    assert borrowed.returncode == 2 and status(demo, asked) == "requested"
    # The operator (no --by) cannot decide at all.
    operator = meedoen(*decide)
    assert operator.returncode == 2 and "--by" in operator.stderr
    assert status(demo, asked) == "requested"


def test_revoke_without_a_secret_is_refused_and_nothing_is_deleted(demo) -> None:
    home, activity = demo["home"], demo["activity"]
    revoke = ("activity", "revoke", activity, "--motivation", "x", "--home", home)
    refused_for_no_secret(meedoen(*revoke, "--by", "privacy_officer"), "privacy_officer")
    assert status(demo, activity) == "approved"
    assert (Path(home) / "activities" / f"activity-{activity}.duckdb").exists()


def test_sql_and_table_without_a_secret_or_as_the_operator_are_refused(demo) -> None:
    home, activity = demo["home"], demo["activity"]
    before_reads, before_publications = reads(demo), publications(demo)
    sql = ("sql", QUERY, "--activity", activity, "--format", "json", "--home", home)
    table = ("table", "household_type", "--activity", activity, "--format", "json", "--home", home)
    for command in (sql, table):
        refused_for_no_secret(meedoen(*command, "--by", "analyst"), "analyst")
        operator = meedoen(*command)
        assert operator.returncode == 2
        assert "give --by USERNAME" in operator.stderr and "MEEDOEN_PASSWORD" in operator.stderr
        assert "person_pseudonym" not in operator.stdout and not operator.stdout.strip()
    assert (reads(demo), publications(demo)) == (before_reads, before_publications)


def test_the_operator_runs_maintenance_but_never_an_activitys_work(demo) -> None:
    home, activity = demo["home"], demo["activity"]
    for command in (
        ("build", "--peildatum", "2024-01-01", "--activity", activity),
        ("link", str(Path(home) / "sources" / "GM0784" / "voedselbank.csv"), "--source",
         "voedselbank", "--activity", activity),
        ("activity", "request", "--name", "x", "--purpose", "x", "--legal-basis", "x",
         "--sources", "brp", "--retention-days", "1"),
        ("activity", "reviewer", "grant", activity, "analyst"),
    ):  # fmt: skip
        refused = meedoen(*command, "--home", home)
        assert refused.returncode == 2, (command, refused.stdout, refused.stderr)
    pseudonym = meedoen("pseudonym", "--activity", activity, "--home", home, stdin="")
    assert pseudonym.returncode == 2 and "give --by USERNAME" in pseudonym.stderr
    # Maintenance stays the operator's: no --by, no password.
    assert meedoen("audit", "verify", "--home", home).returncode == 0
    assert meedoen_json("activity", "list", "--home", home)
    assert meedoen_json("quarantine", "list", "--home", home) == []
    assert meedoen_json("retention", "run", "--home", home)["activities"] == []


def test_with_the_users_own_secret_the_command_works(demo) -> None:
    home, secrets = demo["home"], demo["passwords"]
    before = reads(demo)
    rows = meedoen_as(
        "analyst", secrets["analyst"], "sql", QUERY, "--activity", demo["activity"],
        "--format", "json", "--home", home,
    )  # fmt: skip
    assert rows.returncode == 0, rows.stderr
    assert reads(demo) == before + 1
    approved = meedoen_json_as(
        "privacy_officer", secrets["privacy_officer"], "activity", "approve", demo["requested"],
        "--version", "1", "--motivation", "Doel en grondslag helder", "--home", home,
    )  # fmt: skip
    assert approved["status"] == "approved" and status(demo, demo["requested"]) == "approved"


def test_every_failed_sign_in_is_in_the_audit_log(demo) -> None:
    failed = (
        "SELECT count(*) FROM audits_accessrecord WHERE operation = 'account.login_failed' "
        "AND user_name = 'analyst' AND channel = 'cli'"
    )
    before = count(demo, failed)
    wrong = meedoen("sql", "SELECT 1", "--activity", demo["activity"], "--by", "analyst",
                    "--home", demo["home"], MEEDOEN_PASSWORD="not-her-password")  # fmt: skip
    assert wrong.returncode == 2 and "authentication failed for analyst" in wrong.stderr
    assert count(demo, failed) == before + 1
    assert "not-her-password" not in (Path(demo["home"]) / "web.sqlite3").read_bytes().decode(
        "latin-1"
    )
