"""`meedoen activity …` exactly as issue #5 specifies it for scripting."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.helpers import demo_copy, meedoen, meedoen_as, meedoen_json, meedoen_json_as, passwords

REQUEST = [
    "activity",
    "request",
    "--name",
    "Voedselbank",
    "--purpose",
    "Klanten in beeld",
    "--legal-basis",
    "Participatiewet art. 7",
    "--data-categories",
    "Huishoudens (BRP), klant voedselbank",
    "--recipients",
    "Analisten",
    "--dpia",
    "DPIA-1",
    "--sources",
    "brp,partner-voedselbank",
    "--retention-days",
    "30",
]


#: The demo users' passwords (`meedoen demo --json`), set by the `home` fixture.
PASSWORDS: dict[str, str] = {}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> str:
    home = str(tmp_path_factory.mktemp("gov") / "home")
    PASSWORDS.update(passwords(demo_copy(Path(home))))
    return home


def as_user(username: str, *args: str, stdin: str | None = None) -> Any:
    """`meedoen ARGS --by USERNAME`, signed in with the demo user's password."""
    return meedoen_as(username, PASSWORDS[username], *args, stdin=stdin)


def json_as(username: str, *args: str) -> Any:
    return meedoen_json_as(username, PASSWORDS[username], *args)


def test_request_approve_list(home) -> None:
    created = json_as("analyst", *REQUEST, "--home", home)
    plain = as_user("analyst", *REQUEST, "--home", home)
    assert plain.returncode == 0 and int(plain.stdout) == created["id"] + 1
    approved = json_as(
        "privacy_officer",
        "activity",
        "approve",
        str(created["id"]),
        "--version",
        "1",
        "--motivation",
        "Doel en grondslag helder",
        "--home",
        home,
    )
    assert approved["status"] == "approved" and approved["version"] == 2
    listed = {a["id"]: a for a in meedoen_json("activity", "list", "--home", home)}
    assert listed[created["id"]]["status"] == "approved"
    assert listed[created["id"]]["sources"] == ["brp", "partner-voedselbank"]


def test_decisions_need_the_privacy_officer(home) -> None:
    created = json_as("analyst", *REQUEST, "--home", home)
    decide = ["activity", "approve", str(created["id"]), "--version", "1", "--motivation", "x"]
    result = as_user("analyst", *decide, "--home", home)
    assert result.returncode == 2
    assert "analyst does not hold the privacy_officer role" in result.stderr
    unknown = meedoen_as(
        "nobody",
        "a-password-of-nobody",
        "activity",
        "refuse",
        str(created["id"]),
        "--version",
        "1",
        "--motivation",
        "x",
        "--home",
        home,
    )
    assert unknown.returncode == 2 and "authentication failed for nobody" in unknown.stderr
    missing = as_user(
        "privacy_officer", "activity", "revoke", "999", "--motivation", "x", "--home", home
    )
    assert missing.returncode == 2 and "there is no activity 999" in missing.stderr


def test_bad_request_is_rejected(home) -> None:
    bad = [*REQUEST[:-4], "--sources", "brp,fiod", "--retention-days", "30"]
    result = as_user("analyst", *bad, "--home", home)
    assert result.returncode == 2 and "unknown source domain fiod" in result.stderr


# --- Enforcement on the command line (issue #5) ---------------------------------------------


def request_and_approve(home: str, sources: str) -> int:
    created = json_as(
        "analyst", *REQUEST[:-4], "--sources", sources, "--retention-days", "30", "--home", home
    )
    json_as(
        "privacy_officer",
        "activity",
        "approve",
        str(created["id"]),
        "--version",
        "1",
        "--motivation",
        "akkoord",
        "--home",
        home,
    )
    return int(created["id"])


def sql_json(home: str, activity: int, query: str) -> Any:
    result = as_user(
        "analyst", "sql", "--activity", str(activity), query, "--format", "json", "--home", home
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_sql_refuses_without_approval_and_names_it(home) -> None:
    created = json_as("analyst", *REQUEST, "--home", home)
    refused = as_user(
        "analyst", "sql", "--activity", str(created["id"]), "SELECT 1", "--home", home
    )
    assert refused.returncode == 2
    assert f"activity {created['id']} (Voedselbank) is requested, not approved" in refused.stderr
    assert "privacy officer must approve it first" in refused.stderr
    unknown = as_user("analyst", "sql", "--activity", "999", "SELECT 1", "--home", home)
    assert unknown.returncode == 2 and "there is no processing activity 999" in unknown.stderr


def test_sql_reads_only_and_pseudonym_matches_the_activitys_tables(home) -> None:
    activity = request_and_approve(home, "brp,wmo")
    query = "SELECT person_pseudonym FROM source.ingeschrevenpersoon ORDER BY 1 LIMIT 1"
    rows = sql_json(home, activity, query)
    assert rows["columns"] == ["person_pseudonym"] and len(rows["rows"]) == 1
    for statement, message in (
        ("DELETE FROM source.ingeschrevenpersoon", "only SELECT is allowed here, not DELETE"),
        ("SELECT * FROM 'notes.parquet'", "file system operations are disabled"),
        ("SELECT * FROM read_csv('/etc/passwd')", "table function read_csv() is not allowed"),
        ("SELECT 1; SELECT 2", "give exactly one statement"),
    ):
        result = as_user("analyst", "sql", "--activity", str(activity), statement, "--home", home)
        assert result.returncode == 2 and message in result.stderr, result.stderr
    csv = Path(home) / "sources" / "GM0784" / "ingeschrevenpersoon.csv"
    bsn = csv.read_text(encoding="utf-8").splitlines()[1].split(",")[0].strip('"')
    out = as_user(
        "administrator", "pseudonym", "--activity", str(activity), "--home", home, stdin=f"{bsn}\n"
    )
    assert out.returncode == 0, out.stderr
    mine = out.stdout.strip()
    found = sql_json(
        home,
        activity,
        f"SELECT count(*) FROM source.ingeschrevenpersoon WHERE person_pseudonym = '{mine}'",
    )
    assert found["rows"] == [[1]]
    logged = meedoen_json("audit", "list", "--subject", mine, "--home", home)
    assert {r["name"] for r in logged} >= {"vault.pseudonym", "activity.store.build"}
    assert all(r["user_name"] for r in logged)


def test_revoke_deletes_and_reports(home) -> None:
    activity = request_and_approve(home, "brp")
    sql_json(home, activity, "SELECT 1")
    assert (Path(home) / "activities" / f"activity-{activity}.duckdb").exists()
    revoked = as_user(
        "privacy_officer",
        "activity",
        "revoke",
        str(activity),
        "--motivation",
        "Doel vervallen",
        "--home",
        home,
    )
    assert revoked.returncode == 0, revoked.stderr
    assert "rows of ingeschrevenpersoon" in revoked.stdout and "key was destroyed" in revoked.stdout
    assert not (Path(home) / "activities" / f"activity-{activity}.duckdb").exists()
    again = as_user("analyst", "sql", "--activity", str(activity), "SELECT 1", "--home", home)
    assert again.returncode == 2 and "is revoked, not approved" in again.stderr
    retention = meedoen_json("retention", "run", "--home", home)
    assert retention["activities"] == []
    # The demo's signals of 2023 had no follow-up: the Wgs retention deleted them.
    assert retention["signals"]["before"] == "2024-01-02"


def test_audit_verify_catches_tampering_with_the_sqlite_log(home, tmp_path) -> None:
    import shutil
    import sqlite3

    assert meedoen("audit", "verify", "--home", home).returncode == 0
    copy = tmp_path / "home"
    shutil.copytree(home, copy)
    with sqlite3.connect(copy / "web.sqlite3") as db:
        db.execute("DROP TRIGGER audits_processingrecord_no_update")
        db.execute("UPDATE audits_processingrecord SET data_subject_id = 'x' WHERE position = 5")
    broken = meedoen("audit", "verify", "--home", str(copy))
    assert broken.returncode == 1
    assert "BROKEN processing chain at record 5" in broken.stdout
    with sqlite3.connect(copy / "web.sqlite3") as db, pytest.raises(sqlite3.DatabaseError):
        db.execute("DELETE FROM audits_processingrecord WHERE position = 6")


def test_ingest_and_quarantine_reads_are_logged(home, tmp_path) -> None:
    import shutil
    import sqlite3

    source_home = home
    with sqlite3.connect(Path(home) / "web.sqlite3") as db:
        (persons,) = db.execute(
            "SELECT subject_count FROM audits_processingrecord WHERE name = 'intake.load' "
            "AND data_subject_id_type = 'pseudonym-brp' AND detail LIKE 'ingeschrevenpersoon%'"
        ).fetchone()
    loaded = meedoen_json("ingest", "--history", "--home", home)
    people = next(b for b in loaded if b["table_name"] == "ingeschrevenpersoon")["rows_loaded"]
    assert persons == people  # the load's subject set holds every person it wrote (ADR 0011)
    analytics = duckdb.connect(str(Path(home) / "analytics.duckdb"), read_only=True)
    (someone,) = analytics.execute(
        "SELECT person_pseudonym FROM source.ingeschrevenpersoon ORDER BY 1 LIMIT 1"
    ).fetchone()
    analytics.close()
    theirs = meedoen_json("audit", "list", "--subject", someone, "--home", home)
    assert any(r["name"] == "intake.load" and r["subject_count"] == people for r in theirs)
    home = str(tmp_path / "copy")  # the delivery below replaces the persons table
    shutil.copytree(source_home, home)
    delivery = tmp_path / "delivery"
    delivery.mkdir()
    source = Path(home) / "sources" / "GM0784" / "ingeschrevenpersoon.csv"
    lines = source.read_text(encoding="utf-8").splitlines()
    bad = lines[2].replace(lines[2].split(",")[0], '"123456789"', 1)  # fails the 11-proef
    (delivery / "ingeschrevenpersoon.csv").write_text("\n".join([lines[0], lines[1], bad]) + "\n")
    meedoen("ingest", str(delivery), "--max-reject-share", "0.9", "--home", home)
    (batch,) = [b for b in meedoen_json("quarantine", "list", "--home", home)]
    shown = meedoen("quarantine", "show", batch["batch_id"], "--home", home)
    assert shown.returncode == 0, shown.stderr
    logged = [
        r
        for r in meedoen_json("audit", "list", "--limit", "50", "--home", home)
        if r["name"] == "quarantine.show"
    ]
    assert [r["data_subject_id"] for r in logged] == [f"{batch['batch_id']}:2"]  # data row 2


def test_amend_a_refused_request(home) -> None:
    created = json_as("analyst", *REQUEST, "--home", home)
    activity = str(created["id"])
    refuse = ["activity", "refuse", activity, "--version", "1", "--motivation", "Te ruim"]
    json_as("privacy_officer", *refuse, "--home", home)
    amended = json_as(
        "analyst",
        "activity",
        "amend",
        activity,
        "--retention-days",
        "7",
        "--note",
        "korter",
        "--home",
        home,
    )
    assert (amended["version"], amended["status"]) == (3, "requested")
    listed = {a["id"]: a for a in meedoen_json("activity", "list", "--home", home)}
    assert listed[created["id"]]["retention_days"] == 7
    assert listed[created["id"]]["sources"] == ["brp", "partner-voedselbank"]
    by_officer = as_user(
        "privacy_officer", "activity", "amend", activity, "--note", "x", "--home", home
    )
    assert by_officer.returncode == 2 and "does not hold the analyst role" in by_officer.stderr


# --- Operational activities (uitvoering, issue 20) -------------------------------------------

OPERATIONAL = [
    *REQUEST[:2],
    "--name",
    "Gezinscontext",
    "--purpose",
    "Het gezin van een casus op de eigen caseload",
    "--legal-basis",
    "Jeugdwet art. 7.4.0; Wmo 2015 art. 5.1.1",
    "--data-categories",
    "Gezinssamenstelling, voorzieningen",
    "--recipients",
    "Wijkteam",
    "--dpia",
    "DPIA-7",
    "--sources",
    "brp,jeugd,wmo",
    "--retention-days",
    "30",
    "--kind",
    "uitvoering",
]


def test_an_operational_activity_is_requested_approved_and_listed(home) -> None:
    created = json_as("analyst", *OPERATIONAL, "--roles", "team_lead,case_worker", "--home", home)
    shown = meedoen_json("activity", "show", str(created["id"]), "--home", home)
    assert (shown["kind"], shown["roles"]) == ("uitvoering", ["case_worker", "team_lead"])
    assert shown["columns"] == [] and shown["floor"] is None
    approved = json_as(
        "privacy_officer",
        "activity",
        "approve",
        str(created["id"]),
        "--version",
        "1",
        "--motivation",
        "Grondslag en rollen passen",
        "--home",
        home,
    )
    assert approved["status"] == "approved" and approved["floor"] == {}
    listed = {a["id"]: a for a in meedoen_json("activity", "list", "--home", home)}
    assert listed[created["id"]]["kind"] == "uitvoering"
    assert listed[created["id"]]["roles"] == ["case_worker", "team_lead"]
    plain = meedoen("activity", "list", "--home", home)
    assert plain.returncode == 0 and "uitvoering" in plain.stdout and "kind" in plain.stdout
    # Never for analysis: the SQL of an analyst is refused with the reason.
    sql = ["sql", "--activity", str(created["id"]), "SELECT 1"]
    refused = as_user("analyst", *sql, "--home", home)
    assert refused.returncode == 2
    assert "is an operational activity (uitvoering)" in refused.stderr
    assert "request an analysis activity" in refused.stderr


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([], "name at least one role that may work under an operational activity"),
        (["--roles", "analyst"], "unknown role analyst"),
        (["--kind", "analyse", "--roles", "case_worker"], "roles apply only to an operational"),
        (["--kind", "beleid", "--roles", "case_worker"], "unknown kind of activity 'beleid'"),
    ],
)
def test_an_operational_request_is_checked(home, extra, message) -> None:
    result = as_user("analyst", *OPERATIONAL, *extra, "--home", home)
    assert result.returncode == 2 and message in result.stderr, result.stderr


def test_an_operational_request_is_amended_into_an_analysis(home) -> None:
    created = json_as("analyst", *OPERATIONAL, "--roles", "case_worker", "--home", home)
    amended = json_as(
        "analyst", "activity", "amend", str(created["id"]), "--kind", "analyse", "--home", home
    )
    assert amended["version"] == 2
    shown = meedoen_json("activity", "show", str(created["id"]), "--home", home)
    assert (shown["kind"], shown["roles"]) == ("analyse", [])
    assert shown["columns"]  # every column of the sources, written out
