"""Docs that are tested (Datasette style): every setting and command appears in the docs, and the
README's set-up commands are the ones CI runs."""

from __future__ import annotations

import re

import pytest
import typer.main

from meedoen.cli.main import app
from meedoen.conf.env import ENV_VARS
from tests.helpers import REPO

DOCS = REPO / "docs"


def cli_commands() -> list[str]:
    """Every command path of the CLI, e.g. 'init', 'activity request'."""

    def walk(prefix: str, command: object) -> list[str]:
        subcommands = getattr(command, "commands", None)
        if not subcommands:
            return [prefix]
        return [p for name, sub in subcommands.items() for p in walk(f"{prefix} {name}", sub)]

    group = typer.main.get_command(app)
    return [
        path
        for name, command in group.commands.items()  # type: ignore[attr-defined]
        for path in walk(name, command)
    ]


@pytest.mark.parametrize("command", cli_commands())
def test_every_cli_command_has_a_section_in_the_cli_docs(command: str) -> None:
    assert f"## `meedoen {command}`" in (DOCS / "cli.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(ENV_VARS))
def test_every_environment_variable_is_documented(name: str) -> None:
    assert f"`{name}`" in (DOCS / "admin" / "configuration.md").read_text(encoding="utf-8")


def test_code_reads_no_undocumented_environment_variable() -> None:
    pattern = re.compile(r"""(?:environ(?:\.get)?[\[(]|env_(?:str|bool|list)\()\s*["']([A-Z_]+)""")
    read = set()
    for path in (REPO / "src").rglob("*.py"):
        if "tests" in path.parts:
            continue
        read.update(pattern.findall(path.read_text(encoding="utf-8")))
    # Variables that belong to Django or the shell rather than to meedoen's configuration.
    read -= {"DJANGO_SETTINGS_MODULE"}
    assert read <= set(ENV_VARS), read - set(ENV_VARS)


def test_readme_test_command_is_what_ci_runs() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in readme
    assert "make demo" in readme
    assert "exec make test" in ci


def test_an_adr_records_the_stack() -> None:
    assert list((DOCS / "adr").glob("0001-*.md"))


def test_every_role_is_documented() -> None:
    from meedoen.accounts.roles import Role

    text = "\n".join(p.read_text(encoding="utf-8") for p in (DOCS / "users").glob("*.md"))
    for role in Role:
        assert f"`{role.value}`" in text, role.value
