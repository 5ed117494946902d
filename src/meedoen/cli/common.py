"""Options and helpers shared by every command."""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from meedoen_data.workspace import HOME_ENV, resolve_home

T = TypeVar("T")

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


def workspace_django(home: Path | None) -> Path:
    """Check the workspace exists, then set up Django on it (for commands using services)."""
    from meedoen_data.workspace import Workspace, WorkspaceError

    resolved = resolve_home(home)
    try:
        Workspace(resolved).manifest()
    except WorkspaceError as exc:
        fail(str(exc), code=EXIT_REJECTED)
    django_setup(resolved)
    web_database_ready()
    return resolved


def web_database_ready() -> None:
    """Bring the workspace's own SQLite web database up to date (as ``meedoen init`` does);
    a PostgreSQL database is migrated deliberately by its owner, so only say what is missing."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return
    if connection.vendor != "sqlite":
        fail(
            f"the web database has {len(plan)} unapplied migrations; the database owner runs: "
            "python manage.py migrate (see docs/admin/install.md)",
            code=EXIT_REJECTED,
        )
    call_command("migrate", interactive=False, verbosity=0)
    Path(connection.settings_dict["NAME"]).chmod(0o600)


def cli_actor(username: str | None) -> Any:
    """``--by USERNAME`` as an Actor (the account must exist and be active); without it, the
    operating-system user operating the workspace."""
    from meedoen.accounts.models import User
    from meedoen.activities.actors import Actor

    if username is None:
        return Actor(name=getpass.getuser())
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        fail(f"no active user {username!r}", code=EXIT_REJECTED)
    return Actor(name=user.username, user=user)


def cli_trace() -> Any:
    """The trace of this command: continues $TRACEPARENT (W3C) when a caller set it."""
    from meedoen.audits.trace import TraceContext

    return TraceContext.start(os.environ.get("TRACEPARENT"))


def run_service(action: Callable[[], T]) -> T:
    """Run a service; its refusals (role, validation, unknown id) become exit 2 with the message."""
    from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError

    try:
        return action()
    except ValidationError as exc:
        fail("; ".join(exc.messages), code=EXIT_REJECTED)
    except (PermissionDenied, ObjectDoesNotExist) as exc:
        fail(str(exc), code=EXIT_REJECTED)
