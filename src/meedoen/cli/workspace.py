"""Commands that create, fill and serve a workspace: init, demo, serve, user."""

from __future__ import annotations

import os
import sys
from contextlib import nullcontext
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from meedoen.cli.common import (
    EXIT_REJECTED,
    HomeOption,
    JsonOption,
    cli_messages,
    console,
    django_setup,
    emit_json,
    err_console,
    fail,
)
from meedoen_data.categories import HOUSEHOLD_DETAIL
from meedoen_data.workspace import (
    InitReport,
    Workspace,
    WorkspaceError,
    resolve_home,
    workspace_init,
)

user_app = typer.Typer(help="Manage user accounts (administrators).", no_args_is_help=True)


def _init(home: Path | None, *, quiet: bool, demo: bool = False) -> InitReport:
    resolved = resolve_home(home)
    try:
        report = workspace_init(home=resolved, demo=demo)
    except WorkspaceError as exc:
        fail(str(exc), code=EXIT_REJECTED)
    django_setup(resolved)
    from django.core.management import call_command
    from django.db import connection

    status = nullcontext() if quiet else console.status("Migrating the web database…")
    with status:
        call_command("migrate", interactive=False, verbosity=0)
    if connection.vendor == "sqlite":
        # Password hashes and sessions: owner only, like the rest of the workspace.
        Path(connection.settings_dict["NAME"]).chmod(0o600)
    report.created.extend(_checkpoint_init(resolved))
    return report


def _checkpoint_init(home: Path) -> list[str]:
    """The audit checkpoint key (unless it exists) and a checkpoint of the log as it is now;
    names relative to the workspace where they are in it."""
    from meedoen.audits.services import audit_checkpoint_init
    from meedoen_data.audit_checkpoint import CheckpointError

    try:
        created = audit_checkpoint_init()
    except (CheckpointError, OSError) as exc:
        err_console.print(
            f"meedoen: no audit checkpoint written by this account ({exc}); the account that "
            "holds the checkpoint key writes them: meedoen audit checkpoint",
            highlight=False,
        )
        return []
    return [str(p.relative_to(home)) if p.is_relative_to(home) else str(p) for p in created]


def init(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Create a workspace: web database (migrated), analytics store, identity vault, keys.

    Safe to run again: it adds what is missing and never overwrites keys or data."""
    report = _init(home, quiet=as_json)
    if as_json:
        emit_json(
            {
                "home": str(report.workspace.home),
                "new": report.was_new,
                "created": report.created,
                "existing": report.existing,
            }
        )
        return
    verb = "Created" if report.was_new else "Checked"
    console.print(f"{verb} workspace [bold]{report.workspace.home}[/]")
    for name in report.created:
        console.print(f"  + {name}")
    if report.existing and not report.was_new:
        console.print(
            f"  {len(report.existing)} parts were already there and were left as they are"
        )


def serve(
    home: HomeOption = None,
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
    host: Annotated[
        str, typer.Option(help="Address to listen on. Keep loopback unless behind a proxy.")
    ] = "127.0.0.1",
    threads: Annotated[int, typer.Option(help="Worker threads.", min=1, max=64)] = 8,
    trusted_proxy: Annotated[
        str | None,
        typer.Option(
            help="Address of the TLS-terminating reverse proxy whose X-Forwarded-Proto and "
            "X-Forwarded-For headers are trusted (production with SECURE_SSL)."
        ),
    ] = None,
) -> None:
    """Serve the web app (waitress) until interrupted with Ctrl+C."""
    resolved = resolve_home(home)
    _require_workspace(resolved)
    django_setup(resolved)
    _check_migrated()
    _check_intake_limits()
    _check_branding()
    _serve(host=host, port=port, threads=threads, trusted_proxy=trusted_proxy)


def _serve_body_cap() -> dict[str, object]:
    """Waitress's option that caps request bodies: it answers 413 above the cap, before reading
    the body. (Loading the app made the process private: :mod:`meedoen.conf.process`.)"""
    from django.conf import settings

    # waitress refuses a body of max_request_body_size bytes or more; Django's middleware
    # refuses one over MAX_REQUEST_BYTES: the same limit.
    return {"max_request_body_size": int(settings.MAX_REQUEST_BYTES) + 1}


def _serve_separation_note() -> None:
    """Say at start-up when this process can read the checkpoint key or write the witness
    folder: a warning in production, a note elsewhere (the demo is one account by design)."""
    from django.conf import settings

    from meedoen.audits.selectors import audit_checkpoint_separation

    separation = audit_checkpoint_separation()
    if separation.separated:
        return
    if settings.ENVIRONMENT == "production":
        err_console.print(f"[bold yellow]warning:[/] {separation.message}", highlight=False)
    else:
        err_console.print(f"note: {separation.message}", highlight=False, style="dim")


def _require_workspace(home: Path) -> None:
    try:
        Workspace(home).manifest()
    except WorkspaceError as exc:
        fail(str(exc), code=EXIT_REJECTED)


def _check_migrated() -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        fail(
            f"the web database has {len(plan)} unapplied migrations; run: meedoen init --home …",
            code=EXIT_REJECTED,
        )


def _check_intake_limits() -> None:
    """Refuse to start with an intake limit that cannot be read (``MEEDOEN_INTAKE_*``): every
    upload would fail."""
    from meedoen_data.intake.limits import IntakeLimits

    try:
        IntakeLimits.from_env()
    except ValueError as exc:
        fail(str(exc), code=EXIT_REJECTED)


def _check_branding() -> None:
    """Refuse to start with a logo or theme file that cannot be served (``MEEDOEN_LOGO``,
    ``MEEDOEN_THEME_CSS``): every page would show a broken image or lose its theme."""
    from meedoen.web.branding import branding_check

    problems = branding_check()
    if problems:
        fail("; ".join(problem.msg for problem in problems), code=EXIT_REJECTED)


def _serve(*, host: str, port: int, threads: int, trusted_proxy: str | None = None) -> None:
    from waitress import serve as waitress_serve

    from meedoen.conf.wsgi import application  # first: whatever serve writes is private

    body_options = _serve_body_cap()
    proxy_options: dict[str, object] = {}
    if trusted_proxy:
        proxy_options = {
            "trusted_proxy": trusted_proxy,
            "trusted_proxy_headers": {"x-forwarded-proto", "x-forwarded-for"},
            "clear_untrusted_proxy_headers": True,
        }
    err_console.print(f"meedoen serves on [bold]http://{host}:{port}/[/] (Ctrl+C stops)")
    _serve_separation_note()
    from meedoen.audits.services import checkpoint_timer_start

    checkpoint_timer_start()  # signed audit checkpoints, when this account can read the key
    waitress_serve(
        application,
        host=host,
        port=port,
        threads=threads,
        ident="meedoen",
        **proxy_options,
        **body_options,
    )


def demo(
    home: HomeOption = None,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Set everything up, then exit instead of serving.")
    ] = False,
    port: Annotated[int, typer.Option(help="TCP port to serve on.", min=1, max=65535)] = 8000,
    as_json: JsonOption = False,
) -> None:
    """A complete demo: workspace, a demo user per role, the pipeline, then the web app.

    Only on a new folder or an earlier demo workspace: it resets the demo accounts."""
    if os.environ.get("MEEDOEN_ENVIRONMENT") == "production":
        fail(
            "the demo never runs in production (MEEDOEN_ENVIRONMENT=production)", code=EXIT_REJECTED
        )
    report = _init(home, quiet=as_json, demo=True)
    from meedoen.accounts.services import demo_users_reset

    users = demo_users_reset()
    sources = _demo_sources(report.workspace.home, quiet=as_json)
    intake = _demo_ingest(report.workspace.home, sources, quiet=as_json)
    activity = _demo_activity(sources)
    casework = _demo_casework()
    debt_help = _demo_debt_help()
    from meedoen.residents.demo import demo_resident_bind

    resident = demo_resident_bind()
    if as_json:
        emit_json(
            {
                "home": str(report.workspace.home),
                "url": f"http://127.0.0.1:{port}/",
                "users": [vars(user) for user in users],
                "sources": str(sources),
                "ingested": intake,
                "activity": activity,
                "casework": casework,
                "debt_help": debt_help,
                "resident": resident,
            }
        )
    else:
        console.print(f"Demo workspace: [bold]{report.workspace.home}[/]")
        table = Table(title="Demo users (passwords are new on every run)")
        table.add_column("user name")
        table.add_column("role")
        table.add_column("password")
        for user in users:
            table.add_row(user.username, user.role, user.password)
        console.print(table)
        console.print(
            f"Synthetic source files (GM0784, Gilze en Rijen-sized): [bold]{sources}[/] "
            "(with truth/)."
        )
        console.print(
            "Loaded through the intake gate: "
            + ", ".join(f"{table} {rows:,}" for table, rows in sorted(intake.items()))
        )
        console.print(
            f'Processing activity {activity["id"]} "{activity["name"]}": requested by the '
            f"analyst, {activity['status']} by the privacy officer until {activity['valid_until']} "
            "(meedoen activity list)"
        )
        console.print(
            f"Its tables ({', '.join(activity['sources'])}) carry pseudonyms of this activity "
            f"only: {activity['persons']:,} persons."
        )
        built = activity["households"]
        console.print(
            f"Households at {built['peildatum']} (meedoen build): {built['households']:,} "
            f"households of {built['persons']:,} residents. Try: meedoen sql --activity "
            f'{activity["id"]} --by analyst "{DEMO_QUERY}"'
        )
        links = activity["links"]
        console.print(
            f"Food bank clients linked without BSN (meedoen link): {links['linked']:,} of "
            f"{links['records']:,} records; see link.partner_link."
        )
        console.print(
            f'Operational activity {casework["id"]} "{casework["name"]}": {casework["cases"]} '
            "cases from the case-management file on the caseload of case_worker "
            "(team wijkteam-noord, with team_lead); see /casussen/."
        )
        console.print(
            "Debt help (task schuldhulpverlening, the only one that may use the early-warning "
            "signals): "
            + "; ".join(f'activity {a["id"]} "{a["name"]}"' for a in debt_help.values())
        )
        if resident["bound"]:
            console.print(
                f"Resident portal (/mijn/): the account resident is an adult of the family of "
                f"case {resident['case']}, which the case worker looked at."
            )
    if not no_serve:
        _check_migrated()
        _serve(host="127.0.0.1", port=port, threads=8)


def _demo_sources(home: Path, *, quiet: bool) -> Path:
    """The demo's synthetic municipality, generated once per demo workspace."""
    from meedoen_data.synth import synth_municipality

    sources = home / "sources" / "GM0784"
    if not (sources / "ingeschrevenpersoon.csv").exists():
        status = nullcontext() if quiet else console.status("Generating a synthetic municipality…")
        with status:
            synth_municipality(gemeente="GM0784", out=sources, seed=1, with_truth=True)
    # Synthetic, but shaped like real source files (names, BSNs, addresses): owner only, like
    # every file of the workspace, whatever the umask of the process that wrote them.
    _owner_only(home / "sources")
    return sources


def _owner_only(folder: Path) -> None:
    """Folders 0700 and files 0600, from ``folder`` down."""
    folder.chmod(0o700)
    for root, folders, files in os.walk(folder):
        for name in folders:
            os.chmod(os.path.join(root, name), 0o700)
        for name in files:
            os.chmod(os.path.join(root, name), 0o600)


DEMO_ACTIVITY = {
    "name": "Voedselbankklanten in beeld",
    "purpose": "Welke huishoudens zijn klant van de voedselbank en welke ondersteuning krijgen "
    "zij al (Smart Start)",
    "legal_basis": "Participatiewet art. 7; Wmo 2015 art. 2.1.1; Jeugdwet art. 7.4.4",
    "sources": ["brp", "partner-voedselbank", "participatie", "wmo", "jeugd", "schulden", "cbs"],
    "retention_days": 365,
    # Households at a peildatum need the month of moves, relations and births.
    "fine_columns": list(HOUSEHOLD_DETAIL),
    "fine_reason": "Huishoudens op een peildatum: wie op die dag waar en met wie woont, vraagt de "
    "maand van verhuizingen, relaties en geboorten",
    # The approval checklist: what the privacy officer assesses before approving.
    "data_categories": "Samenstelling en adres van huishoudens (BRP); klant van de voedselbank; "
    "toewijzingen Wmo en jeugdhulp; uitkering en schuldhulp",
    "recipients": "Analisten van team Onderzoek en Statistiek (verwerken); beleidsmedewerkers "
    "armoede en de adviesraad sociaal domein (alleen beveiligde tabellen)",
    "dpia_reference": "DPIA-2026-014 Voedselbankklanten in beeld (demo)",
}


#: A first query for a newcomer, on the demo activity's own tables.
DEMO_QUERY = "SELECT household_type, count(*) FROM household.household GROUP BY ALL ORDER BY 2 DESC"
#: The generator's default peildatum: the demo's households are built for it.
DEMO_PEILDATUM = date(2025, 1, 1)


def _demo_activity(sources: Path) -> dict[str, object]:
    """The demo's processing activity, requested by the analyst and approved by the privacy
    officer, once per demo workspace: a newcomer sees the workflow."""
    from meedoen.accounts.models import User
    from meedoen.activities.selectors import activity_list
    from meedoen.activities.services import (
        Actor,
        activity_approve,
        activity_request,
        reviewer_grant,
    )

    existing = [a for a in activity_list() if a.name == DEMO_ACTIVITY["name"]]
    if not existing:
        analyst = User.objects.get(username="analyst")
        officer = User.objects.get(username="privacy_officer")
        created = activity_request(actor=Actor(analyst.username, analyst), **DEMO_ACTIVITY)
        activity_approve(
            activity_id=created.pk,
            actor=Actor(officer.username, officer),
            motivation="Doel, grondslag en bronnen passen bij elkaar (demo)",
            version=1,
        )
        reviewer_grant(
            activity_id=created.pk,
            username=analyst.username,
            actor=Actor(officer.username, officer),
        )
        existing = [a for a in activity_list() if a.name == DEMO_ACTIVITY["name"]]
    state = existing[0]
    from meedoen.activities.enforcement import activity_store_open
    from meedoen.cli.common import cli_trace
    from meedoen.households.services import build_execute, build_request

    analyst = User.objects.get(username="analyst")
    actor, trace = Actor(analyst.username, analyst), cli_trace()
    store = activity_store_open(activity_id=state.id, actor=actor, trace=trace, channel="cli")
    run = build_request(
        activity_id=state.id,
        peildatum=DEMO_PEILDATUM,
        engine="duckdb",
        actor=actor,
        trace=trace,
        channel="cli",
    )
    households = build_execute(run_id=run.pk, actor=actor, trace=trace)
    from meedoen.linkages.services import link_execute, link_request

    partner = sources / "voedselbank.csv"
    linking = link_request(
        activity_id=state.id,
        source="voedselbank",
        file_name=partner.name,
        actor=actor,
        trace=trace,
        channel="cli",
    )
    links = link_execute(run_id=linking.pk, path=partner, actor=actor, trace=trace)
    return {
        "id": state.id,
        "name": state.name,
        "status": state.status,
        "valid_until": str(state.valid_until),
        "sources": state.sources,
        "persons": store.persons,
        "households": {
            "peildatum": DEMO_PEILDATUM.isoformat(),
            "households": households.households,
            "persons": households.persons,
            "by_type": households.by_type,
        },
        "links": {"records": links.records, "linked": links.linked, "by_status": links.by_status},
    }


DEMO_CASEWORK = {
    "name": "Gezinscontext voor het wijkteam",
    "purpose": "Casusregisseurs van het wijkteam zien bij een aanmelding wie tot het gezin "
    "behoort, welke hulp het gezin al krijgt en wie zij kunnen bellen",
    "legal_basis": "Jeugdwet art. 7.4.0; Wmo 2015 art. 5.1.1",
    "sources": ["brp", "wmo", "jeugd", "participatie", "schulden", "betrokkenheid"],
    "retention_days": 365,
    "data_categories": "Gezinsleden en adres (BRP); soort hulp, aanbieder en contact (Wmo, "
    "jeugdhulp, bijstand, schuldhulp); betrokken professionals. Nooit diagnoses of "
    "dossierteksten.",
    "recipients": "Casusregisseurs en teamleiders van de wijkteams, alleen voor casussen op "
    "de eigen caseload",
    "dpia_reference": "DPIA-2026-021 Gezinscontext wijkteam (demo)",
    "kind": "uitvoering",
    "roles": ["case_worker", "team_lead"],
}
#: The team of the demo's case worker and team lead (the generator's first team).
DEMO_TEAM = "wijkteam-noord"


def _demo_casework() -> dict[str, object]:
    """The demo's operational activity (family context for the wijkteam), the team of the case
    worker and team lead, and the cases of the generated case-management file."""
    from meedoen.accounts.models import User
    from meedoen.accounts.services import user_team_set
    from meedoen.activities.selectors import activity_list
    from meedoen.activities.services import Actor, activity_approve, activity_request
    from meedoen.cases.services import cases_load
    from meedoen.cli.common import cli_trace

    for username in ("case_worker", "team_lead"):
        user_team_set(username=username, team=DEMO_TEAM, by="demo", by_role="operator")
    existing = [a for a in activity_list() if a.name == DEMO_CASEWORK["name"]]
    if not existing:
        analyst = User.objects.get(username="analyst")
        officer = User.objects.get(username="privacy_officer")
        created = activity_request(actor=Actor(analyst.username, analyst), **DEMO_CASEWORK)
        activity_approve(
            activity_id=created.pk,
            actor=Actor(officer.username, officer),
            motivation="Grondslag, bronnen en rollen passen bij de taak van het wijkteam (demo)",
            version=1,
        )
        existing = [a for a in activity_list() if a.name == DEMO_CASEWORK["name"]]
    state = existing[0]
    report = cases_load(actor=Actor("demo"), activity_id=state.id, trace=cli_trace(), channel="cli")
    from meedoen.cases.models import Case

    return {
        "id": state.id,
        "name": state.name,
        "cases": Case.objects.filter(worker__username="case_worker", closed_at=None).count(),
        "loaded": {
            "created": report.created,
            "updated": report.updated,
            "closed": report.closed,
            "skipped": len(report.skipped),
        },
    }


#: The demo's debt-help activities: the only ones that may use the early-warning signals
#: (``signalen``: by law for debt help only, Wgs art. 3 and 4a), so both carry that task.
DEMO_DEBT_HELP = {
    "operational": {
        "name": "Vroegsignalering schulden",
        "purpose": "Schuldhulpverleners zien bij een vroegsignaal van een betalingsachterstand wie "
        "tot het huishouden behoort en welke hulp het al krijgt, en bieden schuldhulp aan",
        "legal_basis": "Wet gemeentelijke schuldhulpverlening art. 3 en 4a; Besluit gemeentelijke "
        "schuldhulpverlening",
        "task": "schuldhulpverlening",
        "sources": ["brp", "signalen", "schulden", "participatie", "wmo", "jeugd"],
        "retention_days": 365,
        "data_categories": "Signalen van betalingsachterstanden (huur, energie, water, "
        "zorgverzekering); huishouden en adres (BRP); schuldhulp, bijstand en soort hulp (Wmo, "
        "jeugdhulp)",
        "recipients": "Schuldhulpverleners van het team vroegsignalering, alleen voor signalen "
        "op de eigen werklijst",
        "dpia_reference": "DPIA-2026-023 Vroegsignalering schulden (demo)",
        "kind": "uitvoering",
        "roles": ["debt_worker"],
    },
    "analysis": {
        "name": "Vroegsignalen: welke signalen gaan vooraf aan schuldhulp",
        "purpose": "Welke vroegsignalen (soort, bedrag, combinatie) gaan vooraf aan een "
        "schuldhulptraject, om de vroegsignalering van schuldhulp beter te richten",
        "legal_basis": "Wet gemeentelijke schuldhulpverlening art. 3 en 4a; Besluit gemeentelijke "
        "schuldhulpverlening",
        "task": "schuldhulpverlening",
        "sources": ["brp", "signalen", "schulden", "participatie", "cbs"],
        "retention_days": 365,
        "fine_columns": list(HOUSEHOLD_DETAIL),
        "fine_reason": "Huishoudens op een peildatum: wie op die dag waar en met wie woont, vraagt "
        "de maand van verhuizingen, relaties en geboorten",
        "data_categories": "Signalen van betalingsachterstanden; schuldhulptrajecten; bijstand; "
        "samenstelling van huishoudens (BRP); opleiding en inkomen (CBS)",
        "recipients": "Analisten van team Onderzoek en Statistiek (verwerken); het team "
        "schuldhulpverlening (alleen beveiligde tabellen)",
        "dpia_reference": "DPIA-2026-024 Vroegsignalen en schuldhulp (demo)",
    },
}


def _demo_debt_help() -> dict[str, dict[str, object]]:
    """The demo's two debt-help activities (task schuldhulpverlening: the only task that may
    use the early-warning signals), requested by the analyst and approved by the privacy
    officer, once per demo workspace."""
    from meedoen.accounts.models import User
    from meedoen.activities.selectors import activity_list
    from meedoen.activities.services import Actor, activity_approve, activity_request

    analyst = User.objects.get(username="analyst")
    officer = User.objects.get(username="privacy_officer")
    made: dict[str, dict[str, object]] = {}
    for key, request in DEMO_DEBT_HELP.items():
        existing = [a for a in activity_list() if a.name == request["name"]]
        if not existing:
            created = activity_request(actor=Actor(analyst.username, analyst), **request)
            activity_approve(
                activity_id=created.pk,
                actor=Actor(officer.username, officer),
                motivation="De taak is schuldhulpverlening en de vroegsignalen dienen alleen "
                "daarvoor (Wgs art. 3 en 4a) (demo)",
                version=1,
            )
            existing = [a for a in activity_list() if a.name == request["name"]]
        state = existing[0]
        made[key] = {"id": state.id, "name": state.name, "status": state.status}
    made["operational"]["worklist"] = _demo_signals_worklist(int(made["operational"]["id"]))
    made["analysis"]["signals"] = _demo_signals_analysis(int(made["analysis"]["id"]), analyst)
    return made


def _demo_signals_worklist(activity_id: int) -> dict[str, object]:
    """The demo's signals linked for the debt workers' work list (by the operator, as a
    scheduled job would after each delivery)."""
    from meedoen.activities.actors import Actor
    from meedoen.cli.common import cli_trace
    from meedoen.earlysignals.services import signals_link

    outcome = signals_link(
        activity_id=activity_id, actor=Actor("operator"), trace=cli_trace(), via="cli"
    )
    return {
        "signals": outcome.link.records,
        "linked": outcome.link.linked,
        "households_open": outcome.refresh.open,
        "outreach": _demo_outreach(activity_id),
    }


#: The demo's outreach: (channel, result, follow-up) in turn, so the monitor shows every outcome.
DEMO_OUTREACH = (
    ("brief", "niet_bereikt", "nieuwe_poging"),
    ("telefoon", "hulp_geaccepteerd", "intake_schuldhulp"),
    ("huisbezoek", "bereikt", "geen"),
    ("telefoon", "hulp_geweigerd", "geen"),
    ("via_partner", "doorverwezen", "doorverwezen_wijkteam"),
    ("telefoon", "al_in_hulp", "geen"),
    ("huisbezoek", "hulp_geaccepteerd", "budgetcoaching"),
)


def _demo_outreach(activity_id: int) -> dict[str, object]:
    """Outreach by the demo debt worker to every third household on the work list (once per
    workspace), dated a week or two after its newest signal: made-up outcomes, so that the
    work list has households in progress and the monitor has figures. Returns the contacts
    registered and the BRP pseudonyms of the persons they were about (logged per person)."""
    from datetime import timedelta

    from meedoen.accounts.models import User
    from meedoen.activities.actors import Actor
    from meedoen.cli.common import cli_trace
    from meedoen.earlysignals.models import Contact, SignalHousehold
    from meedoen.earlysignals.selectors import signals_date
    from meedoen.earlysignals.services import contact_register

    done = Contact.objects.filter(household__activity_id=activity_id)
    if not done.exists():
        worker = User.objects.get(username="debt_worker")
        actor, trace, today = Actor(worker.username, worker), cli_trace(), signals_date()
        rows = SignalHousehold.objects.filter(activity_id=activity_id, open_signals__gt=0)
        for number, row in enumerate(rows.order_by("pk")[::3]):
            channel, result, follow_up = DEMO_OUTREACH[number % len(DEMO_OUTREACH)]
            day = min((row.last_signal or today) + timedelta(days=7 + number % 8), today)
            contact_register(
                actor=actor,
                household_id=row.pk,
                channel=channel,
                result=result,
                follow_up=follow_up,
                on=day,
                trace=trace,
                via="cli",
            )
    persons = sorted({p for c in done.select_related("household") for p in c.household.persons})
    return {"contacts": done.count(), "persons": persons}


def _demo_signals_analysis(activity_id: int, analyst: object) -> dict[str, object]:
    """The analysis activity's households built and its signals linked into its tables: what
    meedoen indicator discover reads."""
    from meedoen.activities.actors import Actor
    from meedoen.cli.common import cli_trace
    from meedoen.earlysignals.analysis import signals_link_analysis
    from meedoen.households.services import build_execute, build_request

    user = analyst
    actor, trace = Actor(user.username, user), cli_trace()  # type: ignore[attr-defined]
    run = build_request(
        activity_id=activity_id,
        peildatum=DEMO_PEILDATUM,
        engine="duckdb",
        actor=actor,
        trace=trace,
        channel="cli",
    )
    build_execute(run_id=run.pk, actor=actor, trace=trace)
    report = signals_link_analysis(activity_id=activity_id, actor=actor, trace=trace)
    return {"signals": report.records, "linked": report.linked, "households": report.households}


def _demo_ingest(home: Path, sources: Path, *, quiet: bool) -> dict[str, int]:
    """Load the demo's sources through the intake gate (unchanged files are skipped)."""
    from datetime import UTC, datetime

    from meedoen.activities.actors import Actor
    from meedoen.cli.common import cli_trace
    from meedoen.intakes.services import intake_log
    from meedoen_data.intake import ingest_directory, ingest_history

    status = nullcontext() if quiet else console.status("Loading the sources through the gate…")
    with status:
        started = datetime.now(UTC)
        report = ingest_directory(home=home, directory=sources, user="demo")
        intake_log(
            report=report, actor=Actor("demo"), trace=cli_trace(), channel="cli", started=started
        )
    return {
        str(row["table_name"]): int(row["rows_loaded"])  # type: ignore[call-overload]
        for row in ingest_history(home=home)
        if row["status"] == "loaded"
    }


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option(help="Role id, e.g. analyst or privacy_officer.")],
    home: HomeOption = None,
    first_name: Annotated[str, typer.Option(help="Given name.")] = "",
    last_name: Annotated[str, typer.Option(help="Surname.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Add a user with one role. The password is read from standard input (one line).

    Run by the workspace operator (no --by); logged in the audit log as account.create by the
    operating-system user."""
    resolved = resolve_home(home)
    _require_workspace(resolved)
    django_setup(resolved)
    from django.core.exceptions import ValidationError

    from meedoen.accounts.roles import Role
    from meedoen.accounts.services import user_create

    if role not in Role.values:
        fail(f"unknown role {role!r}; use one of: {', '.join(Role.values)}", code=EXIT_REJECTED)
    if sys.stdin.isatty():
        import getpass

        password = getpass.getpass("Password: ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    import getpass as os_user

    try:
        user = user_create(
            username=username,
            role=role,
            password=password,
            first_name=first_name,
            last_name=last_name,
            by=os_user.getuser(),
            by_role="operator",
            channel="cli",
        )
    except ValidationError as exc:
        fail(cli_messages(exc), code=EXIT_REJECTED)
    if as_json:
        emit_json({"id": user.pk, "username": user.username, "role": user.role})
    else:
        console.print(f"Added user [bold]{user.username}[/] with role {user.role}")


@user_app.command("role")
def user_role(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Argument(help="The new role id, e.g. analyst.")],
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Give a user another role.

    Run by the workspace operator (no --by); logged in the audit log as account.role by the
    operating-system user. A role changed any other way (a database shell) is reported by
    meedoen audit verify."""
    import getpass

    resolved = resolve_home(home)
    _require_workspace(resolved)
    django_setup(resolved)
    from django.core.exceptions import ValidationError

    from meedoen.accounts.models import User
    from meedoen.accounts.roles import Role
    from meedoen.accounts.services import user_role_change
    from meedoen.audits.accounts import audit_account_role_recorded

    if role not in Role.values:
        fail(f"unknown role {role!r}; use one of: {', '.join(Role.values)}", code=EXIT_REJECTED)
    try:
        was = User.objects.get(username=username).role
        recorded = audit_account_role_recorded(username=username)
        user = user_role_change(
            username=username, role=role, by=getpass.getuser(), by_role="operator"
        )
    except User.DoesNotExist:
        fail(f"no user {username!r}", code=EXIT_REJECTED)
    except ValidationError as exc:
        fail(exc.messages[0], code=EXIT_REJECTED)
    if as_json:
        emit_json({"username": user.username, "role": user.role, "was": was})
    elif was == user.role and recorded == user.role:
        console.print(f"{user.username} already has role {user.role}; nothing changed")
    elif was == user.role:
        console.print(
            f"{user.username} has role {user.role}; the audit log had {recorded or 'no record'} "
            "and now records it"
        )
    else:
        console.print(f"{user.username} now has role {user.role} (was {was})")


@user_app.command("team")
def user_team(
    username: Annotated[str, typer.Argument(help="Login name.")],
    team: Annotated[
        str, typer.Argument(help="The team's short code, e.g. wijkteam-noord; '' for none.")
    ],
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Put a case worker or team lead in a team (a team lead opens and assigns cases for the
    case workers of the own team).

    Run by the workspace operator (no --by); logged in the audit log as account.team by the
    operating-system user."""
    import getpass

    resolved = resolve_home(home)
    _require_workspace(resolved)
    django_setup(resolved)
    from django.core.exceptions import ValidationError

    from meedoen.accounts.models import User
    from meedoen.accounts.services import user_team_set

    try:
        user = user_team_set(username=username, team=team, by=getpass.getuser(), by_role="operator")
    except User.DoesNotExist:
        fail(f"no user {username!r}", code=EXIT_REJECTED)
    except ValidationError as exc:
        fail("; ".join(exc.messages), code=EXIT_REJECTED)
    if as_json:
        emit_json({"username": user.username, "team": user.team})
    else:
        console.print(f"{user.username} is in team {user.team or '(none)'}")


token_app = typer.Typer(
    help="Personal API tokens: a script acts as you with MEEDOEN_TOKEN or "
    "'Authorization: Token …' on the JSON API.",
    no_args_is_help=True,
)
user_app.add_typer(token_app, name="token")

TokenByOption = Annotated[
    str,
    typer.Option(
        "--by",
        help="Your user name; you sign in with your password (MEEDOEN_PASSWORD or the prompt), "
        "never with a token.",
    ),
]


def _token_user(home: Path | None, by: str) -> object:
    from meedoen.cli.common import cli_actor, workspace_django

    workspace_django(home)
    return cli_actor(by, token=False)


@token_app.command("create")
def token_create(
    by: TokenByOption,
    name: Annotated[str, typer.Option(help="What the token is for, e.g. the script's name.")] = "",
    days: Annotated[
        int, typer.Option(help="Days until it expires; 0: never (not recommended).", min=0)
    ] = 90,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Make a personal API token for yourself. It is shown once: store it like a password.

    Only its hash is kept; a script gives it in MEEDOEN_TOKEN with --by, or in an
    'Authorization: Token …' header on the JSON API."""
    import getpass

    from meedoen.cli.common import run_service

    actor = _token_user(home, by)
    from meedoen.accounts.services import token_create as create

    row, secret = run_service(
        lambda: create(
            user=actor.user,  # type: ignore[attr-defined]
            name=name,
            days=days or None,
            client=getpass.getuser(),
        )
    )
    if as_json:
        emit_json({"id": row.pk, "name": row.name, "expires": row.expires, "token": secret})
        return
    until = f"until {row.expires:%Y-%m-%d %H:%M}" if row.expires else "without an end date"
    # Only the token on standard output: TOKEN=$(meedoen user token create …) works.
    err_console.print(f"API token {row.pk} of [bold]{by}[/], valid {until}:")
    typer.echo(secret)
    err_console.print(
        "Store it like a password (it is not shown again). Revoke it with: "
        f"meedoen user token revoke {row.pk} --by {by}"
    )


@token_app.command("list")
def token_list(by: TokenByOption, home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Your personal API tokens: name, made, last used, expiry and status (never the token)."""
    actor = _token_user(home, by)
    from meedoen.accounts.selectors import token_list as select

    rows = select(user=actor.user)  # type: ignore[attr-defined]
    if as_json:
        emit_json([vars(r) for r in rows])
        return
    if not rows:
        console.print(f"{by} has no API tokens (meedoen user token create --by {by}).")
        return
    table = Table(title=f"API tokens of {by}")
    for column in ("id", "name", "created", "last used", "expires", "status"):
        table.add_column(column)

    def when(value: object) -> str:
        return f"{value:%Y-%m-%d %H:%M}" if value else ""

    for r in rows:
        table.add_row(
            str(r.id), r.name, when(r.created), when(r.last_used), when(r.expires), r.status
        )
    console.print(table)


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[int, typer.Argument(metavar="TOKEN_ID", help="Id from the list.")],
    by: TokenByOption,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Revoke one of your personal API tokens: it stops working at once."""
    import getpass

    from meedoen.cli.common import run_service

    actor = _token_user(home, by)
    from meedoen.accounts.services import token_revoke as revoke

    row = run_service(
        lambda: revoke(
            user=actor.user,  # type: ignore[attr-defined]
            token_id=token_id,
            client=getpass.getuser(),
        )
    )
    if as_json:
        emit_json({"id": row.pk, "revoked": row.revoked})
    else:
        console.print(f"API token {row.pk} of {by} is revoked")
