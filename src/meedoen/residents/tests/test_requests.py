"""Objection and correction requests (``/mijn/verzoeken/``, ``/verzoeken/``): the resident's
form (validation, the deadline of one calendar month, 31 January included), the privacy
officer's queue (open first by deadline, overdue marked, filters) and decisions, who may open
what (403 for other roles, 404 for another resident's request), and end to end on a synthetic
municipality: an upheld objection leaves the person out of the analysis activity's store, its
households and its subject map at the next build; a rejected one changes nothing."""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pytest
from django.test import Client
from django.utils import timezone, translation

from meedoen.accounts.models import User
from meedoen.accounts.roles import Role
from meedoen.activities.actors import Actor
from meedoen.activities.enforcement import activity_store_open
from meedoen.activities.services import activity_approve, activity_request
from meedoen.audits.models import AccessRecord, ProcessingRecord
from meedoen.audits.trace import TraceContext
from meedoen.households.services import build_execute, build_request
from meedoen.intakes.services import intake_log
from meedoen.residents.models import SubjectRequest
from meedoen.residents.processing import OWN_VIEWS
from meedoen.residents.requests import (
    REASON_MAX,
    months_later,
    objection_excluded_bsns,
    objection_exclusions,
    request_deadline,
)
from meedoen.residents.services import resident_account_bind
from meedoen_data.activity_store import activity_pseudonyms, store_path
from meedoen_data.activity_subjects import subject_map_path
from meedoen_data.bsn import bsn_from_index
from meedoen_data.categories import HOUSEHOLD_DETAIL
from meedoen_data.intake import IngestReport, ingest_directory
from meedoen_data.synth import synth_municipality
from meedoen_data.workspace import Workspace, workspace_init

pytestmark = pytest.mark.django_db

NEW = "/mijn/verzoeken/nieuw/"
MINE = "/mijn/verzoeken/"
QUEUE = "/verzoeken/"
ANALYSIS = {
    "name": "Stapeling van hulp",
    "purpose": "Zien welke huishoudens hulp uit meerdere wetten krijgen",
    "legal_basis": "Participatiewet art. 7",
    "sources": ["brp", "wmo", "jeugd", "participatie", "schulden"],
    "retention_days": 30,
    "data_categories": "Huishoudens (BRP), voorzieningen",
    "recipients": "Analisten",
    "dpia_reference": "DPIA-1",
    "fine_columns": list(HOUSEHOLD_DETAIL),
    "fine_reason": "huishoudens op een peildatum",
}
PEILDATUM = date(2025, 1, 1)


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


def _bsn(index: int) -> str:
    return f"{int(bsn_from_index(np.array([index], dtype=np.int64))[0]):09d}"


@pytest.fixture
def home(tmp_path: Path, settings) -> Path:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    settings.MEEDOEN_HOME = home
    settings.WORKSPACE = workspace_init(home=home).workspace
    return home


@pytest.fixture
def people(make_user, home) -> dict[str, User]:  # type: ignore[no-untyped-def]
    return {
        "analyst": make_user(Role.ANALYST, username="analyst"),
        "officer": make_user(Role.PRIVACY_OFFICER, username="officer"),
        "anna": resident_account_bind(bsn=_bsn(1), via="demo", username="anna"),
        "bert": resident_account_bind(bsn=_bsn(2), via="demo", username="bert"),
    }


def _approve(people: dict[str, User], **changes: object) -> int:
    analyst, officer = people["analyst"], people["officer"]
    activity = activity_request(actor=Actor(analyst.username, analyst), **{**ANALYSIS, **changes})
    activity_approve(
        activity_id=activity.pk, actor=Actor(officer.username, officer), motivation="ok", version=1
    )
    return activity.pk


@pytest.fixture
def analysis(people: dict[str, User]) -> int:
    return _approve(people)


def _client(user: User) -> Client:
    """Signed in as ``user``, pages in English (the tests match English text)."""
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def _errors(page: object) -> str:
    html = page.content.decode()  # type: ignore[attr-defined]
    return " ".join(
        re.findall(r'class="[^"]*utrecht-form-field-error-message"[^>]*>([^<]*)<', html)
    )


# -- The deadline --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "due"),
    [
        (date(2025, 1, 31), date(2025, 2, 28)),
        (date(2024, 1, 31), date(2024, 2, 29)),  # a leap year
        (date(2025, 3, 31), date(2025, 4, 30)),
        (date(2025, 1, 15), date(2025, 2, 15)),
        (date(2025, 12, 31), date(2026, 1, 31)),  # into the next year
    ],
)
def test_the_deadline_is_one_calendar_month_later(day: date, due: date) -> None:
    assert months_later(day) == due
    received = timezone.make_aware(datetime(day.year, day.month, day.day, 12))
    assert request_deadline(received=received) == due


def test_a_request_sent_on_31_january_is_due_on_28_february(people, analysis, monkeypatch) -> None:
    received = timezone.make_aware(datetime(2025, 1, 31, 23, 30))  # local time, Amsterdam
    monkeypatch.setattr(timezone, "now", lambda: received)
    page = _client(people["anna"]).post(
        NEW, {"kind": "bezwaar", "activity": analysis, "reason": "Ik wil dit niet."}
    )
    assert page.status_code == 302, _errors(page)
    request = SubjectRequest.objects.get()
    assert request.deadline == date(2025, 2, 28)
    assert request.received_at == received


# -- The resident's form -------------------------------------------------------------------------


def test_the_form_shows_the_approved_analyses_by_name_and_purpose(people, analysis) -> None:
    operational = _approve(
        people, name="Gezinscontext", kind="uitvoering", roles=["case_worker"], fine_columns=[]
    )
    page = _client(people["anna"]).get(NEW)
    html = page.content.decode()
    assert page.status_code == 200
    assert f'value="{analysis}"' in html
    assert ANALYSIS["name"] in html and ANALYSIS["purpose"] in html
    assert f'value="{operational}"' not in html  # not an analysis: nothing to object to here
    assert "Gezinscontext" not in html


def test_an_empty_form_says_what_is_missing(people, analysis) -> None:
    page = _client(people["anna"]).post(NEW, {})
    assert page.status_code == 200
    errors = _errors(page)
    assert "Choose what you want." in errors
    assert "Write why you make this request." in errors
    assert not SubjectRequest.objects.exists()


def test_an_objection_needs_an_analysis_of_the_list(people, analysis) -> None:
    client = _client(people["anna"])
    page = client.post(NEW, {"kind": "bezwaar", "reason": "Nee"})
    assert "Choose the analysis you object to." in _errors(page)
    page = client.post(NEW, {"kind": "bezwaar", "activity": 9999, "reason": "Nee"})
    assert "Choose one of the analyses in the list." in _errors(page)
    assert not SubjectRequest.objects.exists()


def test_a_correction_needs_what_is_wrong_and_the_source(people) -> None:
    client = _client(people["anna"])
    page = client.post(NEW, {"kind": "correctie", "reason": "Klopt niet"})
    errors = _errors(page)
    assert "Write what is wrong." in errors
    assert "Choose where the wrong data is." in errors
    page = client.post(
        NEW,
        {"kind": "correctie", "what": "Mijn adres", "source": "brp", "reason": "Verhuisd"},
    )
    assert page.status_code == 302
    request = SubjectRequest.objects.get()
    assert request.kind == "correctie" and request.activity is None
    assert "Mijn adres" in request.reason and "BRP" in request.reason
    assert "Verhuisd" in request.reason


def test_a_reason_longer_than_the_maximum_is_refused(people, analysis) -> None:
    page = _client(people["anna"]).post(
        NEW, {"kind": "bezwaar", "activity": analysis, "reason": "x" * (REASON_MAX + 1)}
    )
    assert f"at most {REASON_MAX} characters" in _errors(page)
    assert not SubjectRequest.objects.exists()


def test_an_objection_is_filed_logged_and_listed(people, analysis) -> None:
    client = _client(people["anna"])
    page = client.post(NEW, {"kind": "bezwaar", "activity": analysis, "reason": "Liever niet"})
    assert page.status_code == 302 and page["Location"] == MINE
    request = SubjectRequest.objects.get()
    anna = people["anna"].resident_identity.person
    assert (request.person, request.activity_id, request.state) == (anna, analysis, "ontvangen")
    access = AccessRecord.objects.get(operation="resident.request_submit")
    assert access.user_name == "anna" and access.user_role == Role.RESIDENT
    record = ProcessingRecord.objects.get(trace_id=access.trace_id)
    assert (record.data_subject_id, record.data_subject_id_type) == (anna, "pseudonym-brp")
    assert record.processing_activity_id.endswith("inwonersportaal")
    html = client.get(MINE).content.decode()
    assert ANALYSIS["name"] in html
    assert f'data-request="{request.pk}"' in html
    assert "Received" in html
    # The same objection again while it is open: refused, one request stays.
    page = client.post(NEW, {"kind": "bezwaar", "activity": analysis, "reason": "Nog eens"})
    assert "You already objected to this analysis." in page.content.decode()
    assert SubjectRequest.objects.count() == 1


# -- Who sees what -------------------------------------------------------------------------------


def _request(person: str, **fields: object) -> SubjectRequest:
    now = timezone.now()
    values: dict[str, object] = {
        "kind": "correctie",
        "reason": "Mijn geboortedatum klopt niet",
        "received_at": now,
        "deadline": months_later(timezone.localdate(now)),
    }
    values.update(fields)
    return SubjectRequest.objects.create(person=person, **values)


def test_a_resident_never_sees_another_residents_request(people) -> None:
    berts = _request(people["bert"].resident_identity.person, reason="Bert zijn geheim")
    annas = _request(people["anna"].resident_identity.person, reason="Anna haar verzoek")
    client = _client(people["anna"])
    assert client.get(f"{MINE}{berts.pk}/").status_code == 404
    own = client.get(f"{MINE}{annas.pk}/")
    assert own.status_code == 200 and "Anna haar verzoek" in own.content.decode()
    listed = client.get(MINE).content.decode()
    assert f'data-request="{berts.pk}"' not in listed
    assert f'data-request="{annas.pk}"' in listed


@pytest.mark.parametrize("role", [r for r in Role if r != Role.RESIDENT])
def test_other_roles_get_403_on_the_residents_pages(people, make_user, role) -> None:
    user = people["officer"] if role == Role.PRIVACY_OFFICER else make_user(role, "someone")
    request = _request(people["anna"].resident_identity.person)
    client = _client(user)
    for url in (MINE, NEW, f"{MINE}{request.pk}/"):
        assert client.get(url).status_code == 403, url
    assert client.post(NEW, {"kind": "correctie"}).status_code == 403


@pytest.mark.parametrize("role", [r for r in Role if r != Role.PRIVACY_OFFICER])
def test_other_roles_get_403_on_the_queue(people, make_user, role) -> None:
    user = people["anna"] if role == Role.RESIDENT else make_user(role, "someone")
    request = _request(people["anna"].resident_identity.person)
    client = _client(user)
    assert client.get(QUEUE).status_code == 403
    assert client.get(f"{QUEUE}{request.pk}/").status_code == 403
    page = client.post(f"{QUEUE}{request.pk}/", {"decision": "toegewezen", "motivation": "x"})
    assert page.status_code == 403
    assert SubjectRequest.objects.get().state == "ontvangen"


# -- The privacy officer's queue -----------------------------------------------------------------


def test_the_queue_has_open_requests_first_by_deadline_and_marks_overdue(people) -> None:
    anna = people["anna"].resident_identity.person
    today = timezone.localdate()
    later = _request(anna, deadline=today + timedelta(days=20))
    overdue = _request(anna, deadline=today - timedelta(days=2))
    soon = _request(anna, deadline=today + timedelta(days=3))
    decided = _request(
        anna,
        deadline=today - timedelta(days=30),
        state="afgewezen",
        decision="Niet nodig",
        decided_by="officer",
        decided_at=timezone.now(),
    )
    client = _client(people["officer"])
    html = client.get(QUEUE).content.decode()
    order = [int(n) for n in re.findall(r'data-request="(\d+)"', html)]
    assert order == [overdue.pk, soon.pk, later.pk]  # open only, nearest deadline first
    row = re.search(rf'<tr class="([^"]*)" data-request="{overdue.pk}"', html)
    assert row and "meedoen-overdue" in row.group(1)
    assert "past the deadline" in html and "1 request is past its deadline." in html
    html = client.get(f"{QUEUE}?toon=alle").content.decode()
    order = [int(n) for n in re.findall(r'data-request="(\d+)"', html)]
    assert order == [overdue.pk, soon.pk, later.pk, decided.pk]
    html = client.get(f"{QUEUE}?toon=besloten").content.decode()
    assert [int(n) for n in re.findall(r'data-request="(\d+)"', html)] == [decided.pk]
    start = client.get("/").content.decode()
    assert "3 requests of residents await your decision" in start
    assert "1 past its deadline" in start and 'href="/verzoeken/"' in start


def test_the_officer_sees_the_pseudonym_never_a_bsn_and_links_to_the_log(people, analysis) -> None:
    anna = people["anna"].resident_identity.person
    request = _request(anna, kind="bezwaar", activity_id=analysis, reason="Niet voor mij")
    html = _client(people["officer"]).get(f"{QUEUE}{request.pk}/").content.decode()
    assert anna in html and _bsn(1) not in html
    assert f"/logboek/?betrokkene={anna}" in html and "/logboek/persoon/" in html
    assert ANALYSIS["name"] in html and ANALYSIS["purpose"] in html
    assert "Niet voor mij" in html
    # The resident's words were read: logged with the resident as subject, and listed for them.
    read = ProcessingRecord.objects.get(name="resident.request_read")
    assert (read.data_subject_id, read.detail) == (anna, f"request {request.pk}: bezwaar")
    assert not ProcessingRecord.objects.filter(OWN_VIEWS, name="resident.request_read").exists()


def test_deciding_needs_a_decision_and_a_motivation(people) -> None:
    request = _request(people["anna"].resident_identity.person)
    client = _client(people["officer"])
    page = client.post(f"{QUEUE}{request.pk}/", {})
    assert page.status_code == 400
    errors = _errors(page)
    assert "Choose to uphold or to reject the request." in errors
    assert "Write the motivation of your decision." in errors
    assert SubjectRequest.objects.get().state == "ontvangen"
    assert client.get(f"{QUEUE}99999/").status_code == 404


def test_a_decision_is_logged_and_the_resident_reads_it(people) -> None:
    anna = people["anna"].resident_identity.person
    request = _request(anna)
    client = _client(people["officer"])
    page = client.post(
        f"{QUEUE}{request.pk}/",
        {"decision": "toegewezen", "motivation": "De BRP is aangepast door Burgerzaken."},
    )
    assert page.status_code == 302 and page["Location"] == QUEUE
    request.refresh_from_db()
    assert (request.state, request.decided_by) == ("toegewezen", "officer")
    assert request.decision == "De BRP is aangepast door Burgerzaken."
    access = AccessRecord.objects.get(operation="resident.request_decide")
    assert access.user_role == Role.PRIVACY_OFFICER
    record = ProcessingRecord.objects.get(trace_id=access.trace_id)
    assert record.data_subject_id == anna
    # Deciding again is refused; the first decision stays.
    page = client.post(f"{QUEUE}{request.pk}/", {"decision": "afgewezen", "motivation": "Toch"})
    assert "This request was decided already" in page.content.decode()
    request.refresh_from_db()
    assert request.state == "toegewezen"
    mine = _client(people["anna"])
    assert "De BRP is aangepast door Burgerzaken." in mine.get(MINE).content.decode()
    detail = mine.get(f"{MINE}{request.pk}/").content.decode()
    assert "Upheld" in detail and "De BRP is aangepast door Burgerzaken." in detail


# -- End to end: the exclusion -------------------------------------------------------------------


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, IngestReport]:
    """A synthetic municipality of 800 persons loaded through the intake gate, once."""
    root = tmp_path_factory.mktemp("objection")
    home = root / "home"
    workspace_init(home=home)
    synth_municipality(gemeente="GM0784", out=root / "sources", persons=800)
    report = ingest_directory(home=home, directory=root / "sources", user="test")
    assert {f.status for f in report.files} == {"loaded"}, report.files
    return home, report


@pytest.fixture
def town(ingested: tuple[Path, IngestReport], tmp_path: Path, settings) -> Path:  # type: ignore[no-untyped-def]
    """A copy of the municipality, its intake logged (which numbers every person in the
    vault's subject register, as activities' subject maps need)."""
    home = tmp_path / "town"
    shutil.copytree(ingested[0], home)
    settings.MEEDOEN_HOME = home
    settings.WORKSPACE = workspace_init(home=home).workspace
    intake_log(
        report=ingested[1],
        actor=Actor("test"),
        trace=TraceContext.start(),
        channel="cli",
        started=timezone.now(),
    )
    return home


def _busy_persons(home: Path, activity_id: int, count: int) -> list[str]:
    """BSNs of persons with rows in many tables of the store: in the BRP (as themselves and as
    someone's relative), with care or income records, and in a household on the peildatum."""
    vault = Workspace(home).vault_dir / "vault.duckdb"
    with duckdb.connect(str(vault), read_only=True) as con:
        rows = con.execute(
            """
            WITH rows AS (
                SELECT burgerservicenummer AS bsn, 'toewijzing' AS t FROM identity.toewijzing
                UNION ALL SELECT burgerservicenummer, 'inkomen' FROM identity.inkomensvoorziening
                UNION ALL SELECT gerelateerde_burgerservicenummer, 'relatie' FROM identity.relatie
                UNION ALL SELECT burgerservicenummer, 'relatie' FROM identity.relatie
            )
            SELECT bsn FROM rows
            WHERE bsn IN (SELECT burgerservicenummer FROM identity.ingeschrevenpersoon)
            GROUP BY bsn HAVING count(DISTINCT t) >= 2 AND bool_or(t = 'relatie')
            ORDER BY count(*) DESC, bsn LIMIT 200
            """
        ).fetchall()
    candidates = [str(r[0]) for r in rows]
    names = activity_pseudonyms(home=home, activity_id=activity_id, bsns=candidates)
    path = store_path(Workspace(home), activity_id)
    with duckdb.connect(str(path), read_only=True) as con:
        members = {
            str(r[0])
            for r in con.execute(
                "SELECT person_pseudonym FROM household.household_person"
            ).fetchall()
        }
    found = [bsn for bsn, name in zip(candidates, names, strict=True) if name in members]
    assert len(found) >= count
    return found[:count]


def _mentions(home: Path, activity_id: int, value: str) -> dict[str, int]:
    """Rows per table (``schema.table``) of the activity's store holding ``value`` in any
    column, and the rows of every table (under ``rows:``)."""
    out: dict[str, int] = {}
    with duckdb.connect(str(store_path(Workspace(home), activity_id)), read_only=True) as con:
        columns = con.execute(
            "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
            "WHERE database_name = current_database() AND data_type = 'VARCHAR' ORDER BY ALL"
        ).fetchall()
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            "WHERE database_name = current_database() ORDER BY ALL"
        ).fetchall()
        for schema, table in tables:
            name = f'"{schema}"."{table}"'
            used = [f'"{c}" = $v' for s, t, c in columns if (s, t) == (schema, table)]
            total = con.execute(f"SELECT count(*) FROM {name}").fetchone()
            out[f"rows:{schema}.{table}"] = int(total[0]) if total else 0
            if used:
                found = con.execute(
                    f"SELECT count(*) FROM {name} WHERE {' OR '.join(used)}",
                    {"v": value},
                ).fetchone()
                out[f"{schema}.{table}"] = int(found[0]) if found else 0
    return out


def _build(analyst: User, activity_id: int) -> None:
    actor = Actor(analyst.username, analyst)
    trace = TraceContext.start()
    run = build_request(
        activity_id=activity_id,
        peildatum=PEILDATUM,
        engine="duckdb",
        actor=actor,
        trace=trace,
        channel="web",
    )
    build_execute(run_id=run.pk, actor=actor, trace=trace)


def _in_subject_map(home: Path, activity_id: int, value: str) -> int:
    path = subject_map_path(Workspace(home), activity_id)
    with duckdb.connect(str(path), read_only=True) as con:
        row = con.execute("SELECT count(*) FROM subject WHERE pseudonym = ?", [value]).fetchone()
    return int(row[0]) if row else 0


def test_an_upheld_objection_leaves_the_person_out_of_the_next_build(make_user, town) -> None:
    analyst = make_user(Role.ANALYST, username="analyst")
    officer = make_user(Role.PRIVACY_OFFICER, username="officer")
    activity_id = _approve({"analyst": analyst, "officer": officer})
    _build(analyst, activity_id)  # the store and its households
    objector, rejected = _busy_persons(town, activity_id, 2)
    mine, other = activity_pseudonyms(home=town, activity_id=activity_id, bsns=[objector, rejected])
    before = _mentions(town, activity_id, mine)
    other_before = _mentions(town, activity_id, other)
    assert before["source.ingeschrevenpersoon"] == 1
    assert before["source.relatie"] >= 2 and before["source.verblijfplaats"] >= 1
    assert before["household.household_person"] >= 1
    assert _in_subject_map(town, activity_id, mine) == 1
    actor = Actor(analyst.username, analyst)
    again = activity_store_open(
        activity_id=activity_id, actor=actor, trace=TraceContext.start(), channel="web"
    )
    assert again.status == "unchanged"  # up to date: left alone

    # Two residents object; the privacy officer upholds one objection and rejects the other.
    ids = []
    for number, bsn in enumerate((objector, rejected)):
        resident = resident_account_bind(bsn=bsn, via="demo", username=f"inwoner{number}")
        page = _client(resident).post(
            NEW, {"kind": "bezwaar", "activity": activity_id, "reason": "Niet met mijn gegevens"}
        )
        assert page.status_code == 302, _errors(page)
        ids.append(SubjectRequest.objects.latest("pk").pk)
    client = _client(officer)
    for request_id, decision in zip(ids, ("toegewezen", "afgewezen"), strict=True):
        page = client.post(f"{QUEUE}{request_id}/", {"decision": decision, "motivation": "Besluit"})
        assert page.status_code == 302
    assert objection_excluded_bsns(activity_id=activity_id) == [objector]
    assert len(objection_exclusions(activity_id=activity_id)) == 1

    # The next build: the store was "up to date" but is rebuilt, without the objector.
    rebuilt = activity_store_open(
        activity_id=activity_id, actor=actor, trace=TraceContext.start(), channel="web"
    )
    assert rebuilt.status == "built"
    after = _mentions(town, activity_id, mine)
    assert not any(after.get(name) for name in after if not name.startswith("rows:")), after
    assert "rows:household.household_person" not in after  # not carried over: made again
    for name, rows in before.items():
        if name.startswith("rows:source."):
            # Other persons unchanged: exactly the objector's rows are gone from each table.
            assert after[name] == rows - before[name.removeprefix("rows:")], name
    assert _in_subject_map(town, activity_id, mine) == 0
    # The rejected objection changed nothing for that resident.
    other_after = _mentions(town, activity_id, other)
    for name, rows in other_before.items():
        if name.startswith("source."):
            assert other_after[name] == rows, name
    assert _in_subject_map(town, activity_id, other) == 1

    # The households are made again from the store: without the objector.
    _build(analyst, activity_id)
    households = _mentions(town, activity_id, mine)
    assert households["rows:household.household_person"] > 0
    assert not any(households.get(name) for name in households if not name.startswith("rows:"))
    assert _mentions(town, activity_id, other)["household.household_person"] >= 1
    # Still excluded at the build after that (now up to date, and so left alone).
    last = activity_store_open(
        activity_id=activity_id, actor=actor, trace=TraceContext.start(), channel="web"
    )
    assert last.status == "unchanged"
    assert not _mentions(town, activity_id, mine)["source.ingeschrevenpersoon"]
