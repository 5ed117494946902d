"""An ingest is logged as one record per loaded file and pseudonym type that references the set
of persons it wrote (ADR 0011), and every one of those persons still finds it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from django.db import connection

from meedoen.activities.actors import Actor
from meedoen.audits.models import ProcessingRecord, SubjectSet
from meedoen.audits.selectors import audit_records, audit_verify_all
from meedoen.audits.trace import TraceContext
from meedoen.intakes.services import intake_log
from meedoen_data.intake import ingest_directory
from meedoen_data.synth import synth_municipality
from meedoen_data.workspace import Workspace, workspace_init

pytestmark = pytest.mark.django_db


@pytest.fixture
def ingested(tmp_path: Path, settings) -> tuple[Path, object]:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    settings.MEEDOEN_HOME = home
    settings.WORKSPACE = workspace_init(home=home).workspace
    synth_municipality(gemeente="GM0784", out=tmp_path / "sources", persons=300)
    report = ingest_directory(home=home, directory=tmp_path / "sources", user="test")
    intake_log(
        report=report,
        actor=Actor("test"),  # the operator on the command line
        trace=TraceContext.start(),
        channel="cli",
        started=datetime.now(UTC),
    )
    return home, report


def analytics(home: Path, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(Workspace(home).analytics_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_one_record_per_file_and_type_references_the_persons_it_wrote(ingested) -> None:  # type: ignore[no-untyped-def]
    home, report = ingested
    loads = ProcessingRecord.objects.filter(name="intake.load")
    persons = loads.get(
        data_subject_id_type="pseudonym-brp", detail__contains="ingeschrevenpersoon"
    )
    (expected,) = analytics(
        home, "SELECT count(DISTINCT person_pseudonym) FROM source.ingeschrevenpersoon"
    )[0]
    assert persons.subject_set is not None and persons.data_subject_id == ""
    assert persons.subject_count == expected
    assert persons.subject_set.size == expected and persons.subject_set.subject_type == "person"
    # Far fewer records than persons: one per file and pseudonym type.
    loaded = [f for f in report.files if f.status == "loaded"]
    assert loads.count() <= 2 * len(loaded) < expected
    verified = audit_verify_all()
    assert all(r.intact for r in verified.chains) and verified.sets_changed == []


def test_every_person_finds_the_load_by_their_pseudonym(ingested) -> None:  # type: ignore[no-untyped-def]
    home, _ = ingested
    pseudonyms = [
        str(p)
        for (p,) in analytics(
            home,
            "SELECT DISTINCT person_pseudonym FROM source.ingeschrevenpersoon ORDER BY 1 LIMIT 25",
        )
    ]
    for pseudonym in pseudonyms:
        found = audit_records(data_subject_id=pseudonym)
        assert any(
            r["name"] == "intake.load" and "ingeschrevenpersoon" in r["detail"] for r in found
        ), pseudonym
    assert audit_records(data_subject_id="0" * 32) == []


def test_a_set_changed_behind_the_triggers_is_reported_by_verify(ingested) -> None:  # type: ignore[no-untyped-def]
    record = ProcessingRecord.objects.filter(subject_set__isnull=False).first()
    assert record is not None
    other = SubjectSet.objects.exclude(pk=record.subject_set_id).filter(encoding="serials").first()
    assert other is not None
    # As a database owner would: move the first set's containers to another set's.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audits_subjectsetcontainer DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audits_subjectsetcontainer_no_delete")
        cursor.execute(
            "DELETE FROM audits_subjectsetcontainer WHERE subject_set_id = %s",
            [record.subject_set_id],
        )
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audits_subjectsetcontainer ENABLE TRIGGER USER")
    result = audit_verify_all()
    assert not result.intact
    assert any(
        f"subject set {record.subject_set_id} of record {record.position} was changed" in p
        for p in result.sets_changed
    ), result.sets_changed
