"""Options and helpers shared by every command."""

from __future__ import annotations

import getpass
import json
import os
import sys
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


def _terminal() -> bool:
    """Whether a person sits at a terminal to type a password: standard input or error is one,
    and the controlling terminal opens (not in a script, a cron job or a test subprocess)."""
    if not (sys.stdin.isatty() or sys.stderr.isatty()):
        return False
    try:
        descriptor = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return False
    os.close(descriptor)
    return True


#: How a command learns the secret of ``--by USER``, in the order it looks.
SIGN_IN_WAYS = (
    "a personal API token in MEEDOEN_TOKEN (meedoen user token create), the password in "
    "MEEDOEN_PASSWORD, or the password typed at the prompt in a terminal"
)


def cli_actor(username: str | None, *, token: bool = True) -> Any:
    """``--by USERNAME`` as an authenticated Actor; without it, the operating-system user who
    operates the workspace (services decide what that operator may do).

    The user proves who they are with, in this order: a personal API token in MEEDOEN_TOKEN
    (unless ``token`` is false: managing tokens needs the password), the password in
    MEEDOEN_PASSWORD, or the password asked on the terminal. Without any of them, or with a
    wrong one, exit 2; failures count towards the login throttle and are logged."""
    from meedoen.activities.actors import Actor

    operator = getpass.getuser()
    if username is None:
        return Actor(name=operator)
    from meedoen.accounts.services import SignInRefused, user_authenticate
    from meedoen.conf.env import env_str

    secret_token = env_str("MEEDOEN_TOKEN", "") if token else ""
    password = env_str("MEEDOEN_PASSWORD", "")
    if not secret_token and not password:
        if not _terminal():
            sources = SIGN_IN_WAYS if token else "MEEDOEN_PASSWORD, or the terminal prompt"
            fail(
                f"--by {username}: no password or token for {username}. Give {sources} "
                "(see docs/cli.md, Who acts)",
                code=EXIT_REJECTED,
            )
        password = getpass.getpass(f"Password of {username}: ")
    try:
        if secret_token:
            user = user_authenticate(username=username, token=secret_token, client=operator)
        else:
            user = user_authenticate(username=username, password=password, client=operator)
    except SignInRefused as exc:
        fail(f"authentication failed for {username}: {exc}", code=EXIT_REJECTED)
    if not secret_token:
        _second_factor(user, operator)
    return Actor(name=user.username, user=user)


def _second_factor(user: Any, operator: str) -> None:
    """After a password: the code of the account's authenticator app where it has one (or its
    role must have one, MEEDOEN_SECOND_FACTOR=required), from MEEDOEN_OTP_CODE or the prompt.
    A personal API token needs no code: making one asked for it."""
    from meedoen.accounts.selectors import second_factor_device, second_factor_needed
    from meedoen.accounts.services import SecondFactorWait, second_factor_check
    from meedoen.conf.env import env_str

    if not second_factor_needed(user=user):
        return
    name = user.username
    if second_factor_device(user=user) is None:
        fail(
            f"--by {name}: this account must sign in with a second factor and has none yet; "
            "set it up on your account page in the web app (/account/) first",
            code=EXIT_REJECTED,
        )
    code = env_str("MEEDOEN_OTP_CODE", "")
    if not code:
        if not _terminal():
            fail(
                f"--by {name}: {name} signs in with a second factor; give the code of the "
                "authenticator app in MEEDOEN_OTP_CODE or at the prompt in a terminal",
                code=EXIT_REJECTED,
            )
        code = input(f"Code of the authenticator app of {name}: ")
    try:
        found = second_factor_check(user=user, code=code, channel="cli", client=operator)
    except SecondFactorWait as wait:
        fail(
            f"authentication failed for {name}: several wrong codes of the second factor; "
            f"wait {wait.seconds} s, then give the code the app shows",
            code=EXIT_REJECTED,
        )
    if found is None:
        fail(
            f"authentication failed for {name}: the code of the second factor is not right or "
            "was used already (wait for the next one; wrong codes make the next try wait longer)",
            code=EXIT_REJECTED,
        )


def cli_trace() -> Any:
    """The trace of this command: continues $TRACEPARENT (W3C) when a caller set it."""
    from meedoen.audits.trace import TraceContext

    return TraceContext.start(os.environ.get("TRACEPARENT"))


def cli_messages(exc: Any) -> str:
    """A service's refusal as the command line says it: in English, whatever the web app's
    language, so that scripts and the docs have one wording (the web app shows the same
    message translated)."""
    from django.utils import translation

    with translation.override("en"):
        return "; ".join(str(message) for message in exc.messages)


def run_service(action: Callable[[], T]) -> T:
    """Run a service; its refusals (role, validation, unknown id) become exit 2 with the message."""
    from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError

    try:
        return action()
    except ValidationError as exc:
        fail(cli_messages(exc), code=EXIT_REJECTED)
    except (PermissionDenied, ObjectDoesNotExist) as exc:
        fail(str(exc), code=EXIT_REJECTED)
