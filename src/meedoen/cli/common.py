"""Options and helpers shared by every command."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from meedoen_data.workspace import HOME_ENV, resolve_home

#: Exit codes of DESIGN.md: 0 success, 2 rejected input, 1 error.
EXIT_ERROR = 1
EXIT_REJECTED = 2

HomeOption = Annotated[
    Path | None,
    typer.Option(
        "--home",
        help="Workspace folder. Default: $MEEDOEN_HOME, else ./meedoen-data.",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output on stdout.")]

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


def progress_bar(*, quiet: bool) -> Progress:
    """The progress bar of long commands, on standard error (off with ``--json``)."""
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        disable=quiet,
        transient=True,
    )


def fail(message: str, *, code: int = EXIT_ERROR) -> NoReturn:
    err_console.print(f"[bold red]meedoen:[/] {message}", highlight=False)
    raise typer.Exit(code)


def emit_json(payload: Any) -> None:
    typer.echo(json.dumps(payload, indent=2, ensure_ascii=False, default=str))


def django_setup(home: Path | None) -> Path:
    """Point Django at the workspace and initialise it. Returns the resolved home."""
    resolved = resolve_home(home)
    os.environ[HOME_ENV] = str(resolved)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meedoen.conf.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except (ImproperlyConfigured, ValueError) as exc:
        fail(f"configuration error: {exc}")
    return resolved
