"""A role changed in the database, past meedoen, left no trace.

The attack: an analyst's colleague with a shell on the server (or the database administrator)
wanted the analyst to read the audit log and the register as an administrator, or a case worker
to open the analyst's SQL page. They ran one line in Django's shell —
``User.objects.filter(username="a.jansen").update(role="administrator")`` — or the same UPDATE
in ``sqlite3``/``psql``. The account table is not a hash chain: the new role worked at once and
``meedoen audit verify`` said "intact", so nothing showed that the role had ever been given.
An account made the same way (``User.objects.create``) was as invisible.

Now every role an account is given is an audit record (``account.create``, ``account.role`` by
``meedoen user role``, the demo's ``account.reset``), and ``meedoen audit verify`` — also the
privacy officer's check on /logboek/ — compares every account's role with the role the log last
recorded for it: a role changed outside meedoen, and an account made outside meedoen after the
oldest record the log keeps, are reported by name and the check exits 1. The log cannot be made
to say otherwise without breaking the hash chain, which the same check reports.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.helpers import meedoen, meedoen_json


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace made with the real command line, with one analyst made by ``user add``."""
    home = tmp_path_factory.mktemp("roles") / "home"
    meedoen_json("init", "--home", str(home))
    result = meedoen(
        "user", "add", "a.jansen", "--role", "analyst", "--home", str(home),
        stdin="lang-en-sterk-wachtwoord-2026\n",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return home


def verify(home: Path) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = meedoen("audit", "verify", "--home", str(home), "--json")
    return result.returncode, json.loads(result.stdout)


def sql(home: Path, statement: str, *params: object) -> None:
    with sqlite3.connect(home / "web.sqlite3") as db:
        db.execute(statement, params)


def test_a_logged_workspace_is_intact(workspace: Path) -> None:
    code, report = verify(workspace)
    assert code == 0, report
    assert report["roles_unlogged"] == []


def test_a_role_changed_in_the_database_is_reported_by_name(
    workspace: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    shutil.copytree(workspace, home)
    sql(home, "UPDATE accounts_user SET role = 'administrator' WHERE username = 'a.jansen'")

    code, report = verify(home)
    assert code == 1
    assert report["intact"] is False
    assert report["roles_unlogged"] == [
        "account a.jansen has role administrator, but the audit log last recorded role "
        "analyst: the role was changed outside meedoen"
    ]
    text = meedoen("audit", "verify", "--home", str(home))
    assert text.returncode == 1
    assert "ROLE NOT IN THE LOG" in text.stdout and "a.jansen" in text.stdout

    # Giving the role properly puts it in the log, and the check is intact again.
    given = meedoen_json("user", "role", "a.jansen", "administrator", "--home", str(home))
    assert given == {"username": "a.jansen", "role": "administrator", "was": "administrator"}
    code, report = verify(home)
    assert code == 0, report


def test_an_account_made_in_the_database_is_reported(workspace: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(workspace, home)
    sql(
        home,
        "INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, "
        "email, is_staff, is_active, date_joined, role) "
        "VALUES ('!', 0, 'stil', '', '', '', 0, 1, datetime('now'), 'privacy_officer')",
    )
    code, report = verify(home)
    assert code == 1
    [problem] = report["roles_unlogged"]
    assert problem.startswith("account stil (role privacy_officer), made on ")
    assert problem.endswith("has no record in the audit log: it was made outside meedoen")


def test_user_role_logs_the_change_and_stays_intact(workspace: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(workspace, home)
    changed = meedoen_json("user", "role", "a.jansen", "policy_maker", "--home", str(home))
    assert changed == {"username": "a.jansen", "role": "policy_maker", "was": "analyst"}
    again = meedoen("user", "role", "a.jansen", "policy_maker", "--home", str(home))
    assert again.returncode == 0 and "nothing changed" in again.stdout

    with sqlite3.connect(home / "web.sqlite3") as db:
        details = [
            row[0]
            for row in db.execute(
                "SELECT detail FROM audits_processingrecord WHERE name = 'account.role' "
                "AND data_subject_id = 'a.jansen'"
            )
        ]
    assert details == ["role policy_maker (was analyst)"]  # the repeat wrote nothing
    code, report = verify(home)
    assert code == 0, report

    unknown = meedoen("user", "role", "a.jansen", "koning", "--home", str(home))
    assert unknown.returncode == 2 and "unknown role 'koning'" in unknown.stderr
    nobody = meedoen("user", "role", "niemand", "analyst", "--home", str(home))
    assert nobody.returncode == 2 and "no user 'niemand'" in nobody.stderr
