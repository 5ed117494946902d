"""Reading and verifying the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from meedoen.audits.models import AccessRecord, ChainHead, ProcessingRecord
from meedoen.audits.services import CHAINS, as_text, audit_key
from meedoen_data.audit_chain import ChainReport, StoredRecord, chain_verify


def _stored(chain: str) -> Iterator[StoredRecord]:
    model, fields = CHAINS[chain]
    rows = model.objects.order_by("position").values_list(
        "position", "previous_hash", "hash", *fields
    )
    for position, previous, digest, *values in rows.iterator(chunk_size=10_000):
        yield position, previous, digest, [as_text(v) for v in values]


def audit_verify() -> list[ChainReport]:
    """Recompute both chains; each report names the first broken record, if any."""
    key = audit_key()
    reports = []
    for chain in CHAINS:
        head = ChainHead.objects.filter(chain=chain).values_list("position", "hash").first()
        reports.append(chain_verify(chain=chain, key=key, records=_stored(chain), head=head))
    return reports


def audit_records(
    *,
    data_subject_id: str | None = None,
    trace_id: str | None = None,
    activity: str | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """The newest processing records (filtered), each with who acted from its trace's access
    record (``user_name``, ``user_role``, ``channel``; empty when there is none)."""
    records = ProcessingRecord.objects.order_by("-position")
    if data_subject_id:
        records = records.filter(data_subject_id=data_subject_id)
    if trace_id:
        records = records.filter(trace_id=trace_id)
    if activity:
        records = records.filter(processing_activity_id=activity)
    rows = list(records.values()[:limit])
    access: dict[str, dict[str, Any]] = {}
    for record in AccessRecord.objects.filter(trace_id__in={r["trace_id"] for r in rows}).values(
        "trace_id", "user_name", "user_role", "channel"
    ):
        access.setdefault(record["trace_id"], record)
    empty = {"user_name": "", "user_role": "", "channel": ""}
    for row in rows:
        who = access.get(row["trace_id"], empty)
        row.update({k: who[k] for k in empty})
    return rows
