"""Helpers shared by the CLI and browser tests: run the real `meedoen` command."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent

#: The role ids of DESIGN.md and issue #5, spelled out (not imported) so tests check the code.
ROLE_IDS = (
    "administrator",
    "analyst",
    "privacy_officer",
    "policy_maker",
    "council_member",
    "case_worker",
    "team_lead",
    "debt_worker",
    "resident",
)


def cli_env(**extra: str) -> dict[str, str]:
    """The environment a user's shell would give `meedoen`: local defaults, SQLite workspace."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DATABASE_URL",
            "MEEDOEN_ENVIRONMENT",
            "MEEDOEN_HOME",
            "DJANGO_SETTINGS_MODULE",
            "MEEDOEN_PASSWORD",
            "MEEDOEN_TOKEN",
        }
    }
    env.update(extra)
    return env


def meedoen(*args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `meedoen ARGS`. Standard input is a pipe (empty unless ``stdin``), never the
    terminal: a command that would ask for a password exits instead of waiting."""
    return subprocess.run(
        [sys.executable, "-m", "meedoen", *args],
        input="" if stdin is None else stdin,
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


_DEMO: dict[str, Any] = {}


def demo_copy(home: Path) -> dict[str, Any]:
    """What `meedoen demo --no-serve --home HOME --json` gives, without running it again: the
    first call in a test process runs it into a template folder, later calls copy that
    workspace (it holds no absolute path) to ``home`` and return its output with the paths
    changed. Tests of the demo itself run the command."""
    if not _DEMO:
        template = Path(tempfile.mkdtemp(prefix="meedoen-demo-")) / "home"
        atexit.register(shutil.rmtree, template.parent, ignore_errors=True)
        _DEMO["home"] = template
        _DEMO["output"] = meedoen_json("demo", "--no-serve", "--home", str(template))
    template = _DEMO["home"]
    shutil.copytree(template, home, symlinks=True, dirs_exist_ok=True)
    text = json.dumps(_DEMO["output"]).replace(json.dumps(str(template))[1:-1], str(home))
    return json.loads(text)  # type: ignore[no-any-return]


def passwords(demo: dict[str, Any]) -> dict[str, str]:
    """User name -> password of the demo users, from `meedoen demo --json`."""
    return {user["username"]: user["password"] for user in demo["users"]}


def meedoen_as(
    username: str, password: str, *args: str, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run `meedoen ARGS --by USERNAME`, signed in with MEEDOEN_PASSWORD as a script would."""
    return meedoen(*args, "--by", username, stdin=stdin, MEEDOEN_PASSWORD=password, **env)


def meedoen_json_as(username: str, password: str, *args: str, **env: str) -> Any:
    result = meedoen_as(username, password, *args, "--json", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served_port(home: Path, **env: str) -> Iterator[tuple[int, subprocess.Popen[str]]]:
    """`meedoen serve` on the workspace (environment ``env`` added) on a free port, until it
    answers /health/; yields the port and the process, and stops it afterwards."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "meedoen", "serve", "--home", str(home), "--port", str(port)],
        env=cli_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    # Stopped first: reading the output of a server that still runs waits for ever.
                    process.kill()
                    output, _ = process.communicate(timeout=20)
                    pytest.fail(f"meedoen serve did not come up:\n{output}")
                time.sleep(0.2)
        yield port, process
    finally:
        process.terminate()
        process.wait(timeout=20)


@contextmanager
def served(home: Path, **env: str) -> Iterator[str]:
    """`meedoen serve` on the workspace (see :func:`served_port`); yields its URL."""
    with served_port(home, **env) as (port, _process):
        yield f"http://127.0.0.1:{port}"


def pseudonymise(home: Path, first: int, count: int) -> list[str]:
    """`meedoen pseudonym --domain brp` for ``count`` valid BSNs from ``first`` on: one action
    logged as a record per person (vault.pseudonym). Returns their BRP pseudonyms."""
    import numpy as np

    from meedoen_data.bsn import bsn_from_index

    numbers = bsn_from_index(np.arange(first, first + count, dtype=np.int64))
    result = meedoen(
        "pseudonym",
        "--domain",
        "brp",
        "--home",
        str(home),
        stdin="".join(f"{n:09d}\n" for n in numbers),
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()
