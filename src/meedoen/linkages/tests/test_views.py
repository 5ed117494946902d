"""The linkage pages (/koppelingen/): start a linkage of a partner file, follow it, read its
summary, and review the records it was unsure about; through the Django test client, in the
default language (Dutch).

A linkage started from a page runs in a background thread in the web app; here it runs in the
request itself (``link_start_background`` is replaced), so no thread races the test database."""

from __future__ import annotations

import csv
import json
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from meedoen.accounts.roles import Role
from meedoen.activities.enforcement import activity_store_open
from meedoen.activities.services import (
    Actor,
    activity_approve,
    activity_request,
    activity_revoke,
    reviewer_grant,
)
from meedoen.audits.models import AccessRecord, ProcessingRecord
from meedoen.audits.trace import TraceContext
from meedoen.households.models import RunStatus
from meedoen.linkages import views
from meedoen.linkages.models import LinkRun
from meedoen.linkages.services import link_execute
from meedoen_data.activity_store import activity_key_name
from meedoen_data.intake import ingest_directory
from meedoen_data.intake.pseudonyms import pseudonym
from meedoen_data.linkage import link_partner
from meedoen_data.linkage.clk import encode_file, secret_generate
from meedoen_data.synth import synth_municipality
from meedoen_data.workspace import Workspace, workspace_init

pytestmark = pytest.mark.django_db

ANALYSTS = [Role.ANALYST]
OTHERS = [role for role in Role if role not in ANALYSTS]
#: A review token's shape (22 URL-safe characters); no record has this one.
NO_TOKEN = "A" * 22
URLS = [
    "/koppelingen/",
    "/koppelingen/{run}/",
    "/koppelingen/{run}/status/",
    "/koppelingen/beoordelen/1/",
    "/koppelingen/beoordelen/1/voedselbank/" + NO_TOKEN + "/",
]
SOURCES = ["brp", "partner-voedselbank"]
#: A review band whose upper bound almost no pair reaches: nearly every record awaits review.
TIGHT_BAND = (0.1, 0.9999999999)


# -- Fixtures -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Synthetic:
    home: Path
    sources: Path


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Synthetic:
    """A small synthetic municipality (with its food bank file) loaded through the intake gate,
    once for this module; each test that needs it works on its own copy of the workspace."""
    root = tmp_path_factory.mktemp("linkages-web")
    home = root / "home"
    workspace_init(home=home)
    synth_municipality(gemeente="GM0784", out=root / "sources", persons=1500)
    report = ingest_directory(home=home, directory=root / "sources", user="test")
    assert {f.status for f in report.files} == {"loaded"}, report.files
    return Synthetic(home, root / "sources")


@pytest.fixture
def home(ingested: Synthetic, tmp_path: Path, settings) -> Path:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    shutil.copytree(ingested.home, home)
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
def partner_file(ingested: Synthetic) -> Path:
    """The generator's food bank file, in the partner-file contract."""
    return ingested.sources / "voedselbank.csv"


@pytest.fixture
def register_bsns(ingested: Synthetic) -> set[str]:
    with (ingested.sources / "ingeschrevenpersoon.csv").open(encoding="utf-8") as f:
        return {row["burgerservicenummer"] for row in csv.DictReader(f)}


@pytest.fixture
def klantnummers(partner_file: Path) -> set[str]:
    """The record numbers of the food bank file."""
    with partner_file.open(encoding="utf-8") as f:
        return {row["klantnummer"] for row in csv.DictReader(f)}


def person_ids(home: Path, activity_id: int, bsns: set[str]) -> set[str]:
    """The activity's pseudonyms of the register's persons: what the pages must never show."""
    key = Workspace(home).keys.read(activity_key_name(activity_id))
    return {pseudonym(key, bsn) for bsn in bsns}


@pytest.fixture
def analyst(make_user):  # type: ignore[no-untyped-def]
    return make_user(Role.ANALYST)


@pytest.fixture
def officer(make_user):  # type: ignore[no-untyped-def]
    return make_user(Role.PRIVACY_OFFICER)


@dataclass
class Started:
    run_id: int
    path: Path
    mode: int
    existed: bool


@pytest.fixture
def synchronous(monkeypatch) -> list[Started]:  # type: ignore[no-untyped-def]
    """Run a started linkage at once, in the request, instead of in a thread, and remove the
    upload afterwards as the thread does; record the run and where its upload was."""
    started: list[Started] = []

    def run_now(*, run_id, path, actor, trace, client, secret=None):  # type: ignore[no-untyped-def]
        started.append(Started(run_id, path, stat.S_IMODE(path.stat().st_mode), path.exists()))
        try:
            link_execute(
                run_id=run_id, path=path, actor=actor, trace=trace, client=client, secret=secret
            )
        except Exception:  # the failure is recorded on the run's row
            pass
        finally:
            path.unlink(missing_ok=True)

    monkeypatch.setattr(views, "link_start_background", run_now)
    return started


def requested(analyst, *, sources: list[str], name: str = "Voedselbank") -> int:  # type: ignore[no-untyped-def]
    return activity_request(
        actor=Actor(analyst.username, analyst),
        name=name,
        purpose="Welke huishoudens zijn klant van de voedselbank",
        legal_basis="Participatiewet art. 7",
        sources=sources,
        retention_days=30,
        data_categories="Huishoudens (BRP)",
        recipients="Analisten",
        dpia_reference="DPIA-1",
    ).pk


def approved(analyst, officer, *, sources: list[str], name: str = "Voedselbank") -> int:  # type: ignore[no-untyped-def]
    activity_id = requested(analyst, sources=sources, name=name)
    activity_approve(
        activity_id=activity_id,
        actor=Actor(officer.username, officer),
        motivation="akkoord",
        version=1,
    )
    return activity_id


def granted(analyst, officer, activity_id: int) -> None:  # type: ignore[no-untyped-def]
    """The privacy officer lets the analyst review the activity's links."""
    reviewer_grant(
        activity_id=activity_id, username=analyst.username, actor=Actor(officer.username, officer)
    )


@pytest.fixture
def reviewable(home: Path, analyst, officer) -> int:  # type: ignore[no-untyped-def]
    """An approved activity whose food bank file is linked with a tight review band: nearly
    every record awaits review. Returns the activity's id."""
    activity_id = approved(analyst, officer, sources=SOURCES)
    activity_store_open(
        activity_id=activity_id,
        actor=Actor(analyst.username, analyst),
        trace=TraceContext.start(),
        channel="cli",
    )
    report = link_partner(
        home=home, activity_id=activity_id, source="voedselbank", review_band=TIGHT_BAND
    )
    assert report.by_status.get("pending", 0) > 1, report.by_status
    granted(analyst, officer, activity_id)
    return activity_id


def queued_run(activity_id: int = 1, **fields: object) -> LinkRun:
    values: dict[str, object] = {
        "activity_id": activity_id,
        "source": "voedselbank",
        "file_name": "voedselbank.csv",
        "requested_by": "analyst",
        "channel": "web",
        "trace_id": "0" * 32,
        **fields,
    }
    return LinkRun.objects.create(**values)


def upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type="text/csv")


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
    assert client.post("/koppelingen/", {"activity": 1, "source": "x"}).status_code == 403
    response = client.post(
        "/koppelingen/beoordelen/1/voedselbank/" + NO_TOKEN + "/",
        {"rank": 1, "decision": "accepted"},
    )
    assert response.status_code == 403
    assert LinkRun.objects.count() == 1
    assert not AccessRecord.objects.exists()


def test_anonymous_is_sent_to_the_login_page(client: Client, empty_home) -> None:
    for url in ["/koppelingen/", "/koppelingen/beoordelen/1/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert "/inloggen/" in response["Location"]


def test_analysts_open_the_pages_but_only_reviewers_the_review(
    client: Client, make_user, empty_home, analyst, officer
) -> None:
    run = queued_run()
    activity_id = approved(analyst, officer, sources=SOURCES)
    client.force_login(analyst)
    for url in URLS[:3]:
        assert client.get(url.format(run=run.pk)).status_code == 200, url
    # The review queue and records: only for analysts the privacy officer granted it.
    queue = f"/koppelingen/beoordelen/{activity_id}/"
    record = f"{queue}voedselbank/{NO_TOKEN}/"
    assert client.get(queue).status_code == 403
    assert client.get(record).status_code == 403
    assert client.post(record, {"rank": 1, "decision": "accepted"}).status_code == 403
    granted(analyst, officer, activity_id)
    assert client.get(queue).status_code == 200
    assert client.get(record).status_code == 404  # no record awaits review with this token
    assert client.get("/koppelingen/999/").status_code == 404
    assert client.get("/koppelingen/999/status/").status_code == 404
    assert client.get(f"{queue}Geen%20bron/{NO_TOKEN}/").status_code == 404
    # A record is opened by its review token only: not by a record number nor by its
    # pseudonym in the activity's tables (32 hex digits).
    for wrong in ["VB0000001", "0" * 32, "ab" * 16, "A" * 21, "A" * 23, "A" * 21 + "="]:
        url = f"{queue}voedselbank/{wrong}/"
        assert client.get(url).status_code == 404, wrong
        assert client.post(url, {"rank": 1, "decision": "accepted"}).status_code == 404, wrong


@pytest.mark.parametrize("role", ANALYSTS)
def test_the_start_page_links_to_the_linkage_page(
    client: Client, make_user, empty_home, role
) -> None:
    client.force_login(make_user(role))
    html = client.get("/").content.decode()
    assert 'href="/koppelingen/">Partnerbestanden koppelen</a>' in html


# -- Starting a linkage -------------------------------------------------------------------------


def test_the_form_offers_approved_activities_with_the_brp_and_a_partner_file(
    client: Client, empty_home, analyst, officer
) -> None:
    linkable = approved(analyst, officer, sources=SOURCES, name="Met partner")
    approved(analyst, officer, sources=["brp", "jeugd"], name="Zonder partner")
    approved(analyst, officer, sources=["partner-voedselbank"], name="Zonder BRP")
    requested(analyst, sources=SOURCES, name="Nog niet goedgekeurd")
    client.force_login(analyst)
    response = client.get("/koppelingen/")
    assert response.status_code == 200
    assert response.context["activities"] == [(linkable, f"{linkable}. Met partner")]
    html = response.content.decode()
    assert "<title>Partnerbestanden koppelen · meedoen</title>" in html
    assert f'<option value="{linkable}" selected>{linkable}. Met partner</option>' in html
    assert "Zonder partner" not in html and "Zonder BRP" not in html
    assert "Nog niet goedgekeurd" not in html
    # The activity's only partner source is filled in and offered; the file is CSV or Parquet.
    assert re.search(r'<input type="text" name="source" value="voedselbank"[^>]*list=', html)
    assert '<datalist id="partner-sources"><option value="voedselbank"></option>' in html
    assert 'enctype="multipart/form-data"' in html
    assert re.search(r'<input type="file" name="file"[^>]*accept=".csv,.parquet"', html)
    assert "Er is nog geen partnerbestand gekoppeld." in text(response)


def test_no_approved_activity_says_how_to_get_one(client: Client, empty_home, analyst) -> None:
    client.force_login(analyst)
    page = text(client.get("/koppelingen/"))
    assert "Er is nog geen goedgekeurde verwerking die de BRP" in page
    assert 'href="/verwerkingen/aanvragen/"' in client.get("/koppelingen/").content.decode()


def test_missing_fields_are_form_errors(
    client: Client, empty_home, analyst, officer, synchronous
) -> None:
    approved(analyst, officer, sources=SOURCES)
    client.force_login(analyst)
    response = client.post("/koppelingen/", {})
    assert set(response.context["form"].errors) == {"activity", "source", "file"}
    html = response.content.decode()
    assert "<title>Fout: Partnerbestanden koppelen · meedoen</title>" in html
    assert 'aria-invalid="true"' in html and 'href="#id_file"' in html
    assert "Verbeter het volgende" in text(response)
    assert LinkRun.objects.count() == 0 and synchronous == []


def test_no_file_a_bad_source_name_and_a_wrong_file_type(
    client: Client, empty_home, analyst, officer, partner_file, synchronous
) -> None:
    activity_id = approved(analyst, officer, sources=SOURCES)
    client.force_login(analyst)
    response = client.post("/koppelingen/", {"activity": activity_id, "source": "voedselbank"})
    assert response.context["form"].errors["file"] == ["Dit veld is vereist."]

    response = client.post(
        "/koppelingen/",
        {"activity": activity_id, "source": "Voedsel bank!", "file": upload(partner_file)},
    )
    errors = response.context["form"].errors
    assert list(errors) == ["source"]
    assert "Gebruik alleen kleine letters, cijfers en koppeltekens" in errors["source"][0]

    response = client.post(
        "/koppelingen/",
        {
            "activity": activity_id,
            "source": "voedselbank",
            "file": upload(partner_file, "voedselbank.xlsx"),
        },
    )
    assert response.context["form"].errors == {
        "file": ["Kies een CSV-bestand (.csv) of een Parquet-bestand (.parquet)."]
    }

    response = client.post(
        "/koppelingen/",
        {
            "activity": activity_id,
            "source": "voedselbank",
            "file": upload(partner_file),
            "engine": "pandas",
        },
    )
    assert list(response.context["form"].errors) == ["engine"]
    assert LinkRun.objects.count() == 0 and synchronous == []


def test_a_partner_source_the_activity_does_not_cover_is_refused(
    client: Client, empty_home, analyst, officer, partner_file, synchronous
) -> None:
    activity_id = approved(analyst, officer, sources=SOURCES)
    client.force_login(analyst)
    response = client.post(
        "/koppelingen/",
        {"activity": activity_id, "source": "schuldhulp", "file": upload(partner_file)},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["source"] == [
        f"Verwerking {activity_id} omvat partner-schuldhulp niet, alleen: partner-voedselbank."
    ]
    assert LinkRun.objects.count() == 0 and synchronous == []
    assert not (empty_home / "vault" / "tmp").exists()  # nothing was stored


def test_an_activity_without_the_partner_file_is_refused_by_the_service(
    client: Client, empty_home, analyst, officer, partner_file, synchronous
) -> None:
    """Not offered on the form, but sent anyway: the service refuses it, with the reason."""
    activity_id = approved(analyst, officer, sources=["brp", "jeugd"])
    client.force_login(analyst)
    response = client.post(
        "/koppelingen/",
        {"activity": activity_id, "source": "voedselbank", "file": upload(partner_file)},
    )
    assert response.status_code == 200
    error = response.context["form"].errors["activity"][0]
    assert "is not approved for partner-voedselbank" in error
    assert LinkRun.objects.count() == 0 and synchronous == []
    assert list((empty_home / "vault" / "tmp").iterdir()) == []


def test_an_activity_that_is_not_approved_is_refused_with_the_reason(
    client: Client, empty_home, analyst, partner_file, synchronous
) -> None:
    activity_id = requested(analyst, sources=SOURCES)
    client.force_login(analyst)
    response = client.post(
        "/koppelingen/",
        {"activity": activity_id, "source": "voedselbank", "file": upload(partner_file)},
    )
    assert response.status_code == 200
    assert "is requested, not approved" in response.context["form"].errors["activity"][0]
    assert response.content.decode().count("<title>Fout:") == 1
    assert LinkRun.objects.count() == 0 and synchronous == []
    # The upload that was already stored in the vault is removed again.
    assert list((empty_home / "vault" / "tmp").iterdir()) == []


def test_an_encoded_file_is_linked_with_the_shared_secret(
    client: Client, home, analyst, officer, partner_file, synchronous, tmp_path
) -> None:
    """The partner sends an encoded file (meedoen encode); the analyst uploads it with the key
    file. A malformed key file is refused on the form; the secret is not stored anywhere."""
    activity_id = approved(analyst, officer, sources=SOURCES)
    secret = bytes.fromhex(secret_generate())
    encoded = tmp_path / "voedselbank-encoded.csv"
    encode_file(partner_file, encoded, secret)
    client.force_login(analyst)
    bad = SimpleUploadedFile("gedeeld.key", b"not hex", content_type="text/plain")
    response = client.post(
        "/koppelingen/",
        {"activity": activity_id, "source": "voedselbank", "file": upload(encoded), "secret": bad},
    )
    assert list(response.context["form"].errors) == ["secret"]
    assert "not a secret file" in response.context["form"].errors["secret"][0]
    assert LinkRun.objects.count() == 0

    key = SimpleUploadedFile("gedeeld.key", secret.hex().encode() + b"\n")
    response = client.post(
        "/koppelingen/",
        {"activity": activity_id, "source": "voedselbank", "file": upload(encoded), "secret": key},
    )
    assert response.status_code == 302, text(response)
    run = LinkRun.objects.get()
    assert run.status == "done", run.message
    summary = run.summary
    assert summary["mode"] == "encoded" and summary["linked"] >= summary["records"] - 2, summary
    assert secret.hex() not in json.dumps(run.summary) + run.message
    page = text(client.get(f"/koppelingen/{run.pk}/"))
    assert "gecodeerd (Bloom-filters" in page


def test_a_second_linkage_waits_for_the_first(
    client: Client, empty_home, analyst, officer, partner_file, synchronous
) -> None:
    activity_id = approved(analyst, officer, sources=SOURCES)
    busy = queued_run(activity_id, status=RunStatus.RUNNING)
    client.force_login(analyst)
    response = client.post(
        "/koppelingen/",
        {"activity": activity_id, "source": "voedselbank", "file": upload(partner_file)},
    )
    assert response.status_code == 200
    assert f"koppeling {busy.pk} voor verwerking {activity_id} is nog bezig" in text(response)
    assert LinkRun.objects.count() == 1 and synchronous == []
    assert list((empty_home / "vault" / "tmp").iterdir()) == []


def test_analyst_links_the_food_bank_file_and_sees_the_summary(
    client: Client, home, analyst, officer, partner_file, synchronous
) -> None:
    activity_id = approved(analyst, officer, sources=SOURCES)
    granted(analyst, officer, activity_id)
    client.force_login(analyst)
    response = client.post(
        "/koppelingen/",
        {
            "activity": activity_id,
            "source": "voedselbank",
            "file": upload(partner_file),
            "engine": "duckdb",
        },
        HTTP_TRACEPARENT="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    )
    assert response.status_code == 302, text(response)
    run = LinkRun.objects.get()
    assert response["Location"] == f"/koppelingen/{run.pk}/"
    # The upload was a private file in the vault's scratch folder, removed afterwards.
    [started] = synchronous
    assert started.run_id == run.pk and started.existed
    assert started.path.parent == home / "vault" / "tmp"
    assert started.mode == 0o600
    assert started.path.suffix == ".csv" and started.path.name.startswith("voedselbank-")
    assert not started.path.exists()
    assert (run.status, run.channel, run.requested_by) == ("done", "web", "analyst"), run.message
    assert (run.source, run.file_name, run.engine) == ("voedselbank", "voedselbank.csv", "duckdb")
    assert run.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"

    response = client.get(response["Location"])
    assert response.status_code == 200
    html, page = response.content.decode(), text(response)
    assert f"<title>Koppeling van partnerbestand {run.pk} · meedoen</title>" in html
    assert "Status: klaar" in page
    assert "run-progress.js" not in html and "<progress" not in html
    summary = run.summary
    assert summary["records"] > 0 and 0 < summary["linked"] <= summary["records"]
    assert re.search(rf'id="summary-records">{summary["records"]}<', html)
    assert re.search(rf'id="summary-linked">{summary["linked"]}<', html)
    assert "Records per status" in page and "automatisch gekoppeld" in page
    for reason in summary["unmatched_by_reason"]:
        assert str(views.REASON_LABELS[reason]) in page
    assert "Niet gekoppelde records per reden" in page
    # The threshold with its estimated quality, and the whole curve.
    threshold = str(summary["threshold"]).replace(".", ",")
    assert re.search(rf'id="summary-threshold">{threshold}<', html)
    precision = f"{100 * summary['estimated_precision']:.2f}".replace(".", ",")
    assert re.search(rf'id="summary-precision">{precision}%<', html)
    assert "Geschatte precisie en recall bij elke drempel" in page
    assert f"{threshold} (gekozen)" in page
    assert html.count('<tr class="utrecht-table__row">') >= len(summary["curve"])
    assert "link.partner_link" in page

    # The linkage is logged for every person linked and every record read, in the caller's
    # trace (one record each here: this workspace's vault has no subject register, ADR 0012).
    logged = ProcessingRecord.objects.filter(
        name="partner.link", trace_id="4bf92f3577b34da6a3ce929d0e0e4736"
    )
    by_type = {
        kind: logged.filter(data_subject_id_type=kind).values_list("data_subject_id", flat=True)
        for kind in (
            f"pseudonym-activity-{activity_id}",
            f"record-pseudonym-activity-{activity_id}",
        )
    }
    assert set(logged.values_list("data_subject_id_type", flat=True)) == set(by_type)
    persons, records = (len(set(subjects)) for subjects in by_type.values())
    assert 0 < persons <= summary["linked"]
    assert records == summary["records"]
    access = AccessRecord.objects.filter(operation="partner.link").get()
    assert (access.user_name, access.channel) == ("analyst", "web")

    status = client.get(f"/koppelingen/{run.pk}/status/").json()
    assert status["finished"] is True and status["status"] == "done"
    assert status["percent"] == 100 and status["status_label"] == "klaar"

    # The linkages so far are listed on the form page, with the activity's review queue.
    response = client.get("/koppelingen/")
    listed = text(response)
    assert f"Koppeling {run.pk}" in listed and "klaar" in listed
    assert f'href="/koppelingen/beoordelen/{activity_id}/"' in response.content.decode()


def test_the_run_page_links_to_the_review_queue_when_records_await_review(
    client: Client, empty_home, analyst, officer
) -> None:
    summary = {
        "records": 10,
        "linked": 8,
        # pending: every record awaiting review, two linked provisionally and one not (it is
        # counted among the records not linked, by its reason, too).
        "by_status": {"auto": 6, "pending": 3, "unmatched": 1},
        "unmatched_by_reason": {
            "below the threshold: awaiting review": 1,
            "below the review band: too little agreement": 1,
        },
        "threshold": 0.9,
        "estimated_precision": 0.95,
        "estimated_recall": 0.9,
        "curve": [[0.5, 0.9, 0.99, 9], [0.9, 0.95, 0.9, 8]],
        "review_band": [0.1, 0.99],
        "file_date": "2024-05-20",
        "household_peildatum": "2025-01-01",
        "households": 7,
        "seconds": 1.5,
    }
    activity_id = approved(analyst, officer, sources=SOURCES)
    run = queued_run(activity_id, status=RunStatus.DONE, summary=summary)
    client.force_login(analyst)
    # Only a reviewer of the activity gets the link to the queue.
    page = text(client.get(f"/koppelingen/{run.pk}/"))
    assert "alleen analisten aan wie de privacyfunctionaris" in page
    assert 'id="review-link"' not in client.get(f"/koppelingen/{run.pk}/").content.decode()
    granted(analyst, officer, activity_id)
    response = client.get(f"/koppelingen/{run.pk}/")
    html, page = response.content.decode(), text(response)
    assert 'id="summary-awaiting">3<' in html
    assert f'href="/koppelingen/beoordelen/{activity_id}/" id="review-link"' in html
    assert "De 3 records beoordelen waarover de koppeling twijfelde" in page
    assert re.search(r">wacht op beoordeling</th>\s*<td[^>]*>3</td>", html)
    assert "onder de drempel: wacht op beoordeling" in page
    assert "7 (huishoudens op 1 januari 2025)" in page
    assert "van 0,1 tot 0,99" in page

    run.summary = {**summary, "by_status": {"auto": 8}, "unmatched_by_reason": {}}
    run.save()
    html = client.get(f"/koppelingen/{run.pk}/").content.decode()
    assert "review-link" not in html and "Elk record is aan een persoon gekoppeld." in html


def test_the_run_page_follows_a_running_linkage(client: Client, empty_home, analyst) -> None:
    run = queued_run(
        status=RunStatus.RUNNING, step="store: verblijfplaats", step_number=3, step_total=8
    )
    client.force_login(analyst)
    response = client.get(f"/koppelingen/{run.pk}/")
    html, page = response.content.decode(), text(response)
    assert "http-equiv" not in html  # no meta refresh (WCAG 2.2.1)
    assert 'role="status"' in html and 'aria-live="polite"' in html
    assert f'data-status-url="/koppelingen/{run.pk}/status/"' in html
    assert '<script src="/static/meedoen/js/run-progress.js" defer></script>' in html
    assert '<label class="utrecht-form-label" for="run-progress-bar">' in html
    assert '<progress id="run-progress-bar" max="100" value="38">' in html
    assert (
        "Status: bezig" in page
        and "Tabel verblijfplaats van de activiteit bijwerken: 3 van 8 klaar" in page
    )
    assert f'href="/koppelingen/{run.pk}/">Vernieuwen</a>' in html

    response = client.get(f"/koppelingen/{run.pk}/status/")
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "id": run.pk,
        "status": "running",
        "status_label": "bezig",
        "step": "Tabel verblijfplaats van de activiteit bijwerken: 3 van 8 klaar",
        "percent": 38,
        "percent_label": "38% klaar",
        "finished": False,
        "message": "",
    }


def test_a_queued_linkage_and_a_failed_one(client: Client, empty_home, analyst) -> None:
    client.force_login(analyst)
    queued = queued_run()
    status = client.get(f"/koppelingen/{queued.pk}/status/").json()
    assert (status["status"], status["status_label"], status["finished"]) == (
        "queued",
        "wacht op start",
        False,
    )
    failed = queued_run(status=RunStatus.FAILED, message="voedselbank.csv: not a partner file")
    response = client.get(f"/koppelingen/{failed.pk}/")
    html, page = response.content.decode(), text(response)
    assert 'role="alert"' in html
    assert "De koppeling is mislukt" in page and "voedselbank.csv: not a partner file" in page
    assert "<progress" not in html and "run-progress.js" not in html
    assert client.get(f"/koppelingen/{failed.pk}/status/").json()["finished"] is True


def test_a_file_outside_the_contract_fails_the_run_with_the_gate_s_reason(
    client: Client, home, analyst, officer, ingested, synchronous
) -> None:
    activity_id = approved(analyst, officer, sources=SOURCES)
    client.force_login(analyst)
    other = ingested.sources / "relatie.csv"
    response = client.post(
        "/koppelingen/",
        {"activity": activity_id, "source": "voedselbank", "file": upload(other)},
    )
    assert response.status_code == 302
    run = LinkRun.objects.get()
    assert run.status == "failed" and "not a partner file" in run.message
    page = text(client.get(response["Location"]))
    assert "De koppeling is mislukt" in page and "geen partnerbestand" in page  # the gate, in Dutch
    assert not synchronous[0].path.exists()


# -- Clerical review ----------------------------------------------------------------------------


def queue_items(client: Client, activity_id: int) -> list:  # type: ignore[type-arg]
    response = client.get(f"/koppelingen/beoordelen/{activity_id}/")
    return [item for item, _, _ in response.context["items"]]


def test_the_queue_lists_records_by_review_token_without_record_numbers_or_persons(
    client: Client, home, analyst, reviewable, register_bsns, klantnummers
) -> None:
    client.force_login(analyst)
    response = client.get(f"/koppelingen/beoordelen/{reviewable}/")
    assert response.status_code == 200
    html, page = response.content.decode(), text(response)
    items = [item for item, _, _ in response.context["items"]]
    assert len(items) > 1 and {item.source for item in items} == {"voedselbank"}
    assert f"<title>Beoordelingswachtrij van verwerking {reviewable} · meedoen</title>" in html
    assert f"{len(items)} records wachten op beoordeling" in page
    record_ids = record_pseudonyms(home, reviewable, klantnummers)
    for item in items:
        assert re.fullmatch(r"[A-Za-z0-9_-]{22}", item.token)
        assert (
            f'href="/koppelingen/beoordelen/{reviewable}/voedselbank/{item.token}/">'
            f"<code>{item.token[:8]}</code></a>"
        ) in html
    assert "Record (beoordelingscode)" in page and "Voorlopig gekoppeld" in page
    assert html.count(">ja</td>") == sum(item.linked for item in items)
    assert html.count(">nee</td>") == sum(not item.linked for item in items)
    assert "wacht op beoordeling" in page
    # No record number, no record pseudonym, no BSN and no person pseudonym on the page.
    assert [k for k in klantnummers if k in html] == []
    assert [r for r in record_ids if r in html] == []
    assert not set(re.findall(r"\d{9}", html)) & register_bsns
    assert [p for p in person_ids(home, reviewable, register_bsns) if p in html] == []
    # Nothing from the vault is read, so nothing is logged.
    assert not AccessRecord.objects.filter(operation__startswith="partner.review").exists()


def record_pseudonyms(home: Path, activity_id: int, klantnummers: set[str]) -> set[str]:
    """The activity's pseudonyms of the partner's records (``link.partner_link.record_id``)."""
    key = Workspace(home).keys.read(activity_key_name(activity_id))
    return {pseudonym(key, f"partner-voedselbank:{k}") for k in klantnummers}


def test_the_queue_of_an_activity_that_is_no_longer_approved_says_why(
    client: Client, empty_home, analyst, officer
) -> None:
    activity_id = approved(analyst, officer, sources=SOURCES)
    granted(analyst, officer, activity_id)
    activity_revoke(
        activity_id=activity_id, actor=Actor(officer.username, officer), motivation="klaar"
    )
    client.force_login(analyst)
    response = client.get(f"/koppelingen/beoordelen/{activity_id}/")
    assert response.status_code == 200
    html, page = response.content.decode(), text(response)
    assert 'role="alert"' in html and html.count("<title>Fout:") == 1
    assert "De beoordelingswachtrij kan niet worden getoond" in page
    assert "is revoked, not approved" in page


def test_the_queue_before_any_linkage(client: Client, empty_home, analyst, officer) -> None:
    activity_id = approved(analyst, officer, sources=SOURCES)
    granted(analyst, officer, activity_id)
    client.force_login(analyst)
    page = text(client.get(f"/koppelingen/beoordelen/{activity_id}/"))
    assert "has no linkage yet" in page


def test_the_case_shows_the_record_next_to_its_candidates_without_bsn_or_person_ids(
    client: Client, home, analyst, reviewable, register_bsns, klantnummers
) -> None:
    client.force_login(analyst)
    item = queue_items(client, reviewable)[0]
    short = item.token[:8]
    url = f"/koppelingen/beoordelen/{reviewable}/voedselbank/{item.token}/"
    response = client.get(
        url, HTTP_TRACEPARENT="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    )
    assert response.status_code == 200
    html, page = response.content.decode(), text(response)
    case = response.context["case"]
    assert case.token == item.token and case.candidates
    assert f"<title>Record {short} van voedselbank beoordelen · meedoen</title>" in html
    # The record number shows on this page (its reading is logged), but not in its title.
    assert case.klantnummer in klantnummers
    assert f'id="case-record-number">{case.klantnummer}</dd>' in html
    assert "Het record van de partner naast zijn kandidaten" in page
    for candidate in case.candidates:
        rank = candidate.rank
        assert f'id="candidate-{rank}">Kandidaat {rank}</th>' in html
        assert f'<input type="hidden" name="rank" value="{rank}">' in html
    assert [c.rank for c in case.candidates] == list(range(1, len(case.candidates) + 1))
    # The partner's record and every candidate's names, side by side.
    assert case.record["geslachtsnaam"] in page
    for candidate in case.candidates:
        assert candidate.fields["geslachtsnaam"] in page
        assert candidate.fields["datumgeboorte"] in page
    for label in [
        "Achternaam",
        "Voorvoegsel",
        "Voornamen",
        "Geboortedatum",
        "Postcode",
        "Huisnummer",
        "Toevoeging",
        "Kans op dezelfde persoon",
        "Vergelijking: Achternaam",
        "Vergelijking: Adres",
    ]:
        assert f">{label}</th>" in html, label
    assert re.search(r"\(gewicht -?\d+,\d\d\)", page)
    assert html.count(">Dezelfde persoon</button>") == len(case.candidates)
    assert html.count(">Niet dezelfde persoon</button>") == len(case.candidates)
    # No BSN of the register and no person pseudonym anywhere on the page.
    assert not set(re.findall(r"\d{9}", html)) & register_bsns
    assert "person_id" not in html
    assert [c.person_id for c in case.candidates if c.person_id in html] == []
    assert [p for p in person_ids(home, reviewable, register_bsns) if p in html] == []
    assert case.record_id not in html and item.token not in page.replace(short, "")
    # Reading the case is logged per data subject shown, in the caller's trace: every
    # candidate, the person the record is linked to, and the partner's record.
    access = AccessRecord.objects.get(operation="partner.review.read")
    assert (access.user_name, access.channel) == ("analyst", "web")
    assert access.trace_id == "0af7651916cd43dd8448eb211c80319c"
    logged = ProcessingRecord.objects.filter(name="partner.review.read")
    persons = {c.person_id for c in case.candidates} | (
        {case.person_id} if case.person_id else set()
    )
    assert (
        set(
            logged.filter(data_subject_id_type=f"pseudonym-activity-{reviewable}").values_list(
                "data_subject_id", flat=True
            )
        )
        == persons
    )
    assert list(
        logged.filter(data_subject_id_type=f"record-pseudonym-activity-{reviewable}").values_list(
            "data_subject_id", flat=True
        )
    ) == [case.record_id]
    assert not logged.filter(data_subject_id_type="none").exists()


def test_accepting_a_candidate_by_rank_links_the_record_and_leaves_the_queue(
    client: Client, analyst, reviewable
) -> None:
    client.force_login(analyst)
    queue_url = f"/koppelingen/beoordelen/{reviewable}/"
    item = queue_items(client, reviewable)[0]
    short = item.token[:8]
    url = f"{queue_url}voedselbank/{item.token}/"
    case = client.get(url).context["case"]
    chosen = case.candidates[0]
    response = client.post(url, {"rank": chosen.rank, "decision": "accepted"})
    assert response.status_code == 302 and response["Location"] == queue_url

    response = client.get(queue_url)
    html, page = response.content.decode(), text(response)
    # The message names the record by the start of its token, not by its record number.
    assert f"Record {short} van voedselbank is gekoppeld aan de persoon die u koos." in page
    assert case.klantnummer not in html
    assert "volgende koppeling" not in page  # the activity's tables were updated at once
    assert item.token not in [i.token for i, _, _ in response.context["items"]]
    decided = ProcessingRecord.objects.get(name="partner.review.decide")
    assert decided.data_subject_id == chosen.person_id
    assert decided.detail == f"voedselbank: candidate {chosen.rank} accepted -> accepted"
    assert case.klantnummer not in decided.detail

    # Decided: the record no longer awaits review, so its page no longer opens.
    read_before = ProcessingRecord.objects.filter(name="partner.review.read").count()
    assert client.get(url).status_code == 404
    assert client.post(url, {"rank": chosen.rank, "decision": "rejected"}).status_code == 404
    assert ProcessingRecord.objects.filter(name="partner.review.read").count() == read_before


def test_rejecting_candidates_one_by_one(client: Client, analyst, reviewable) -> None:
    client.force_login(analyst)
    queue_url = f"/koppelingen/beoordelen/{reviewable}/"
    url = None
    case = None
    for item in queue_items(client, reviewable):
        url = f"{queue_url}voedselbank/{item.token}/"
        case = client.get(url).context["case"]
        if len(case.candidates) > 1:
            break
    assert url and case and len(case.candidates) > 1, "no record with several candidates"
    short = case.token[:8]
    first = case.candidates[0]
    response = client.post(url, {"rank": first.rank, "decision": "rejected"}, follow=True)
    page = text(response)
    assert f"record {short} van voedselbank wacht nog op beoordeling" in page
    assert case.token in [i.token for i, _, _ in response.context["items"]]
    response = client.get(url)
    left = response.context["case"].candidates
    assert [c.rank for c in left] == [c.rank for c in case.candidates[1:]]
    assert "Kandidaat 1<" not in response.content.decode()
    for candidate in left:
        response = client.post(url, {"rank": candidate.rank, "decision": "rejected"}, follow=True)
    page = text(response)
    assert f"record {short} van voedselbank blijft ongekoppeld" in page
    assert case.token not in [i.token for i, _, _ in response.context["items"]]
    assert client.get(url).status_code == 404  # decided: no longer opens
    decided = ProcessingRecord.objects.filter(name="partner.review.decide")
    assert set(decided.values_list("data_subject_id", flat=True)) == {
        c.person_id for c in case.candidates
    }
    assert all(case.klantnummer not in d for d in decided.values_list("detail", flat=True))


def test_a_bad_decision_or_rank_is_a_message_not_an_error(
    client: Client, analyst, reviewable
) -> None:
    client.force_login(analyst)
    queue_url = f"/koppelingen/beoordelen/{reviewable}/"
    found = None
    for item in queue_items(client, reviewable):
        url = f"{queue_url}voedselbank/{item.token}/"
        count = len(client.get(url).context["case"].candidates)
        if count < 3:
            found = url, count
            break
    assert found, "no record with fewer than three candidates"
    url, count = found
    for data in [
        {"rank": 1, "decision": "maybe"},
        {"rank": 0, "decision": "accepted"},
        {"rank": 4, "decision": "accepted"},
        {"rank": "een", "decision": "accepted"},
        {"decision": "accepted"},
        {"person_id": "ab" * 16, "decision": "accepted"},
    ]:
        response = client.post(url, data, follow=True)
        assert response.redirect_chain == [(url, 302)], data
        assert "Kies een kandidaat en een beslissing" in text(response), data

    # A rank on the form, but no such candidate: the service's reason.
    response = client.post(url, {"rank": count + 1, "decision": "accepted"}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    page = text(response)
    assert "De beslissing kon niet worden verwerkt" in page
    assert f"has no candidate {count + 1} awaiting review" in page
    assert not ProcessingRecord.objects.filter(name="partner.review.decide").exists()


@contextmanager
def held_open(path: Path) -> Iterator[None]:
    """Another process holds the DuckDB file open for writing (a build or a linkage)."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
            "print('open', flush=True); time.sleep(60)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        yield
    finally:
        holder.kill()
        holder.wait()


def test_a_decision_the_tables_could_not_take_yet_or_a_busy_linkage_file(
    client: Client, home, analyst, reviewable
) -> None:
    """The activity's tables in use by another process: the decision is stored and the message
    says when it reaches them. The linkage file in use: a message, nothing decided."""
    client.force_login(analyst)
    queue_url = f"/koppelingen/beoordelen/{reviewable}/"
    first, second = queue_items(client, reviewable)[:2]
    url = f"{queue_url}voedselbank/{first.token}/"
    store = home / "activities" / f"activity-{reviewable}.duckdb"
    with held_open(store):
        response = client.post(url, {"rank": 1, "decision": "accepted"}, follow=True)
    assert response.redirect_chain == [(queue_url, 302)]
    page = text(response)
    assert "Uw beslissing is opgeslagen; ze komt bij de volgende koppeling in de tabellen" in page
    assert first.token not in [i.token for i in queue_items(client, reviewable)]

    url = f"{queue_url}voedselbank/{second.token}/"
    linkage = home / "vault" / "linkage" / f"activity-{reviewable}.duckdb"
    with held_open(linkage):
        response = client.post(url, {"rank": 1, "decision": "rejected"})
    assert response.status_code == 302 and response["Location"] == url
    page = text(client.get(queue_url))
    assert (
        "De beslissing kon niet worden verwerkt" in page
        and "het koppelbestand van de verwerking is in gebruik" in page
    )
    assert second.token in [i.token for i in queue_items(client, reviewable)]


def test_a_record_that_awaits_no_review_does_not_open(
    client: Client, home, analyst, reviewable, klantnummers
) -> None:
    """Unknown tokens and the record pseudonyms of the activity's tables (what SQL on
    link.partner_link gives) open nothing, and nothing is read or logged."""
    client.force_login(analyst)
    queue = f"/koppelingen/beoordelen/{reviewable}/voedselbank/"
    for record in [NO_TOKEN, *sorted(record_pseudonyms(home, reviewable, klantnummers))[:5]]:
        assert client.get(f"{queue}{record}/").status_code == 404, record
    assert not AccessRecord.objects.filter(operation="partner.review.read").exists()
