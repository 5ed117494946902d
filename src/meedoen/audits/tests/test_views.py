"""The audit log page (/logboek/), through the Django test client, in the default language
(Dutch): who may open it, the filter, the chain check, and that looking is itself logged."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from meedoen.accounts.roles import Role
from meedoen.audits import views
from meedoen.audits.chain_checks import chain_check_execute
from meedoen.audits.models import AccessRecord, ChainCheck, ChainHead, ProcessingRecord
from meedoen.audits.services import (
    INTAKE_ACTIVITY,
    activity_uri,
    audit_access,
    audit_checkpoint_write,
    audit_processing,
    checkpoint_key_ensure,
)
from meedoen.audits.trace import TraceContext

pytestmark = pytest.mark.django_db

READERS = [Role.ADMINISTRATOR, Role.PRIVACY_OFFICER]
NON_READERS = [r for r in Role if r not in READERS]
CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


@pytest.fixture
def officer(make_user):  # type: ignore[no-untyped-def]
    return make_user(Role.PRIVACY_OFFICER)


@pytest.fixture(autouse=True)
def checks_now(monkeypatch):  # type: ignore[no-untyped-def]
    """The chain check runs inside the request instead of a thread (no thread races the test
    database); the POST still answers with a redirect to the check's page."""

    def run_now(*, run_id: int, kept=()) -> None:  # type: ignore[no-untyped-def]
        chain_check_execute(run_id=run_id, kept=kept)

    monkeypatch.setattr(views, "chain_check_start_background", run_now)


def log(
    subjects: list[str],
    *,
    activity: str = activity_uri(7),
    subject_type: str = "pseudonym-activity-7",
    started: datetime | None = None,
    who: bool = True,
) -> TraceContext:
    """One action by the analyst on the command line, as the activity stores log it."""
    trace = TraceContext.start()
    if who:
        audit_access(
            trace=trace,
            user_name="analist",
            user_role="analyst",
            channel="cli",
            client="test",
            operation="activity.sql",
        )
    audit_processing(
        trace=trace,
        name="activity.sql",
        activity=activity,
        subjects=subjects,
        subject_type=subject_type,
        started=started or datetime.now(UTC),
    )
    return trace


def _without_triggers(sql: str, params: list[object]) -> None:
    """Tamper as a database owner would: switch the triggers off for one statement (as in
    test_log.py)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audits_processingrecord DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE audits_processingrecord ENABLE TRIGGER USER")
        else:
            names = ("audits_processingrecord_no_update", "audits_processingrecord_no_delete")
            for name in names:
                cursor.execute(f"DROP TRIGGER {name}")
            cursor.execute(sql, params)


def shown(response) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    page = response.context["page"]
    return [(row["position"], row["data_subject_id"]) for row in page.rows]


def accesses(operation: str) -> list[AccessRecord]:
    return list(AccessRecord.objects.filter(operation=operation))


# -- Who may open it -------------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_readers_see_the_newest_records_with_who_acted(client: Client, make_user, role) -> None:
    log(["a" * 32, "b" * 32])
    log([], activity=INTAKE_ACTIVITY, subject_type="pseudonym-brp")
    client.force_login(make_user(role))
    response = client.get("/logboek/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Logboek" in html
    assert "Logboek Dataverwerkingen" in html  # the explanation of what the log is
    assert shown(response) == [(3, ""), (2, "b" * 32), (1, "a" * 32)]
    assert "3 logregels, nieuwste eerst" in html
    # Register activities link to their page; other processing shows its URN.
    assert 'href="/verwerkingen/7/">Verwerking 7</a>' in html
    assert f"<code>{INTAKE_ACTIVITY}</code>" in html
    assert f"pseudonym-activity-7: <code>{'a' * 32}</code>" in html
    assert "geen persoon" in html
    assert "SQL-query" in html  # the operation by its label, not its code
    assert "activity.sql" not in html
    assert "analist (Analist), opdrachtregel" in html
    assert "gelukt" in html
    assert html.count("<time datetime=") == 3


def test_times_are_shown_in_local_time(client: Client, officer) -> None:
    log(["a" * 32], started=datetime(2026, 1, 15, 12, 0, 5, tzinfo=UTC))
    client.force_login(officer)
    html = client.get("/logboek/").content.decode()
    assert '<time datetime="2026-01-15T13:00:05+01:00">15 januari 2026 13:00:05</time>' in html


def test_a_record_without_access_record_says_so(client: Client, officer) -> None:
    log(["a" * 32], who=False)
    client.force_login(officer)
    assert "geen toegangsregel" in client.get("/logboek/").content.decode()


def test_empty_log(client: Client, officer) -> None:
    client.force_login(officer)
    html = client.get("/logboek/").content.decode()
    assert "Het logboek heeft nog geen regels." in html
    assert "<table" not in html


@pytest.mark.parametrize("role", NON_READERS)
def test_other_roles_are_refused_and_nothing_is_logged(client: Client, make_user, role) -> None:
    client.force_login(make_user(role))
    assert client.get("/logboek/").status_code == 403
    assert client.post("/logboek/").status_code == 403
    assert not AccessRecord.objects.exists()


def test_anonymous_is_sent_to_login(client: Client) -> None:
    for call in (client.get, client.post):
        response = call("/logboek/")
        assert response.status_code == 302
        assert response["Location"].startswith("/inloggen/")


def test_start_pages_link_to_the_log(client: Client, make_user) -> None:
    for role in READERS:
        client.force_login(make_user(role))
        html = client.get("/").content.decode()
        assert 'href="/logboek/"' in html
        assert "logboek van elke inzage" not in html.lower()  # no longer "coming"
    client.force_login(make_user(Role.ANALYST))
    assert 'href="/logboek/"' not in client.get("/").content.decode()


# -- The filter ------------------------------------------------------------------------------


def test_filter_by_data_subject(client: Client, officer) -> None:
    log(["a" * 32, "b" * 32])
    log(["b" * 32, "c" * 32])
    client.force_login(officer)
    response = client.get("/logboek/", {"betrokkene": "b" * 32})
    assert shown(response) == [(3, "b" * 32), (2, "b" * 32)]
    html = response.content.decode()
    assert f'value="{"b" * 32}"' in html  # the form keeps the filter
    assert "2 logregels, nieuwste eerst" in html
    assert 'href="/logboek/">Alle regels tonen</a>' in html


def test_filter_by_trace(client: Client, officer) -> None:
    log(["a" * 32])
    trace = log(["b" * 32, "c" * 32])
    client.force_login(officer)
    response = client.get("/logboek/", {"trace": trace.trace_id.upper()})
    assert shown(response) == [(3, "c" * 32), (2, "b" * 32)]


def test_filter_by_processing_activity(client: Client, officer) -> None:
    log(["a" * 32], activity=activity_uri(7))
    log(["b" * 32], activity=activity_uri(8), subject_type="pseudonym-activity-8")
    log(["c" * 32], activity=INTAKE_ACTIVITY, subject_type="pseudonym-brp")
    client.force_login(officer)
    assert shown(client.get("/logboek/", {"verwerking": "8"})) == [(2, "b" * 32)]
    response = client.get("/logboek/", {"verwerking": "9"})
    assert shown(response) == []
    assert "Geen regels voldoen aan het filter." in response.content.decode()


def test_filters_combine(client: Client, officer) -> None:
    log(["a" * 32, "b" * 32], activity=activity_uri(7))
    log(["a" * 32], activity=activity_uri(8), subject_type="pseudonym-activity-8")
    client.force_login(officer)
    response = client.get("/logboek/", {"betrokkene": "a" * 32, "verwerking": "7"})
    assert shown(response) == [(1, "a" * 32)]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"trace": "xyz"}, "trace", "32 hexadecimale tekens"),
        ({"trace": "g" * 32}, "trace", "32 hexadecimale tekens"),
        ({"verwerking": "abc"}, "verwerking", "Voer een geheel getal in."),
        ({"verwerking": "0"}, "verwerking", "minstens 1"),
        ({"betrokkene": "a b"}, "betrokkene", "geen spaties"),
        ({"betrokkene": "a" * 101}, "betrokkene", "100"),
    ],
)
def test_bad_filter_input_shows_an_error_summary(client, officer, query, field, message) -> None:
    log(["a" * 32])
    client.force_login(officer)
    response = client.get("/logboek/", query)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert response.context["page"] is None
    html = response.content.decode()
    assert "<title>Fout: Logboek" in html
    assert 'role="alert" id="error-summary"' in html
    assert f'href="#id_{field}"' in html
    assert message in html
    assert f'id="id_{field}_error"' in html and 'aria-invalid="true"' in html
    assert "<table" not in html
    assert len(accesses("audit.read")) == 1  # a refused filter is still a look at the page


def test_only_the_newest_hundred_are_shown(client: Client, officer) -> None:
    log([f"{n:032x}" for n in range(105)])
    client.force_login(officer)
    response = client.get("/logboek/")
    assert [p for p, _ in shown(response)] == list(range(105, 5, -1))
    html = response.content.decode()
    assert "100 logregels, nieuwste eerst" in html
    assert "alleen de nieuwste 100" in html


# -- The chain check -------------------------------------------------------------------------


def test_chain_check_reports_intact_chains_with_their_last_hash(client: Client, officer) -> None:
    log(["a" * 32, "b" * 32, "c" * 32])
    audit_checkpoint_write()
    client.force_login(officer)
    started = client.post("/logboek/")
    check = ChainCheck.objects.get()
    assert started.status_code == 302 and started["Location"] == f"/logboek/controle/{check.pk}/"
    response = client.get(started["Location"])
    assert response.status_code == 200
    reports = dict(response.context["reports"])
    assert set(reports) == {"logregels", "toegangsregels"}
    assert all(report["intact"] for report in reports.values())
    html = response.content.decode()
    processing = ChainHead.objects.get(chain="processing")
    assert "de keten van logregels heeft 3 regels en eindigt bij regel 3" in html
    assert f"<code>{processing.hash}</code>" in html
    # The check itself is an access record, and the chain that is checked includes it.
    # (the page view after it is the third, after the check)
    assert ChainHead.objects.get(chain="access").position == 3
    access = AccessRecord.objects.get(position=2)
    assert access.operation == "audit.verify"
    assert "de keten van toegangsregels heeft 2 regels en eindigt bij regel 2" in html
    assert f"<code>{access.hash}</code>" in html
    assert 'class="utrecht-alert utrecht-alert--ok" role="status"' in html
    assert "VERBROKEN" not in html
    assert "<strong>Intact:</strong> het logboek sluit aan op het enige controlepunt" in html
    assert 'Status: <strong data-field="status_label">klaar</strong>' in html
    assert "<progress" not in html and "run-progress.js" not in html


def test_chain_check_reports_a_broken_chain(client: Client, officer) -> None:
    log(["a" * 32, "b" * 32, "c" * 32])
    _without_triggers(
        "UPDATE audits_processingrecord SET data_subject_id = %s WHERE position = 2", ["x" * 32]
    )
    client.force_login(officer)
    response = client.post("/logboek/", follow=True)
    reports = dict(response.context["reports"])
    assert reports["logregels"]["broken_at"] == 2
    assert reports["toegangsregels"]["intact"]
    html = response.content.decode()
    assert 'class="utrecht-alert utrecht-alert--error" role="alert"' in html
    assert "<strong>VERBROKEN:</strong> de keten van logregels is verbroken bij regel 2." in html
    assert "record 2 does not match its hash" in html
    # The intact chain is reported in the same alert.
    assert "<strong>Intact:</strong> de keten van toegangsregels heeft 2 regels" in html


def test_a_check_that_runs_shows_its_progress_and_one_check_at_a_time(
    client: Client, officer, monkeypatch
) -> None:
    """While a check goes on its page follows it; a second press of the button opens the same
    check instead of reading the whole log again."""
    monkeypatch.setattr(views, "chain_check_start_background", lambda **kwargs: None)
    log(["a" * 32])
    client.force_login(officer)
    first = client.post("/logboek/")
    again = client.post("/logboek/?betrokkene=" + "a" * 32)
    check = ChainCheck.objects.get()
    assert first["Location"] == again["Location"] == f"/logboek/controle/{check.pk}/"
    ChainCheck.objects.filter(pk=check.pk).update(
        status="running", step="processing chain", step_number=10_000, step_total=52_000
    )
    html = client.get(first["Location"]).content.decode()
    assert 'Status: <strong data-field="status_label">bezig</strong>' in html
    assert "Records van de keten van verwerkingsrecords: 10.000 van 52.000 klaar" in html
    assert '<progress id="run-progress-bar" max="100" value="19">' in html
    assert '<script src="/static/meedoen/js/run-progress.js" defer></script>' in html
    status = client.get(f"/logboek/controle/{check.pk}/status/")
    assert status["Cache-Control"] == "no-store"
    assert status.json()["percent"] == 19 and not status.json()["finished"]
    assert client.get(f"/logboek/controle/{check.pk + 1}/").status_code == 404


def test_the_chain_check_needs_the_csrf_token(officer) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    assert 'name="csrfmiddlewaretoken"' in client.get("/logboek/").content.decode()
    assert client.post("/logboek/").status_code == 403
    assert not accesses("audit.verify")


# -- Looking is logged -----------------------------------------------------------------------


def test_every_view_and_check_writes_an_access_record(client: Client, make_user) -> None:
    admin = make_user(Role.ADMINISTRATOR)
    client.force_login(admin)
    client.get("/logboek/", headers={"traceparent": CALLER})
    client.get("/logboek/", {"verwerking": "7"})
    client.post("/logboek/")
    reads, checks = accesses("audit.read"), accesses("audit.verify")
    assert len(reads) == 2 and len(checks) == 1
    for record in (*reads, *checks):
        assert (record.user_name, record.user_role, record.channel, record.client) == (
            "administrator",
            "administrator",
            "web",
            "127.0.0.1",
        )
    assert reads[0].trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"  # the caller's trace
    assert len({r.trace_id for r in (*reads, *checks)}) == 3
    # Viewing writes no processing records: no person's data was processed.
    assert not ProcessingRecord.objects.exists()


# -- Checkpoints -----------------------------------------------------------------------------


def test_the_page_shows_the_newest_checkpoint_and_what_it_does_not_cover_yet(
    client: Client, officer
) -> None:
    client.force_login(officer)
    assert "Er is nog geen controlepunt." in client.get("/logboek/").content.decode()
    log(["a" * 32, "b" * 32])
    audit_checkpoint_write()
    log(["c" * 32])
    html = client.get("/logboek/").content.decode()
    assert "Nieuwste controlepunt: nummer 1, van" in html
    assert "De keten van logregels tot en met regel 2; 1 nieuwere regel staat nog niet" in html
    assert 'href="/logboek/controlepunt/" download>Controlepunt downloaden</a>' in html
    assert 'enctype="multipart/form-data"' in html and 'accept=".json,application/json"' in html


def test_the_chain_check_without_any_checkpoint_is_not_intact(client: Client, officer) -> None:
    checkpoint_key_ensure()
    log(["a" * 32])
    client.force_login(officer)
    response = client.post("/logboek/", follow=True)
    html = response.content.decode()
    assert 'class="utrecht-alert utrecht-alert--error" role="alert"' in html
    assert "<strong>CONTROLEPUNT:</strong>" in html and "holds no checkpoint of this log" in html


def test_the_officer_downloads_the_newest_signed_checkpoint_and_the_heads(
    client: Client, officer
) -> None:
    log(["a" * 32, "b" * 32])
    written = audit_checkpoint_write()
    client.force_login(officer)
    response = client.get("/logboek/controlepunt/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="meedoen-controlepunt-\d{8}-\d{6}\.json"',
        response["Content-Disposition"],
    )
    document = json.loads(response.content)
    assert document["format"] == "meedoen-audit-checkpoint-download/1"
    assert document["downloaded_by"] == "privacy_officer"
    assert document["checkpoint"] == written.checkpoint.as_json()
    assert document["key"]["fingerprint"] == written.checkpoint.key
    # The heads include the download's own access record.
    (download,) = accesses("audit.checkpoint_download")
    assert document["heads"]["access"]["position"] == download.position
    assert document["heads"]["processing"]["position"] == 2


def test_a_kept_checkpoint_shows_a_cut_off_log(client: Client, officer, tmp_path) -> None:
    log(["a" * 32, "b" * 32, "c" * 32])
    audit_checkpoint_write()
    client.force_login(officer)
    kept = client.get("/logboek/controlepunt/").content
    upload = SimpleUploadedFile("bewaard.json", kept, content_type="application/json")
    response = client.post("/logboek/", {"check": "kept", "controlepunt": upload}, follow=True)
    assert 'class="utrecht-alert utrecht-alert--ok" role="status"' in response.content.decode()
    assert "het bewaarde controlepunt bewaard.json" in response.content.decode()
    assert "en op het controlepunt dat u uploadde" in response.content.decode()
    # Cut the newest two processing records off and make the head fit (as an owner could).
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audits_processingrecord DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audits_chainhead DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audits_processingrecord_no_delete")
            cursor.execute("DROP TRIGGER audits_chainhead_forward")
        cursor.execute("DELETE FROM audits_processingrecord WHERE position > 1")
        cursor.execute(
            "UPDATE audits_chainhead SET position = 1, hash = "
            "(SELECT hash FROM audits_processingrecord WHERE position = 1) "
            "WHERE chain = 'processing'"
        )
    upload = SimpleUploadedFile("bewaard.json", kept, content_type="application/json")
    response = client.post("/logboek/", {"check": "kept", "controlepunt": upload}, follow=True)
    html = response.content.decode()
    assert 'class="utrecht-alert utrecht-alert--error" role="alert"' in html
    assert (
        "<strong>AFGEKAPT:</strong> 2 regels van de keten van logregels na regel 1 zijn "
        "verwijderd: controlepunt 1 van <time" in html
    )
    assert "zag regel 3." in html
    assert "<strong>ONBESCHERMD:</strong> de databasetrigger" in html


def test_an_upload_that_is_not_a_checkpoint_is_refused_with_an_error_summary(
    client: Client, officer
) -> None:
    client.force_login(officer)
    upload = SimpleUploadedFile("notities.json", b'{"a": 1}', content_type="application/json")
    response = client.post("/logboek/", {"check": "kept", "controlepunt": upload})
    html = response.content.decode()
    assert not ChainCheck.objects.exists() and not accesses("audit.verify")
    assert "<title>Fout:" in html
    assert 'href="#id_controlepunt"' in html
    assert "Dit is geen controlepunt van meedoen" in html
    response = client.post("/logboek/", {"check": "kept"})
    assert 'href="#id_controlepunt"' in response.content.decode()


@pytest.mark.parametrize("role", NON_READERS)
def test_other_roles_cannot_download_a_checkpoint(client: Client, make_user, role) -> None:
    client.force_login(make_user(role))
    assert client.get("/logboek/controlepunt/").status_code == 403


def test_the_page_warns_when_the_web_server_can_sign_checkpoints(
    client: Client, officer, settings, tmp_path
) -> None:
    """A single-account installation (the tests: key and witness folder in tmp_path) is told
    so; a separated one, whose web process can neither read the key nor write the folder, not."""
    checkpoint_key_ensure()
    client.force_login(officer)
    html = client.get("/logboek/").content.decode()
    assert 'id="separation"' in html
    assert (
        "Deze webserver kan de sleutel lezen waarmee de controlepunten worden ondertekend, en in "
        "de map van de controlepunten schrijven." in html
    )
    assert "Wie de webapplicatie overneemt, kan dan een controlepunt maken" in html

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    settings.AUDIT_CHECKPOINT_KEY = tmp_path / "elsewhere" / "audit-checkpoint.key"
    settings.AUDIT_WITNESS_DIR = blocked / "witness"  # under a file: cannot be made
    html = client.get("/logboek/").content.decode()
    assert 'id="separation"' not in html and "Deze webserver kan" not in html


def test_serve_says_at_start_up_when_it_can_sign_checkpoints(settings, capsys) -> None:
    from meedoen.cli.workspace import _serve_separation_note

    checkpoint_key_ensure()
    settings.ENVIRONMENT = "production"
    _serve_separation_note()
    err = capsys.readouterr().err
    assert "warning:" in err
    assert f"this process can read the checkpoint key {settings.AUDIT_CHECKPOINT_KEY}" in err
    assert "write the witness folder" in err and "separate account" in err
    settings.ENVIRONMENT = "local"
    _serve_separation_note()
    assert capsys.readouterr().err.startswith("note: this process can read")
