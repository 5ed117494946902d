"""The household pages (/huishoudens/) and the analyst's SQL page (/sql/), through the Django
test client, in the default language (Dutch).

A build started from a page runs in a background thread in the web app; here it runs in the
request itself (``build_start_background`` is replaced), so no thread races the test database."""

from __future__ import annotations

import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.test import Client

from meedoen.accounts.roles import Role
from meedoen.activities.services import Actor, activity_approve, activity_request
from meedoen.audits.models import AccessRecord, ProcessingRecord
from meedoen.households import views
from meedoen.households.models import BuildRun, RunStatus
from meedoen.households.services import build_execute
from meedoen.web.labels import label
from meedoen_data.categories import HOUSEHOLD_DETAIL
from meedoen_data.intake import ingest_directory
from meedoen_data.synth import synth_municipality
from meedoen_data.workspace import workspace_init

pytestmark = pytest.mark.django_db

ANALYSTS = [Role.ANALYST]  # administrators administer; they do not analyse
OTHERS = [role for role in Role if role not in ANALYSTS]
PEILDATUM = date(2025, 1, 1)
URLS = ["/huishoudens/", "/huishoudens/{run}/", "/huishoudens/{run}/status/", "/sql/"]


# -- Fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic municipality loaded through the intake gate, once for this module;
    each test that needs it works on its own copy."""
    root = tmp_path_factory.mktemp("households-web")
    home = root / "home"
    workspace_init(home=home)
    synth_municipality(gemeente="GM0784", out=root / "sources", persons=1500)
    report = ingest_directory(home=home, directory=root / "sources", user="test")
    assert {f.status for f in report.files} == {"loaded"}, report.files
    return home


@pytest.fixture
def home(ingested: Path, tmp_path: Path, settings) -> Path:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    shutil.copytree(ingested, home)
    settings.MEEDOEN_HOME = home
    settings.WORKSPACE = workspace_init(home=home).workspace
    return home


@pytest.fixture
def empty_home(tmp_path: Path, settings) -> Path:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    settings.MEEDOEN_HOME = home
    settings.WORKSPACE = workspace_init(home=home).workspace
    return home


@pytest.fixture
def analyst(make_user):  # type: ignore[no-untyped-def]
    return make_user(Role.ANALYST)


@pytest.fixture
def officer(make_user):  # type: ignore[no-untyped-def]
    return make_user(Role.PRIVACY_OFFICER)


@pytest.fixture
def synchronous(monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    """Run a started build at once, in the request, instead of in a thread; record its id."""
    started: list[int] = []

    def run_now(*, run_id, actor, trace, client):  # type: ignore[no-untyped-def]
        started.append(run_id)
        build_execute(run_id=run_id, actor=actor, trace=trace, client=client)

    monkeypatch.setattr(views, "build_start_background", run_now)
    return started


#: The audit records of requesting and approving an activity (not reads of data).
GOVERNANCE = ("activity.request", "activity.approve")


def requested(analyst, *, sources: list[str], name: str = "Huishoudens") -> int:  # type: ignore[no-untyped-def]
    return activity_request(
        actor=Actor(analyst.username, analyst),
        name=name,
        purpose="Stapeling van voorzieningen per huishouden",
        legal_basis="Participatiewet art. 7",
        sources=sources,
        retention_days=30,
        data_categories="Huishoudens (BRP)",
        recipients="Analisten",
        dpia_reference="DPIA-1",
        # A household build needs months of moves, relations and births.
        fine_columns=list(HOUSEHOLD_DETAIL) if "brp" in sources else [],
        fine_reason="huishoudens op een peildatum",
    ).pk


def approved(analyst, officer, *, sources: list[str], name: str = "Huishoudens") -> int:  # type: ignore[no-untyped-def]
    activity_id = requested(analyst, sources=sources, name=name)
    activity_approve(
        activity_id=activity_id,
        actor=Actor(officer.username, officer),
        motivation="akkoord",
        version=1,
    )
    return activity_id


def queued_run(activity_id: int = 1, **fields: object) -> BuildRun:
    values: dict[str, object] = {
        "activity_id": activity_id,
        "peildatum": PEILDATUM,
        "engine": "duckdb",
        "requested_by": "analyst",
        "channel": "web",
        "trace_id": "0" * 32,
        **fields,
    }
    return BuildRun.objects.create(**values)


def text(response) -> str:  # type: ignore[no-untyped-def]
    """The page's text without tags or repeated white space."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# -- Roles --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", OTHERS)
def test_other_roles_are_refused(client: Client, make_user, empty_home, role) -> None:
    run = queued_run()
    client.force_login(make_user(role))
    for url in URLS:
        assert client.get(url.format(run=run.pk)).status_code == 403, url
    assert client.post("/huishoudens/", {"activity": 1}).status_code == 403
    assert client.post("/sql/", {"activity": 1, "sql": "SELECT 1"}).status_code == 403
    assert BuildRun.objects.count() == 1
    assert not AccessRecord.objects.exists()


def test_anonymous_is_sent_to_the_login_page(client: Client, empty_home) -> None:
    response = client.get("/sql/")
    assert response.status_code == 302
    assert "/inloggen/" in response["Location"]


@pytest.mark.parametrize("role", ANALYSTS)
def test_analysts_open_the_pages(client: Client, make_user, empty_home, role) -> None:
    run = queued_run()
    client.force_login(make_user(role))
    for url in URLS:
        assert client.get(url.format(run=run.pk)).status_code == 200, url
    assert client.get("/huishoudens/999/").status_code == 404
    assert client.get("/huishoudens/999/status/").status_code == 404


@pytest.mark.parametrize("role", ANALYSTS)
def test_the_start_page_links_to_both_pages(client: Client, make_user, empty_home, role) -> None:
    client.force_login(make_user(role))
    html = client.get("/").content.decode()
    assert 'href="/huishoudens/"' in html
    assert 'href="/sql/"' in html


# -- Starting a build ---------------------------------------------------------------------------


def test_the_form_offers_only_approved_activities_that_cover_the_brp(
    client: Client, empty_home, analyst, officer
) -> None:
    with_brp = approved(analyst, officer, sources=["brp", "jeugd"], name="Met BRP")
    approved(analyst, officer, sources=["jeugd"], name="Zonder BRP")
    requested(analyst, sources=["brp"], name="Nog niet goedgekeurd")
    client.force_login(analyst)
    response = client.get("/huishoudens/")
    assert response.status_code == 200
    assert response.context["activities"] == [(with_brp, f"{with_brp}. Met BRP")]
    html = response.content.decode()
    assert "<title>Huishoudens afleiden · meedoen</title>" in html
    assert f'<option value="{with_brp}" selected>{with_brp}. Met BRP</option>' in html
    assert "Zonder BRP" not in html and "Nog niet goedgekeurd" not in html
    assert f'value="{date.today().year}-01-01"' in html  # as CBS counts: no day of death needed


def test_no_approved_activity_says_how_to_get_one(client: Client, empty_home, analyst) -> None:
    client.force_login(analyst)
    html = client.get("/huishoudens/").content.decode()
    assert "Er is nog geen goedgekeurde verwerking die de BRP" in html
    assert 'href="/verwerkingen/aanvragen/"' in html


def test_a_non_approved_activity_is_refused_with_the_reason(
    client: Client, empty_home, analyst, synchronous
) -> None:
    activity_id = requested(analyst, sources=["brp"])
    client.force_login(analyst)
    response = client.post(
        "/huishoudens/",
        {"activity": activity_id, "peildatum": "2025-01-01", "engine": "duckdb"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["activity"] == [
        re.sub(r"\s+", " ", response.context["form"].errors["activity"][0])
    ]
    assert "is requested, not approved" in response.context["form"].errors["activity"][0]
    page = text(response)
    assert "Verbeter het volgende" in page and "is requested, not approved" in page
    assert response.content.decode().count("<title>Fout:") == 1
    assert BuildRun.objects.count() == 0 and synchronous == []


def test_an_activity_without_the_brp_is_refused(
    client: Client, empty_home, analyst, officer, synchronous
) -> None:
    activity_id = approved(analyst, officer, sources=["jeugd"])
    client.force_login(analyst)
    response = client.post(
        "/huishoudens/", {"activity": activity_id, "peildatum": "2025-01-01", "engine": "duckdb"}
    )
    assert "is not approved for brp" in response.context["form"].errors["activity"][0]
    assert BuildRun.objects.count() == 0 and synchronous == []


def test_a_peildatum_off_1_january_needs_the_day_of_death(
    client: Client, empty_home, analyst, officer, synchronous
) -> None:
    """The store holds the year of death by default: it tells who was alive on 1 January only."""
    activity_id = approved(analyst, officer, sources=["brp"])
    client.force_login(analyst)
    response = client.post(
        "/huishoudens/", {"activity": activity_id, "peildatum": "2024-07-01", "engine": "duckdb"}
    )
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1 and "ingeschrevenpersoon.datumoverlijden" in errors[0]
    assert "andere peildatum dan 1 januari" in errors[0]
    assert BuildRun.objects.count() == 0 and synchronous == []


def test_a_future_reference_date_and_missing_fields_are_form_errors(
    client: Client, empty_home, analyst, officer, synchronous
) -> None:
    activity_id = approved(analyst, officer, sources=["brp"])
    client.force_login(analyst)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    response = client.post(
        "/huishoudens/", {"activity": activity_id, "peildatum": tomorrow, "engine": "duckdb"}
    )
    assert "ligt in de toekomst" in response.context["form"].errors["peildatum"][0]
    response = client.post("/huishoudens/", {})
    assert set(response.context["form"].errors) == {"activity", "peildatum", "engine"}
    assert 'aria-invalid="true"' in response.content.decode()
    assert BuildRun.objects.count() == 0 and synchronous == []


def test_a_second_build_waits_for_the_first(
    client: Client, empty_home, analyst, officer, synchronous
) -> None:
    activity_id = approved(analyst, officer, sources=["brp"])
    busy = queued_run(activity_id, status=RunStatus.RUNNING)
    client.force_login(analyst)
    response = client.post(
        "/huishoudens/", {"activity": activity_id, "peildatum": "2025-01-01", "engine": "duckdb"}
    )
    assert response.status_code == 200
    assert f"huishoudbouw {busy.pk} voor verwerking {activity_id} is nog bezig" in text(response)
    assert BuildRun.objects.count() == 1 and synchronous == []


def test_analyst_builds_households_and_sees_the_summary(
    client: Client, home, analyst, officer, synchronous
) -> None:
    activity_id = approved(analyst, officer, sources=["brp", "jeugd", "wmo", "participatie"])
    client.force_login(analyst)
    response = client.post(
        "/huishoudens/",
        {"activity": activity_id, "peildatum": "2025-01-01", "engine": "duckdb"},
        HTTP_TRACEPARENT="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    )
    assert response.status_code == 302, text(response)
    run = BuildRun.objects.get()
    assert response["Location"] == f"/huishoudens/{run.pk}/"
    assert synchronous == [run.pk]
    assert (run.status, run.channel, run.requested_by) == ("done", "web", "analyst")
    assert run.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"

    response = client.get(response["Location"])
    assert response.status_code == 200
    html, page = response.content.decode(), text(response)
    assert f"<title>Huishoudbouw {run.pk} · meedoen</title>" in html
    assert "Status: klaar" in page
    assert "run-progress.js" not in html and "<progress" not in html
    summary = run.summary
    assert summary["households"] > 0 and summary["persons"] >= summary["households"]
    assert "Huishoudens per type" in page
    for kind, count in summary["by_type"].items():  # by their label, not the code
        shown = re.escape(label("household_type", kind))
        assert re.search(rf"{shown}\s*</th>\s*<td[^>]*>{count:,}".replace(",", "."), html), kind
        assert f">{kind}<" not in html
    assert "Stapeling van Jeugdwet, Wmo en Participatiewet" in page
    combination, households, debt = summary["stacking"][0]
    assert debt is None  # the activity does not cover schulden: unknown, not zero
    assert re.search(
        rf"{re.escape(combination)}\s*</th>\s*<td[^>]*>{households:,}\s*</td>\s*<td[^>]*>"
        r'<abbr title="[^"]+">\u2013</abbr>'.replace(",", "."),
        html,
    )
    assert "Niet gedekt door de verwerking" in page
    assert "schuldhulptraject" in summary["not_covered"]
    assert "<code>schuldhulptraject</code>" in html
    assert f'href="/sql/?activity={activity_id}&amp;sql=SELECT' in html

    # The build is logged, per person placed in a household, in the caller's trace.
    assert (
        ProcessingRecord.objects.filter(
            name="household.build", trace_id="4bf92f3577b34da6a3ce929d0e0e4736"
        ).count()
        == summary["persons"]
    )
    access = AccessRecord.objects.filter(operation="household.build").get()
    assert (access.user_name, access.channel) == ("analyst", "web")

    status = client.get(f"/huishoudens/{run.pk}/status/").json()
    assert status["finished"] is True and status["status"] == "done"
    assert status["percent"] == 100 and status["status_label"] == "klaar"

    # The builds so far are listed on the form page.
    listed = text(client.get("/huishoudens/"))
    assert f"Bouw {run.pk}" in listed and "klaar" in listed


def test_the_run_page_follows_a_running_build(client: Client, empty_home, analyst) -> None:
    run = queued_run(status=RunStatus.RUNNING, step="household_person", step_number=3, step_total=8)
    client.force_login(analyst)
    response = client.get(f"/huishoudens/{run.pk}/")
    html, page = response.content.decode(), text(response)
    assert "http-equiv" not in html  # no meta refresh (WCAG 2.2.1)
    assert 'role="status"' in html and 'aria-live="polite"' in html
    assert f'data-status-url="/huishoudens/{run.pk}/status/"' in html
    assert '<script src="/static/meedoen/js/run-progress.js" defer></script>' in html
    assert re.search(r'<label class="utrecht-form-label" for="run-progress-bar">', html)
    assert '<progress id="run-progress-bar" max="100" value="38">' in html
    assert "Status: bezig" in page and "Stap 3 van 8: Personen per huishouden" in page
    assert "38% klaar" in page
    assert f'href="/huishoudens/{run.pk}/">Vernieuwen</a>' in html

    response = client.get(f"/huishoudens/{run.pk}/status/")
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "id": run.pk,
        "status": "running",
        "status_label": "bezig",
        "step": "Stap 3 van 8: Personen per huishouden",
        "percent": 38,
        "percent_label": "38% klaar",
        "finished": False,
        "message": "",
    }


def test_a_queued_build_and_a_failed_one(client: Client, empty_home, analyst) -> None:
    client.force_login(analyst)
    queued = queued_run()
    status = client.get(f"/huishoudens/{queued.pk}/status/").json()
    assert (status["status"], status["status_label"], status["finished"]) == (
        "queued",
        "wacht op start",
        False,
    )
    failed = queued_run(status=RunStatus.FAILED, message="activity 1 has no store yet")
    response = client.get(f"/huishoudens/{failed.pk}/")
    html, page = response.content.decode(), text(response)
    assert 'role="alert"' in html
    assert "De bouw is mislukt" in page and "activity 1 has no store yet" in page
    assert "<progress" not in html and "run-progress.js" not in html
    assert client.get(f"/huishoudens/{failed.pk}/status/").json()["finished"] is True


# -- The SQL page -------------------------------------------------------------------------------


def test_the_sql_page_preselects_the_activity_from_the_address(
    client: Client, empty_home, analyst, officer
) -> None:
    first = approved(analyst, officer, sources=["brp"], name="Eerste")
    second = approved(analyst, officer, sources=["jeugd"], name="Tweede")
    requested(analyst, sources=["wmo"], name="Aangevraagd")
    client.force_login(analyst)
    response = client.get(f"/sql/?activity={second}&sql=SELECT+1")
    html = response.content.decode()
    assert [c for c, _ in response.context["activities"]] == [first, second]
    assert f'<option value="{second}" selected>{second}. Tweede</option>' in html
    assert "Aangevraagd" not in html
    assert re.search(r">\s*SELECT 1</textarea>", html)
    assert "<code>source</code>" in html and "<code>household</code>" in html
    # Nothing is read before the query is run (the requests and approvals are logged).
    assert not AccessRecord.objects.exclude(operation__in=GOVERNANCE).exists()


def test_sql_page_runs_a_select_and_logs_it(client: Client, home, analyst, officer) -> None:
    activity_id = approved(analyst, officer, sources=["brp"])
    client.force_login(analyst)
    query = (
        "SELECT geslachtsaanduiding, count(*) AS persons FROM source.ingeschrevenpersoon "
        "GROUP BY ALL ORDER BY 1"
    )
    response = client.post("/sql/", {"activity": activity_id, "sql": query})
    assert response.status_code == 200
    html, page = response.content.decode(), text(response)
    result = response.context["result"]
    assert result.columns == ["geslachtsaanduiding", "persons"] and result.rows
    assert '<th scope="col" class="utrecht-table__header-cell">persons</th>' in html
    assert f"{len(result.rows)} rijen" in page
    assert query in html.replace("&#x27;", "'")  # the query stays in the form
    logged = AccessRecord.objects.filter(operation="activity.sql").get()
    assert (logged.user_name, logged.channel) == ("analyst", "web")
    assert ProcessingRecord.objects.filter(name="activity.sql", detail=query[:200]).exists()

    # Every person of the table read is logged one by one (not only the 200 rows shown:
    # tests/security/test_sql_audit_escape.py); more than 200 rows are cut off.
    response = client.post(
        "/sql/",
        {"activity": activity_id, "sql": "SELECT person_pseudonym FROM source.ingeschrevenpersoon"},
    )
    result = response.context["result"]
    assert len(result.rows) == 200 and result.truncated
    page = text(response)
    assert "De eerste 200 rijen van het resultaat" in page
    assert "meer dan 200 rijen" in page
    assert (
        ProcessingRecord.objects.filter(name="activity.sql")
        .exclude(detail=query[:200])
        .values("data_subject_id")
        .distinct()
        .count()
        == len(result.subjects)
        > 200
    )


@pytest.mark.parametrize(
    ("query", "refusal"),
    [
        (
            "DELETE FROM source.ingeschrevenpersoon",
            "Alleen een SELECT is hier toegestaan, geen DELETE: de tabellen van de verwerking "
            "zijn alleen te lezen.",
        ),
        ("CREATE TABLE source.x AS SELECT 1", "Alleen een SELECT is hier toegestaan, geen CREATE"),
        ("SELECT 1; SELECT 2", "Geef precies één SQL-opdracht; dit zijn er 2."),
        (
            "SELEKT 1",
            "De query is geen geldige SQL: de fout zit bij of vlak voor \u2018SELEKT\u2019. "
            "(Regel 1, positie 1.)",
        ),
        (
            "SELECT huishoudtype\nFROM source.ingeschrevenpersoon",
            "De kolom huishoudtype bestaat niet in de tabellen van de query; SELECT * FROM "
            "duckdb_columns() toont de kolommen van elke tabel. (Regel 1, positie 8.)",
        ),
        (
            "SELECT count(*) FROM source.bestaat_niet",
            "De tabel bestaat_niet bestaat niet in deze verwerking. De tabellen staan in de "
            "schema's source, household en link, bijvoorbeeld source.ingeschrevenpersoon; "
            "SELECT * FROM duckdb_tables() toont ze allemaal. (Regel 1, positie 22.)",
        ),
    ],
)
def test_sql_page_refuses_writes_with_the_reason_and_logs_the_attempt(
    client: Client, home, analyst, officer, query, refusal
) -> None:
    activity_id = approved(analyst, officer, sources=["brp"])
    client.force_login(analyst)
    response = client.post("/sql/", {"activity": activity_id, "sql": query})
    assert response.status_code == 200
    form = response.context["form"]
    assert refusal in form.errors["sql"][0]  # in Dutch, with the place in the query
    assert "Error" not in form.errors["sql"][0]  # not DuckDB's English
    assert response.context["result"] is None
    html = response.content.decode()
    assert "<title>Fout:" in html and 'role="alert"' in html
    assert 'href="#id_sql"' in html  # the error summary links to the query
    assert query.replace("'", "&#x27;") in html  # kept in the textarea
    refused = ProcessingRecord.objects.get(name="activity.sql")
    assert (refused.status, refused.detail) == ("Unset", f"refused: {query}"[:200])


def test_sql_page_refuses_an_activity_that_is_not_approved(
    client: Client, empty_home, analyst
) -> None:
    activity_id = requested(analyst, sources=["brp"])
    client.force_login(analyst)
    response = client.post("/sql/", {"activity": activity_id, "sql": "SELECT 1"})
    assert response.status_code == 200
    assert "is requested, not approved" in response.context["form"].errors["activity"][0]
    assert "Verbeter het volgende" in text(response)
    response = client.post("/sql/", {"activity": 999, "sql": "SELECT 1"})
    assert "there is no processing activity 999" in response.context["form"].errors["activity"][0]
    assert not AccessRecord.objects.filter(operation="activity.sql").exists()


def test_sql_page_waits_while_the_activity_s_households_are_built(
    client: Client, empty_home, analyst, officer
) -> None:
    activity_id = approved(analyst, officer, sources=["brp"])
    busy = queued_run(activity_id, status=RunStatus.RUNNING)
    client.force_login(analyst)
    response = client.post("/sql/", {"activity": activity_id, "sql": "SELECT 1"})
    assert response.status_code == 200
    error = response.context["form"].errors["activity"][0]
    assert f"(bouw {busy.pk})" in error and "Er worden nu huishoudens gebouwd" in error
    assert not AccessRecord.objects.exclude(operation__in=GOVERNANCE).exists()


def test_sql_page_needs_an_activity_and_a_query(client: Client, empty_home, analyst) -> None:
    client.force_login(analyst)
    response = client.post("/sql/", {"activity": "", "sql": "  "})
    assert set(response.context["form"].errors) == {"activity", "sql"}
    assert "Er is nog geen goedgekeurde verwerking" in text(response)
