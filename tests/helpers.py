"""Helpers shared by the CLI and browser tests: run the real `meedoen` command."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

#: The role ids of DESIGN.md and issue #5, spelled out (not imported) so tests check the code.
ROLE_IDS = (
    "administrator",
    "analyst",
    "privacy_officer",
    "policy_maker",
    "council_member",
    "case_worker",
    "debt_worker",
    "resident",
)


def cli_env(**extra: str) -> dict[str, str]:
    """The environment a user's shell would give `meedoen`: local defaults, SQLite workspace."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"DATABASE_URL", "MEEDOEN_ENVIRONMENT", "MEEDOEN_HOME", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(extra)
    return env


def meedoen(*args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "meedoen", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=cli_env(**env),
        timeout=1800,
        check=False,
    )


def meedoen_json(*args: str, **env: str) -> Any:
    result = meedoen(*args, "--json", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
