"""The hash chain recomputed from a trusted position (``chain_verify(start=…)``, the base of
``meedoen audit verify --since``)."""

from __future__ import annotations

from meedoen_data.audit_chain import StoredRecord, chain_verify
from tests.data.test_audit_chain import KEY, chain


def since(records: list[StoredRecord], position: int, head: tuple[int, str] | None = None):  # type: ignore[no-untyped-def]
    """Verify the records after ``position``, trusting that record's hash."""
    trusted = (position, records[position - 1][2])
    return chain_verify(
        chain="processing", key=KEY, records=records[position:], head=head, start=trusted
    )


def test_only_the_records_after_the_start_are_recomputed() -> None:
    records = chain(8)
    report = since(records, 5, head=(8, records[-1][2]))
    assert report.intact and report.records == 3 and report.checked_from == 6
    assert (report.last_position, report.last_hash) == (8, records[-1][2])


def test_nothing_new_ends_at_the_start() -> None:
    records = chain(5)
    report = since(records, 5, head=(5, records[-1][2]))
    assert report.intact and report.records == 0 and report.last_position == 5


def test_a_changed_record_after_the_start_is_named() -> None:
    records = chain(8)
    position, previous, digest, fields = records[6]
    records[6] = (position, previous, digest, [fields[0], "read", "someone-else"])
    assert since(records, 5).broken_at == 7


def test_the_first_record_after_the_start_must_point_to_the_trusted_hash() -> None:
    records = chain(8)
    report = chain_verify(
        chain="processing", key=KEY, records=records[5:], head=None, start=(5, "f" * 64)
    )
    assert report.broken_at == 6 and "does not point to record 5" in report.problem


def test_a_gap_right_after_the_start_is_named() -> None:
    records = chain(8)
    del records[5]
    report = since(records, 5)
    assert report.broken_at == 6 and "record 6 is missing" in report.problem


def test_without_a_start_the_whole_chain_is_recomputed() -> None:
    records = chain(4)
    report = chain_verify(chain="processing", key=KEY, records=records, head=None)
    assert report.intact and report.records == 4 and report.checked_from == 1
