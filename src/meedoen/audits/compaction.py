"""Compacting an audit log written before subject sets (issue 16, ADR 0011, 0013): a service.

Before issue 16 an action about many persons wrote one processing record per person — the same
trace, span, operation, times and activity, one pseudonym each. ``audit_compact`` copies the
processing chain to its end with each such run of records as one record per kind referencing a
subject set (register numbers where the vault or the activity's subject map knows the
pseudonyms, the pseudonyms themselves otherwise), every other record as it was; then it removes
the originals and leaves a signed anchor of kind ``compaction`` where the copies begin, from
which verify recomputes the chain (:mod:`meedoen.audits.retention`). Every copy keeps its
original trace, span, times and detail, so a person's lookup and export find the same
operations. Safe to run again: a log with nothing to compact is left alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from meedoen.accounts.roles import Role
from meedoen.activities.actors import Actor, require_role
from meedoen.audits.models import ChainHead, ProcessingRecord
from meedoen.audits.retention import anchor_store, remove_upto, signing_key_for_anchors
from meedoen.audits.services import (
    GOVERNANCE_ACTIVITY,
    PROCESSING_FIELDS,
    SET_FIELDS,
    audit_action,
    audit_anchors,
    audit_anchors_all,
    audit_checkpoint_write,
    audit_processing_copied,
    audit_subject_set_store,
)
from meedoen.audits.trace import TraceContext
from meedoen_data import audit_sets
from meedoen_data.audit_prune import COMPACTION, Anchor, removed_digest
from meedoen_data.intake.subjects import pseudonyms_numbered

AUDIT_COMPACT = "audit.compact"
#: A copied record's fields, and the subject set it will reference (None: as it was).
Copy = tuple[dict[str, Any], audit_sets.SubjectSet | None]
#: What makes records one action's run: everything but the data subject.
SAME_ACTION = tuple(f for f in PROCESSING_FIELDS if f != "data_subject_id")


@dataclass
class CompactReport:
    dry_run: bool
    records_before: int = 0  # processing records copied (after the last anchor)
    records_after: int = 0  # their copies (a dry run: at least this many, one per run)
    runs: int = 0  # runs of per-person records made into sets
    sets: int = 0  # subject sets the copies reference that were made now
    upto: int = 0  # the last original position (the anchor)

    def as_json(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "records_before": self.records_before,
            "records_after": self.records_after,
            "runs": self.runs,
            "sets": self.sets,
            "anchor": self.upto or None,
        }


def audit_compact(
    *, actor: Actor, trace: TraceContext, channel: str, dry_run: bool = False
) -> CompactReport:
    """Compact the processing chain (see the module). ValidationError when the log does not
    verify or the checkpoint key cannot be read; VaultBusy while an intake holds the vault."""
    require_role(actor, Role.ADMINISTRATOR, operator=True)
    key = signing_key_for_anchors()
    anchor = audit_anchors().get("processing")
    after = anchor.upto if anchor is not None else 0
    head = ChainHead.objects.filter(chain="processing").values_list("position", "hash").first()
    upto, upto_hash = head if head is not None else (0, "")
    report = CompactReport(dry_run=dry_run, upto=upto)
    runs = list(_runs(after=after, upto=upto))
    report.records_before = upto - after
    report.runs = sum(1 for run in runs if len(run) > 1)
    if report.runs and audit_anchors_all():
        raise ValidationError(
            "this log was pruned or compacted before: a log is compacted once, before any "
            "removal (verify would not accept a second compaction)"
        )
    if not report.runs:
        report.records_after = report.records_before
        report.upto = 0
        return report
    if dry_run:  # no numbering in the register either: at least one record per run
        report.records_after = len(runs)
        return report
    copies: list[Copy] = []
    for run in runs:
        copies.extend(_compacted(run) if len(run) > 1 else [(run[0], None)])
    report.records_after = len(copies)
    report.sets = sum(1 for _, made in copies if made is not None)
    originals = (
        ProcessingRecord.objects.filter(position__gt=after, position__lte=upto)
        .order_by("position")
        .values_list("position", "hash")
    )
    digest = removed_digest(originals.iterator(chunk_size=10_000))
    started = datetime.now(UTC)
    with transaction.atomic():
        rows = []
        for row, made in copies:
            if made is not None:
                row = {
                    **row,
                    "data_subject_id": "",
                    "subject_set_id": audit_subject_set_store(made=made),
                    "subject_set_digest": made.digest,
                    "subject_count": made.size,
                }
            rows.append(row)
        audit_processing_copied(rows=rows)
        remove_upto({"processing": upto})
        now = datetime.now(UTC)
        made_anchor = Anchor(
            "processing", upto, upto_hash, upto - after, digest, now, now, kind=COMPACTION
        )
        anchor_store(made_anchor.signed(key))
        audit_action(
            trace=trace,
            user_name=actor.name,
            user_role=actor.role,
            channel=channel,
            client="",
            operation=AUDIT_COMPACT,
            activity=GOVERNANCE_ACTIVITY,
            subjects={},
            started=started,
            detail=(
                f"records {after + 1}-{upto} ({digest[:12]}) copied as {len(copies)} records, "
                f"{report.runs} runs as subject sets"
            ),
        )
    audit_checkpoint_write(create_key=False)
    return report


def _runs(*, after: int, upto: int) -> Iterator[list[dict[str, Any]]]:
    """The records after ``after`` up to ``upto`` in position order, in runs of one action's
    per-person records (a record about a set, or about nobody, is a run of its own)."""
    fields = (*PROCESSING_FIELDS, "subject_set_id", *SET_FIELDS)
    records = (
        ProcessingRecord.objects.filter(position__gt=after, position__lte=upto)
        .order_by("position")
        .values(*fields)
    )
    run: list[dict[str, Any]] = []
    for record in records.iterator(chunk_size=10_000):
        single = record["subject_set_id"] is None and record["data_subject_id"] != ""
        if run and single and _same_action(run[-1], record):
            run.append(record)
            continue
        if run:
            yield run
        run = [record]
    if run:
        yield run


def _same_action(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (
        a["subject_set_id"] is None
        and a["data_subject_id"] != ""
        and all(a[f] == b[f] for f in SAME_ACTION)
    )


def _compacted(
    run: list[dict[str, Any]],
) -> list[tuple[dict[str, Any], audit_sets.SubjectSet | None]]:
    """One run of per-person records as records about sets: a serial set per kind for the
    subjects the register numbers, explicit sets (of at most SMALL_SET_LIMIT) for the rest."""
    base = {k: v for k, v in run[0].items() if k not in ("subject_set_id", *SET_FIELDS)}
    kind = base["data_subject_id_type"]
    pseudonyms = [r["data_subject_id"] for r in run]
    numbered = pseudonyms_numbered(
        home=settings.MEEDOEN_HOME, subject_type=kind, pseudonyms=pseudonyms
    )
    out: list[Copy] = []
    for register_kind, serials in sorted(numbered.serials.items()):
        if not len(serials):
            continue
        made = audit_sets.subject_set_serials(subject_type=register_kind, serials=serials)
        out.append((base, made))
    rest = sorted(numbered.unknown)
    limit = audit_sets.SMALL_SET_LIMIT
    for start in range(0, len(rest), limit):
        chunk = rest[start : start + limit]
        if len(chunk) == 1:
            out.append(({**base, "data_subject_id": chunk[0]}, None))
        else:
            made = audit_sets.subject_set_explicit(subject_type=kind, subjects=chunk)
            out.append((base, made))
    return out


__all__ = ["AUDIT_COMPACT", "CompactReport", "audit_compact"]
