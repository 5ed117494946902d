"""The hash chain alone: every kind of tampering is caught and named by position."""

from __future__ import annotations

from meedoen_data.audit_chain import GENESIS, StoredRecord, chain_verify, record_hash

KEY = b"k" * 32


def chain(n: int) -> list[StoredRecord]:
    records: list[StoredRecord] = []
    previous = GENESIS
    for position in range(1, n + 1):
        fields = [f"trace-{position}", "read", f"subject-{position}"]
        digest = record_hash(KEY, position, previous, fields)
        records.append((position, previous, digest, fields))
        previous = digest
    return records


def verify(records: list[StoredRecord], head: tuple[int, str] | None = None):  # type: ignore[no-untyped-def]
    return chain_verify(chain="processing", key=KEY, records=records, head=head)


def test_an_untouched_chain_is_intact() -> None:
    records = chain(5)
    report = verify(records, head=(5, records[-1][2]))
    assert report.intact and report.records == 5 and report.last_position == 5


def test_a_changed_field_breaks_the_chain_at_that_record() -> None:
    records = chain(5)
    position, previous, digest, fields = records[2]
    records[2] = (position, previous, digest, [fields[0], "read", "someone-else"])
    report = verify(records)
    assert report.broken_at == 3 and "does not match its hash" in report.problem


def test_a_deleted_record_is_named() -> None:
    records = chain(5)
    del records[1]
    report = verify(records)
    assert report.broken_at == 2 and "record 2 is missing" in report.problem


def test_an_inserted_record_without_the_key_is_caught() -> None:
    records = chain(5)
    fake = (6, records[-1][2], record_hash(b"x" * 32, 6, records[-1][2], ["t", "read", "s"]))
    records.append((*fake, ["t", "read", "s"]))
    assert verify(records).broken_at == 6


def test_renumbering_after_an_insertion_is_caught() -> None:
    records = chain(5)
    inserted = (3, records[1][2], "f" * 64, ["t", "read", "s"])
    shifted = [(p + 1, prev, h, f) for p, prev, h, f in records[2:]]
    assert verify([*records[:2], inserted, *shifted]).broken_at == 3


def test_records_deleted_at_the_end_are_caught_by_the_head() -> None:
    records = chain(5)
    report = verify(records[:3], head=(5, records[-1][2]))
    assert report.broken_at == 4 and "records at the end were deleted" in report.problem


def test_another_key_cannot_verify() -> None:
    records = chain(3)
    assert (
        chain_verify(chain="processing", key=b"z" * 32, records=records, head=None).broken_at == 1
    )
