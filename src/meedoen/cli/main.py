"""Entry point: registers every command of DESIGN.md on one Typer app."""

from __future__ import annotations

import os

import typer

from meedoen.cli import (
    activities,
    cases,
    dashboards,
    encode,
    federation,
    governance,
    households,
    indicators,
    intake,
    linkage,
    publications,
    signals,
    synth,
    targetgroups,
    workspace,
)

app = typer.Typer(
    name="meedoen",
    help="meedoen: link, derive households and publish disclosure-controlled figures for the "
    "Dutch social domain, without becoming Big Brother.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals may hold personal data
)

app.command()(workspace.init)
app.command()(synth.synth)
app.command()(intake.ingest)
app.add_typer(intake.quarantine_app, name="quarantine")
app.add_typer(intake.keys_app, name="keys")
app.command()(linkage.link)
app.command()(encode.encode)
app.command()(households.build)
app.command()(publications.table)
app.add_typer(publications.publication_app, name="publication")
app.add_typer(activities.activity_app, name="activity")
app.add_typer(indicators.indicator_app, name="indicator")
app.add_typer(dashboards.dashboard_app, name="dashboard")
app.add_typer(federation.federation_app, name="federation")
app.command()(targetgroups.compare)
app.command()(targetgroups.segment)
app.command()(governance.sql)
app.command()(intake.pseudonym)
app.add_typer(cases.case_app, name="case")
app.add_typer(signals.signals_app, name="signals")
app.add_typer(governance.audit_app, name="audit")
app.add_typer(governance.retention_app, name="retention")
app.command()(workspace.demo)
app.command()(workspace.serve)
app.add_typer(workspace.user_app, name="user")


#: Files and folders meedoen creates are its owner's only (0600/0700): source files, logs,
#: DuckDB's spill files, databases, exports. Set before any command runs.
UMASK = 0o077


def main() -> None:
    os.umask(UMASK)
    app()
