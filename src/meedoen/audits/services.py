"""Writing the audit log: one processing record per data subject, one access record per action.

Records are appended under a lock on the chain's head, so positions have no gaps and each
record's hash covers the one before it (:mod:`meedoen_data.audit_chain`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F

from meedoen import __version__
from meedoen.audits.models import AccessRecord, ChainHead, ProcessingRecord
from meedoen.audits.trace import TraceContext, new_span_id
from meedoen_data.audit_chain import GENESIS, record_hash
from meedoen_data.workspace import AUDIT_CHAIN_KEY

RESOURCE = f"meedoen {__version__}"
BATCH = 5_000

#: The fields each chain's hash covers, in order.
PROCESSING_FIELDS = (
    "trace_id",
    "span_id",
    "parent_span_id",
    "name",
    "status",
    "start_time",
    "end_time",
    "processing_activity_id",
    "data_subject_id",
    "data_subject_id_type",
    "resource",
    "detail",
)
ACCESS_FIELDS = ("trace_id", "at", "user_name", "user_role", "channel", "client", "operation")
CHAINS: dict[str, tuple[type[models.Model], tuple[str, ...]]] = {
    "processing": (ProcessingRecord, PROCESSING_FIELDS),
    "access": (AccessRecord, ACCESS_FIELDS),
}

#: The register entry of processing that is not an analysis: intake under each source's own law,
#: and the vault's pseudonym service. Activities of the register are ``urn:…:activity:ID``.
INTAKE_ACTIVITY = "urn:meedoen:verwerkingsactiviteit:inname"
VAULT_ACTIVITY = "urn:meedoen:verwerkingsactiviteit:identiteitskluis"


def activity_uri(activity_id: int) -> str:
    return f"urn:meedoen:verwerkingsactiviteit:{activity_id}"


def as_text(value: object) -> str:
    """The text a field contributes to the hash (times in UTC, microseconds)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return "" if value is None else str(value)


def audit_key() -> bytes:
    keys = settings.WORKSPACE.keys
    keys.create(AUDIT_CHAIN_KEY)
    return bytes(keys.read(AUDIT_CHAIN_KEY))


def _append(chain: str, rows: Iterable[dict[str, Any]]) -> int:
    """Append rows to a chain under its lock. Rows go in with ``executemany`` on a
    parameterised INSERT (no model instances: a national intake logs millions of persons)."""
    model, fields = CHAINS[chain]
    key = audit_key()
    columns = ("position", "previous_hash", "hash", *fields)
    quote = connection.ops.quote_name
    # Names come from the model and are quoted; every value is a bound parameter.
    target = f"{quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)})"
    placeholders = ", ".join(["%s"] * len(columns))
    times = {f for f in fields if isinstance(model._meta.get_field(f), models.DateTimeField)}

    def stored(name: str, value: object) -> object:
        return connection.ops.adapt_datetimefield_value(value) if name in times else value

    with transaction.atomic(), connection.cursor() as cursor:
        ChainHead.objects.get_or_create(chain=chain, defaults={"hash": GENESIS})
        # The UPDATE takes the lock (the head row on PostgreSQL, the database on SQLite) before
        # the head is read, so two writers never get the same position.
        ChainHead.objects.filter(chain=chain).update(position=F("position"))
        head = ChainHead.objects.get(chain=chain)
        position, previous = head.position, head.hash
        batch: list[tuple[object, ...]] = []
        for row in rows:
            position += 1
            digest = record_hash(key, position, previous, [as_text(row[f]) for f in fields])
            batch.append((position, previous, digest, *(stored(f, row[f]) for f in fields)))
            previous = digest
            if len(batch) >= BATCH:
                _write(cursor, target, placeholders, batch)
                batch = []
        if batch:
            _write(cursor, target, placeholders, batch)
        written = position - head.position
        ChainHead.objects.filter(chain=chain).update(position=position, hash=previous)
    return written


def _write(cursor: Any, target: str, placeholders: str, batch: list[tuple[object, ...]]) -> None:
    """PostgreSQL takes the rows by COPY (several times faster), SQLite by executemany."""
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {target} FROM STDIN") as copy:
            for row in batch:
                copy.write_row(row)
    else:
        cursor.executemany(f"INSERT INTO {target} VALUES ({placeholders})", batch)  # noqa: S608


def audit_access(
    *,
    trace: TraceContext,
    user_name: str,
    user_role: str,
    channel: str,
    client: str,
    operation: str,
) -> None:
    """Who did it: one record per action, joined to the processing records by trace id."""
    _append(
        "access",
        [
            {
                "trace_id": trace.trace_id,
                "at": datetime.now(UTC),
                "user_name": user_name,
                "user_role": user_role,
                "channel": channel,
                "client": client[:200],
                "operation": operation,
            }
        ],
    )


def audit_processing(
    *,
    trace: TraceContext,
    name: str,
    activity: str,
    subjects: Iterable[str],
    subject_type: str,
    started: datetime,
    status: str = ProcessingRecord.Status.OK,
    detail: str = "",
) -> int:
    """One record per data subject of an action (a span of the trace). Returns the count.

    An action that touched no identifiable person (an aggregate query, a rejected file) still
    gets one record, with an empty data subject id, so every action is in the log."""
    span_id = new_span_id()
    ended = datetime.now(UTC)
    base = {
        "trace_id": trace.trace_id,
        "span_id": span_id,
        "parent_span_id": trace.span_id,
        "name": name,
        "status": status,
        "start_time": started,
        "end_time": ended,
        "processing_activity_id": activity,
        "data_subject_id_type": subject_type,
        "resource": RESOURCE,
        "detail": detail[:200],
    }

    def rows() -> Iterator[dict[str, Any]]:
        empty = True
        for subject in subjects:
            empty = False
            yield {**base, "data_subject_id": subject}
        if empty:
            yield {**base, "data_subject_id": "", "data_subject_id_type": "none"}

    return _append("processing", rows())


def audit_action(
    *,
    trace: TraceContext,
    user_name: str,
    user_role: str,
    channel: str,
    client: str,
    operation: str,
    activity: str,
    subjects: dict[str, Iterable[str]],
    started: datetime,
    status: str = ProcessingRecord.Status.OK,
    detail: str = "",
) -> int:
    """One action: its access record (who) and its processing records (whom), per type of
    data-subject id (``{"pseudonym-brp": [...], ...}``). Returns the processing records written."""
    audit_access(
        trace=trace,
        user_name=user_name,
        user_role=user_role,
        channel=channel,
        client=client,
        operation=operation,
    )
    written = 0
    for subject_type, group in sorted(subjects.items()) or [("none", [])]:
        written += audit_processing(
            trace=trace,
            name=operation,
            activity=activity,
            subjects=group,
            subject_type=subject_type,
            started=started,
            status=status,
            detail=detail,
        )
    return written


#: The operations of the audit log page (``/logboek/``), written as access records.
AUDIT_READ = "audit.read"
AUDIT_VERIFY = "audit.verify"


def audit_log_viewed(*, user: Any, operation: str, trace: TraceContext, client: str) -> None:
    """Looking at the audit log is itself logged: one access record per page view
    (``audit.read``) or chain check (``audit.verify``), made through the web app."""
    if operation not in (AUDIT_READ, AUDIT_VERIFY):
        raise ValueError(f"not an operation of the audit log page: {operation!r}")
    audit_access(
        trace=trace,
        user_name=user.username,
        user_role=getattr(user, "role", "") or "",
        channel="web",
        client=client,
        operation=operation,
    )
