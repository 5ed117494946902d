"""Pruning the audit log at the end of its retention period (ADR 0013): a service.

``audit_prune`` removes, per chain, the oldest records that ended before a cut-off — always a
run from the chain's start (or its last anchor), so what is left is still one chain — and the
subject sets no remaining record references, in one transaction. It leaves a signed anchor per
chain (:mod:`meedoen_data.audit_prune`) from which ``meedoen audit verify`` recomputes the
rest, logs itself (``audit.prune``) and writes a checkpoint. It refuses a log that does not
verify, a cut-off inside the minimum retention (``MEEDOEN_AUDIT_MIN_RETENTION_DAYS``), and an
account that cannot read the checkpoint key; on PostgreSQL it must run as the tables' owner
(as ``migrate`` does): the application role may not delete audit records.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, OuterRef

from meedoen.accounts.roles import Role
from meedoen.activities.actors import Actor, require_role
from meedoen.audits.models import (
    AccessRecord,
    ProcessingRecord,
    PruneAnchor,
    SubjectSet,
    SubjectSetContainer,
    SubjectSetMember,
)
from meedoen.audits.selectors import SET_TABLES, audit_verify_all
from meedoen.audits.services import (
    GOVERNANCE_ACTIVITY,
    audit_action,
    audit_anchors,
    audit_checkpoint_write,
)
from meedoen.audits.trace import TraceContext
from meedoen_data.audit_checkpoint import CheckpointError, checkpoint_key_load
from meedoen_data.audit_prune import Anchor, removed_digest

AUDIT_PRUNE = "audit.prune"
#: Per chain: its model and the field that says when a record's processing ended.
ENDED = {"processing": (ProcessingRecord, "end_time"), "access": (AccessRecord, "at")}
#: The tables whose delete triggers a prune lifts for its own transaction (never the anchors').
PRUNED_TABLES = ("audits_processingrecord", "audits_accessrecord", *SET_TABLES)


@dataclass
class PrunePlan:
    chain: str
    after: int  # the records after this position are kept or pruned (0, or the last anchor)
    upto: int  # pruned: after+1 .. upto (upto == after: nothing)
    upto_hash: str = ""
    digest: str = ""

    @property
    def removed(self) -> int:
        return self.upto - self.after


@dataclass
class PruneReport:
    before: datetime
    dry_run: bool
    chains: list[PrunePlan] = field(default_factory=list)
    sets_removed: int = 0

    @property
    def records_removed(self) -> int:
        return sum(p.removed for p in self.chains)

    def as_json(self) -> dict[str, Any]:
        return {
            "before": self.before.isoformat(),
            "dry_run": self.dry_run,
            "records_removed": self.records_removed,
            "sets_removed": self.sets_removed,
            "chains": [
                {
                    "chain": p.chain,
                    "removed": p.removed,
                    "from": p.after + 1 if p.removed else None,
                    "upto": p.upto if p.removed else None,
                    "upto_hash": p.upto_hash or None,
                    "digest": p.digest or None,
                }
                for p in self.chains
            ],
        }


def audit_prune(
    *,
    before: datetime,
    actor: Actor,
    trace: TraceContext,
    channel: str,
    dry_run: bool = False,
) -> PruneReport:
    """Remove the records that ended before ``before`` (a run from each chain's start) and the
    subject sets only they referenced; leave a signed anchor per chain and log the prune. With
    ``dry_run`` only say what would go. ValidationError when refused (see the module)."""
    require_role(actor, Role.ADMINISTRATOR, operator=True)
    floor = datetime.now(UTC) - timedelta(days=settings.AUDIT_MIN_RETENTION_DAYS)
    if before > floor:
        raise ValidationError(
            f"--before {before:%Y-%m-%d} is within the minimum retention of the audit log "
            f"({settings.AUDIT_MIN_RETENTION_DAYS} days, MEEDOEN_AUDIT_MIN_RETENTION_DAYS): "
            f"records are kept at least until {floor:%Y-%m-%d}"
        )
    key = signing_key_for_anchors()
    report = PruneReport(before=before, dry_run=dry_run)
    anchors = audit_anchors()
    for chain, (model, ended) in ENDED.items():
        after = anchors[chain].upto if chain in anchors else 0
        young = (
            model.objects.filter(position__gt=after, **{f"{ended}__gte": before})
            .order_by("position")
            .values_list("position", flat=True)
            .first()
        )
        last = model.objects.order_by("-position").values_list("position", flat=True).first()
        upto = (young - 1) if young is not None else (last or after)
        plan = PrunePlan(chain, after, max(upto, after))
        if plan.removed:
            rows = (
                model.objects.filter(position__gt=after, position__lte=plan.upto)
                .order_by("position")
                .values_list("position", "hash")
            )
            plan.digest = removed_digest(rows.iterator(chunk_size=10_000))
            plan.upto_hash = str(
                model.objects.filter(position=plan.upto).values_list("hash", flat=True).get()
            )
        report.chains.append(plan)
    if dry_run or not report.records_removed:
        report.sets_removed = 0 if not dry_run else _orphan_sets_after(report).count()
        return report
    started = datetime.now(UTC)
    with transaction.atomic():
        report.sets_removed = remove_upto(
            {plan.chain: plan.upto for plan in report.chains if plan.removed}
        )
        now = datetime.now(UTC)
        for plan in report.chains:
            if plan.removed:
                made = Anchor(
                    plan.chain, plan.upto, plan.upto_hash, plan.removed, plan.digest, before, now
                )
                anchor_store(made.signed(key))
        audit_action(
            trace=trace,
            user_name=actor.name,
            user_role=actor.role,
            channel=channel,
            client="",
            operation=AUDIT_PRUNE,
            activity=GOVERNANCE_ACTIVITY,
            subjects={},
            started=started,
            detail=_detail(report)[:200],
        )
    audit_checkpoint_write(create_key=False)
    return report


def signing_key_for_anchors() -> Any:
    """The checkpoint key, after checking that the log verifies: nothing is removed from a
    broken log (it would remove what shows the break). ValidationError otherwise."""
    try:
        key = checkpoint_key_load(settings.AUDIT_CHECKPOINT_KEY)
    except CheckpointError as exc:
        raise ValidationError(
            f"{exc}: removing records signs where the chains now start with the checkpoint key"
        ) from None
    verification = audit_verify_all()
    if not verification.intact:
        raise ValidationError(
            "the audit log does not verify (run meedoen audit verify): records are not removed "
            "from a broken log, so that nothing that shows the break goes"
        )
    return key


def anchor_store(anchor: Anchor) -> None:
    PruneAnchor.objects.create(
        chain=anchor.chain,
        upto=anchor.upto,
        upto_hash=anchor.upto_hash,
        removed=anchor.removed,
        digest=anchor.digest,
        before=anchor.before,
        time=anchor.time,
        kind=anchor.kind,
        key=anchor.key,
        signature=anchor.signature,
    )


def remove_upto(upto: dict[str, int]) -> int:
    """Delete each chain's records up to its position, and the subject sets no remaining
    record references; inside the caller's transaction. Returns the sets removed."""
    with deletes_allowed():
        for chain, position in upto.items():
            model, _ = ENDED[chain]
            delete_upto(model._meta.db_table, position)
        orphans = list(orphan_sets().values_list("id", flat=True))
        for start in range(0, len(orphans), 500):
            chunk = orphans[start : start + 500]
            SubjectSetMember.objects.filter(subject_set_id__in=chunk).delete()
            SubjectSetContainer.objects.filter(subject_set_id__in=chunk).delete()
            SubjectSet.objects.filter(id__in=chunk).delete()
    return len(orphans)


def _detail(report: PruneReport) -> str:
    chains = ", ".join(
        f"{p.chain} {p.after + 1}-{p.upto} ({p.digest[:12]})" for p in report.chains if p.removed
    )
    return f"ended before {report.before:%Y-%m-%d}: {chains}; {report.sets_removed} sets"


def orphan_sets() -> Any:
    """The subject sets no processing record references."""
    return SubjectSet.objects.filter(
        ~Exists(ProcessingRecord.objects.filter(subject_set_id=OuterRef("pk")))
    )


def _orphan_sets_after(report: PruneReport) -> Any:
    """The subject sets no record would reference after the planned prune."""
    upto = next(p.upto for p in report.chains if p.chain == "processing")
    kept = ProcessingRecord.objects.filter(position__gt=upto, subject_set_id=OuterRef("pk"))
    return SubjectSet.objects.filter(~Exists(kept))


@contextmanager
def deletes_allowed() -> Iterator[None]:
    """Lift the delete triggers of the records and sets inside the caller's transaction: SQLite
    drops them and creates them again from their own definition (DDL is transactional there);
    PostgreSQL disables them, which only the tables' owner may. On an error the transaction
    rolls back, the triggers with it."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            names = [f"{table}_no_delete" for table in PRUNED_TABLES]
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN "  # noqa: S608
                f"({', '.join(['%s'] * len(names))})",  # placeholders only
                names,
            )
            saved = cursor.fetchall()
            for name, _ in saved:
                cursor.execute(f"DROP TRIGGER {quote(name)}")
            yield
            for _, sql in saved:
                cursor.execute(sql)
            return
        # Deferred foreign-key checks of this transaction first: PostgreSQL will not alter a
        # table with pending trigger events.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        try:
            for table in PRUNED_TABLES:
                cursor.execute(
                    f"ALTER TABLE {quote(table)} DISABLE TRIGGER {quote(table + '_append_only')}"
                )
        except DatabaseError as exc:
            raise ValidationError(
                "pruning the audit log needs the database owner (run it with DATABASE_URL of "
                f"the owner role, as for migrate): {str(exc).splitlines()[0]}"
            ) from None
        yield
        for table in PRUNED_TABLES:
            cursor.execute(
                f"ALTER TABLE {quote(table)} ENABLE TRIGGER {quote(table + '_append_only')}"
            )


def delete_upto(table: str, upto: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {connection.ops.quote_name(table)} WHERE position <= %s",  # noqa: S608
            [upto],  # the table is one of the log's own, quoted
        )


__all__ = ["AUDIT_PRUNE", "PruneReport", "audit_prune"]
