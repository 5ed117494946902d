"""Enforcement on real data: an activity's store, its pseudonyms, and its deletion."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import duckdb
import numpy as np
import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from meedoen.accounts.roles import Role
from meedoen.activities.enforcement import (
    ActivityNotApproved,
    activity_authorize,
    activity_pseudonymise,
    activity_sql,
    activity_store_open,
    retention_run,
)
from meedoen.activities.selectors import activity_purges, activity_revoke_preview
from meedoen.activities.services import Actor, activity_approve, activity_request, activity_revoke
from meedoen.audits.models import AccessRecord, ProcessingRecord
from meedoen.audits.trace import TraceContext
from meedoen_data.bsn import bsn_from_index
from meedoen_data.contract import TABLES
from meedoen_data.intake import ingest_directory
from meedoen_data.workspace import Workspace, workspace_init

pytestmark = pytest.mark.django_db
PERSONS = 40


@pytest.fixture
def home(tmp_path: Path, settings) -> Path:  # type: ignore[no-untyped-def]
    """A workspace with persons (brp) and youth-care allocations (jeugd) for the same BSNs."""
    home = tmp_path / "home"
    workspace = workspace_init(home=home).workspace
    settings.MEEDOEN_HOME, settings.WORKSPACE = home, workspace
    bsns = [f"{b:09d}" for b in bsn_from_index(np.arange(PERSONS, dtype=np.int64))]
    delivery = tmp_path / "delivery"
    delivery.mkdir()
    person_header = TABLES["ingeschrevenpersoon"]
    persons = [",".join(person_header)]
    for i, bsn in enumerate(bsns):
        person = {
            "burgerservicenummer": bsn,
            "geslachtsnaam": "Jansen",
            "voornamen": "Anna",
            "datumgeboorte": f"1980-05-0{i % 9 + 1}",
            "geslachtsaanduiding": "V",
            "aanduidingnaamgebruik": "E",
            "geboorteland": "Nederland",
        }
        persons.append(",".join(person.get(column, "") for column in person_header))
    (delivery / "ingeschrevenpersoon.csv").write_text("\n".join(persons) + "\n")
    header = TABLES["toewijzing"]
    values = {
        "burgerservicenummer": "",
        "wet": "JEUGDWET",
        "toewijzingnummer": "",
        "productcategorie": "45",
        "datumtoewijzing": "2024-01-01",
        "datumstarttoewijzing": "2024-01-01",
    }
    rows = [",".join(header)]
    for i, bsn in enumerate(bsns[:10]):
        row = {**values, "burgerservicenummer": bsn, "toewijzingnummer": f"T{i}"}
        rows.append(",".join(row.get(column, "") for column in header))
    (delivery / "toewijzing.csv").write_text("\n".join(rows) + "\n")
    report = ingest_directory(home=home, directory=delivery, user="test")
    assert [f.status for f in report.files] == ["loaded", "loaded"], report.files
    return home


@pytest.fixture
def analyst(make_user) -> Actor:  # type: ignore[no-untyped-def]
    user = make_user(Role.ANALYST)
    return Actor(user.username, user)


@pytest.fixture
def officer(make_user) -> Actor:  # type: ignore[no-untyped-def]
    user = make_user(Role.PRIVACY_OFFICER)
    return Actor(user.username, user)


def approved(analyst: Actor, officer: Actor, sources: list[str], days: int = 30) -> int:
    activity = activity_request(
        actor=analyst,
        name="Jeugdhulp per huishouden",
        purpose="Stapeling",
        legal_basis="Jeugdwet art. 7.4.4",
        sources=sources,
        retention_days=days,
        data_categories="Huishoudens (BRP)",
        recipients="Analisten",
        dpia_reference="DPIA-1",
    )
    activity_approve(activity_id=activity.pk, actor=officer, motivation="akkoord", version=1)
    return activity.pk


def sql(activity_id: int, actor: Actor, query: str) -> list[tuple[object, ...]]:
    result = activity_sql(
        activity_id=activity_id, actor=actor, sql=query, trace=TraceContext.start(), channel="cli"
    )
    return result.rows


def test_refused_without_approval_and_for_sources_it_does_not_cover(home, analyst) -> None:
    requested = activity_request(
        actor=analyst,
        name="X",
        purpose="Y",
        legal_basis="Z",
        sources=["brp", "jeugd"],
        retention_days=5,
        data_categories="Huishoudens (BRP)",
        recipients="Analisten",
        dpia_reference="DPIA-1",
    )
    with pytest.raises(ActivityNotApproved, match="is requested, not approved"):
        sql(requested.pk, analyst, "SELECT 1")
    with pytest.raises(ActivityNotApproved, match="there is no processing activity 999"):
        activity_authorize(activity_id=999)


def test_approved_activity_joins_its_domains_and_only_those(home, analyst, officer) -> None:
    both = approved(analyst, officer, ["brp", "jeugd"])
    joined = sql(
        both,
        analyst,
        "SELECT count(*) FROM source.toewijzing t "
        "JOIN source.ingeschrevenpersoon p USING (person_pseudonym)",
    )
    assert joined == [(10,)]  # the domains meet inside the activity
    with duckdb.connect(str(Workspace(home).analytics_path), read_only=True) as con:
        apart = con.execute(
            "SELECT count(*) FROM source.toewijzing t "
            "JOIN source.ingeschrevenpersoon p USING (person_pseudonym)"
        ).fetchone()
    assert apart == (0,)  # and nowhere else
    with pytest.raises(ActivityNotApproved, match="not approved for jeugd"):
        activity_authorize(activity_id=approved(analyst, officer, ["brp"]), sources=["jeugd"])
    brp_only = approved(analyst, officer, ["brp"])
    with pytest.raises(Exception, match="toewijzing"):
        sql(brp_only, analyst, "SELECT count(*) FROM source.toewijzing")


def test_outputs_of_two_activities_cannot_be_joined(home, analyst, officer, make_user) -> None:
    first, second = (approved(analyst, officer, ["brp", "jeugd"]) for _ in range(2))
    query = "SELECT person_pseudonym FROM source.ingeschrevenpersoon"
    a = {row[0] for row in sql(first, analyst, query)}
    b = {row[0] for row in sql(second, analyst, query)}
    assert len(a) == len(b) == PERSONS
    assert not a & b
    bsn = f"{bsn_from_index(np.array([0]))[0]:09d}"
    administrator = make_user(Role.ADMINISTRATOR)
    admin = Actor(administrator.username, administrator)  # the vault's administrator
    mine = activity_pseudonymise(
        activity_id=first, actor=admin, bsns=[bsn], trace=TraceContext.start(), channel="cli"
    )
    assert mine[0] in a and mine[0] not in b
    assert ProcessingRecord.objects.filter(name="vault.pseudonym", data_subject_id=mine[0]).exists()


def test_only_analysts_and_administrators_use_an_activitys_data(home, analyst, officer, make_user):
    activity_id = approved(analyst, officer, ["brp"])
    policy = make_user(Role.POLICY_MAKER)
    with pytest.raises(PermissionDenied):
        sql(activity_id, Actor(policy.username, policy), "SELECT 1")
    with pytest.raises(PermissionDenied):
        activity_pseudonymise(
            activity_id=activity_id,
            actor=analyst,
            bsns=[],
            trace=TraceContext.start(),
            channel="cli",
        )


def test_every_person_in_a_result_is_logged_once(home, analyst, officer) -> None:
    activity_id = approved(analyst, officer, ["brp"])
    rows = sql(activity_id, analyst, "SELECT person_pseudonym AS x FROM source.ingeschrevenpersoon")
    logged = ProcessingRecord.objects.filter(name="activity.sql").values_list(
        "data_subject_id", flat=True
    )
    assert sorted(logged) == sorted(r[0] for r in rows)  # found under another column name too
    # An aggregate reads every person of its table too (tests/security/test_sql_audit_escape.py);
    # a query on no table of the store reads no one and is logged with an empty subject.
    sql(activity_id, analyst, "SELECT count(*) FROM range(3)")
    assert ProcessingRecord.objects.filter(name="activity.sql", data_subject_id="").count() == 1


def test_revocation_deletes_everything_derived_and_says_what(home, analyst, officer) -> None:
    activity_id = approved(analyst, officer, ["brp", "jeugd"])
    activity_store_open(
        activity_id=activity_id, actor=analyst, trace=TraceContext.start(), channel="cli"
    )
    store = home / "activities" / f"activity-{activity_id}.duckdb"
    key = home / "keys" / f"activity-{activity_id}.key"
    assert store.exists() and key.exists()
    preview = activity_revoke_preview(activity_id=activity_id)  # what the officer confirms
    assert preview.key and store.name in preview.files
    activity_revoke(activity_id=activity_id, actor=officer, motivation="doel vervallen")
    assert not store.exists() and not key.exists()
    (purge,) = activity_purges(activity_id=activity_id)
    assert (preview.tables, preview.files) == (dict(sorted(purge.tables.items())), purge.files)
    assert purge.tables["ingeschrevenpersoon"] == PERSONS and purge.tables["toewijzing"] == 10
    assert purge.key_destroyed and purge.reason == "revoked"
    assert f"{PERSONS} rows of ingeschrevenpersoon" in purge.summary
    deletions = ProcessingRecord.objects.filter(name="activity.delete")
    assert deletions.count() == PERSONS  # one record per person whose data went
    with pytest.raises(ActivityNotApproved, match="is revoked"):
        sql(activity_id, analyst, "SELECT 1")


def test_expiry_deletes_by_the_retention_job(home, analyst, officer, monkeypatch) -> None:
    short = approved(analyst, officer, ["brp"], days=10)
    long = approved(analyst, officer, ["brp"], days=400)
    for activity_id in (short, long):
        activity_store_open(
            activity_id=activity_id, actor=analyst, trace=TraceContext.start(), channel="cli"
        )
    later = timezone.localdate() + timedelta(days=11)
    monkeypatch.setattr("meedoen.activities.selectors.timezone.localdate", lambda: later)
    purges = retention_run(trace=TraceContext.start())
    assert [(p.activity_id, p.reason) for p in purges] == [(short, "expired")]
    assert not (home / "activities" / f"activity-{short}.duckdb").exists()
    assert (home / "activities" / f"activity-{long}.duckdb").exists()
    assert retention_run(trace=TraceContext.start()) == []  # nothing left to do: rerun is safe
    with pytest.raises(ActivityNotApproved, match="expired"):
        sql(short, analyst, "SELECT 1")


def test_a_store_without_a_registered_activity_is_removed(home, analyst, officer) -> None:
    orphan = Workspace(home).home / "activities" / "activity-777.duckdb"
    orphan.parent.mkdir(exist_ok=True)
    duckdb.connect(str(orphan)).close()
    (purge,) = retention_run(trace=TraceContext.start())
    assert (purge.activity_id, purge.reason) == (777, "unregistered") and not orphan.exists()


def test_a_revocation_through_the_api_is_logged_in_the_callers_trace(
    home, analyst, officer, client
) -> None:
    activity_id = approved(analyst, officer, ["brp"])
    activity_store_open(
        activity_id=activity_id, actor=analyst, trace=TraceContext.start(), channel="cli"
    )
    client.force_login(officer.user)
    caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    response = client.post(
        f"/api/v1/activities/{activity_id}/revoke",
        {"motivation": "doel vervallen"},
        content_type="application/json",
        headers={"traceparent": caller},
    )
    assert response.status_code == 200, response.content
    deleted = ProcessingRecord.objects.filter(name="activity.delete")
    assert deleted.count() == PERSONS
    assert {r.trace_id for r in deleted} == {"4bf92f3577b34da6a3ce929d0e0e4736"}
    # Two access records in the caller's trace: the decision (activity.revoke) and the deletion.
    for operation in ("activity.revoke", "activity.delete"):
        access = AccessRecord.objects.get(
            trace_id="4bf92f3577b34da6a3ce929d0e0e4736", operation=operation
        )
        assert (access.user_name, access.user_role, access.channel) == (
            officer.name,
            "privacy_officer",
            "api",
        )
