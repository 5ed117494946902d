"""Commands of DESIGN.md whose capability is still being built.

They are registered with their final arguments so that ``--help`` documents the interface now;
running one says plainly which issue brings it and exits 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer

from meedoen.cli.common import HomeOption, JsonOption, fail

ActivityOption = Annotated[
    str, typer.Option("--activity", help="Id of the approved processing activity.")
]
activity_app = typer.Typer(
    help="Processing activities and the privacy officer's decisions.", no_args_is_help=True
)
audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


def _not_yet(capability: str, issue: int) -> NoReturn:
    fail(f"{capability} is not available yet (issue #{issue} builds it).")


def link(
    partner_file: Annotated[Path, typer.Argument(help="Partner file (CSV or Parquet).")],
    source: Annotated[str, typer.Option(help="Name of the partner source, e.g. voedselbank.")],
    activity: ActivityOption,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Link a partner file without BSN to the register."""
    _not_yet("Partner-file linkage", 7)


def build(
    peildatum: Annotated[str, typer.Option(help="Reference date, YYYY-MM-DD.")],
    activity: ActivityOption,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Derive households and the integrated household table for the reference date."""
    _not_yet("Household derivation", 6)


def table(
    rowvar: Annotated[str, typer.Argument(help="Row variable, e.g. wijkcode.")],
    activity: ActivityOption,
    colvar: Annotated[str | None, typer.Argument(help="Column variable.")] = None,
    where: Annotated[str | None, typer.Option(help="Filter, e.g. household_type=eenouder.")] = None,
    output_format: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
    home: HomeOption = None,
) -> None:
    """Publish a disclosure-controlled table; suppressed cells are marked, never zero."""
    _not_yet("Disclosure-controlled tables", 8)


def sql(
    query: Annotated[str, typer.Argument(help="A read-only SELECT statement.")],
    activity: ActivityOption,
    output_format: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
    home: HomeOption = None,
) -> None:
    """Read-only SQL on one activity's pseudonymised tables (logged)."""
    _not_yet("Analyst SQL access", 6)


@activity_app.command("request")
def activity_request(
    name: Annotated[str, typer.Option(help="Short name.")],
    purpose: Annotated[str, typer.Option(help="Purpose of the processing.")],
    legal_basis: Annotated[str, typer.Option(help="Legal basis per law.")],
    sources: Annotated[str, typer.Option(help="Comma-separated domains: brp,wmo,jeugd,…")],
    retention_days: Annotated[int, typer.Option(help="Retention period in days.")],
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Request a processing activity (analyst)."""
    _not_yet("The register of processing activities", 5)


def _decision(verb: str) -> None:
    _not_yet(f"Processing activity decisions ({verb})", 5)


@activity_app.command("approve")
def activity_approve(
    activity_id: Annotated[str, typer.Argument(metavar="ID")],
    by: Annotated[str, typer.Option(help="User name of the privacy officer.")],
    motivation: Annotated[str, typer.Option(help="Why.")],
    home: HomeOption = None,
) -> None:
    """Approve a requested activity (privacy officer)."""
    _decision("approve")


@activity_app.command("refuse")
def activity_refuse(
    activity_id: Annotated[str, typer.Argument(metavar="ID")],
    by: Annotated[str, typer.Option(help="User name of the privacy officer.")],
    motivation: Annotated[str, typer.Option(help="Why.")],
    home: HomeOption = None,
) -> None:
    """Refuse a requested activity (privacy officer)."""
    _decision("refuse")


@activity_app.command("revoke")
def activity_revoke(
    activity_id: Annotated[str, typer.Argument(metavar="ID")],
    by: Annotated[str, typer.Option(help="User name of the privacy officer.")],
    motivation: Annotated[str, typer.Option(help="Why.")],
    home: HomeOption = None,
) -> None:
    """Revoke an activity; everything derived under it is deleted."""
    _decision("revoke")


@activity_app.command("list")
def activity_list(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """List processing activities and their status."""
    _not_yet("The register of processing activities", 5)


@audit_app.command("verify")
def audit_verify(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Check the audit chain; exits non-zero if it was tampered with."""
    _not_yet("The audit log", 5)
