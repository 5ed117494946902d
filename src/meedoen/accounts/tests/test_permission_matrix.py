"""Every URL, every method it answers and every role, against the matrix documented in
docs/users/permissions.md.

The test builds a workspace with real objects (an approved activity with a household build, a
linkage with records awaiting review, a published table), signs in as every role and sends
every documented request with real ids filled in:

- a GET counts as allowed only on a 200 that shows the real object (a page that renders a
  service's refusal as an error on a 200 does not count); a redirect only where the matrix
  documents one (``→ /``);
- a POST is sent with a valid body, on fresh objects where it changes them, and counts as
  allowed only when its effect happened: the activity requested, decided on or amended, the
  review granted, the build and the linkage run, the query's result shown, the table withdrawn,
  the chain checked, … A 200 that re-renders the form with errors, or a redirect back with an
  error message, is neither allowed nor refused: the test fails;
- refused (403, or the login page for an anonymous visitor) counts only when nothing changed.

A 404 is never "allowed": a placeholder nobody has would hide a missing permission check. And
every (method, view) pair the app answers is a row of the matrix, read from the views
themselves (see :func:`view_methods`), except the few in :data:`UNLISTED`.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from meedoen.accounts.models import User
from meedoen.accounts.roles import Role
from meedoen.accounts.services import user_password_reset_link
from meedoen.activities.models import Status
from meedoen.activities.selectors import (
    CHECKLIST,
    activity_current,
    activity_list,
    reviewer_is_granted,
)
from meedoen.activities.services import (
    Actor,
    activity_approve,
    activity_request,
    reviewer_grant,
)
from meedoen.areas.models import Area
from meedoen.areas.services import areas_replace
from meedoen.audits import views as audit_views
from meedoen.audits.chain_checks import chain_check_execute, chain_check_start
from meedoen.audits.models import AccessRecord
from meedoen.audits.services import AUDIT_PERSON_LOOKUP, AUDIT_VERIFY
from meedoen.audits.trace import TraceContext
from meedoen.cases.models import BreakGlassReview, Case, FoodBankReferral, Origin
from meedoen.cases.services import break_glass, case_open
from meedoen.conftest import PASSWORD
from meedoen.dashboards.models import Signal
from meedoen.earlysignals.models import Contact, SignalHousehold
from meedoen.earlysignals.services import signals_link, unlinked_read
from meedoen.households import views as household_views
from meedoen.households.selectors import build_run_list
from meedoen.households.services import build_execute, build_request
from meedoen.linkages import views as linkage_views
from meedoen.linkages.selectors import link_run_list
from meedoen.linkages.services import link_execute, link_request, review_queue
from meedoen.publications.models import Publication
from meedoen.publications.selectors import publication_detail
from meedoen.publications.services import table_publish
from meedoen.residents.models import Consent, ConsentPurpose, SubjectRequest
from meedoen.residents.requests import request_submit
from meedoen.residents.selectors import consent_active
from meedoen.residents.services import Acting, resident_account_bind, resident_person
from meedoen.targetgroups import views as targetgroup_views
from meedoen.targetgroups.models import SegmentRun
from meedoen.targetgroups.services import segment_execute, segment_request
from meedoen.utils.runs import RunStatus, run_finish
from meedoen_data.categories import HOUSEHOLD_DETAIL
from meedoen_data.intake import ingest_directory, ingest_history
from meedoen_data.linkage.review import review_items
from meedoen_data.synth import synth_municipality
from meedoen_data.workspace import workspace_init

pytestmark = pytest.mark.django_db
DOC = Path(__file__).resolve().parents[4] / "docs" / "users" / "permissions.md"
ROLES = ["anonymous", *Role.values]
ALLOWED, REFUSED, LOGIN = "✓", "\u2013", "login"  # the en dash of the documented table
REDIRECT = "→ "  # "→ /": sent on to that page (302), nothing shown or changed
PEILDATUM = date(2025, 1, 1)

#: The methods a row of the matrix may have. HEAD runs a view's GET (or is refused with 405
#: where the view only answers GET) and OPTIONS only lists methods: neither is a row.
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def matrix() -> list[tuple[str, str, dict[str, str]]]:
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 + len(ROLES) and cells[0] in METHODS:
            cells = [c.replace("`", "") for c in cells]
            rows.append((cells[0], cells[1], dict(zip(ROLES, cells[2:], strict=True))))
    return rows


# -- Which (method, view) pairs the app answers ------------------------------------------------


def views(
    patterns: list[URLPattern | URLResolver], prefix: str = ""
) -> dict[str, Callable[..., Any]]:
    """Every named view of the URL patterns, by its namespaced name."""
    found: dict[str, Callable[..., Any]] = {}
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            found |= views(pattern.url_patterns, namespace)
        elif pattern.name:
            found[prefix + pattern.name] = pattern.callback
    return found


def view_methods(view: Callable[..., Any]) -> frozenset[str]:
    """The methods (of :data:`METHODS`) a view answers with anything but 405, read from the view
    itself: a class-based view's handlers (Django's and REST framework's views answer 405 for a
    method without one), or the list of the ``require_http_methods`` (``require_GET``,
    ``require_POST``) wrapped around a function. A function without one answers every method."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return frozenset(
            m
            for m in METHODS
            if m.lower() in view_class.http_method_names and hasattr(view_class, m.lower())
        )
    function: Any = view
    while function is not None:
        code = getattr(function, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            cell = function.__closure__[code.co_freevars.index("request_method_list")]
            return frozenset(METHODS) & frozenset(cell.cell_contents)
        function = getattr(function, "__wrapped__", None)
    return frozenset(METHODS)


#: (method, view) pairs the app answers that the matrix leaves out, and why that is harmless
#: (docs/users/permissions.md says the same under the table). Anything else the app answers
#: must be a row.
UNLISTED = {
    **{
        (method, "set_language"): "Django's set_language changes the language only on a POST; "
        "any other method is only sent on to the page it came from"
        for method in ("GET", "PUT", "PATCH", "DELETE")
    },
    ("PUT", "accounts:login"): "Django's LoginView handles a PUT as a POST, but a PUT carries "
    "no form data (request.POST is empty), so nobody is signed in: the form is shown again",
    **{
        (method, f"residents:{name}"): "residents sign in with DigiD through OpenID Connect, "
        "which is off in this test: these URLs answer 404 to everyone (they are tested end to "
        "end against a local provider in src/meedoen/residents/tests/test_oidc.py)"
        for method, name in (
            ("GET", "oidc_sign_in"),
            ("GET", "oidc_callback"),
            ("POST", "oidc_sign_out"),
        )
    },
}

#: Placeholder values that only have to have the right shape to resolve a URL to its view.
SHAPES = {
    "<id>": "1",
    "<run>": "1",
    "<source>": "voedselbank",
    "<record>": "A" * 22,
    "<user>": "1",
    "<uidb64>": "MQ",
    "<token>": "abc-123",
    "<wijk>": "WK078400",
    "<case>": "1",
    "<household>": "1",
    "<signal>": "A" * 22,
    "<request>": "1",
}


def shaped(url: str) -> str:
    for placeholder, value in SHAPES.items():
        url = url.replace(placeholder, value)
    return url


def test_the_documented_header_has_every_role() -> None:
    header = next(line for line in DOC.read_text().splitlines() if line.startswith("| method"))
    assert [c.strip() for c in header.strip("|").split("|")][2:] == ROLES


def test_every_method_of_every_view_is_in_the_matrix() -> None:
    """Per (method, view), not per view: a POST of a page that documents only its GET fails."""
    documented = {(method, resolve(shaped(url)).view_name) for method, url, _ in matrix()}
    answered = {
        (method, name)
        for name, view in views(get_resolver().url_patterns).items()
        for method in view_methods(view)
    }
    missing = sorted(answered - documented - set(UNLISTED))
    assert missing == [], f"not in docs/users/permissions.md: {missing}"
    assert sorted(documented - answered) == [], "documented, but the view answers 405"
    assert sorted(set(UNLISTED) - answered) == [], "UNLISTED names a pair the app refuses"
    assert sorted(set(UNLISTED) & documented) == [], "UNLISTED names a documented pair"


def test_the_methods_read_from_the_views_are_the_methods_they_answer(make_user) -> None:  # type: ignore[no-untyped-def]
    """view_methods, checked against the app: every method it says a view refuses is a 405 for
    a signed-in user, or for a visitor where the view needs no login (the login view sends a
    signed-in user on to the start page whatever the method, the API refuses a visitor before
    it looks at the method)."""
    user = make_user(Role.ANALYST)
    by_name = {resolve(shaped(url)).view_name: shaped(url) for _, url, _ in matrix()}
    checked = 0
    for name, view in views(get_resolver().url_patterns).items():
        for method in set(METHODS) - view_methods(view):
            callers = [user, None] if getattr(view, "login_required", True) is False else [user]
            answers = []
            for caller in callers:
                client = Client()
                if caller is not None:
                    client.force_login(caller)
                target = by_name.get(name) or reverse(name)  # an unlisted URL (no row)
                answers.append(client.generic(method, target).status_code)
            assert 405 in answers, (method, name, answers)
            checked += 1
    assert checked > 50  # most views answer one or two methods


def test_the_unlisted_methods_change_nothing(make_user) -> None:  # type: ignore[no-untyped-def]
    """What UNLISTED says: the start page for every method, the language switch and signing in
    only on a POST."""
    user = make_user(Role.ANALYST)
    for method, name in UNLISTED:
        client = Client()
        if name == "portals:start":
            client.force_login(user)
            response = client.generic(method, "/")
            assert response.status_code == 200, (method, name)
            assert "portals/start_base.html" in [t.name for t in response.templates]
        elif name.startswith("residents:oidc_"):  # OpenID Connect is off here: 404, no one in
            client.force_login(user)
            response = client.generic(method, reverse(name))
            assert response.status_code == 404, (method, name)
            assert client.session.get(SESSION_KEY) == str(user.pk), (method, name)
        elif name == "set_language":
            response = client.generic(method, "/i18n/setlang/?language=en&next=/")
            assert response.status_code == 302, (method, name)
            assert settings.LANGUAGE_COOKIE_NAME not in response.cookies, (method, name)
        else:
            body = f"username={user.username}&password={PASSWORD}"
            form = "application/x-www-form-urlencoded"
            response = client.generic(method, "/inloggen/", body, content_type=form)
            assert response.status_code == 200, (method, name)
            assert SESSION_KEY not in client.session, (method, name)


def test_a_view_without_a_method_list_answers_every_method() -> None:
    def plain(request):  # type: ignore[no-untyped-def]
        return HttpResponse()

    assert view_methods(plain) == frozenset(METHODS)
    assert view_methods(resolve("/sql/").func) == {"GET", "POST"}
    assert view_methods(resolve("/logboek/export/").func) == {"GET"}
    assert view_methods(resolve("/verwerkingen/1/beoordelaars/").func) == {"POST"}
    assert view_methods(resolve("/uitloggen/").func) == {"POST"}
    assert view_methods(resolve("/api/v1/activities/1/approve").func) == {"POST"}


# -- The real objects -----------------------------------------------------------------------


@dataclass
class World:
    """A workspace with real objects of every kind a URL names, and a user per role."""

    users: dict[str, User]
    other: User  # whose password the login POSTs send
    sources: Path  # the synthetic municipality's source files
    activity: int  # approved; the analyst reviews its links
    build_run: int
    link_run: int
    segment_run: int  # a finished segmentation of the activity
    check: int  # a finished check of the audit log
    record: str  # the review token of a record awaiting review (the GETs)
    pending: list[str]  # the other records awaiting review: one per review POST
    publication: int
    new_requested: Callable[[], int]
    new_approved: Callable[[], int]
    new_publication: Callable[[], int]
    person: str  # the BRP pseudonym of a person the vault knows (the audit log's export)
    bsn: str  # the same person's BSN (the search by BSN)
    wijk: str  # a wijk the delivered areas name (the dashboard's wijk page)
    operational: int  # an approved operational activity (uitvoering) for case work
    case: int  # an open case on the case worker's caseload (team "noord", as the team lead's)
    new_case: Callable[[], int]  # another one, for a POST that closes it
    new_break_glass: Callable[[], int]  # a break-the-glass access awaiting review
    fresh_bsn: Callable[[], str]  # a person without a case yet
    household: int  # a household on the debt worker's work list (signals linked)
    debts: int  # the operational debt-help activity the signals are linked under
    #: Review tokens of signals awaiting review (open, on the list of signals not on a
    #: household): the first for the GETs, the others one per review POST that takes effect.
    signals: list[str]
    #: A resident's own objection or correction request (the resident account is bound to
    #: ``bsn``'s person); ``new_request`` files a fresh one for a decision.
    request: int = 0
    new_request: Callable[[], int] = lambda: 0


#: The source file the test leaves out of the intake, for the upload on /inlezen/ to load.
UPLOAD = "schuldhulptraject.csv"


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small synthetic municipality with its food bank, through the intake gate (once); all
    but :data:`UPLOAD`, which stays in the sources folder's ``upload/``."""
    root = tmp_path_factory.mktemp("matrix")
    home, sources = root / "home", root / "sources"
    workspace_init(home=home)
    synth_municipality(gemeente="GM0784", out=sources, persons=2000)
    (sources / "upload").mkdir()
    (sources / UPLOAD).rename(sources / "upload" / UPLOAD)
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
        data_categories="Huishoudens (BRP)",
        recipients="Analisten",
        dpia_reference="DPIA-1",
        fine_columns=list(HOUSEHOLD_DETAIL),
        fine_reason="huishoudens op een peildatum",
    ).pk


@pytest.fixture
def world(ingested, make_user, settings, tmp_path) -> World:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    shutil.copytree(ingested[0], home)
    settings.MEEDOEN_HOME = home
    settings.WORKSPACE = workspace_init(home=home).workspace
    settings.FILE_UPLOAD_TEMP_DIR = home / "vault" / "uploads"
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
    assert len(items) > len(ROLES), "too few records await review"

    def new_publication() -> int:
        return table_publish(
            activity_id=activity_id,
            rowvar="wijkcode",
            actor=analyst,
            trace=trace,
            channel="web",
            peildatum=PEILDATUM,
        ).publication_id

    segmentation = segment_request(
        activity_id=activity_id,
        group="voedselbank",
        peildatum=PEILDATUM,
        k=None,
        seed=1,
        actor=analyst,
        trace=trace,
        channel="web",
    )
    run_finish(SegmentRun, segmentation.pk, RunStatus.FAILED, message="stopped by the test")
    check, _new = chain_check_start(user_name=officer.name, trace=trace)
    chain_check_execute(run_id=check.pk)
    person, bsn = _a_person(home)
    settings.CASEWORK_DATE = PEILDATUM.isoformat()
    for role in (Role.CASE_WORKER, Role.TEAM_LEAD):
        users[role].team = "noord"
        users[role].save(update_fields=["team"])
    worker = Actor(users[Role.CASE_WORKER].username, users[Role.CASE_WORKER])
    operational = activity_request(
        actor=analyst,
        name="Gezinscontext",
        purpose="De casusregisseur ziet het gezin van een casus op de eigen caseload",
        legal_basis="Jeugdwet art. 7.4.0",
        sources=["brp", "jeugd", "wmo"],
        retention_days=30,
        data_categories="Gezinssamenstelling",
        recipients="Wijkteam",
        dpia_reference="DPIA-2",
        kind="uitvoering",
        roles=[Role.CASE_WORKER, Role.TEAM_LEAD],
    ).pk
    activity_approve(activity_id=operational, actor=officer, motivation="ok", version=1)
    unused = _persons(home)

    def fresh_bsn() -> str:
        return unused.pop()

    def new_case() -> int:
        return case_open(
            actor=worker,
            activity_id=operational,
            reason="Aanmelding door de huisarts",
            legal_basis="Jeugdwet art. 2.3",
            bsn=fresh_bsn(),
            trace=trace,
            channel="web",
        ).pk

    def new_break_glass() -> int:
        return break_glass(
            actor=worker,
            activity_id=operational,
            bsn=fresh_bsn(),
            reason="Melding van de politie: kind alleen thuis, acuut onveilig",
            trace=trace,
            channel="web",
        ).pk

    debts = activity_request(
        actor=analyst,
        name="Vroegsignalering",
        purpose="Huishoudens met betalingsachterstanden tijdig hulp aanbieden",
        legal_basis="Wgs art. 3 en 4a",
        sources=["brp", "signalen", "schulden"],
        retention_days=30,
        data_categories="Betalingsachterstanden",
        recipients="Schuldhulpverleners",
        dpia_reference="DPIA-3",
        kind="uitvoering",
        roles=[Role.DEBT_WORKER],
        task="schuldhulpverlening",
    ).pk
    activity_approve(activity_id=debts, actor=officer, motivation="ok", version=1)
    admin = users[Role.ADMINISTRATOR]
    signals_link(activity_id=debts, actor=Actor(admin.username, admin), trace=trace, via="cli")
    household = SignalHousehold.objects.filter(activity_id=debts, open_signals__gt=0).first()
    assert household is not None, "the synthetic municipality's signals made no work list"
    debt_worker = Actor(users[Role.DEBT_WORKER].username, users[Role.DEBT_WORKER])
    unsure = [
        s.review_token
        for s in unlinked_read(actor=debt_worker, activity_id=debts, trace=trace).signals
        if s.status == "pending" and s.review_token
    ]
    assert len(unsure) >= 2, "too few signals await review"
    areas_replace(home=home)  # as the intake does after a gebied delivery
    wijk = Area.objects.filter(level=Area.Level.WIJK).values_list("code", flat=True).first()
    assert wijk, "the synthetic municipality delivered no wijken"
    resident = resident_account_bind(bsn=bsn, via="demo", username=users[Role.RESIDENT].username)
    assert resident.pk == users[Role.RESIDENT].pk

    def new_request() -> int:
        return request_submit(
            acting=Acting(user=resident),
            kind="correctie",
            what="Mijn adres klopt niet",
            source="brp",
            reason="Ik ben verhuisd",
        ).pk

    return World(
        users=users,
        other=make_user(Role.RESIDENT, username="user-other"),
        sources=ingested[1],
        activity=activity_id,
        build_run=build.pk,
        link_run=link.pk,
        segment_run=segmentation.pk,
        check=check.pk,
        record=items[0].token,
        pending=[item.token for item in items[1:]],
        publication=new_publication(),
        new_requested=new_requested,
        new_approved=new_approved,
        new_publication=new_publication,
        person=person,
        bsn=bsn,
        wijk=wijk,
        operational=operational,
        case=new_case(),
        new_case=new_case,
        new_break_glass=new_break_glass,
        fresh_bsn=fresh_bsn,
        household=household.pk,
        debts=debts,
        signals=unsure,
        request=new_request(),
        new_request=new_request,
    )


def _persons(home: Path) -> list[str]:
    """BSNs of the register's persons (cases are opened for them, one each)."""
    import duckdb

    with duckdb.connect(str(home / "vault" / "vault.duckdb"), read_only=True) as vault:
        rows = vault.execute(
            "SELECT burgerservicenummer FROM identity.ingeschrevenpersoon ORDER BY 1 LIMIT 200"
        ).fetchall()
    return [str(r[0]) for r in rows]


def _a_person(home: Path) -> tuple[str, str]:
    import duckdb

    with duckdb.connect(str(home / "vault" / "vault.duckdb"), read_only=True) as vault:
        row = vault.execute(
            "SELECT burgerservicenummer_pseudonym, burgerservicenummer "
            "FROM identity.ingeschrevenpersoon ORDER BY 1 LIMIT 1"
        ).fetchone()
    assert row and row[0] and row[1]
    return str(row[0]), str(row[1])


# -- The requests and what proves them ------------------------------------------------------


@dataclass
class Call:
    """One request of the test: where it goes, what it sends, and ``proof``: whether the
    response (a GET) shows the real object, or (a POST) whether its effect happened."""

    target: str
    data: dict[str, Any] | None = None  # a form (multipart, files too)
    json: dict[str, Any] | None = None  # the JSON API
    proof: Callable[[HttpResponse], bool] = field(default=lambda response: True)
    follow: bool = False  # a GET that moves on by design (a one-time link) is judged at its end


def context(response: HttpResponse, key: str) -> Any:
    """A value of the template context of the response (None without one)."""
    rendered = getattr(response, "context", None)
    return None if rendered is None else rendered.get(key)


def records(user: str, operation: str) -> int:
    """Access records of the audit log: who did what (every logged action writes one)."""
    return AccessRecord.objects.filter(user_name=user, operation=operation).count()


def status_becomes(activity: int, status: str) -> Callable[[HttpResponse], bool]:
    return lambda response: activity_current(activity_id=activity).status == status


def version_becomes(activity: int, number: int) -> Callable[[HttpResponse], bool]:
    return lambda response: activity_current(activity_id=activity).number == number


def activity_named(name: str) -> Callable[[HttpResponse], bool]:
    return lambda response: any(state.name == name for state in activity_list())


def concrete(url: str, world: World) -> str:
    """A GET's URL with real ids: a request where a page needs one (only a request can be
    amended)."""
    activity = world.new_requested() if url.endswith("/wijzigen/") else world.activity
    run = (
        world.link_run
        if url.startswith("/koppelingen/")
        else world.segment_run
        if url.startswith("/doelgroepen/")
        else world.check
        if url.startswith("/logboek/")
        else world.build_run
    )
    ident = (
        world.publication
        if url.startswith(("/publicaties/", "/api/v1/publications/"))
        else activity
    )
    unknown = set(re.findall(r"<[a-z]+>", url)) - set(SHAPES)
    assert not unknown, f"the matrix test has no real object for {unknown} in {url}"
    if url == "/logboek/export/":
        return f"{url}?betrokkene={world.person}"  # a real person's records
    return (
        url.replace("<id>", str(ident))
        .replace("<run>", str(run))
        .replace("<source>", "voedselbank")
        .replace("<record>", world.record)
        .replace("<user>", str(world.other.pk))
        .replace("<wijk>", world.wijk)
        .replace("<case>", str(world.case))
        .replace("<household>", str(world.household))
        .replace("<signal>", world.signals[0])
        .replace("<request>", str(world.request))
    )


def monitor_shown(response: HttpResponse) -> bool:
    """The monitor of early signalling with the months of the linked signals (each month's
    signals published or withheld as x, never none at all)."""
    monitor = context(response, "monitor")
    return monitor is not None and any(m.gemeente.signals.value != 0 for m in monitor.months)


def _own_data_shown(page: Any) -> bool:
    """The resident's own registration, read from the vault (not the page's error)."""
    return page is not None and page.data is not None and page.data.registration.name != ""


def get_call(url: str, world: World) -> Call:
    """A GET; the review pages render a service's refusal on a 200, so they must show the
    record itself."""
    if url == "/wachtwoord/<uidb64>/<token>/":
        _, link = password_link()
        return Call(link, follow=True, proof=lambda r: context(r, "validlink") is True)
    target = concrete(url, world)
    if url == "/koppelingen/beoordelen/<id>/":
        return Call(target, proof=lambda response: world.record[:8] in response.text)
    if url.startswith("/koppelingen/beoordelen/<id>/<source>/"):
        return Call(target, proof=lambda response: context(response, "case") is not None)
    if url == "/casussen/<case>/":
        return Call(target, proof=lambda response: context(response, "family") is not None)
    if url == "/casussen/":
        return Call(target, proof=lambda response: bool(context(response, "rows")))
    if url == "/vroegsignalen/":
        return Call(target, proof=lambda response: bool(context(response, "rows")))
    if url == "/vroegsignalen/monitor/":  # the figures of the linked signals' months
        return Call(target, proof=monitor_shown)
    if url == "/vroegsignalen/beoordelen/<signal>/":  # the signal beside its candidates
        return Call(target, proof=lambda response: bool(context(response, "candidates")))
    if url.startswith("/vroegsignalen/"):  # the household, the signals not on a household
        return Call(target, proof=lambda response: context(response, "view") is not None)
    if url == "/api/v1/vroegsignalen/":
        return Call(target, proof=lambda response: bool(response.json().get("households")))
    if url == "/mijn/":  # the resident's own registration, read from the vault
        return Call(target, proof=lambda r: _own_data_shown(context(r, "page")))
    if url == "/mijn/verwerkingen/":  # at least the intake of their data
        return Call(target, proof=lambda r: bool(getattr(context(r, "page"), "rows", None)))
    if url == "/mijn/toestemmingen/":
        return Call(target, proof=lambda r: bool(context(r, "rows")))
    if url in ("/mijn/verzoeken/", "/verzoeken/"):
        return Call(target, proof=lambda r: bool(context(r, "requests")))
    if url in ("/mijn/verzoeken/<request>/", "/verzoeken/<request>/"):
        return Call(target, proof=lambda r: getattr(context(r, "item"), "id", 0) == world.request)
    if url == "/api/v1/mij/":
        return Call(target, proof=lambda r: bool(r.json().get("gegevens", {}).get("registration")))
    if url == "/api/v1/mij/verwerkingen/":
        return Call(target, proof=lambda r: bool(r.json().get("verwerkingen")))
    return Call(target)


#: The body of an activity request (the form's and the API's fields).
ACTIVITY = {
    "purpose": "Welke huishoudens zijn klant van de voedselbank",
    "legal_basis": "Participatiewet art. 7",
    "retention_days": 30,
    "data_categories": "Huishoudens (BRP)",
    "recipients": "Analisten",
    "dpia_reference": "DPIA-1",
}


def post_call(url: str, world: World, user: User | None, client: Client) -> Call:
    """A POST with a valid body, on a fresh object where it changes one, and the check that it
    took effect. ``user`` is None for the anonymous visitor."""
    name = user.username if user else ""
    role = user.role if user else "anonymous"
    if url == "/i18n/setlang/":
        cookie = settings.LANGUAGE_COOKIE_NAME
        return Call(
            url,
            data={"language": "en", "next": "/"},
            proof=lambda r: cookie in r.cookies and r.cookies[cookie].value == "en",
        )
    if url == "/inloggen/":
        other = world.other  # signed in as someone else afterwards: the POST signed in
        return Call(
            url,
            data={"username": other.username, "password": PASSWORD},
            proof=lambda r: client.session.get(SESSION_KEY) == str(other.pk),
        )
    if url == "/uitloggen/":
        signed_in = SESSION_KEY in client.session
        return Call(url, data={}, proof=lambda r: signed_in and SESSION_KEY not in client.session)
    if url == "/inlezen/":
        loaded = _loads(name)
        upload = SimpleUploadedFile(UPLOAD, (world.sources / "upload" / UPLOAD).read_bytes())
        return Call(url, data={"files": [upload]}, proof=lambda r: _loads(name) > loaded)
    if url == "/dashboard/signalen/":
        heard = f"Ouders in de wijk missen een plek om samen te komen (gehoord door {role})"
        body = {
            "text": heard,
            "indicator": "panel_samen_dingen_doen",
            "wijkcode": "",
            "heard_on": "2026-11-01",
            "source": "bijeenkomst",
        }
        return Call(url, data=body, proof=lambda r: Signal.objects.filter(text=heard).exists())
    if url == "/tabellen/nieuw/":
        made = Publication.objects.filter(published_by=name).count()
        body = {
            "activiteit": world.activity,
            "peildatum": PEILDATUM.isoformat(),
            "variable_1": "household_type",
        }
        return Call(
            url,
            data=body,
            proof=lambda r: Publication.objects.filter(published_by=name).count() > made,
        )
    if url == "/verwerkingen/aanvragen/":
        title = f"Aangevraagd op de pagina door {role}"
        body = {**ACTIVITY, "name": title, "sources": ["brp"], "partners": "voedselbank"}
        return Call(url, data=body, proof=activity_named(title))
    if url == "/verwerkingen/<id>/":
        activity = world.new_requested()
        return Call(
            f"/verwerkingen/{activity}/",
            data={
                "decision": "approve",
                "version": 1,
                "motivation": "Doel en grondslag kloppen",
                "checked": CHECKLIST,
            },
            proof=status_becomes(activity, Status.APPROVED),
        )
    if url == "/verwerkingen/<id>/wijzigen/":
        activity = world.new_requested()
        body = {**ACTIVITY, "name": "Gewijzigd", "sources": ["brp"], "note": "minder bronnen"}
        return Call(
            f"/verwerkingen/{activity}/wijzigen/", data=body, proof=version_becomes(activity, 2)
        )
    if url == "/verwerkingen/<id>/beoordelaars/":
        activity, analyst = world.new_approved(), world.users[Role.ANALYST]
        return Call(
            f"/verwerkingen/{activity}/beoordelaars/",
            data={"action": "grant", "username": analyst.username},
            proof=lambda r: reviewer_is_granted(activity_id=activity, user=analyst),
        )
    if url == "/logboek/":
        checks = records(name, AUDIT_VERIFY)  # the "Check the chain" button sends no fields
        return Call(
            url,
            data={},
            proof=lambda r: (
                r.get("Location", "").startswith("/logboek/controle/")
                and records(name, AUDIT_VERIFY) > checks
            ),
        )
    if url == "/logboek/persoon/":
        lookups = records(name, AUDIT_PERSON_LOOKUP)
        return Call(
            url,
            data={"bsn": world.bsn},
            proof=lambda r: (
                r.get("Location", "").startswith("/logboek/?betrokkene=")
                and records(name, AUDIT_PERSON_LOOKUP) > lookups
            ),
        )
    if url == "/huishoudens/":
        activity = world.new_approved()  # a build of its own, run in the request (below)
        return Call(
            url,
            data={"activity": activity, "peildatum": PEILDATUM.isoformat(), "engine": "duckdb"},
            proof=lambda r: any(
                run.activity_id == activity and run.status == "done" for run in build_run_list()
            ),
        )
    if url == "/doelgroepen/":
        # A comparison and segmentation of its own, run in the request (below): it has run,
        # to its end (the test's few linked clients may be too few to segment: then it failed
        # with its reason), when the test looks.
        def segmented(response: HttpResponse) -> bool:
            return SegmentRun.objects.filter(
                requested_by=name, status__in=[RunStatus.DONE, RunStatus.FAILED]
            ).exists()

        return Call(
            url,
            data={
                "activiteit": world.activity,
                "groep": "voedselbank",
                "peildatum": PEILDATUM.isoformat(),
                "k": "auto",
            },
            proof=segmented,
        )
    if url == "/sql/":
        sql = "SELECT household_type, count(*) AS n FROM household.household GROUP BY ALL"
        return Call(
            url,
            data={"activity": world.activity, "sql": sql},
            proof=lambda r: bool(getattr(context(r, "result"), "rows", None)),
        )
    if url == "/koppelingen/":
        activity = world.new_approved()  # a linkage of its own, run in the request (below)
        upload = SimpleUploadedFile(
            "voedselbank.csv", (world.sources / "voedselbank.csv").read_bytes()
        )
        body = {"activity": activity, "source": "voedselbank", "file": upload, "engine": "duckdb"}
        return Call(
            url,
            data=body,
            proof=lambda r: any(
                run.activity_id == activity and run.status == "done" for run in link_run_list()
            ),
        )
    if url == "/koppelingen/beoordelen/<id>/<source>/<record>/":
        token = world.pending.pop()  # a record of its own
        return Call(
            f"/koppelingen/beoordelen/{world.activity}/voedselbank/{token}/",
            data={"rank": 1, "decision": "accepted"},
            proof=lambda r: token not in {i.token for i in _pending(world.activity)},
        )
    if url == "/publicaties/<id>/":
        publication = world.new_publication()
        return Call(
            f"/publicaties/{publication}/",
            data={"reason": "De tabel is met een verkeerde peildatum gemaakt"},
            proof=lambda r: (
                publication_detail(publication_id=publication, withdrawn=True).withdrawn_at
                is not None
            ),
        )
    if url == "/api/v1/activities/":
        title = f"Via de API door {role}"
        return Call(
            url,
            json={**ACTIVITY, "name": title, "sources": ["brp"]},
            proof=activity_named(title),
        )
    decision = re.fullmatch(r"/api/v1/activities/<id>/(amend|approve|refuse|revoke)", url)
    if decision:
        action = decision.group(1)
        activity = world.new_approved() if action == "revoke" else world.new_requested()
        target = url.replace("<id>", str(activity))
        if action == "amend":
            body = {**ACTIVITY, "name": "Gewijzigd", "sources": ["brp"]}
            return Call(target, json=body, proof=version_becomes(activity, 2))
        becomes = {"approve": Status.APPROVED, "refuse": Status.REFUSED}.get(action)
        body = {"motivation": "Besloten"} | ({"version": 1} if becomes else {})
        return Call(target, json=body, proof=status_becomes(activity, becomes or Status.REVOKED))
    if url in ("/casussen/nieuw/", "/api/v1/casussen/"):
        opened = Case.objects.filter(opened_by=name).count()
        bsn = world.fresh_bsn()
        worker = world.users[Role.CASE_WORKER].username
        proof = lambda r: Case.objects.filter(opened_by=name).count() > opened  # noqa: E731
        if url.startswith("/api/"):
            body = {"bsn": bsn, "reden": "Aanmelding", "grondslag": "Jeugdwet art. 2.3"}
            body |= {"activiteit": world.operational, "medewerker": worker}
            return Call(url, json=body, proof=proof)
        body = {"activity": world.operational, "bsn": bsn, "reason": "Aanmelding"}
        body |= {"legal_basis": "Jeugdwet art. 2.3", "worker": worker}
        return Call(url, data=body, proof=proof)
    if url == "/casussen/doorbreken/":
        reason = "Melding van de politie: kind alleen thuis, acuut onveilig"
        body = {"activity": world.operational, "bsn": world.fresh_bsn(), "reason": reason}
        return Call(
            url,
            data=body,
            proof=lambda r: Case.objects.filter(opened_by=name, origin=Origin.BREAK_GLASS).exists(),
        )
    if url == "/casussen/<case>/beheer/":
        case = world.new_case()
        return Call(
            f"/casussen/{case}/beheer/",
            data={"action": "close"},
            proof=lambda r: Case.objects.get(pk=case).closed_at is not None,
        )
    if url == "/casussen/<case>/voedselbank/":
        case = world.new_case()
        person = Case.objects.get(pk=case).person_pseudonym
        Consent.objects.create(
            person=person,
            purpose=ConsentPurpose.FOODBANK_REFERRAL,
            processor="Voedselbank",
            legal_basis="AVG art. 6 lid 1 sub a",
            given_at=timezone.now(),
            given_via="web",
        )
        return Call(
            f"/casussen/{case}/voedselbank/",
            data={"note": ""},
            proof=lambda r: FoodBankReferral.objects.filter(case_id=case).exists(),
        )
    if url == "/mijn/toestemmingen/":
        purpose = ConsentPurpose.RESIDENT_PANEL
        mine = resident_person(user=world.users[Role.RESIDENT])
        given = consent_active(person=mine, purpose=purpose) is not None
        return Call(
            url,
            data={"purpose": purpose, "action": "withdraw" if given else "give"},
            proof=lambda r: (consent_active(person=mine, purpose=purpose) is not None) != given,
        )
    if url == "/mijn/verzoeken/nieuw/":
        made = SubjectRequest.objects.count()
        body = {"kind": "correctie", "what": "Datum", "source": "wmo", "reason": "Klopt niet"}
        return Call(url, data=body, proof=lambda r: SubjectRequest.objects.count() > made)
    if url == "/verzoeken/<request>/":
        request = world.new_request()
        return Call(
            f"/verzoeken/{request}/",
            data={"decision": "afgewezen", "motivation": "Het adres is juist"},
            proof=lambda r: SubjectRequest.objects.get(pk=request).decided_at is not None,
        )
    if url == "/logboek/doorbraken/<case>/":
        case = world.new_break_glass()
        return Call(
            f"/logboek/doorbraken/{case}/",
            data={"justified": "1", "note": ""},
            proof=lambda r: BreakGlassReview.objects.get(case_id=case).reviewed_at is not None,
        )
    if url == "/vroegsignalen/beoordelen/<signal>/":
        waiting = _signals_pending(world.debts)
        token = next(t for t in world.signals[1:] if t in waiting)  # one of its own
        return Call(
            f"/vroegsignalen/beoordelen/{token}/?activiteit={world.debts}",
            data={"rank": 1, "decision": "accepted"},
            proof=lambda r: token not in _signals_pending(world.debts),
        )
    if url in ("/vroegsignalen/<household>/", "/api/v1/vroegsignalen/<household>/contacten/"):
        # Not reached: the household stays on the work list for the next role's request.
        made = Contact.objects.filter(registered_by=name).count()
        body = {"channel": "telefoon", "result": "niet_bereikt", "follow_up": "nieuwe_poging"}
        body |= {"date": PEILDATUM.isoformat()}
        target = url.replace("<household>", str(world.household))
        proof = lambda r: Contact.objects.filter(registered_by=name).count() > made  # noqa: E731
        if url.startswith("/api/"):
            return Call(target, json=body, proof=proof)
        return Call(target, data={"action": "contact", **body}, proof=proof)
    if url == "/inloggen/code/":
        return Call(url, data={"code": "000000"}, proof=lambda r: False)
    if url == "/account/":
        return Call(
            url,
            data={"action": "start"},
            proof=lambda r: TOTPDevice.objects.filter(user=user, confirmed=False).exists(),
        )
    if url == "/wachtwoord/<uidb64>/<token>/":
        account, link = password_link()
        form = client.get(link)["Location"]  # the token moves into the session
        new = "een-ander-lang-wachtwoord-27"
        return Call(
            form,
            data={"new_password": new, "new_password_again": new},
            proof=lambda r: User.objects.get(pk=account.pk).check_password(new),
        )
    if url == "/beheer/gebruikers/nieuw/":
        username = f"nieuw-{role}"
        body = {"username": username, "first_name": "Nieuw", "last_name": "Account"}
        body |= {"role": Role.ANALYST, "password": "een-lang-en-sterk-wachtwoord-26"}
        return Call(url, data=body, proof=lambda r: User.objects.filter(username=username).exists())
    if url == "/beheer/gebruikers/<user>/":
        account = User(username=f"doel-{role}", role=Role.ANALYST)
        account.set_unusable_password()
        account.save()
        return Call(
            f"/beheer/gebruikers/{account.pk}/",
            data={"action": "role", "role": Role.POLICY_MAKER},
            proof=lambda r: User.objects.get(pk=account.pk).role == Role.POLICY_MAKER,
        )
    raise AssertionError(f"the matrix test does not know how to POST to {url}")


def password_link() -> tuple[User, str]:
    """A fresh account and the one-time link an administrator made for it (its path)."""
    account = User(username=f"link-{User.objects.count()}", role=Role.ANALYST)
    account.set_unusable_password()
    account.save()
    link = user_password_reset_link(
        username=account.username, by="test", by_role=Role.ADMINISTRATOR
    )
    return account, link


def _loads(user: str) -> int:
    """Batches the intake gate loaded for ``user``."""
    return sum(
        1
        for row in ingest_history(home=settings.MEEDOEN_HOME)
        if row["user_name"] == user and row["status"] == "loaded"
    )


def _pending(activity: int) -> list[Any]:
    return review_items(home=settings.MEEDOEN_HOME, activity_id=activity)


def _signals_pending(activity: int) -> set[str]:
    """Review tokens of the signals awaiting review under the debt-help activity."""
    return {i.token for i in _pending(activity) if i.source == "vroegsignaal"}


@pytest.fixture
def in_the_request(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Run a build or linkage started on a page at once, in the request, instead of in a thread
    (no thread races the test database): an allowed POST's build or linkage has run when the
    test looks."""

    def build_now(*, run_id, actor, trace, client):  # type: ignore[no-untyped-def]
        build_execute(run_id=run_id, actor=actor, trace=trace, client=client)

    def link_now(*, run_id, path, actor, trace, client, secret=None):  # type: ignore[no-untyped-def]
        try:
            link_execute(
                run_id=run_id, path=path, actor=actor, trace=trace, client=client, secret=secret
            )
        finally:
            path.unlink(missing_ok=True)

    def check_now(*, run_id, kept=()):  # type: ignore[no-untyped-def]
        chain_check_execute(run_id=run_id, kept=kept)

    monkeypatch.setattr(household_views, "build_start_background", build_now)
    monkeypatch.setattr(audit_views, "chain_check_start_background", check_now)
    monkeypatch.setattr(linkage_views, "link_start_background", link_now)

    def segment_now(*, run_id, actor, trace, client):  # type: ignore[no-untyped-def]
        with contextlib.suppress(ValidationError):  # a failure is on the run's row
            segment_execute(run_id=run_id, actor=actor, trace=trace, client=client)

    monkeypatch.setattr(targetgroup_views, "segment_start_background", segment_now)


# -- The check --------------------------------------------------------------------------------


def outcome(method: str, call: Call, response: HttpResponse, anonymous: bool) -> str:
    """What the response means, in the matrix's words; anything else says what happened."""
    status = response.status_code
    location = response.get("Location", "")
    proved = call.proof(response)
    page = "text/html" in response.get("Content-Type", "")
    if status == 403 and page and "Geen toegang" not in response.content.decode():
        return "403 without the app's styled refusal page"  # every refused page says it in Dutch
    if status == 403:
        seen = REFUSED
    elif anonymous and status == 302 and location.startswith("/inloggen/"):
        seen = LOGIN
    elif status == 302 and not (method == "POST" and proved):
        seen = REDIRECT + location  # on a GET, or a POST that changed nothing: not "allowed"
    elif status in {200, 201, 302} and proved and not context(response, "error"):
        return ALLOWED
    else:
        return f"HTTP {status} without {'effect' if method == 'POST' else 'the object'}" + (
            _errors(response)
        )
    if method == "POST" and proved:
        return f"{seen}, but it took effect"  # a refusal changes nothing
    return seen


def _errors(response: HttpResponse) -> str:
    """The form errors or the error of a re-rendered page, to say why a POST did nothing."""
    form = context(response, "form")
    errors = dict(form.errors) if form is not None and form.is_bound else {}
    error = context(response, "error") or context(response, "errors") or ""
    return f" ({errors or error})" if errors or error else ""


def test_every_role_gets_what_the_matrix_says_on_real_objects(world: World, in_the_request) -> None:  # type: ignore[no-untyped-def]
    wrong = []
    for method, url, expected in matrix():
        for role in ROLES:
            client = Client()
            user = None if role == "anonymous" else world.users[role]
            if user is not None:
                client.force_login(user)
            call = get_call(url, world) if method == "GET" else post_call(url, world, user, client)
            assert "<" not in call.target, call.target
            if call.json is not None:
                response = client.post(
                    call.target, json.dumps(call.json), content_type="application/json"
                )
            elif method == "POST":
                response = client.post(call.target, call.data)
            else:
                response = client.get(call.target, follow=call.follow)
            assert response.status_code < 500, (method, call.target, role, response.content[:500])
            seen = outcome(method, call, response, role == "anonymous")
            if seen != expected[role]:
                wrong.append(f"{method} {url} as {role}: {seen}, documented {expected[role]}")
    assert wrong == [], "\n".join(wrong)
