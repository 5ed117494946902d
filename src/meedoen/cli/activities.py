"""``meedoen activity``: the register of processing activities on the command line."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from meedoen.cli.common import (
    HomeOption,
    JsonOption,
    cli_actor,
    cli_trace,
    console,
    emit_json,
    run_service,
    workspace_django,
)

activity_app = typer.Typer(
    help="Processing activities and the privacy officer's decisions.", no_args_is_help=True
)
ByOption = Annotated[str, typer.Option("--by", help="User name of the privacy officer.")]
MotivationOption = Annotated[str, typer.Option(help="Why: recorded with the decision.")]


@activity_app.command("request")
def activity_request(
    name: Annotated[str, typer.Option(help="Short name.")],
    purpose: Annotated[str, typer.Option(help="Purpose of the processing.")],
    legal_basis: Annotated[str, typer.Option(help="Legal basis per law.")],
    sources: Annotated[str, typer.Option(help="Comma-separated domains: brp,wmo,jeugd,…")],
    retention_days: Annotated[int, typer.Option(help="Retention period in days.")],
    data_categories: Annotated[str, typer.Option(help="Data categories.")] = "",
    recipients: Annotated[str, typer.Option(help="Recipients and roles.")] = "",
    dpia: Annotated[str, typer.Option(help="DPIA reference.")] = "",
    by: Annotated[
        str | None, typer.Option("--by", help="Analyst's user name (default: you).")
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
    dpia: Annotated[str | None, typer.Option(help="New DPIA reference.")] = None,
    note: Annotated[str, typer.Option(help="What changed and why.")] = "",
    by: Annotated[
        str | None, typer.Option("--by", help="Analyst's user name (default: you).")
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
            note=note,
        )
    )
    if as_json:
        emit_json({"id": activity_id, "version": version.number, "status": version.status})
    else:
        console.print(
            f"Activity {activity_id} amended: version {version.number}, {version.status} again"
        )


def _decision_command(verb: str, help_text: str) -> None:
    """Register ``meedoen activity VERB ID --by USER --motivation TEXT`` (privacy officer)."""

    def command(
        activity_id: Annotated[int, typer.Argument(metavar="ID")],
        by: ByOption,
        motivation: MotivationOption,
        home: HomeOption = None,
        as_json: JsonOption = False,
    ) -> None:
        workspace_django(home)
        from meedoen.activities import services

        action = {
            "approve": services.activity_approve,
            "refuse": services.activity_refuse,
            "revoke": services.activity_revoke,
        }[verb]
        from meedoen.activities.selectors import activity_purges

        actor = cli_actor(by)
        kwargs = {"trace": cli_trace()} if verb == "revoke" else {}
        version = run_service(
            lambda: action(activity_id=activity_id, actor=actor, motivation=motivation, **kwargs)
        )
        deleted = activity_purges(activity_id=activity_id)[-1:] if verb == "revoke" else []
        if as_json:
            emit_json(
                {
                    "id": activity_id,
                    "version": version.number,
                    "status": version.status,
                    "valid_until": version.valid_until,
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

    command.__doc__ = help_text
    activity_app.command(verb)(command)


_decision_command(
    "approve",
    "Approve a requested activity (privacy officer); it expires after its retention period.",
)
_decision_command("refuse", "Refuse a requested activity (privacy officer).")
_decision_command("revoke", "Revoke an approved activity (privacy officer).")


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
    for column in ("id", "name", "sources", "status", "until", "version", "by"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            str(r.id),
            r.name,
            ",".join(r.sources),
            r.status,
            str(r.valid_until or ""),
            str(r.number),
            r.acted_by,
        )
    console.print(table)
