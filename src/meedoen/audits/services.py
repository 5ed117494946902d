"""Writing the audit log: one processing record per data subject, one access record per action.

Records are appended under a lock on the chain's head, so positions have no gaps and each
record's hash covers the one before it (:mod:`meedoen_data.audit_chain`). Governance decisions
(requests, approvals, refusals, revocations, reviewer grants, …) are records too
(:func:`audit_governance`). Checkpoints — the chains' ends, signed and written to a witness folder
outside the database (:mod:`meedoen_data.audit_checkpoint`) — make a cut-off end detectable
(:func:`audit_checkpoint_write`, written by ``meedoen audit checkpoint`` and ``meedoen serve``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F, Max

from meedoen import __version__
from meedoen.accounts.roles import Role
from meedoen.activities.actors import require_role
from meedoen.audits.models import (
    AccessRecord,
    ChainHead,
    ProcessingRecord,
    PruneAnchor,
    SubjectSet,
    SubjectSetContainer,
    SubjectSetMember,
)
from meedoen.audits.trace import TraceContext, new_span_id
from meedoen_data import audit_sets
from meedoen_data.audit_chain import GENESIS, record_hash
from meedoen_data.audit_checkpoint import (
    ChainState,
    Checkpoint,
    CheckpointError,
    WitnessWrite,
    checkpoint_key_create,
    checkpoint_key_load,
    checkpoint_key_readable,
    witness_write,
)
from meedoen_data.audit_prune import Anchor
from meedoen_data.workspace import AUDIT_CHAIN_KEY

logger = logging.getLogger("meedoen.audits")

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
#: What a processing record's hash covers beyond PROCESSING_FIELDS when it references a subject
#: set (ADR 0011). Records that name one subject keep the old list, so they verify as before.
SET_FIELDS = ("subject_set_digest", "subject_count")
#: Columns stored beside each chain's hashed fields.
EXTRA_COLUMNS: dict[str, tuple[str, ...]] = {
    "processing": ("subject_set_id", *SET_FIELDS),
    "access": (),
}
CHAINS: dict[str, tuple[type[models.Model], tuple[str, ...]]] = {
    "processing": (ProcessingRecord, PROCESSING_FIELDS),
    "access": (AccessRecord, ACCESS_FIELDS),
}

#: The register entry of processing that is not an analysis: intake under each source's own law,
#: and the vault's pseudonym service. Activities of the register are ``urn:…:activity:ID``.
INTAKE_ACTIVITY = "urn:meedoen:verwerkingsactiviteit:inname"
VAULT_ACTIVITY = "urn:meedoen:verwerkingsactiviteit:identiteitskluis"
#: Governance outside any one activity (accounts and roles): the register entry of running
#: meedoen itself.
GOVERNANCE_ACTIVITY = "urn:meedoen:verwerkingsactiviteit:beheer"
#: Supervision of the processing itself: the privacy officer looking a person up in the audit
#: log (an access request under AVG art. 15, a complaint) reads the vault and the keys.
SUPERVISION_ACTIVITY = "urn:meedoen:verwerkingsactiviteit:toezicht"


def activity_uri(activity_id: int) -> str:
    return f"urn:meedoen:verwerkingsactiviteit:{activity_id}"


def as_text(value: object) -> str:
    """The text a field contributes to the hash (times in UTC, microseconds)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return "" if value is None else str(value)


def hashed_values(chain: str, row: Mapping[str, Any]) -> list[str]:
    """The texts a record's hash covers, in order (see SET_FIELDS)."""
    _, fields = CHAINS[chain]
    values = [as_text(row[f]) for f in fields]
    if chain == "processing" and row.get("subject_set_digest"):
        values += [as_text(row[f]) for f in SET_FIELDS]
    return values


def _now() -> datetime:
    """When a record is written (one place, so that tests can write a log of the past)."""
    return datetime.now(UTC)


def audit_key() -> bytes:
    keys = settings.WORKSPACE.keys
    keys.create(AUDIT_CHAIN_KEY)
    return bytes(keys.read(AUDIT_CHAIN_KEY))


def _append(chain: str, rows: Iterable[dict[str, Any]]) -> int:
    """Append rows to a chain under its lock. Rows go in with ``executemany`` on a
    parameterised INSERT (no model instances: a national intake logs millions of persons)."""
    model, fields = CHAINS[chain]
    key = audit_key()
    columns = ("position", "previous_hash", "hash", *fields, *EXTRA_COLUMNS[chain])
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
            digest = record_hash(key, position, previous, hashed_values(chain, row))
            batch.append(
                (
                    position,
                    previous,
                    digest,
                    *(stored(f, row[f]) for f in fields),
                    *(row.get(f) for f in EXTRA_COLUMNS[chain]),
                )
            )
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
                "at": _now(),
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
    subject_set: audit_sets.SubjectSet | None = None,
) -> int:
    """One record per data subject of an action (a span of the trace). Returns the count.

    An action that touched no identifiable person (an aggregate query, a rejected file) still
    gets one record, with an empty data subject id, so every action is in the log. An action
    on many subjects gives them as ``subject_set`` instead (ADR 0011): one record that
    references the stored set, its digest and size in the chain."""
    span_id = new_span_id()
    ended = _now()
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

    if subject_set is not None:
        set_id = audit_subject_set_store(made=subject_set)
        record = {
            **base,
            "data_subject_id": "",
            "subject_set_id": set_id,
            "subject_set_digest": subject_set.digest,
            "subject_count": subject_set.size,
        }
        return _append("processing", iter([record]))

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
    subjects: Mapping[str, Iterable[str] | audit_sets.SubjectSet]
    | Sequence[tuple[str, Iterable[str] | audit_sets.SubjectSet]],
    started: datetime,
    status: str = ProcessingRecord.Status.OK,
    detail: str = "",
) -> int:
    """One action: its access record (who) and its processing records (whom), per type of
    data-subject id (``{"pseudonym-brp": [...], ...}``; a type's subjects may be a subject
    set, written as one record). A type may come more than once as (type, subjects) pairs: a
    set of the subjects the vault numbered and the rest by pseudonym. Returns the processing
    records written."""
    audit_access(
        trace=trace,
        user_name=user_name,
        user_role=user_role,
        channel=channel,
        client=client,
        operation=operation,
    )
    written = 0
    pairs = list(subjects.items()) if isinstance(subjects, Mapping) else list(subjects)
    groups: list[tuple[str, Iterable[str] | audit_sets.SubjectSet]] = sorted(
        pairs, key=lambda item: item[0]
    ) or [("none", [])]
    for subject_type, group in groups:
        made = group if isinstance(group, audit_sets.SubjectSet) else None
        written += audit_processing(
            trace=trace,
            name=operation,
            activity=activity,
            subjects=() if made else group,  # type: ignore[arg-type]
            subject_type=subject_type,
            started=started,
            status=status,
            detail=detail,
            subject_set=made,
        )
    return written


#: Looking a person up in the audit log (``audit list --subject/--bsn``, ``audit export``, the
#: person filter of ``/logboek/``).
AUDIT_PERSON_LOOKUP = "audit.person_lookup"
AUDIT_PERSON_EXPORT = "audit.person_export"


def audit_person_looked_up(
    *,
    trace: TraceContext,
    actor: _Acting,
    channel: str,
    client: str,
    pseudonyms: Mapping[str, str],
    operation: str = AUDIT_PERSON_LOOKUP,
    started: datetime,
    detail: str = "",
) -> None:
    """A lookup of one person in the audit log is itself a processing of that person (it
    turns a BSN or pseudonym into all their names through the vault): one record naming them
    by their BRP pseudonym (else by the first of ``pseudonyms``), with who looked. Only the
    privacy officer, the administrator and the workspace's operator may look (PermissionDenied
    for anyone else): call it before showing anything."""
    if operation not in (AUDIT_PERSON_LOOKUP, AUDIT_PERSON_EXPORT):
        raise ValueError(f"not a lookup of a person: {operation!r}")
    require_role(actor, Role.PRIVACY_OFFICER, Role.ADMINISTRATOR, operator=True)  # type: ignore[arg-type]
    kind = "pseudonym-brp" if "pseudonym-brp" in pseudonyms else min(pseudonyms, default="none")
    audit_action(
        trace=trace,
        user_name=actor.name,
        user_role=actor.role,
        channel=channel,
        client=client,
        operation=operation,
        activity=SUPERVISION_ACTIVITY,
        subjects={kind: [pseudonyms[kind]]} if kind in pseudonyms else {},
        started=started,
        detail=detail,
    )


#: The operations of the audit log page (``/logboek/``), written as access records.
AUDIT_READ = "audit.read"
AUDIT_VERIFY = "audit.verify"
AUDIT_CHECKPOINT_DOWNLOAD = "audit.checkpoint_download"


def audit_log_viewed(*, user: Any, operation: str, trace: TraceContext, client: str) -> None:
    """Looking at the audit log is itself logged: one access record per page view
    (``audit.read``), chain check (``audit.verify``) or checkpoint download
    (``audit.checkpoint_download``), made through the web app."""
    if operation not in (AUDIT_READ, AUDIT_VERIFY, AUDIT_CHECKPOINT_DOWNLOAD):
        raise ValueError(f"not an operation of the audit log page: {operation!r}")
    audit_access(
        trace=trace,
        user_name=user.username,
        user_role=getattr(user, "role", "") or "",
        channel="web",
        client=client,
        operation=operation,
    )


class _Acting(Protocol):
    """Who acts (:class:`meedoen.activities.actors.Actor` or anything with a name and role)."""

    @property
    def name(self) -> str: ...

    @property
    def role(self) -> str: ...


def audit_governance(
    *,
    trace: TraceContext,
    actor: _Acting,
    channel: str,
    client: str = "",
    operation: str,
    activity_id: int | None,
    detail: str = "",
) -> None:
    """A governance decision as an audit record: who decided (an access record) and what (one
    processing record without data subject, under the activity it concerns — or
    :data:`GOVERNANCE_ACTIVITY` for ``activity_id=None``, e.g. an account's role). ``operation``
    names the decision (``activity.approve``, ``publication.withdraw``, ``account.role``, …);
    ``detail`` says what was decided on (version, floors, whom), never personal data of
    residents. Call it inside the decision's transaction: the decision and its record are
    committed together."""
    started = datetime.now(UTC)
    audit_access(
        trace=trace,
        user_name=actor.name,
        user_role=actor.role,
        channel=channel,
        client=client,
        operation=operation,
    )
    audit_processing(
        trace=trace,
        name=operation,
        activity=activity_uri(activity_id) if activity_id is not None else GOVERNANCE_ACTIVITY,
        subjects=[],
        subject_type="none",
        started=started,
        detail=detail,
    )


# --- checkpoints ---------------------------------------------------------------------------


def chain_states() -> dict[str, ChainState]:
    """Where each chain ends now, by its head, after checking that the head's record is in the
    log with the head's hash and that no position up to it is missing (a checkpoint never
    vouches for a log that is already broken)."""
    states: dict[str, ChainState] = {}
    anchors = audit_anchors()
    with transaction.atomic():
        for chain, (model, _) in CHAINS.items():
            head = ChainHead.objects.filter(chain=chain).values_list("position", "hash").first()
            position, digest = head or (0, GENESIS)
            if position:
                stored = (
                    model.objects.filter(position=position).values_list("hash", flat=True).first()
                )
                if stored != digest:
                    raise CheckpointError(
                        f"the head of the {chain} chain names record {position}, which the log "
                        "does not hold with that hash. Run: meedoen audit verify"
                    )
            anchor = anchors.get(chain)
            pruned = anchor.upto if anchor is not None else 0  # removed by a prune (ADR 0013)
            records = model.objects.filter(position__gt=pruned, position__lte=position).count()
            if records != position - pruned:
                raise CheckpointError(
                    f"the {chain} chain holds {records} records from {pruned + 1} up to position "
                    f"{position}: records are missing. Run: meedoen audit verify"
                )
            states[chain] = ChainState(position, digest, records)
    return states


def chain_ends() -> dict[str, int]:
    """The last position actually in each chain (not what its head says)."""
    return {
        chain: model.objects.aggregate(last=Max("position"))["last"] or 0
        for chain, (model, _) in CHAINS.items()
    }


def chain_hashes(chain: str, positions: Collection[int]) -> dict[int, str]:
    """The hashes of the records at ``positions`` that the chain holds."""
    model, _ = CHAINS[chain]
    wanted = sorted(positions)
    found: dict[int, str] = {}
    for start in range(0, len(wanted), 500):
        rows = model.objects.filter(position__in=wanted[start : start + 500])
        found.update(rows.values_list("position", "hash"))
    return found


def audit_anchors_all() -> list[Anchor]:
    """Every prune anchor (ADR 0013), per chain oldest first, as stored: their signatures are
    checked by the verifier (:func:`meedoen.audits.selectors.audit_anchors_trusted`)."""
    return [
        Anchor(
            chain=row["chain"],
            upto=row["upto"],
            upto_hash=row["upto_hash"],
            removed=row["removed"],
            digest=row["digest"],
            before=row["before"],
            time=row["time"],
            kind=row["kind"],
            key=row["key"],
            signature=row["signature"],
        )
        for row in PruneAnchor.objects.order_by("chain", "upto").values()
    ]


def audit_anchors() -> dict[str, Anchor]:
    """Each pruned chain's newest anchor: where the chain now starts."""
    return {anchor.chain: anchor for anchor in audit_anchors_all()}


def anchored_hashes(chain: str, positions: Collection[int]) -> dict[int, str]:
    """As :func:`chain_hashes`, and the pruned records' hashes where a prune anchor knows them
    (its last position); the records before it were removed (ADR 0013)."""
    found = chain_hashes(chain, positions)
    anchor = audit_anchors().get(chain)
    if anchor is not None and anchor.upto in positions:
        found[anchor.upto] = anchor.upto_hash
    return found


def _extends(newest: Checkpoint) -> list[str]:
    """What in the log contradicts the newest checkpoint (empty: it extends it). A checkpoint
    inside a pruned part is covered by the prune's anchor (checked by verify)."""
    problems = []
    anchors = audit_anchors()
    for chain, state in sorted(newest.chains.items()):
        anchor = anchors.get(chain)
        if anchor is not None and state.position < anchor.upto:
            continue
        if chain in CHAINS and state.position:
            stored = anchored_hashes(chain, [state.position]).get(state.position)
            if stored != state.hash:
                problems.append(
                    f"record {state.position} of the {chain} chain is not the record "
                    f"{newest.label} saw"
                )
    return problems


def checkpoint_key_ensure() -> bool:
    """Create the checkpoint signing key (and its public key beside it) unless it exists.
    Returns True when it was created."""
    return checkpoint_key_create(settings.AUDIT_CHECKPOINT_KEY)


def audit_checkpoint_write(*, create_key: bool = True) -> WitnessWrite:
    """Sign where both chains end now and write it as the next checkpoint to the witness folder
    (``MEEDOEN_AUDIT_WITNESS``); nothing is written when the chains did not move since the
    newest checkpoint. Refused (CheckpointError) when the key cannot be read, or when the log
    does not extend the newest checkpoint. ``create_key``: create the key on first use (the
    operator's command does; ``meedoen serve`` only uses a key that exists)."""
    if create_key:
        checkpoint_key_ensure()
    key = checkpoint_key_load(settings.AUDIT_CHECKPOINT_KEY)
    return witness_write(
        folder=settings.AUDIT_WITNESS_DIR, key=key, chains=chain_states(), extends=_extends
    )


def checkpoint_timer_start(*, interval: int | None = None) -> threading.Event | None:
    """For ``meedoen serve``: write a checkpoint now and then every ``interval`` seconds
    (``MEEDOEN_CHECKPOINT_INTERVAL``) in a background thread — when this process can read the
    checkpoint key (single-account installations, the demo). Otherwise say once that the
    operator's timer must write them. Returns an event that stops the thread, or None."""
    seconds = settings.AUDIT_CHECKPOINT_INTERVAL if interval is None else interval
    key = settings.AUDIT_CHECKPOINT_KEY
    if seconds <= 0:
        logger.info(
            "audit checkpoints are not written by the web app (MEEDOEN_CHECKPOINT_INTERVAL=0): "
            "the operator's timer writes them (meedoen audit checkpoint)"
        )
        return None
    if not checkpoint_key_readable(key):
        logger.warning(
            "the web app cannot read the checkpoint key %s, so it writes no audit checkpoints: "
            "the operator's timer must (meedoen audit checkpoint, see docs/admin/workspace.md)",
            key,
        )
        return None
    stop = threading.Event()

    def run() -> None:
        from django.db import connections

        while True:
            try:
                result = audit_checkpoint_write(create_key=False)
                if result.written:
                    logger.info("audit checkpoint written: %s", result.path)
            except CheckpointError as exc:
                logger.error("audit checkpoint not written: %s", exc)
            except Exception:
                logger.exception("audit checkpoint not written")
            finally:
                connections.close_all()
            if stop.wait(seconds):
                return

    threading.Thread(target=run, name="meedoen-audit-checkpoints", daemon=True).start()
    return stop


def audit_checkpoint_init() -> list[Path]:
    """For ``meedoen init``: the checkpoint key unless it exists, and a checkpoint of the log as
    it is now. Returns what was created. An account that may not hold the key (key separation,
    docs/admin/workspace.md) gets CheckpointError or OSError: the checkpoint account's timer
    writes the checkpoints then."""
    created = []
    if checkpoint_key_ensure():
        created.append(settings.AUDIT_CHECKPOINT_KEY)
    result = audit_checkpoint_write(create_key=False)
    if result.written:
        created.append(result.path)
    return created


def audit_processing_copied(*, rows: Iterable[Mapping[str, Any]]) -> int:
    """Append processing records copied from older ones, field for field (``meedoen audit
    compact``, ADR 0013): PROCESSING_FIELDS, and for a record about a set its id, digest and
    size (the set stored first with :func:`audit_subject_set_store`). Returns the count."""
    return _append("processing", ({"subject_set_id": None, **row} for row in rows))


def audit_subject_set_store(*, made: audit_sets.SubjectSet) -> int:
    """Store a subject set once: the id of the stored set with the same digest, or of this one,
    written now with its members or containers (ADR 0011). Two writers of the same set at the
    same moment end up with the one stored first."""
    found = SubjectSet.objects.filter(digest=made.digest).values_list("pk", flat=True).first()
    if found is not None:
        return int(found)
    try:
        with transaction.atomic():
            stored = SubjectSet.objects.create(
                digest=made.digest,
                subject_type=made.subject_type,
                encoding=made.encoding,
                size=made.size,
                created_at=datetime.now(UTC),
            )
            SubjectSetMember.objects.bulk_create(
                (SubjectSetMember(subject_set=stored, subject=m) for m in made.members),
                batch_size=BATCH,
            )
            SubjectSetContainer.objects.bulk_create(
                (
                    SubjectSetContainer(subject_set=stored, key=c.key, bitmap=c.bitmap)
                    for c in made.containers
                ),
                batch_size=1_000,
            )
    except IntegrityError:
        return int(SubjectSet.objects.values_list("pk", flat=True).get(digest=made.digest))
    return int(stored.pk)
