"""Reading and verifying the audit log."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from meedoen.accounts.roles import Role
from meedoen.audits.models import AccessRecord, ChainHead, ProcessingRecord
from meedoen.audits.services import CHAINS, activity_uri, as_text, audit_key
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


#: How the audit log page names a record's status, the channel of its access record and a chain.
STATUS_LABELS = {
    ProcessingRecord.Status.OK: _("ok"),
    ProcessingRecord.Status.ERROR: _("error"),
    ProcessingRecord.Status.UNSET: _("unset"),
}
CHANNEL_LABELS = {"cli": _("command line"), "web": _("web app"), "api": _("API")}
CHAIN_LABELS = {"processing": _("processing records"), "access": _("access records")}
#: A processing activity of the register (``urn:…:verwerkingsactiviteit:7``), not intake etc.
REGISTER_ACTIVITY = re.compile(re.escape(activity_uri(0).removesuffix("0")) + "([0-9]+)")


@dataclass(frozen=True)
class AuditLogPage:
    rows: list[dict[str, Any]]
    limit: int
    truncated: bool  # more records match than are shown


def audit_log_page(
    *,
    data_subject_id: str | None = None,
    trace_id: str | None = None,
    activity_id: int | None = None,
    limit: int = 100,
) -> AuditLogPage:
    """The newest ``limit`` matching processing records for the audit log page, each with
    :func:`audit_records`' fields plus ``activity_number`` (the register's id, or None for
    processing outside the register such as intake), ``status_label``, ``role_label`` and
    ``channel_label``."""
    rows = audit_records(
        data_subject_id=data_subject_id,
        trace_id=trace_id,
        activity=activity_uri(activity_id) if activity_id is not None else None,
        limit=limit + 1,
    )
    for row in rows[:limit]:
        number = REGISTER_ACTIVITY.fullmatch(row["processing_activity_id"])
        row["activity_number"] = int(number.group(1)) if number else None
        row["status_label"] = STATUS_LABELS.get(row["status"], row["status"])
        role = row["user_role"]
        row["role_label"] = Role(role).label if role in Role.values else role
        row["channel_label"] = CHANNEL_LABELS.get(row["channel"], row["channel"])
    return AuditLogPage(rows=rows[:limit], limit=limit, truncated=len(rows) > limit)


def chain_label(chain: str) -> str:
    return str(CHAIN_LABELS.get(chain, chain))
