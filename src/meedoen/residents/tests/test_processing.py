"""Who used my data (``/mijn/verwerkingen/``): after a case worker views a family and an analyst
builds households in a real workspace (the signal town of the early-signals tests, loaded
through the intake gate), each resident sees the actions on their own data in plain language,
with the activity's purpose and legal basis and, for their own case, its reason; nothing about
someone else only; no employee's name unless the installation shows names; pages of the log
read from the database; every other role gets 403. The visit itself is logged, not listed."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from meedoen.accounts.models import User
from meedoen.accounts.roles import Role
from meedoen.activities.actors import Actor
from meedoen.activities.services import activity_approve, activity_request
from meedoen.audits.models import AccessRecord, ProcessingRecord
from meedoen.audits.selectors import audit_person, audit_records
from meedoen.audits.services import audit_person_looked_up
from meedoen.audits.trace import TraceContext
from meedoen.cases.services import case_open, family_view
from meedoen.earlysignals.tests.town import ON, SignalTown, signal_town
from meedoen.households.services import build_execute, build_request
from meedoen.households.tests.test_views import approved
from meedoen.intakes.services import intake_log
from meedoen.residents.processing import (
    OWN_VIEWS,
    PROCESSING_VIEW,
    SENTENCES,
    resident_logged_person,
    resident_processing_page,
)
from meedoen.residents.services import resident_account_bind, resident_person
from meedoen.web.labels import OPERATIONS
from meedoen_data.intake import IngestReport, ingest_directory
from meedoen_data.workspace import workspace_init

pytestmark = pytest.mark.django_db

URL = "/mijn/verwerkingen/"
TOWN = signal_town()
#: The case worker's operational activity (as the case-work tests request it).
FAMILY_ACTIVITY = {
    "name": "Gezinscontext",
    "purpose": "De casusregisseur ziet het gezin van een casus op de eigen caseload",
    "legal_basis": "Jeugdwet art. 7.4.0; Wmo 2015 art. 5.1.1",
    "sources": ["brp", "wmo", "participatie", "schulden"],
    "retention_days": 365,
    "data_categories": "Gezinssamenstelling, voorzieningen",
    "recipients": "Casusregisseurs van het wijkteam",
    "dpia_reference": "DPIA-7",
    "kind": "uitvoering",
    "roles": ["case_worker", "team_lead"],
}
REASON = "Huurachterstand en zorgen om het gezin, gemeld door de corporatie"
WORKER_NAME = ("Wendelien", "Wijkhuis")
#: Audit operations that never name a resident: about accounts, the register, the log itself,
#: or aggregates without persons. Every other operation needs a sentence.
NOT_ABOUT_RESIDENTS = {
    *(code for code in OPERATIONS if code.startswith("account.")),
    "activity.amend",
    "activity.approve",
    "activity.refuse",
    "activity.request",
    "activity.reviewer_grant",
    "activity.reviewer_withdraw",
    "activity.revoke",
    "audit.checkpoint_download",
    "audit.compact",
    "audit.prune",
    "audit.read",
    "audit.verify",
    "publication.withdraw",
}


def nl(text: str) -> str:
    """``text`` as the (Dutch) page shows it: translated once the .po translates it."""
    with translation.override("nl"):
        return translation.gettext(text)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def rows(html: str) -> list[str]:
    """The text of each body row of the processing table."""
    body = re.search(r'<table[^>]*id="processing".*?<tbody[^>]*>(.*?)</tbody>', html, re.S)
    if body is None:
        return []
    return [text(row).strip() for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)]


# -- The workspace ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, IngestReport]:
    """The town through the intake gate (as :meth:`SignalTown.load`), with the intake's report:
    the tests log it as ``meedoen ingest`` does."""
    home = tmp_path_factory.mktemp("residents-processing") / "home"
    workspace_init(home=home)
    report = ingest_directory(home=home, directory=TOWN.write(home / "delivery"), user="t")
    assert {f.status for f in report.files} == {"loaded"}, report.files
    return home, report


@pytest.fixture
def town() -> SignalTown:
    return TOWN


@pytest.fixture
def home(loaded: tuple[Path, IngestReport], tmp_path: Path, settings) -> Path:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    shutil.copytree(loaded[0], home)
    settings.MEEDOEN_HOME = home
    settings.WORKSPACE = workspace_init(home=home).workspace
    settings.CASEWORK_DATE = ON.isoformat()
    settings.RESIDENT_SHOW_NAMES = False
    settings.PRIVACY_CONTACT = "privacy@gilzerijen.nl"
    return home


def _actor(user: User) -> Actor:
    return Actor(user.username, user)


@pytest.fixture
def people(make_user, db) -> dict[str, User]:  # type: ignore[no-untyped-def]
    worker = make_user(Role.CASE_WORKER, username="wijk1")
    worker.first_name, worker.last_name = WORKER_NAME
    worker.team = "wijkteam-noord"
    worker.save(update_fields=["first_name", "last_name", "team"])
    return {
        "wijk1": worker,
        "analyst": make_user(Role.ANALYST, username="analyst"),
        "officer": make_user(Role.PRIVACY_OFFICER, username="officer"),
    }


@pytest.fixture
def processed(
    people: dict[str, User], home: Path, town: SignalTown, loaded: tuple[Path, IngestReport]
) -> dict[str, int]:
    """Real processing: the operator's intake of the town (logged as ``meedoen ingest`` logs
    it); a case worker opens a case for Hanna and views her family (Hanna, her husband Jan,
    their son Kees); an analyst builds the households of the town; then the privacy officer
    looks Hanna up in the audit log."""
    intake_log(
        report=loaded[1],
        actor=Actor("operator"),
        trace=TraceContext.start(),
        channel="cli",
        started=datetime.now(UTC),
    )
    family = activity_request(actor=_actor(people["analyst"]), **FAMILY_ACTIVITY)
    activity_approve(
        activity_id=family.pk, actor=_actor(people["officer"]), motivation="akkoord", version=1
    )
    worker = _actor(people["wijk1"])
    case = case_open(
        actor=worker,
        activity_id=family.pk,
        reason=REASON,
        legal_basis="Jeugdwet art. 7.4.0",
        bsn=town.bsn("Hanna Wit"),
        trace=TraceContext.start(),
        channel="web",
    )
    family_view(actor=worker, case_id=case.pk, trace=TraceContext.start(), channel="web")
    households = approved(people["analyst"], people["officer"], sources=["brp"])
    analyst, trace = _actor(people["analyst"]), TraceContext.start()
    run = build_request(
        activity_id=households, peildatum=date(2025, 1, 1), engine="duckdb", actor=analyst,
        trace=trace, channel="web",
    )  # fmt: skip
    build_execute(run_id=run.pk, actor=analyst, trace=trace)
    hanna = audit_person(bsn=town.bsn("Hanna Wit"))
    assert hanna is not None
    audit_person_looked_up(
        trace=TraceContext.start(),
        actor=_actor(people["officer"]),
        channel="web",
        client="",
        pseudonyms=hanna.pseudonyms,
        started=datetime.now(UTC),
        detail="/logboek/",
    )
    return {"family": family.pk, "households": households, "case": case.pk}


@pytest.fixture
def residents(home: Path, town: SignalTown) -> dict[str, User]:
    return {
        name: resident_account_bind(bsn=town.bsn(name), via="demo")
        for name in ("Hanna Wit", "Jan Visser")
    }


# -- What a resident sees -----------------------------------------------------------------------


def test_a_resident_sees_the_case_view_and_the_household_build_in_plain_language(
    client: Client, processed: dict[str, int], residents: dict[str, User]
) -> None:
    client.force_login(residents["Hanna Wit"])
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    found = rows(html)
    family = next(r for r in found if nl(str(SENTENCES["casework.family.read"])) in r)
    # Who: the role and the team, never the name; why: the register's purpose and legal basis;
    # the reason of her own case.
    who = nl("%(role)s, team %(team)s") % {"role": nl("Case worker"), "team": "wijkteam-noord"}
    assert who in family
    assert FAMILY_ACTIVITY["purpose"] in family and FAMILY_ACTIVITY["legal_basis"] in family
    assert REASON in family
    build = next(r for r in found if nl(str(SENTENCES["household.build"])) in r)
    assert "Stapeling van voorzieningen per huishouden" in build  # the household activity
    assert "Participatiewet art. 7" in build and nl("Analyst") in build
    # The intake that loaded her (the command line: meedoen itself), from the BRP.
    intake = next(r for r in found if nl(str(SENTENCES["intake.load"])) in r)
    assert nl("meedoen (automatic)") in intake and nl("the persons register (BRP)") in intake
    assert nl("Receiving data from sources") in intake
    # The privacy officer's lookup of her, under supervision.
    lookup = next(r for r in found if nl(str(SENTENCES["audit.person_lookup"])) in r)
    assert nl("Privacy officer") in lookup and nl("Supervision of the use of your data") in lookup
    # Dutch date and time, the contact, and the note about her own visits.
    assert re.search(r"\d{1,2} [a-z]+ 20\d\d \d{1,2}:\d\d", family), family
    assert 'href="mailto:privacy@gilzerijen.nl"' in html
    assert nl("Your own visits to this page are not listed.") in text(html)
    # Never a raw operation code as the only text of a row.
    assert not any(code in html for code in ("casework.family.read", "household.build"))


def test_one_row_per_action_even_when_it_names_the_person_several_times(
    client: Client, processed: dict[str, int], residents: dict[str, User]
) -> None:
    """The household build logs the persons under the activity's pseudonyms, the store build
    under several types: each action is one row, however many records name her."""
    person = resident_logged_person(user=residents["Hanna Wit"])
    records = audit_records(person=person, limit=None)
    page = resident_processing_page(person=person, per_page=200)
    actions = {(r["trace_id"], r["name"]) for r in records if not r["name"].startswith("resident.")}
    assert len(page.rows) == len(actions) < len(records)


def test_a_housemate_sees_the_shared_actions_but_not_what_was_only_about_the_other(
    client: Client, processed: dict[str, int], residents: dict[str, User]
) -> None:
    client.force_login(residents["Jan Visser"])
    html = client.get(URL).content.decode()
    found = rows(html)
    # Jan was shown in Hanna's family and placed in a household: both are his too.
    family = next(r for r in found if nl(str(SENTENCES["casework.family.read"])) in r)
    assert nl("The case is about someone in your family.") in family
    assert REASON not in html  # the reason of Hanna's case is hers
    assert any(nl(str(SENTENCES["household.build"])) in r for r in found)
    # The privacy officer looked Hanna up, not Jan; the case was opened for her only.
    assert not any(nl(str(SENTENCES["audit.person_lookup"])) in r for r in found)
    assert not any(nl(str(SENTENCES["casework.case.open"])) in r for r in found)
    client.force_login(residents["Hanna Wit"])
    mine = rows(client.get(URL).content.decode())
    assert any(nl(str(SENTENCES["casework.case.open"])) in r for r in mine)


def test_the_employee_name_is_shown_only_when_the_installation_says_so(
    client: Client, processed: dict[str, int], residents: dict[str, User], settings
) -> None:
    client.force_login(residents["Hanna Wit"])
    html = client.get(URL).content.decode()
    full = " ".join(WORKER_NAME)
    assert full not in html and WORKER_NAME[1] not in html and "wijk1" not in html
    assert nl("You see the role and team of the employee, not their name.") in text(html)
    settings.RESIDENT_SHOW_NAMES = True
    html = client.get(URL).content.decode()
    family = next(r for r in rows(html) if nl(str(SENTENCES["casework.family.read"])) in r)
    assert full in family


def test_the_visit_is_logged_but_not_listed(
    client: Client, processed: dict[str, int], residents: dict[str, User]
) -> None:
    hanna = residents["Hanna Wit"]
    client.force_login(hanna)
    first = rows(client.get(URL).content.decode())
    second = rows(client.get(URL).content.decode())
    assert first == second  # the visit in between added no row
    visits = ProcessingRecord.objects.filter(name=PROCESSING_VIEW)
    assert visits.count() == 2
    assert {v.data_subject_id for v in visits} == {resident_person(user=hanna)}
    assert {v.processing_activity_id for v in visits} == {
        "urn:meedoen:verwerkingsactiviteit:inwonersportaal"
    }
    access = AccessRecord.objects.filter(trace_id__in=[v.trace_id for v in visits])
    assert {(a.user_name, a.user_role, a.operation) for a in access} == {
        (hanna.username, Role.RESIDENT, PROCESSING_VIEW)
    }
    assert ProcessingRecord.objects.filter(OWN_VIEWS).count() == 2


def test_pages_are_read_from_the_database_newest_first(
    client: Client, processed: dict[str, int], residents: dict[str, User]
) -> None:
    person = resident_logged_person(user=residents["Hanna Wit"])
    everything = resident_processing_page(person=person, per_page=500)
    assert len(everything.rows) >= 4 and not everything.has_next
    assert [r.at for r in everything.rows] == sorted((r.at for r in everything.rows), reverse=True)
    paged = []
    number = 1
    while True:
        page = resident_processing_page(person=person, page=number, per_page=2)
        assert len(page.rows) <= 2 and page.has_previous == (number > 1)
        paged += page.rows
        if not page.has_next:
            break
        number += 1
    assert [(r.at, r.sentence) for r in paged] == [(r.at, r.sentence) for r in everything.rows]
    beyond = resident_processing_page(person=person, page=number + 1, per_page=2)
    assert beyond.rows == [] and not beyond.has_next
    # Through the page: 50 to a page here, so the second page is empty and links back.
    client.force_login(residents["Hanna Wit"])
    html = client.get(URL, {"pagina": 2}).content.decode()
    assert rows(html) == [] and 'rel="prev" href="?pagina=1"' in html
    assert nl("There is nothing more to show.") in text(html)


def test_a_resident_without_processing_sees_the_empty_state(
    client: Client, home: Path, town: SignalTown, settings
) -> None:
    """Before anything was logged about her (no intake logged in this web database)."""
    settings.PRIVACY_CONTACT = ""
    resident = resident_account_bind(bsn=town.bsn("Sara Smit"), via="demo")
    client.force_login(resident)
    html = client.get(URL).content.decode()
    assert 'id="no-processing"' in html and rows(html) == []
    assert nl("Nothing has been written down yet about the use of your data.") in text(html)
    assert "mailto:" not in html


@pytest.mark.parametrize("role", [r for r in Role if r != Role.RESIDENT])
def test_other_roles_are_refused(client: Client, make_user, home: Path, role: Role) -> None:
    client.force_login(make_user(role))
    assert client.get(URL).status_code == 403
    assert not ProcessingRecord.objects.filter(name=PROCESSING_VIEW).exists()


def own_view(code: str) -> bool:
    """The resident's own page views: logged, never listed (OWN_VIEWS)."""
    return code in ("resident.data_view", PROCESSING_VIEW)


def test_every_operation_that_can_name_a_resident_has_a_sentence() -> None:
    missing = [
        c
        for c in OPERATIONS
        if c not in SENTENCES and c not in NOT_ABOUT_RESIDENTS and not own_view(c)
    ]
    assert missing == []
