"""Subject sets in the web database (ADR 0011): stored once, found by person, append-only, and a
changed set no longer matches its digest. Run on SQLite and on PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import numpy as np
import pytest
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction

from meedoen.audits.models import SubjectSet, SubjectSetContainer, SubjectSetMember
from meedoen.audits.selectors import (
    audit_subject_set,
    audit_subject_sets_holding,
    audit_triggers_missing,
)
from meedoen.audits.services import audit_subject_set_store
from meedoen_data.audit_sets import subject_set_explicit, subject_set_serials

pytestmark = pytest.mark.django_db
REFUSED = (IntegrityError, InternalError, ProgrammingError)
PERSON = "person"


def test_a_set_is_stored_once_and_loads_with_its_digest() -> None:
    made = subject_set_serials(subject_type=PERSON, serials=np.arange(200_000))
    first = audit_subject_set_store(made=made)
    again = audit_subject_set_store(
        made=subject_set_serials(subject_type=PERSON, serials=np.arange(200_000)[::-1])
    )
    assert first == again and SubjectSet.objects.count() == 1
    assert SubjectSetContainer.objects.filter(subject_set_id=first).count() == 4
    stored, loaded = audit_subject_set(set_id=first)
    assert stored == loaded.digest == made.digest and loaded.size == 200_000
    small = subject_set_explicit(subject_type="pseudonym-brp", subjects=["b" * 32, "a" * 32])
    stored, loaded = audit_subject_set(set_id=audit_subject_set_store(made=small))
    assert stored == loaded.digest and loaded.members == ("a" * 32, "b" * 32)


def test_the_sets_of_a_person_are_found_by_pseudonym_and_by_number() -> None:
    everyone = audit_subject_set_store(
        made=subject_set_serials(subject_type=PERSON, serials=np.arange(1_000_000))
    )
    some = audit_subject_set_store(
        made=subject_set_serials(subject_type=PERSON, serials=[7, 70_000, 999_999])
    )
    review = audit_subject_set_store(
        made=subject_set_explicit(subject_type="pseudonym-activity-3", subjects=["p" * 32])
    )
    assert audit_subject_sets_holding(serials={PERSON: 70_000}) == sorted([everyone, some])
    assert audit_subject_sets_holding(serials={PERSON: 70_001}) == [everyone]
    assert audit_subject_sets_holding(serials={PERSON: 1_000_000}) == []
    assert audit_subject_sets_holding(subjects=["p" * 32], serials={PERSON: 7}) == sorted(
        [everyone, some, review]
    )
    assert audit_subject_sets_holding(subjects=["q" * 32]) == []
    # Numbers are per kind: record 70,000 of a partner is not person 70,000.
    assert audit_subject_sets_holding(serials={"record:voedselbank": 70_000}) == []


def test_the_database_refuses_to_change_or_remove_a_set() -> None:
    set_id = audit_subject_set_store(
        made=subject_set_explicit(subject_type="pseudonym-brp", subjects=["a" * 32, "b" * 32])
    )
    serials = audit_subject_set_store(made=subject_set_serials(subject_type=PERSON, serials=[1]))
    for attempt in (
        lambda: SubjectSet.objects.filter(pk=set_id).update(size=1),
        lambda: SubjectSetMember.objects.filter(subject_set_id=set_id).update(subject="c" * 32),
        lambda: SubjectSetMember.objects.filter(subject="b" * 32).delete(),
        lambda: SubjectSetContainer.objects.filter(subject_set_id=serials).update(bitmap=b""),
        lambda: SubjectSetContainer.objects.all().delete(),
    ):
        with pytest.raises(REFUSED), transaction.atomic():
            attempt()
    assert SubjectSetMember.objects.filter(subject_set_id=set_id).count() == 2
    assert not audit_triggers_missing()


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_sqlite_refuses_insert_or_replace_over_a_container() -> None:
    set_id = audit_subject_set_store(made=subject_set_serials(subject_type=PERSON, serials=[1]))
    other = subject_set_serials(subject_type=PERSON, serials=[1, 2, 3]).containers[0]
    with pytest.raises(REFUSED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT OR REPLACE INTO audits_subjectsetcontainer (subject_set_id, key, bitmap) "
            "VALUES (%s, %s, %s)",
            [set_id, other.key, other.bitmap],
        )
    stored, loaded = audit_subject_set(set_id=set_id)
    assert stored == loaded.digest and loaded.size == 1


def test_a_set_changed_behind_the_triggers_no_longer_matches_its_digest() -> None:
    """As a database owner would: triggers off, one member swapped."""
    set_id = audit_subject_set_store(
        made=subject_set_explicit(subject_type="pseudonym-brp", subjects=["a" * 32, "b" * 32])
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the foreign keys' checks first
            cursor.execute("ALTER TABLE audits_subjectsetmember DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audits_subjectsetmember_no_update")
        cursor.execute(
            "UPDATE audits_subjectsetmember SET subject = %s WHERE subject = %s",
            ["c" * 32, "b" * 32],
        )
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audits_subjectsetmember ENABLE TRIGGER USER")
    stored, loaded = audit_subject_set(set_id=set_id)
    assert stored != loaded.digest
    assert "audits_subjectsetmember_no_update" in audit_triggers_missing() or (
        connection.vendor == "postgresql"
    )
