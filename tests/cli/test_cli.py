"""The command line as scripts use it: real subprocesses, exit codes of DESIGN.md."""

from __future__ import annotations

import sqlite3
import stat

import pytest

from tests.helpers import ROLE_IDS, meedoen, meedoen_json

ROLES = set(ROLE_IDS)

DESIGN_COMMANDS = [
    "init",
    "synth",
    "ingest",
    "link",
    "build",
    "table",
    "activity",
    "sql",
    "pseudonym",
    "audit",
    "demo",
    "serve",
    "user",
]


def test_help_lists_every_design_command() -> None:
    result = meedoen("--help", COLUMNS="200")
    assert result.returncode == 0
    for command in DESIGN_COMMANDS:
        assert f" {command} " in result.stdout, command


@pytest.mark.parametrize(
    "command",
    [
        *DESIGN_COMMANDS,
        "activity request",
        "activity approve",
        "activity refuse",
        "activity revoke",
        "activity list",
        "audit verify",
        "user add",
    ],
)
def test_every_command_has_help(command: str) -> None:
    result = meedoen(*command.split(), "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout


def test_init_creates_workspace_and_migrated_web_database(tmp_path) -> None:
    home = tmp_path / "ws"
    report = meedoen_json("init", "--home", str(home))
    assert report["new"] is True
    assert stat.S_IMODE((home / "keys" / "web-secret.key").stat().st_mode) == 0o600
    assert (home / "analytics.duckdb").is_file()
    assert (home / "vault").is_dir()
    with sqlite3.connect(home / "web.sqlite3") as con:
        tables = {row[0] for row in con.execute("SELECT name FROM sqlite_master")}
    assert "accounts_user" in tables
    assert "django_migrations" in tables

    again = meedoen_json("init", "--home", str(home))
    assert again["new"] is False
    assert again["created"] == []


def test_home_from_environment(tmp_path) -> None:
    result = meedoen("init", MEEDOEN_HOME=str(tmp_path / "from-env"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "from-env" / "workspace.json").is_file()


def test_init_in_foreign_folder_is_rejected_with_exit_2(tmp_path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    result = meedoen("init", "--home", str(tmp_path))
    assert result.returncode == 2
    assert "not a meedoen workspace" in result.stderr


def test_demo_no_serve_creates_a_user_per_role_with_argon2(tmp_path) -> None:
    home = tmp_path / "demo"
    demo = meedoen_json("demo", "--no-serve", "--home", str(home))
    assert {user["role"] for user in demo["users"]} == ROLES
    with sqlite3.connect(home / "web.sqlite3") as con:
        hashes = dict(con.execute("SELECT username, password FROM accounts_user"))
    assert set(hashes) == ROLES
    assert all(value.startswith("argon2$") for value in hashes.values())
    # Passwords are printed once and stored only as hashes.
    assert not any(user["password"] in hashes.values() for user in demo["users"])


def test_demo_runs_twice(tmp_path) -> None:
    first = meedoen_json("demo", "--no-serve", "--home", str(tmp_path / "d"))
    second = meedoen_json("demo", "--no-serve", "--home", str(tmp_path / "d"))
    assert first["users"] != second["users"]


def test_serve_without_workspace_is_rejected(tmp_path) -> None:
    result = meedoen("serve", "--home", str(tmp_path / "nothing"))
    assert result.returncode == 2
    assert "meedoen init" in result.stderr


def test_serve_refuses_a_logo_it_cannot_serve(tmp_path) -> None:
    """A typo in MEEDOEN_LOGO stops the start with the variable named (docs/admin/branding.md)."""
    meedoen_json("init", "--home", str(tmp_path))
    result = meedoen(
        "serve", "--home", str(tmp_path), MEEDOEN_LOGO=str(tmp_path / "logo-bestaat-niet.svg")
    )
    assert result.returncode == 2
    assert "MEEDOEN_LOGO" in result.stderr and "no such file" in result.stderr


def test_user_add_reads_password_from_stdin(tmp_path) -> None:
    home = str(tmp_path)
    meedoen_json("init", "--home", home)
    result = meedoen(
        "user",
        "add",
        "femke",
        "--role",
        "privacy_officer",
        "--home",
        home,
        "--json",
        stdin="a-long-and-fine-passphrase\n",
    )
    assert result.returncode == 0, result.stderr
    assert '"role": "privacy_officer"' in result.stdout
    weak = meedoen("user", "add", "bob", "--role", "analyst", "--home", home, stdin="123\n")
    assert weak.returncode == 2
    assert "too short" in weak.stderr
    unknown = meedoen("user", "add", "eve", "--role", "god", "--home", home, stdin="x\n")
    assert unknown.returncode == 2
    assert "unknown role" in unknown.stderr


def test_roles_are_the_design_roles() -> None:
    from meedoen.accounts.roles import Role

    assert tuple(Role.values) == ROLE_IDS


def test_synth_writes_the_contract_and_reports_rows(tmp_path) -> None:
    out = tmp_path / "gm"
    report = meedoen_json("synth", "--out", str(out), "--persons", "2000", "--with-truth")
    assert report["rows"]["ingeschrevenpersoon"] > 2000
    assert (out / "truth" / "household.csv").is_file()
    again = meedoen("synth", "--out", str(out))
    assert again.returncode == 2
    assert "not empty" in again.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--peildatum", "31-02-2024"], "not a date"),
        (["--gemeente", "Gilze"], "not a CBS code"),
    ],
)
def test_synth_rejects_bad_arguments(tmp_path, args, message) -> None:
    result = meedoen("synth", "--out", str(tmp_path / "x"), *args)
    assert result.returncode == 2
    assert message in result.stderr


def test_demo_writes_synthetic_sources(tmp_path) -> None:
    demo = meedoen_json("demo", "--no-serve", "--home", str(tmp_path / "d"))
    assert (tmp_path / "d" / "sources" / "GM0784" / "ingeschrevenpersoon.csv").is_file()
    assert demo["sources"].endswith("GM0784")
    assert demo["ingested"]["ingeschrevenpersoon"] > 20_000  # loaded through the intake gate
    assert demo["activity"]["status"] == "approved"
    again = meedoen_json("demo", "--no-serve", "--home", str(tmp_path / "d"))
    assert again["ingested"] == demo["ingested"]
    assert again["activity"] == demo["activity"]  # created once per demo workspace
