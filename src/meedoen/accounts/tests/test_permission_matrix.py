"""Every URL and every role, against the matrix documented in docs/users/permissions.md.

A route counts as allowed only when it answers with the real object: 200 for a GET (a POST
may also redirect, e.g. back to the page it came from), with real ids filled in — an approved
activity, a household build and a linkage that ran, a record awaiting review, a published
table. A 404 is never "allowed": a placeholder nobody has would hide a missing permission check.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from meedoen.accounts.models import User
from meedoen.accounts.roles import Role
from meedoen.activities.services import (
    Actor,
    activity_approve,
    activity_request,
    reviewer_grant,
)
from meedoen.audits.trace import TraceContext
from meedoen.households.services import build_execute, build_request
from meedoen.linkages.services import link_execute, link_request, review_queue
from meedoen.publications.services import table_publish
from meedoen_data.categories import HOUSEHOLD_DETAIL
from meedoen_data.intake import ingest_directory
from meedoen_data.synth import synth_municipality
from meedoen_data.workspace import workspace_init

pytestmark = pytest.mark.django_db
DOC = Path(__file__).resolve().parents[4] / "docs" / "users" / "permissions.md"
ROLES = ["anonymous", *Role.values]
ALLOWED, REFUSED, LOGIN = "✓", "\u2013", "login"  # the en dash of the documented table
PEILDATUM = date(2025, 1, 1)


def matrix() -> list[tuple[str, str, dict[str, str]]]:
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 + len(ROLES) and cells[0] in {"GET", "POST"}:
            rows.append((cells[0], cells[1].strip("`"), dict(zip(ROLES, cells[2:], strict=True))))
    return rows


def view_names(patterns: list[URLPattern | URLResolver], prefix: str = "") -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            names |= view_names(pattern.url_patterns, namespace)
        elif pattern.name:
            names.add(prefix + pattern.name)
    return names


#: Placeholder values that only have to have the right shape to resolve a URL to its view.
SHAPES = {"<id>": "1", "<run>": "1", "<source>": "voedselbank", "<record>": "A" * 22}


def shaped(url: str) -> str:
    for placeholder, value in SHAPES.items():
        url = url.replace(placeholder, value)
    return url


def test_the_documented_header_has_every_role() -> None:
    header = next(line for line in DOC.read_text().splitlines() if line.startswith("| method"))
    assert [c.strip() for c in header.strip("|").split("|")][2:] == ROLES


def test_every_url_of_the_app_is_in_the_matrix() -> None:
    documented = {resolve(shaped(url)).view_name for _, url, _ in matrix()}
    assert view_names(get_resolver().url_patterns) <= documented


# -- The real objects -----------------------------------------------------------------------


@dataclass
class World:
    """A workspace with real objects of every kind a URL names, and a user per role."""

    users: dict[str, User]
    activity: int  # approved; the analyst reviews its links
    build_run: int
    link_run: int
    record: str  # the review token of a record awaiting review
    publication: int
    new_requested: Callable[[], int]
    new_approved: Callable[[], int]
    person: str  # the BRP pseudonym of a person the vault knows (the audit log's export)


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small synthetic municipality with its food bank, through the intake gate (once)."""
    root = tmp_path_factory.mktemp("matrix")
    home, sources = root / "home", root / "sources"
    workspace_init(home=home)
    synth_municipality(gemeente="GM0784", out=sources, persons=2000)
    report = ingest_directory(home=home, directory=sources, user="test")
    assert {f.status for f in report.files} == {"loaded"}, report.files
    return home, sources


def _request(analyst: Actor, name: str) -> int:
    return activity_request(
        actor=analyst,
        name=name,
        purpose="Welke huishoudens zijn klant van de voedselbank",
        legal_basis="Participatiewet art. 7",
        sources=["brp", "partner-voedselbank", "participatie"],
        retention_days=30,
        fine_columns=list(HOUSEHOLD_DETAIL),
        fine_reason="huishoudens op een peildatum",
    ).pk


@pytest.fixture
def world(ingested, make_user, settings, tmp_path) -> World:  # type: ignore[no-untyped-def]
    import shutil

    home = tmp_path / "home"
    shutil.copytree(ingested[0], home)
    settings.MEEDOEN_HOME = home
    settings.WORKSPACE = workspace_init(home=home).workspace
    users = {role: make_user(role, username=f"user-{role}") for role in Role.values}
    analyst = Actor(users[Role.ANALYST].username, users[Role.ANALYST])
    officer = Actor(users[Role.PRIVACY_OFFICER].username, users[Role.PRIVACY_OFFICER])
    trace = TraceContext.start()

    def new_requested() -> int:
        return _request(analyst, "Aangevraagd")

    def new_approved() -> int:
        activity_id = new_requested()
        activity_approve(activity_id=activity_id, actor=officer, motivation="ok", version=1)
        return activity_id

    activity_id = new_approved()
    reviewer_grant(activity_id=activity_id, username=analyst.name, actor=officer)
    build = build_request(
        activity_id=activity_id,
        peildatum=PEILDATUM,
        engine="duckdb",
        actor=analyst,
        trace=trace,
        channel="web",
    )
    build_execute(run_id=build.pk, actor=analyst, trace=trace)
    partner = home.parent / "voedselbank.csv"
    shutil.copy(ingested[1] / "voedselbank.csv", partner)
    link = link_request(
        activity_id=activity_id,
        source="voedselbank",
        file_name=partner.name,
        actor=analyst,
        trace=trace,
        channel="web",
    )
    # A review band no pair reaches the top of: every linked record awaits review.
    link_execute(
        run_id=link.pk, path=partner, actor=analyst, trace=trace, review_band=(0.1, 0.9999999999)
    )
    items = review_queue(activity_id=activity_id, actor=analyst, trace=trace)
    assert items, "no record awaits review"
    published = table_publish(
        activity_id=activity_id,
        rowvar="wijkcode",
        actor=analyst,
        trace=trace,
        channel="web",
        peildatum=PEILDATUM,
    )
    return World(
        users=users,
        activity=activity_id,
        build_run=build.pk,
        link_run=link.pk,
        record=items[0].token,
        publication=published.publication_id,
        new_requested=new_requested,
        new_approved=new_approved,
        person=_a_person(home),
    )


def _a_person(home: Path) -> str:
    import duckdb

    with duckdb.connect(str(home / "vault" / "vault.duckdb"), read_only=True) as vault:
        row = vault.execute(
            "SELECT min(burgerservicenummer_pseudonym) FROM identity.ingeschrevenpersoon"
        ).fetchone()
    assert row and row[0]
    return str(row[0])


# -- The check --------------------------------------------------------------------------------

#: Valid bodies of the JSON API's POSTs (a refusal must come from the role, not the body).
API_BODIES = {
    "activities/": {
        "name": "Via de API",
        "purpose": "p",
        "legal_basis": "l",
        "sources": ["brp"],
        "retention_days": 1,
    },
    "amend": {
        "name": "Gewijzigd",
        "purpose": "p",
        "legal_basis": "l",
        "sources": ["brp"],
        "retention_days": 1,
    },
    "approve": {"motivation": "ok", "version": 1},
    "refuse": {"motivation": "nee", "version": 1},
    "revoke": {"motivation": "klaar"},
}


def concrete(url: str, world: World) -> str:
    """The URL with real ids: per call a fresh activity where the call changes its state."""
    activity = world.activity
    if url.endswith("/wijzigen/") or (
        "/api/" in url and re.search(r"/(amend|approve|refuse)$", url)
    ):
        activity = world.new_requested()  # only a request can be amended or decided on
    elif "/api/" in url and url.endswith("/revoke"):
        activity = world.new_approved()
    run = world.link_run if url.startswith("/koppelingen/") else world.build_run
    ident = world.publication if url.startswith("/publicaties/") else activity
    unknown = set(re.findall(r"<[a-z]+>", url)) - set(SHAPES)
    assert not unknown, f"the matrix test has no real object for {unknown} in {url}"
    if url == "/logboek/export/":
        return f"{url}?betrokkene={world.person}"  # a real person's records
    return (
        url.replace("<id>", str(ident))
        .replace("<run>", str(run))
        .replace("<source>", "voedselbank")
        .replace("<record>", world.record)
    )


def outcome(method: str, url: str, response, anonymous: bool) -> str:  # type: ignore[no-untyped-def]
    status = response.status_code
    if status == 403:
        return REFUSED
    if anonymous and status == 302 and "/inloggen/" in response["Location"]:
        return LOGIN
    if not anonymous and url == "/uitloggen/" and status == 302:
        return ALLOWED  # signed out, and so sent to the sign-in page
    if status == 200 or (method == "POST" and status == 201):
        return ALLOWED
    if status == 302 and "/inloggen/" not in response["Location"]:
        return ALLOWED  # on to the real page (signed in at /inloggen/, a form's POST)
    return f"HTTP {status}"  # never allowed: a 404 or 400 hides whether the role may


def test_every_role_gets_what_the_matrix_says_on_real_objects(world: World) -> None:
    wrong = []
    for method, url, expected in matrix():
        for role in ROLES:
            client = Client()
            if role != "anonymous":
                client.force_login(world.users[role])
            target = concrete(url, world)
            if "/api/" in url and method == "POST":
                body = next(
                    b for k, b in API_BODIES.items() if url.rstrip("/").endswith(k.rstrip("/"))
                )
                response = client.post(target, json.dumps(body), content_type="application/json")
            else:
                response = (client.get if method == "GET" else client.post)(target)
            assert response.status_code < 500, (method, target, role, response.content[:500])
            seen = outcome(method, url, response, role == "anonymous")
            if seen != expected[role]:
                wrong.append(f"{method} {url} as {role}: {seen}, documented {expected[role]}")
    assert wrong == [], "\n".join(wrong)
