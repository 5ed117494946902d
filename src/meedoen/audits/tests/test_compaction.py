"""Compacting a log written before subject sets (issue 16): runs of per-person records become
records about sets, everything else is copied as it was, the chain verifies from a signed
anchor, and every person still finds the same operations. Run on SQLite and on PostgreSQL."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from meedoen.activities.actors import Actor
from meedoen.audits.compaction import audit_compact
from meedoen.audits.models import ProcessingRecord, PruneAnchor, SubjectSet
from meedoen.audits.selectors import audit_person_export, audit_records, audit_verify_all
from meedoen.audits.services import (
    activity_uri,
    audit_checkpoint_write,
    audit_processing,
    checkpoint_key_ensure,
)
from meedoen.audits.trace import TraceContext
from meedoen_data.audit_person import LoggedPerson
from meedoen_data.audit_sets import subject_set_explicit
from meedoen_data.intake import ingest_directory
from meedoen_data.synth import synth_municipality
from meedoen_data.workspace import Workspace, workspace_init

pytestmark = pytest.mark.django_db
OPERATOR = Actor(name="beheer")


@pytest.fixture(autouse=True)
def _own_home(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEEDOEN_HOME = tmp_path
    checkpoint_key_ensure()


def old_style(subjects: list[str], kind: str = "pseudonym-activity-7") -> str:
    """One action as the log wrote it before issue 16: a record per subject. Its trace id."""
    trace = TraceContext.start()
    audit_processing(
        trace=trace,
        name="activity.sql",
        activity=activity_uri(7),
        subjects=subjects,
        subject_type=kind,
        started=datetime.now(UTC),
    )
    return trace.trace_id


def operations(subject: str) -> set[tuple[str, str, str]]:
    """(trace, span, operation) of every record the lookup finds about the subject."""
    return {
        (r["trace_id"], r["span_id"], r["name"])
        for r in audit_records(data_subject_id=subject, limit=None)
        if not r["name"].startswith("audit.")
    }


def compact() -> object:
    """A checkpoint of the log as it is (verify wants one), then the compaction."""
    audit_checkpoint_write()
    return audit_compact(actor=OPERATOR, trace=TraceContext.start(), channel="cli")


def test_runs_become_sets_and_every_subject_finds_the_same_operations() -> None:
    many = [f"{i:032x}" for i in range(10)]
    first = old_style(many)
    old_style([many[3]])  # one subject: stays a record naming them
    old_style([])  # nobody: stays as it was
    shared = subject_set_explicit(subject_type="pseudonym-activity-7", subjects=many[:2])
    audit_processing(
        trace=TraceContext.start(),
        name="household.build",
        activity=activity_uri(7),
        subjects=[],
        subject_type="pseudonym-activity-7",
        started=datetime.now(UTC),
        subject_set=shared,
    )
    audit_checkpoint_write()
    before = {s: operations(s) for s in many}
    assert ProcessingRecord.objects.count() == 13

    report = compact()
    assert report.as_json() == {  # type: ignore[attr-defined]
        "dry_run": False,
        "records_before": 13,
        "records_after": 4,
        "runs": 1,
        "sets": 1,
        "anchor": 13,
    }
    result = audit_verify_all()
    assert result.intact, result.as_json()
    assert {s: operations(s) for s in many} == before
    (copy,) = ProcessingRecord.objects.filter(trace_id=first)
    assert copy.subject_count == 10 and copy.data_subject_id == ""
    anchor = PruneAnchor.objects.get()
    assert (anchor.chain, anchor.upto, anchor.kind) == ("processing", 13, "compaction")
    assert ProcessingRecord.objects.filter(name="audit.compact").count() == 1
    # The checkpoint written before saw record 13, now the anchor's: still vouched for.
    assert result.checkpoints.intact and not result.checkpoints.problems
    # Again: nothing to compact, nothing changes.
    again = compact()
    assert again.runs == 0 and PruneAnchor.objects.count() == 1  # type: ignore[attr-defined]


def test_a_run_of_more_than_4096_unknown_pseudonyms_becomes_explicit_sets_of_4096() -> None:
    subjects = [f"{i:032x}" for i in range(5_000)]
    old_style(subjects)
    report = compact()
    assert report.records_after == 2  # type: ignore[attr-defined]
    sizes = sorted(SubjectSet.objects.values_list("size", flat=True))
    assert sizes == [904, 4_096]
    assert audit_verify_all().intact
    assert len(operations(subjects[4_500])) == 1


def test_a_dry_run_changes_nothing() -> None:
    old_style([f"{i:032x}" for i in range(5)])
    audit_checkpoint_write()
    report = audit_compact(actor=OPERATOR, trace=TraceContext.start(), channel="cli", dry_run=True)
    assert (report.runs, report.records_before, report.records_after) == (1, 5, 1)
    assert ProcessingRecord.objects.count() == 5 and not PruneAnchor.objects.exists()


def test_a_broken_log_is_not_compacted() -> None:
    old_style([f"{i:032x}" for i in range(5)])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audits_processingrecord DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audits_processingrecord_no_update")
        cursor.execute("UPDATE audits_processingrecord SET detail = 'x' WHERE position = 2")
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audits_processingrecord ENABLE TRIGGER USER")
    with pytest.raises(ValidationError, match="does not verify"):
        compact()
    assert ProcessingRecord.objects.count() == 5


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("compact")
    home, sources = root / "home", root / "sources"
    workspace_init(home=home)
    synth_municipality(gemeente="GM0784", out=sources, persons=400)
    ingest_directory(home=home, directory=sources, user="test")
    return home


def test_persons_the_vault_knows_become_a_serial_set_found_by_any_pseudonym(
    ingested: Path, settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    shutil.copytree(ingested, home)
    settings.MEEDOEN_HOME = home
    settings.WORKSPACE = Workspace(home)  # the keys of this workspace
    with duckdb.connect(str(home / "vault" / "vault.duckdb"), read_only=True) as vault:
        rows = vault.execute(
            "SELECT DISTINCT burgerservicenummer, burgerservicenummer_pseudonym "
            "FROM identity.ingeschrevenpersoon ORDER BY 2"
        ).fetchall()
    pseudonyms = [p for _, p in rows]
    trace = old_style(pseudonyms, kind="pseudonym-brp")
    report = compact()
    assert report.sets == 1  # type: ignore[attr-defined]
    (copy,) = ProcessingRecord.objects.filter(trace_id=trace)
    assert copy.subject_count == len(pseudonyms) > 300
    assert SubjectSet.objects.get(pk=copy.subject_set_id).encoding == "serials"
    assert audit_verify_all().intact
    bsn, pseudonym = rows[len(rows) // 2]
    assert trace in {t for t, _, _ in operations(pseudonym)}
    from meedoen_data.audit_person import logged_person

    person: LoggedPerson = logged_person(home=home, bsn=bsn)
    exported = audit_person_export(person=person)
    (record,) = [r for r in exported if r["trace_id"] == trace]
    assert record["attributes"]["dpl.core.data_subject_id"] == pseudonym
