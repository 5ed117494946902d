"""Purpose binding (doelbinding): the early-warning signals (``signalen``, table
``vroegsignaal``) may by law only be used for debt help (Wgs art. 3 and 4a). A request or an
amendment that lists them for another task is refused; an activity approved before that was
checked (made here directly in the register, as an old approval would be) is refused the
signals, and its store is built without them."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import duckdb
import numpy as np
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from meedoen.accounts.roles import Role
from meedoen.activities.enforcement import (
    ActivityNotApproved,
    activity_authorize,
    activity_authorize_operational,
    activity_store_open,
    retention_run,
)
from meedoen.activities.models import (
    PURPOSE_BOUND,
    ActivityVersion,
    Kind,
    ProcessingActivity,
    Status,
    Task,
)
from meedoen.activities.selectors import (
    CHECKLIST,
    activity_checklist,
    activity_current,
    checklist_keys,
)
from meedoen.activities.services import (
    Actor,
    activity_amend,
    activity_approve,
    activity_request,
)
from meedoen.audits.trace import TraceContext
from meedoen_data.activity_store import activity_key_create, store_path, store_prepare
from meedoen_data.bsn import bsn_from_index
from meedoen_data.contract import TABLES
from meedoen_data.intake import ingest_directory
from meedoen_data.workspace import Workspace, workspace_init

pytestmark = pytest.mark.django_db
PERSONS = 30
SIGNALS = 8

REQUEST = {
    "name": "Vroegsignalen en schuldhulp",
    "purpose": "Welke signalen gaan vooraf aan schuldhulp",
    "legal_basis": "Wgs art. 3 en 4a",
    "retention_days": 30,
    "data_categories": "Signalen, schuldhulp",
    "recipients": "Analisten",
    "dpia_reference": "DPIA-9",
}


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    """Messages in English: the tests match them (the pages are Dutch by default)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def _csv(path: Path, table: str, rows: list[dict[str, str]]) -> None:
    header = TABLES[table]
    lines = [",".join(header)] + [",".join(row.get(c, "") for c in header) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def home(tmp_path: Path, settings) -> Path:  # type: ignore[no-untyped-def]
    """A workspace with persons (brp) and early-warning signals (signalen) for some of them."""
    home = tmp_path / "home"
    settings.MEEDOEN_HOME = home
    settings.WORKSPACE = workspace_init(home=home).workspace
    bsns = [f"{b:09d}" for b in bsn_from_index(np.arange(PERSONS, dtype=np.int64))]
    delivery = tmp_path / "delivery"
    delivery.mkdir()
    _csv(
        delivery / "ingeschrevenpersoon.csv",
        "ingeschrevenpersoon",
        [
            {
                "burgerservicenummer": bsn,
                "geslachtsnaam": "Jansen",
                "voornamen": "Anna",
                "datumgeboorte": f"1980-05-0{i % 9 + 1}",
                "geslachtsaanduiding": "V",
                "aanduidingnaamgebruik": "E",
                "geboorteland": "Nederland",
            }
            for i, bsn in enumerate(bsns)
        ],
    )
    _csv(
        delivery / "vroegsignaal.csv",
        "vroegsignaal",
        [
            {
                "signaalid": f"S{i}",
                "signaalpartner": "ENERGIE",
                "burgerservicenummer": bsn,
                "bedrag": "250",
                "ontstaansdatum": "2024-01-15",
                "signaaldatum": "2024-03-01",
            }
            for i, bsn in enumerate(bsns[:SIGNALS])
        ],
    )
    report = ingest_directory(home=home, directory=delivery, user="test")
    assert {f.status for f in report.files} == {"loaded"}, report.files
    return home


@pytest.fixture
def analyst(make_user) -> Actor:  # type: ignore[no-untyped-def]
    user = make_user(Role.ANALYST)
    return Actor(user.username, user)


@pytest.fixture
def officer(make_user) -> Actor:  # type: ignore[no-untyped-def]
    user = make_user(Role.PRIVACY_OFFICER)
    return Actor(user.username, user)


def _refusal(exc: pytest.ExceptionInfo[ValidationError]) -> tuple[str, str]:
    (error,) = exc.value.error_list
    return str(error.code), " ".join(exc.value.messages)


def old_approval(
    *, sources: list[str], kind: str = Kind.ANALYSE, roles: tuple[str, ...] = ()
) -> int:
    """An activity approved before purpose binding was checked: written into the register
    directly (no task: the database default), as the approval of then left it."""
    activity = ProcessingActivity.objects.create()
    common = {
        "activity": activity,
        "name": "Jeugdbeleid per wijk",
        "kind": kind,
        "purpose": "Jeugdhulp en betalingsproblemen per wijk",
        "legal_basis": "Jeugdwet art. 7.4.4",
        "sources": sources,
        "roles": list(roles),
        "retention_days": 30,
        "data_categories": "Huishoudens",
        "recipients": "Analisten",
        "dpia_reference": "DPIA-1",
        "acted_by": "then",
    }
    ActivityVersion.objects.create(number=1, status=Status.REQUESTED, **common)
    ActivityVersion.objects.create(
        number=2,
        status=Status.APPROVED,
        valid_until=timezone.localdate() + timedelta(days=30),
        motivation="akkoord (voor doelbinding)",
        **common,
    )
    activity_key_create(home=settings.MEEDOEN_HOME, activity_id=activity.pk)
    return activity.pk


def _store_tables(activity_id: int) -> set[str]:
    path = store_path(Workspace(settings.MEEDOEN_HOME), activity_id)
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            "SELECT schema_name || '.' || table_name FROM duckdb_tables() "
            "WHERE schema_name <> 'meta'"
        ).fetchall()
    finally:
        con.close()
    return {str(r[0]) for r in rows}


def test_the_signals_are_bound_to_debt_help() -> None:
    assert PURPOSE_BOUND == {"signalen": "schuldhulpverlening"}
    assert Task.SCHULDHULP == "schuldhulpverlening" and Task.NONE == ""


@pytest.mark.parametrize("kind", [Kind.ANALYSE, Kind.UITVOERING])
@pytest.mark.parametrize("task", ["", None])
def test_a_request_for_the_signals_without_the_debt_help_task_is_refused(
    analyst, kind: str, task: str | None
) -> None:
    roles = ["debt_worker"] if kind == Kind.UITVOERING else []
    given = {} if task is None else {"task": task}  # left out: the default, no task
    with pytest.raises(ValidationError) as refused:
        activity_request(
            actor=analyst, sources=["brp", "signalen"], kind=kind, roles=roles, **REQUEST, **given
        )
    code, message = _refusal(refused)
    assert code == "purpose_bound"
    assert "signalen" in message and "debt help (Wgs, art. 3 and 4a)" in message
    assert "schuldhulpverlening" in message  # the task that would allow it
    assert not ProcessingActivity.objects.exists()


def test_an_unknown_task_is_refused(analyst) -> None:
    with pytest.raises(ValidationError) as refused:
        activity_request(actor=analyst, sources=["brp"], task="jeugdbeleid", **REQUEST)
    assert _refusal(refused)[0] == "unknown_task"


def test_an_amendment_that_adds_the_signals_needs_the_debt_help_task(analyst) -> None:
    activity = activity_request(actor=analyst, sources=["brp", "schulden"], **REQUEST)
    with pytest.raises(ValidationError) as refused:
        activity_amend(
            activity_id=activity.pk,
            actor=analyst,
            sources=["brp", "schulden", "signalen"],
            note="signalen erbij",
            **REQUEST,
        )
    assert _refusal(refused)[0] == "purpose_bound"
    assert activity_current(activity_id=activity.pk).number == 1  # nothing was added
    amended = activity_amend(
        activity_id=activity.pk,
        actor=analyst,
        sources=["brp", "schulden", "signalen"],
        task="schuldhulpverlening",
        note="signalen erbij, voor schuldhulp",
        **REQUEST,
    )
    assert amended.task == "schuldhulpverlening" and amended.number == 2
    # Dropping the task again while keeping the signals is refused too.
    with pytest.raises(ValidationError) as again:
        activity_amend(
            activity_id=activity.pk,
            actor=analyst,
            sources=["brp", "schulden", "signalen"],
            task="",
            **REQUEST,
        )
    assert _refusal(again)[0] == "purpose_bound"


@pytest.mark.parametrize("kind", [Kind.ANALYSE, Kind.UITVOERING])
def test_a_debt_help_activity_may_use_the_signals_after_its_checklist(
    home, analyst, officer, kind: str
) -> None:
    roles = ["debt_worker"] if kind == Kind.UITVOERING else []
    activity = activity_request(
        actor=analyst,
        sources=["brp", "signalen", "schulden"],
        task=Task.SCHULDHULP,
        kind=kind,
        roles=roles,
        **REQUEST,
    )
    state = activity_current(activity_id=activity.pk)
    assert state.task == "schuldhulpverlening" and state.withheld == []
    # The privacy officer's checklist has a point for the purpose binding, stated and complete.
    assert "purpose_binding" in checklist_keys(state)
    (point,) = [i for i in activity_checklist(state=state) if i.key == "purpose_binding"]
    assert point.complete and "Debt help (Wgs)" in point.value and "signalen" in point.value
    activity_approve(activity_id=activity.pk, actor=officer, motivation="Wgs", version=1)
    if kind == Kind.ANALYSE:
        authorized = activity_authorize(activity_id=activity.pk, sources=["brp", "signalen"])
    else:
        authorized = activity_authorize_operational(
            activity_id=activity.pk, role="debt_worker", sources=["signalen"]
        )
    assert "signalen" in authorized.sources


def test_an_activity_without_a_purpose_bound_source_has_no_such_point(analyst) -> None:
    activity = activity_request(actor=analyst, sources=["brp", "jeugd"], **REQUEST)
    state = activity_current(activity_id=activity.pk)
    assert "purpose_binding" not in checklist_keys(state)


def test_an_old_approval_for_another_task_is_refused_the_signals(home) -> None:
    analysis = old_approval(sources=["brp", "jeugd", "signalen"])
    with pytest.raises(ActivityNotApproved, match="may not use signalen") as refused:
        activity_authorize(activity_id=analysis, sources=["brp", "signalen"])
    assert "debt help (Wgs, art. 3 and 4a)" in str(refused.value)
    # Its other sources stay usable; the state handed out no longer lists the signals, nor
    # their columns.
    state = activity_authorize(activity_id=analysis, sources=["brp", "jeugd"])
    assert state.sources == ["brp", "jeugd"]
    assert not [c for c in state.columns if c.startswith("vroegsignaal.")]
    # The same for an operational activity: no signals shown to its roles.
    operational = old_approval(
        sources=["brp", "signalen"], kind=Kind.UITVOERING, roles=("debt_worker",)
    )
    with pytest.raises(ActivityNotApproved, match="may not use signalen"):
        activity_authorize_operational(
            activity_id=operational, role="debt_worker", sources=["signalen"]
        )
    shown = activity_authorize_operational(activity_id=operational, role="debt_worker")
    assert shown.sources == ["brp"]


def test_the_store_of_an_old_approval_for_another_task_holds_no_signals(
    home, analyst, officer
) -> None:
    wrong = old_approval(sources=["brp", "signalen"])
    activity_store_open(activity_id=wrong, actor=analyst, trace=TraceContext.start(), channel="cli")
    tables = _store_tables(wrong)
    assert "source.ingeschrevenpersoon" in tables and "source.vroegsignaal" not in tables
    # A debt-help analysis over the same sources does get them.
    debt = activity_request(
        actor=analyst, sources=["brp", "signalen"], task=Task.SCHULDHULP, **REQUEST
    ).pk
    activity_approve(activity_id=debt, actor=officer, motivation="Wgs", version=1)
    activity_store_open(activity_id=debt, actor=analyst, trace=TraceContext.start(), channel="cli")
    assert "source.vroegsignaal" in _store_tables(debt)


@pytest.mark.parametrize("rebuild", ["open", "retention"])
def test_a_store_built_before_purpose_binding_is_refused_until_rebuilt_without_the_signals(
    home, analyst, rebuild: str
) -> None:
    wrong = old_approval(sources=["brp", "signalen"])
    # The store as it was built before purpose binding was checked: with the signals, and
    # with something derived from them.
    store_prepare(home=home, activity_id=wrong, sources=["brp", "signalen"])
    path = store_path(Workspace(home), wrong)
    con = duckdb.connect(str(path))
    try:
        con.execute("CREATE SCHEMA household")
        con.execute("CREATE TABLE household.signals AS SELECT * FROM source.vroegsignaal")
    finally:
        con.close()
    with pytest.raises(ActivityNotApproved, match="still hold signalen"):
        activity_authorize(activity_id=wrong, sources=["brp"])
    if rebuild == "open":
        activity_store_open(
            activity_id=wrong, actor=analyst, trace=TraceContext.start(), channel="cli"
        )
    else:
        assert retention_run(trace=TraceContext.start()) == []  # rebuilt, nothing deleted
    tables = _store_tables(wrong)
    assert "source.vroegsignaal" not in tables and "household.signals" not in tables
    assert "source.ingeschrevenpersoon" in tables
    assert activity_authorize(activity_id=wrong, sources=["brp"]).sources == ["brp"]


# -- The pages and the API -----------------------------------------------------------------------

FORM = {
    "name": "Vroegsignalen en schuldhulp",
    "purpose": "Welke signalen gaan vooraf aan schuldhulp",
    "legal_basis": "Wgs art. 3 en 4a",
    "sources": ["brp", "signalen"],
    "retention_days": "30",
    "data_categories": "Signalen",
    "recipients": "Analisten",
    "dpia_reference": "DPIA-9",
}


def test_the_request_form_asks_for_the_task(client: Client, analyst) -> None:
    client.force_login(analyst.user)
    page = client.get("/verwerkingen/aanvragen/").content.decode()
    assert '<select name="task"' in page and '<option value="schuldhulpverlening"' in page
    refused = client.post("/verwerkingen/aanvragen/", FORM)  # the signals, no task
    assert refused.status_code == 200
    assert "signalen" in refused.context["form"].errors["task"][0]
    assert not ProcessingActivity.objects.exists()
    made = client.post("/verwerkingen/aanvragen/", {**FORM, "task": "schuldhulpverlening"})
    assert made.status_code == 302
    (activity,) = ProcessingActivity.objects.all()
    assert activity_current(activity_id=activity.pk).task == "schuldhulpverlening"


def test_the_decision_page_shows_the_task_and_asks_for_the_purpose_binding(
    client: Client, analyst, officer
) -> None:
    activity_id = activity_request(
        actor=analyst, sources=["brp", "signalen"], task=Task.SCHULDHULP, **REQUEST
    ).pk
    client.force_login(officer.user)
    url = f"/verwerkingen/{activity_id}/"
    page = client.get(url)
    shown = dict(page.context["fields"])
    labels = {"statutory task", "wettelijke taak"}  # until the .po translates it
    (task,) = [value for label, value in shown.items() if label in labels]
    assert task in {"Debt help (Wgs)", "Schuldhulpverlening (Wgs)"}  # in words, not the code
    html = page.content.decode()
    assert 'value="purpose_binding"' in html and 'id="purpose-binding"' in html
    decision = {"decision": "approve", "motivation": "Wgs", "version": 1}
    unticked = client.post(url, {**decision, "checked": CHECKLIST})
    assert unticked.status_code == 200  # the purpose binding was not ticked
    assert activity_current(activity_id=activity_id).status == Status.REQUESTED
    ticked = client.post(url, {**decision, "checked": [*CHECKLIST, "purpose_binding"]})
    assert ticked.status_code == 302
    assert activity_current(activity_id=activity_id).status == Status.APPROVED


def test_the_page_of_an_old_approval_says_the_signals_are_withheld(client: Client, officer) -> None:
    activity_id = old_approval(sources=["brp", "signalen"])
    client.force_login(officer.user)
    html = client.get(f"/verwerkingen/{activity_id}/").content.decode()
    assert 'id="withheld"' in html


def test_the_api_reads_and_writes_the_task(client: Client, analyst) -> None:
    client.force_login(analyst.user)
    body = {**REQUEST, "sources": ["brp", "signalen"]}
    refused = client.post("/api/v1/activities/", json.dumps(body), content_type="application/json")
    assert refused.status_code == 400 and "signalen" in refused.json()["non_field_errors"][0]
    made = client.post(
        "/api/v1/activities/",
        json.dumps({**body, "task": "schuldhulpverlening"}),
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["current"]["task"] == "schuldhulpverlening"
