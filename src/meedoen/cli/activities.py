"""``meedoen activity``: the register of processing activities on the command line."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from meedoen.cli.common import (
    EXIT_REJECTED,
    HomeOption,
    JsonOption,
    cli_actor,
    cli_trace,
    console,
    emit_json,
    fail,
    run_service,
    workspace_django,
)

if TYPE_CHECKING:
    from meedoen.activities.models import ActivityVersion

activity_app = typer.Typer(
    help="Processing activities and the privacy officer's decisions.", no_args_is_help=True
)
ByOption = Annotated[
    str,
    typer.Option(
        "--by",
        help="User name of the privacy officer."
        " Signed in with MEEDOEN_TOKEN, MEEDOEN_PASSWORD or the password prompt.",
    ),
]
MotivationOption = Annotated[str, typer.Option(help="Why: recorded with the decision.")]
KIND_HELP = (
    "analyse (default): analysis on activity-scoped pseudonyms; uitvoering: operational, the "
    "--roles see a case's family by name, never usable for analysis."
)
ROLES_HELP = (
    "Comma-separated roles that may work under an operational activity (uitvoering only): "
    "case_worker, team_lead, debt_worker."
)
TASK_HELP = (
    "The statutory task the activity serves: empty (default) or schuldhulpverlening (debt "
    "help, Wgs). The source signalen may by law only be used for debt help: it needs "
    "--task schuldhulpverlening."
)


@activity_app.command("request")
def activity_request(
    name: Annotated[str, typer.Option(help="Short name.")],
    purpose: Annotated[str, typer.Option(help="Purpose of the processing.")],
    legal_basis: Annotated[str, typer.Option(help="Legal basis per law.")],
    sources: Annotated[str, typer.Option(help="Comma-separated domains: brp,wmo,jeugd,…")],
    retention_days: Annotated[int, typer.Option(help="Retention period in days.")],
    data_categories: Annotated[str, typer.Option(help="Data categories.")] = "",
    recipients: Annotated[str, typer.Option(help="Recipients and roles.")] = "",
    dpia: Annotated[str, typer.Option(help="DPIA reference, or why none is needed.")] = "",
    columns: Annotated[
        str,
        typer.Option(
            help="Comma-separated table.column the activity needs (default: every column of "
            "the sources), e.g. ingeschrevenpersoon.geboortejaar,toewijzing.productcategorie."
        ),
    ] = "",
    fine: Annotated[
        str,
        typer.Option(
            help="Comma-separated columns kept at finer detail (the birth month, the month of a "
            "move or relation, the day of an event), e.g. verblijfplaats.datumvan_maand; needs "
            "--fine-reason."
        ),
    ] = "",
    fine_reason: Annotated[str, typer.Option(help="Why the finer detail is needed.")] = "",
    kind: Annotated[str, typer.Option(help=KIND_HELP, metavar="analyse|uitvoering")] = "analyse",
    roles: Annotated[str, typer.Option(help=ROLES_HELP)] = "",
    task: Annotated[str, typer.Option(help=TASK_HELP, metavar="TASK")] = "",
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="Analyst's user name; required. Signed in with MEEDOEN_TOKEN, "
            "MEEDOEN_PASSWORD or the password prompt.",
        ),
    ] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Request a processing activity (analysts); prints the new activity id."""
    workspace_django(home)
    from meedoen.activities.services import activity_request as request

    activity = run_service(
        lambda: request(
            actor=cli_actor(by),
            name=name,
            purpose=purpose,
            legal_basis=legal_basis,
            sources=sources.split(","),
            retention_days=retention_days,
            data_categories=data_categories,
            recipients=recipients,
            dpia_reference=dpia,
            columns=_split(columns),
            fine_columns=_split(fine),
            fine_reason=fine_reason,
            kind=kind,
            roles=_split(roles),
            task=task,
            trace=cli_trace(),
        )
    )
    if as_json:
        emit_json({"id": activity.pk})
    else:
        typer.echo(activity.pk)


@activity_app.command("amend")
def activity_amend(
    activity_id: Annotated[int, typer.Argument(metavar="ID")],
    name: Annotated[str | None, typer.Option(help="New short name.")] = None,
    purpose: Annotated[str | None, typer.Option(help="New purpose.")] = None,
    legal_basis: Annotated[str | None, typer.Option(help="New legal basis.")] = None,
    sources: Annotated[str | None, typer.Option(help="New comma-separated domains.")] = None,
    retention_days: Annotated[int | None, typer.Option(help="New retention period.")] = None,
    data_categories: Annotated[str | None, typer.Option(help="New data categories.")] = None,
    recipients: Annotated[str | None, typer.Option(help="New recipients and roles.")] = None,
    dpia: Annotated[str | None, typer.Option(help="New DPIA reference or reason.")] = None,
    columns: Annotated[
        str | None, typer.Option(help="New comma-separated table.column list.")
    ] = None,
    fine: Annotated[
        str | None, typer.Option(help="New comma-separated columns at finer detail.")
    ] = None,
    fine_reason: Annotated[str | None, typer.Option(help="New reason for finer detail.")] = None,
    kind: Annotated[
        str | None,
        typer.Option(help="New kind: analyse or uitvoering.", metavar="analyse|uitvoering"),
    ] = None,
    roles: Annotated[
        str | None, typer.Option(help="New comma-separated roles (uitvoering only).")
    ] = None,
    task: Annotated[
        str | None,
        typer.Option(
            help="New statutory task: schuldhulpverlening, or '' for none.",
            metavar="TASK",
        ),
    ] = None,
    note: Annotated[str, typer.Option(help="What changed and why.")] = "",
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="Analyst's user name; required. Signed in with MEEDOEN_TOKEN, "
            "MEEDOEN_PASSWORD or the password prompt.",
        ),
    ] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Amend a requested or refused activity (analysts): a new version for a new decision.

    Options left out keep their current value."""
    workspace_django(home)
    from meedoen.activities.selectors import activity_current
    from meedoen.activities.services import activity_amend as amend

    current = run_service(lambda: activity_current(activity_id=activity_id))
    version = run_service(
        lambda: amend(
            activity_id=activity_id,
            actor=cli_actor(by),
            name=current.name if name is None else name,
            purpose=current.purpose if purpose is None else purpose,
            legal_basis=current.legal_basis if legal_basis is None else legal_basis,
            sources=current.sources if sources is None else sources.split(","),
            retention_days=current.retention_days if retention_days is None else retention_days,
            data_categories=(
                current.data_categories if data_categories is None else data_categories
            ),
            recipients=current.recipients if recipients is None else recipients,
            dpia_reference=current.dpia_reference if dpia is None else dpia,
            columns=current.columns if columns is None else _split(columns),
            fine_columns=current.fine_columns if fine is None else _split(fine),
            fine_reason=current.fine_reason if fine_reason is None else fine_reason,
            kind=current.kind if kind is None else kind,
            # A new kind without --roles: an analysis has none, an operational activity names them.
            roles=(current.roles if kind in (None, current.kind) else [])
            if roles is None
            else _split(roles),
            task=current.task if task is None else task,
            note=note,
            trace=cli_trace(),
        )
    )
    if as_json:
        emit_json({"id": activity_id, "version": version.number, "status": version.status})
    else:
        console.print(
            f"Activity {activity_id} amended: version {version.number}, {version.status} again"
        )


def _split(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _print_decision(
    activity_id: int, verb: str, version: ActivityVersion, as_json: bool, deleted: list[Any]
) -> None:
    if as_json:
        emit_json(
            {
                "id": activity_id,
                "version": version.number,
                "status": version.status,
                "valid_until": version.valid_until,
                **({"floor": version.disclosure_floor} if verb == "approve" else {}),
                **({"deleted": vars(deleted[0])} if deleted else {}),
            }
        )
        return
    until = f" until {version.valid_until}" if version.valid_until else ""
    console.print(
        f"Activity {activity_id} is now {version.status}{until} "
        f"(version {version.number}, by {version.acted_by})"
    )
    for purge in deleted:
        console.print(f"Data derived under activity {activity_id}: {purge.summary}")


VersionOption = Annotated[
    int,
    typer.Option(
        "--version",
        help="The version you read and decide on (meedoen activity show ID); a request that "
        "changed since is refused.",
    ),
]


@activity_app.command("approve")
def activity_approve(
    activity_id: Annotated[int, typer.Argument(metavar="ID")],
    by: ByOption,
    motivation: MotivationOption,
    version: VersionOption,
    min_frequency: Annotated[
        int, typer.Option(help="Floor: a published cell needs at least this many units.")
    ] = 10,
    dominance: Annotated[
        str, typer.Option(help="Floor N,K of the dominance rule (magnitude tables).")
    ] = "1,50",
    p_percent: Annotated[float, typer.Option(help="Floor of the p% rule.")] = 10.0,
    group: Annotated[
        bool, typer.Option(help="Floor: the group disclosure rule is always on.")
    ] = True,
    protection: Annotated[
        float | None,
        typer.Option(help="Floor of the protection width (default: the minimum frequency)."),
    ] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Approve version VERSION of a requested activity (privacy officer), with the floors of the
    disclosure rules its publications must keep; it expires after its retention period."""
    workspace_django(home)
    from meedoen.activities import services
    from meedoen.activities.floors import floor_make

    try:
        n, k = (float(part) for part in dominance.split(","))
    except ValueError:
        fail(f"--dominance must be N,K (e.g. 1,50), not {dominance!r}", code=EXIT_REJECTED)
    actor = cli_actor(by)
    approved = run_service(
        lambda: services.activity_approve(
            activity_id=activity_id,
            actor=actor,
            motivation=motivation,
            version=version,
            trace=cli_trace(),
            floor=floor_make(
                min_frequency=min_frequency,
                dominance=(int(n), k),
                p_percent=p_percent,
                group=group,
                protection=protection,
            ),
        )
    )
    _print_decision(activity_id, "approve", approved, as_json, [])


@activity_app.command("refuse")
def activity_refuse(
    activity_id: Annotated[int, typer.Argument(metavar="ID")],
    by: ByOption,
    motivation: MotivationOption,
    version: VersionOption,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Refuse version VERSION of a requested activity (privacy officer)."""
    workspace_django(home)
    from meedoen.activities import services

    actor = cli_actor(by)
    refused = run_service(
        lambda: services.activity_refuse(
            activity_id=activity_id,
            actor=actor,
            motivation=motivation,
            version=version,
            trace=cli_trace(),
        )
    )
    _print_decision(activity_id, "refuse", refused, as_json, [])


@activity_app.command("revoke")
def activity_revoke(
    activity_id: Annotated[int, typer.Argument(metavar="ID")],
    by: ByOption,
    motivation: MotivationOption,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Revoke an approved activity (privacy officer): everything derived under it is deleted."""
    workspace_django(home)
    from meedoen.activities import services
    from meedoen.activities.selectors import activity_purges

    actor = cli_actor(by)
    revoked = run_service(
        lambda: services.activity_revoke(
            activity_id=activity_id, actor=actor, motivation=motivation, trace=cli_trace()
        )
    )
    _print_decision(
        activity_id, "revoke", revoked, as_json, activity_purges(activity_id=activity_id)[-1:]
    )


@activity_app.command("show")
def activity_show(
    activity_id: Annotated[int, typer.Argument(metavar="ID")],
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """The current version of an activity: what the privacy officer decides on."""
    workspace_django(home)
    from meedoen.activities.selectors import (
        activity_current,
        activity_overlaps,
        activity_reviewers,
    )

    state = run_service(lambda: activity_current(activity_id=activity_id))
    reviewers = activity_reviewers(activity_id=activity_id)
    fields = {
        "id": state.id,
        "version": state.number,
        "status": state.status,
        "name": state.name,
        "kind": state.kind,
        "roles": state.roles,
        "task": state.task,
        "purpose": state.purpose,
        "legal_basis": state.legal_basis,
        "sources": state.sources,
        "columns": state.columns,
        "fine_columns": state.fine_columns,
        "fine_reason": state.fine_reason,
        "data_categories": state.data_categories,
        "recipients": state.recipients,
        "retention_days": state.retention_days,
        "dpia_reference": state.dpia_reference,
        "valid_until": state.valid_until,
        # An operational activity publishes nothing: no floors.
        "floor": None if state.operational else state.floor.as_dict(),
        "reviewers": [r.username for r in reviewers],
        # Approved activities whose stores hold the same event dates: re-linkable on them.
        "overlaps": [vars(o) for o in activity_overlaps(activity_id=activity_id)],
        "by": state.acted_by,
        "motivation": state.motivation,
    }
    if as_json:
        emit_json(fields)
        return
    table = Table(
        title=f"Processing activity {state.id}, version {state.number}", show_header=False
    )
    table.add_column("field")
    table.add_column("value")
    for name, value in fields.items():
        if name == "overlaps":
            value = "; ".join(
                f"activity {o['id']} ({o['name']}): {', '.join(o['dates'])}" for o in value
            )
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        elif name == "floor" and value is not None:
            value = state.floor.describe()
        table.add_row(name, "" if value is None else str(value))
    console.print(table)


reviewer_app = typer.Typer(
    help="Who may review an activity's uncertain links (privacy officer).", no_args_is_help=True
)
activity_app.add_typer(reviewer_app, name="reviewer")


@reviewer_app.command("grant")
def reviewer_grant(
    activity_id: Annotated[int, typer.Argument(metavar="ID")],
    username: Annotated[str, typer.Argument(metavar="USER", help="The analyst.")],
    by: ByOption,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Let analyst USER review the uncertain links of activity ID (names and addresses)."""
    workspace_django(home)
    from meedoen.activities import services

    actor = cli_actor(by)
    run_service(
        lambda: services.reviewer_grant(
            activity_id=activity_id, username=username, actor=actor, trace=cli_trace()
        )
    )
    if as_json:
        emit_json({"id": activity_id, "reviewer": username, "granted": True})
    else:
        console.print(f"{username} may review the links of activity {activity_id}")


@reviewer_app.command("withdraw")
def reviewer_withdraw(
    activity_id: Annotated[int, typer.Argument(metavar="ID")],
    username: Annotated[str, typer.Argument(metavar="USER", help="The analyst.")],
    by: ByOption,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Withdraw USER's permission to review the links of activity ID."""
    workspace_django(home)
    from meedoen.activities import services

    actor = cli_actor(by)
    ended = run_service(
        lambda: services.reviewer_withdraw(
            activity_id=activity_id, username=username, actor=actor, trace=cli_trace()
        )
    )
    if as_json:
        emit_json({"id": activity_id, "reviewer": username, "withdrawn": ended})
    elif ended:
        console.print(f"{username} may no longer review the links of activity {activity_id}")
    else:
        console.print(f"{username} had no permission to review the links of activity {activity_id}")


@reviewer_app.command("list")
def reviewer_list(
    activity_id: Annotated[int, typer.Argument(metavar="ID")],
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """The analysts who may review the links of activity ID."""
    workspace_django(home)
    from meedoen.activities.selectors import activity_reviewers

    reviewers = activity_reviewers(activity_id=activity_id)
    if as_json:
        emit_json([{**vars(r), "granted_at": r.granted_at} for r in reviewers])
        return
    if not reviewers:
        console.print(f"Nobody may review the links of activity {activity_id}.")
    for r in reviewers:
        console.print(f"{r.username} ({r.full_name}), granted by {r.granted_by} at {r.granted_at}")


@activity_app.command("list")
def activity_list(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """List processing activities with their current status."""
    workspace_django(home)
    from meedoen.activities.selectors import activity_list as select

    rows = select()
    if as_json:
        emit_json([vars(r) for r in rows])
        return
    table = Table(title="Processing activities")
    for column in ("id", "name", "kind", "sources", "status", "until", "version", "by"):
        table.add_column(column, no_wrap=column in {"id", "kind"})
    for r in rows:
        table.add_row(
            str(r.id),
            r.name,
            r.kind,  # its roles: meedoen activity show ID, or --json
            ",".join(r.sources),
            r.status,
            str(r.valid_until or ""),
            str(r.number),
            r.acted_by,
        )
    console.print(table)
