"""Reading and verifying the audit log."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.db import connection
from django.db.models import Max, Min, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from meedoen.accounts.roles import Role
from meedoen.audits.accounts import UnloggedRole, audit_account_roles_check
from meedoen.audits.models import (
    AccessRecord,
    ChainHead,
    ProcessingRecord,
    SubjectSet,
    SubjectSetContainer,
    SubjectSetMember,
)
from meedoen.audits.services import (
    CHAINS,
    EXTRA_COLUMNS,
    activity_uri,
    anchored_hashes,
    audit_anchors,
    audit_anchors_all,
    audit_key,
    chain_ends,
    hashed_values,
)
from meedoen_data import audit_sets
from meedoen_data.activity_subjects import subject_map_lookup
from meedoen_data.audit_chain import (
    ChainReport,
    StoredRecord,
    chain_verify,
    record_hash,
)
from meedoen_data.audit_checkpoint import (
    ChainState,
    Checkpoint,
    CheckpointError,
    CheckpointReport,
    checkpoint_key_load,
    checkpoint_key_readable,
    checkpoints_verify,
    download_document,
    public_key_load,
    witness_files,
    witness_newest,
    witness_writable,
)
from meedoen_data.audit_person import LoggedPerson, PersonNotFound, logged_person
from meedoen_data.audit_prune import COMPACTION, Anchor, anchor_problem
from meedoen_data.audit_subjects import PERSON
from meedoen_data.intake.subjects import VaultBusy as VaultBusy  # re-exported for views and the CLI
from meedoen_data.intake.subjects import subject_serials_of

if TYPE_CHECKING:
    from meedoen.audits.verified import Verified

#: The ``step`` of the progress callback for each chain (``processing chain``, ``access chain``)
#: and for reading the subject sets back; called every PROGRESS_EVERY records and once per set.
SETS_STEP = "subject sets"
PROGRESS_EVERY = 10_000
#: (step, done, total), as meedoen_data's ``Progress``.
Progress = Callable[[str, int, int], None]


def _stored(chain: str, *, after: int = 0) -> Iterator[StoredRecord]:
    """The chain's records after position ``after``, in position order."""
    model, fields = CHAINS[chain]
    names = (*fields, *EXTRA_COLUMNS[chain])
    rows = (
        model.objects.filter(position__gt=after)
        .order_by("position")
        .values_list("position", "previous_hash", "hash", *names)
    )
    for position, previous, digest, *values in rows.iterator(chunk_size=10_000):
        yield (
            position,
            previous,
            digest,
            hashed_values(chain, dict(zip(names, values, strict=True))),
        )


def _counted(
    records: Iterator[StoredRecord], *, step: str, total: int, progress: Progress | None
) -> Iterator[StoredRecord]:
    for done, record in enumerate(records, start=1):
        yield record
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(step, done, max(total, done))


def audit_anchors_trusted(
    *, public_keys: Sequence[Path] = ()
) -> tuple[dict[str, Anchor], dict[str, str]]:
    """Each pruned chain's newest prune anchor (ADR 0013), when it and every earlier anchor of
    the chain are signed by the trusted key (:func:`checkpoint_trust`) and removed nothing the
    log must still keep (:func:`anchor_problem`); for the other chains, why not."""
    stored = audit_anchors_all()
    if not stored:
        return {}, {}
    try:
        trusted, _ = checkpoint_trust(public_keys=public_keys)
    except CheckpointError:
        trusted = []
    good: dict[str, Anchor] = {}
    bad: dict[str, str] = {}
    seen: set[str] = set()
    for anchor in stored:  # per chain oldest first: the newest good one wins
        problem = anchor_problem(anchor, trusted)
        if not problem and anchor.kind == COMPACTION and anchor.chain in seen:
            # A log is compacted once, when it was written before subject sets; a compaction
            # is the one removal verify cannot hold to the retention floor.
            problem = "a second removal labelled a compaction (a log is compacted only once)"
        seen.add(anchor.chain)
        if problem:
            bad.setdefault(anchor.chain, f"{anchor.label}: {problem}")
        else:
            good[anchor.chain] = anchor
    return {chain: a for chain, a in good.items() if chain not in bad}, bad


def audit_verify(
    *,
    since: Verified | None = None,
    progress: Progress | None = None,
    public_keys: Sequence[Path] = (),
) -> list[ChainReport]:
    """Recompute both chains; each report names the first broken record, if any.

    A pruned chain (ADR 0013) is recomputed from its newest prune anchor, when that is signed
    by the trusted key; the record after it must point to the anchor's hash.
    ``since``: the position of an earlier intact check (:func:`audit_verified_load`). Each
    chain's record there must still be the record then verified (its hash, recomputed from its
    fields, is the remembered one); the chain is recomputed from the record after it."""
    key = audit_key()
    anchors, untrusted = audit_anchors_trusted(public_keys=public_keys)
    stored_anchors = audit_anchors()
    checked = f"the check of {since.time_text}" if since is not None else ""
    reports = []
    for chain, (model, _fields) in CHAINS.items():
        head = ChainHead.objects.filter(chain=chain).values_list("position", "hash").first()
        if chain in untrusted:
            anchor = stored_anchors[chain]
            reports.append(
                ChainReport(
                    chain,
                    records=0,
                    last_position=anchor.upto,
                    last_hash=anchor.upto_hash,
                    broken_at=1,
                    problem=f"records 1 to {anchor.upto} were removed by a prune whose anchor "
                    f"cannot be trusted: {untrusted[chain]}",
                )
            )
            continue
        anchor_start = (anchors[chain].upto, anchors[chain].upto_hash) if chain in anchors else None
        start = since.chains[chain] if since is not None and since.chains[chain][0] else None
        if start is not None and anchor_start is not None and start[0] <= anchor_start[0]:
            start = None  # remembered inside the pruned part: from the anchor
        after = start[0] if start is not None else anchor_start[0] if anchor_start else 0
        end = head[0] if head is not None else model.objects.count()
        total = max(end - after, 0)
        step = f"{chain} chain"
        if progress is not None:
            progress(step, 0, total)
        if start is None:
            records = _stored(chain, after=after)
        else:
            records = _stored(chain, after=max(after - 1, 0))
            problem = _remembered_record_problem(key, records, start, checked=checked)
            if problem:
                reports.append(
                    ChainReport(
                        chain,
                        records=0,
                        last_position=after,
                        last_hash=start[1],
                        broken_at=after,
                        problem=problem,
                        checked_from=after,
                    )
                )
                continue
        report = chain_verify(
            chain=chain,
            key=key,
            records=_counted(records, step=step, total=total, progress=progress),
            head=head,
            start=start if start is not None else anchor_start,
        )
        if progress is not None:
            progress(step, report.records, max(total, report.records))
        reports.append(report)
    return reports


def _remembered_record_problem(
    key: bytes, records: Iterator[StoredRecord], remembered: tuple[int, str], *, checked: str
) -> str:
    """What is wrong with the record at the remembered position (the first of ``records``),
    or "" when it is still the record the earlier check (``checked``) verified."""
    position, digest = remembered
    first = next(records, None)
    if first is None or first[0] != position:
        return (
            f"record {position}, up to which {checked} verified the log, is missing: it was deleted"
        )
    _, previous, stored_hash, fields = first
    if stored_hash != digest:
        return (
            f"record {position} is not the record {checked} verified: the log was rewritten "
            "at or before it"
        )
    if record_hash(key, position, previous, fields) != stored_hash:
        return f"record {position} does not match its hash (changed since {checked})"
    return ""


#: The subject sets' tables (migration 0005).
SET_TABLES = ("audits_subjectset", "audits_subjectsetmember", "audits_subjectsetcontainer")
#: The prune anchors (migration 0007).
ANCHOR_TABLE = "audits_pruneanchor"
#: The triggers that keep the log append-only (migrations 0002, 0004, 0005 and 0007), per database.
TRIGGERS = {
    "sqlite": (
        *(
            f"{table}_{suffix}"
            for table in (
                "audits_processingrecord",
                "audits_accessrecord",
                *SET_TABLES,
                ANCHOR_TABLE,
            )
            for suffix in ("no_update", "no_delete", "no_overwrite")
        ),
        "audits_chainhead_forward",
        "audits_chainhead_no_delete",
        "audits_chainhead_no_overwrite",
    ),
    "postgresql": (
        "audits_processingrecord_append_only",
        "audits_accessrecord_append_only",
        "audits_processingrecord_no_truncate",
        "audits_accessrecord_no_truncate",
        "audits_chainhead_no_truncate",
        "audits_chainhead_forward",
        *(
            f"{table}_{suffix}"
            for table in (*SET_TABLES, ANCHOR_TABLE)
            for suffix in ("append_only", "no_truncate")
        ),
    ),
}


def audit_triggers_missing() -> list[str]:
    """The append-only triggers that are missing or switched off (an owner of the database
    can drop them; on SQLite a table rebuild by a migration drops them too)."""
    expected = TRIGGERS.get(connection.vendor, ())
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'"
            )
        present = {row[0] for row in cursor.fetchall()}
    return [name for name in expected if name not in present]


def checkpoint_trust(*, public_keys: Sequence[Path] = ()) -> tuple[list[Ed25519PublicKey], str]:
    """The public key(s) checkpoints must be signed with, and where they came from. Never the
    copy in the witness folder (whoever can write there could swap it): the keys given
    (``--public-key``: e.g. the privacy officer's own copy), else the private key's own public
    half when this process can read it, else the pinned public key
    (``MEEDOEN_CHECKPOINT_PUBLIC_KEY``, by default beside the private key)."""
    if public_keys:
        keys = [public_key_load(path) for path in public_keys]
        return keys, "given: " + ", ".join(str(path) for path in public_keys)
    private = settings.AUDIT_CHECKPOINT_KEY
    if checkpoint_key_readable(private):
        return [checkpoint_key_load(private).public_key()], f"the private key {private}"
    pinned = settings.AUDIT_CHECKPOINT_PUBLIC_KEY
    try:
        return [public_key_load(pinned)], f"the pinned public key {pinned}"
    except CheckpointError:
        return [], f"none (no readable {private} or {pinned})"


def audit_checkpoints_verify(
    *, kept: Sequence[tuple[str, bytes]] = (), public_keys: Sequence[Path] = ()
) -> CheckpointReport:
    """Check the witness folder's checkpoints, and the files the officer kept (name, contents),
    against the trusted key and against the log (:func:`checkpoints_verify`)."""
    folder = settings.AUDIT_WITNESS_DIR
    problems: list[str] = []
    try:
        trusted, source = checkpoint_trust(public_keys=public_keys)
    except CheckpointError as exc:
        trusted, source = [], "none"
        problems.append(str(exc))
    try:
        files = witness_files(folder)
    except OSError as exc:
        files = []
        problems.append(f"the witness folder {folder} cannot be read: {exc.strerror}")
    anchors, _ = audit_anchors_trusted(public_keys=public_keys)
    report = checkpoints_verify(
        witness=files,
        kept=kept,
        trusted=trusted,
        key_source=source,
        ends=chain_ends(),
        hashes_at=anchored_hashes,
        pruned={chain: anchor.upto for chain, anchor in anchors.items()},
    )
    removals = [_removal_note(anchor) for anchor in audit_anchors_all()]
    return dataclasses.replace(
        report,
        witness=str(folder),
        problems=(*problems, *report.problems),
        notes=(*report.notes, *removals),
    )


def _removal_note(anchor: Anchor) -> str:
    """Every prune and compaction stays visible to whoever checks the log (ADR 0013)."""
    if anchor.kind == COMPACTION:
        return (
            f"{anchor.label}: {anchor.chain} records up to {anchor.upto} were replaced by "
            f"copies about subject sets after record {anchor.upto} (digest of the originals "
            f"{anchor.digest[:16]}…); the holder of the checkpoint key vouches for the copies"
        )
    return (
        f"{anchor.label}: {anchor.removed} {anchor.chain} records up to {anchor.upto} were "
        f"removed, all ended before {anchor.before:%Y-%m-%d} (digest {anchor.digest[:16]}…)"
    )


@dataclass(frozen=True)
class AuditVerification:
    """Everything ``meedoen audit verify`` and the audit log page check."""

    chains: list[ChainReport]
    checkpoints: CheckpointReport
    triggers_missing: list[str]
    sets_changed: list[str] = dataclasses.field(default_factory=list)
    sets_checked: int = 0  # subject sets read back against their digests
    sets_highest: int = 0  # the highest id of a set verified, now or by the earlier check
    since: Verified | None = None  # the earlier intact check this one continued (``--since``)
    roles_unlogged: list[UnloggedRole] = dataclasses.field(default_factory=list)

    @property
    def intact(self) -> bool:
        return (
            all(r.intact for r in self.chains)
            and self.checkpoints.intact
            and not self.triggers_missing
            and not self.sets_changed
            and not self.roles_unlogged
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "intact": self.intact,
            "chains": [{**vars(r), "intact": r.intact} for r in self.chains],
            "checkpoints": self.checkpoints.as_json(),
            "triggers_missing": self.triggers_missing,
            "sets_changed": self.sets_changed,
            "sets_checked": self.sets_checked,
            "roles_unlogged": [r.message for r in self.roles_unlogged],
            "since": self.since.as_json() if self.since is not None else None,
        }


def audit_verify_all(
    *,
    kept: Sequence[tuple[str, bytes]] = (),
    public_keys: Sequence[Path] = (),
    since: Verified | None = None,
    progress: Progress | None = None,
) -> AuditVerification:
    """The hash chains, the checkpoints (witness folder and kept files), the triggers, the
    subject sets and every account's role against the log (:mod:`meedoen.audits.accounts`).
    ``since``: continue from an earlier intact check (:func:`audit_verify`): only the records
    after its position, and only the sets first referenced after it, are checked.
    ``progress(step, done, total)``: see SETS_STEP."""
    chains = audit_verify(since=since, progress=progress, public_keys=public_keys)
    processing = next(r for r in chains if r.chain == "processing")
    checkpoints = audit_checkpoints_verify(kept=kept, public_keys=public_keys)
    triggers_missing = audit_triggers_missing()
    sets = audit_subject_sets_verify(
        after=since.chains["processing"][0] if since is not None else 0,
        upto=processing.last_position if processing.intact else None,
        progress=progress,
    )
    return AuditVerification(
        chains=chains,
        checkpoints=checkpoints,
        triggers_missing=triggers_missing,
        sets_changed=sets.problems,
        sets_checked=sets.checked,
        sets_highest=max(sets.highest, since.sets_highest if since is not None else 0),
        since=since,
        roles_unlogged=audit_account_roles_check(),
    )


@dataclass(frozen=True)
class SubjectSetsCheck:
    problems: list[str]
    checked: int  # sets read back
    highest: int  # the highest set id referenced by the records looked at


def audit_subject_sets_verify(
    *, after: int = 0, upto: int | None = None, progress: Progress | None = None
) -> SubjectSetsCheck:
    """Every subject set referenced by a record, read back (each once) and its digest recomputed
    from its members: a set changed or cut since no longer matches the digest its records
    carry in the chain (which the chain check covers). One line per problem.

    Only the records after position ``after`` (and up to ``upto``) are looked at; a set that a
    record at or before ``after`` referenced was read back by that earlier check (and the
    triggers keep it append-only), so it is not read again: its later records must only carry
    the same digest."""
    problems = []
    referenced: dict[int, tuple[int, str]] = {}
    records = ProcessingRecord.objects.filter(subject_set__isnull=False, position__gt=after)
    if upto is not None:
        records = records.filter(position__lte=upto)
    for position, set_id, digest in (
        records.order_by("position")
        .values_list("position", "subject_set_id", "subject_set_digest")
        .iterator(chunk_size=10_000)
    ):
        first = referenced.setdefault(int(set_id), (int(position), str(digest)))
        if first[1] != digest:
            problems.append(
                f"records {first[0]} and {position} reference subject set {set_id} with "
                "different digests"
            )
    earlier = _first_references(list(referenced), upto=after) if after else {}
    for set_id, (position, digest) in sorted(earlier.items()):
        later, later_digest = referenced[set_id]
        if later_digest != digest:
            problems.append(
                f"records {position} and {later} reference subject set {set_id} with "
                "different digests"
            )
    unread = [(s, first) for s, first in sorted(referenced.items()) if s not in earlier]
    if progress is not None:
        progress(SETS_STEP, 0, len(unread))
    for done, (set_id, (position, digest)) in enumerate(unread, start=1):
        problem = _subject_set_problem(set_id, position=position, digest=digest)
        if problem:
            problems.append(problem)
        if progress is not None:
            progress(SETS_STEP, done, len(unread))
    return SubjectSetsCheck(problems, len(unread), max(referenced, default=0))


def _subject_set_problem(set_id: int, *, position: int, digest: str) -> str:
    """The set read back against the digest its first record carries ("" when it fits)."""
    try:
        _, loaded = audit_subject_set(set_id=set_id)
    except (SubjectSet.DoesNotExist, audit_sets.SubjectSetError) as exc:
        return f"subject set {set_id} of record {position} cannot be read: {exc}"
    if loaded.digest != digest:
        return (
            f"subject set {set_id} of record {position} was changed: its members no longer "
            "match the digest in the record"
        )
    return ""


def _first_references(set_ids: Sequence[int], *, upto: int) -> dict[int, tuple[int, str]]:
    """Of these sets, those a record at or before position ``upto`` references: the first such
    record's position and the digest it carries."""
    found: dict[int, tuple[int, str]] = {}
    for start in range(0, len(set_ids), 500):
        firsts = dict(
            ProcessingRecord.objects.filter(
                position__lte=upto, subject_set_id__in=set_ids[start : start + 500]
            )
            .order_by()
            .values("subject_set_id")
            .annotate(first=Min("position"))
            .values_list("subject_set_id", "first")
        )
        digests = dict(
            ProcessingRecord.objects.filter(position__in=list(firsts.values())).values_list(
                "position", "subject_set_digest"
            )
        )
        found.update({int(s): (int(p), str(digests[p])) for s, p in firsts.items()})
    return found


@dataclass(frozen=True)
class CheckpointSeparation:
    """What this process (the web app, when asked by it) can do with the checkpoints that it
    should not be able to in production: read the private key, write the witness folder. A
    process that can do both can sign a checkpoint that fits a log it cut."""

    key: Path
    witness: Path
    key_readable: bool
    witness_writable: bool

    @property
    def separated(self) -> bool:
        return not self.key_readable and not self.witness_writable

    @property
    def message(self) -> str:
        """One line for the log, or empty when separated."""
        can = [
            f"read the checkpoint key {self.key}" if self.key_readable else "",
            f"write the witness folder {self.witness}" if self.witness_writable else "",
        ]
        if self.separated:
            return ""
        return (
            f"this process can {' and '.join(c for c in can if c)}: whoever takes over the web "
            "app can then sign a checkpoint that fits a log they cut; in production give the key "
            "and the folder to a separate account (docs/admin/workspace.md, key separation)"
        )


def audit_checkpoint_separation() -> CheckpointSeparation:
    """Whether this process can read the checkpoint key or write the witness folder."""
    key, witness = Path(settings.AUDIT_CHECKPOINT_KEY), Path(settings.AUDIT_WITNESS_DIR)
    return CheckpointSeparation(
        key=key,
        witness=witness,
        key_readable=checkpoint_key_readable(key),
        witness_writable=witness_writable(witness),
    )


def audit_checkpoint_newest() -> Checkpoint | None:
    """The newest checkpoint signed by the trusted key, or None."""
    try:
        trusted, _ = checkpoint_trust()
    except CheckpointError:
        return None
    return witness_newest(settings.AUDIT_WITNESS_DIR, trusted[0]) if trusted else None


def audit_checkpoint_download(*, user_name: str) -> dict[str, Any]:
    """What the privacy officer downloads and keeps: the newest checkpoint signed by the trusted
    key and where both chains end now (their heads)."""
    try:
        trusted, _ = checkpoint_trust()
    except CheckpointError:
        trusted = []
    heads = {
        chain: ChainState(position, digest, position)
        for chain, position, digest in ChainHead.objects.values_list("chain", "position", "hash")
    }
    return download_document(
        checkpoint=audit_checkpoint_newest(),
        heads=heads,
        downloaded_at=datetime.now(UTC),
        downloaded_by=user_name,
        public_key=trusted[0] if trusted else None,
    )


def audit_person(
    *, bsn: str | None = None, data_subject_id: str | None = None
) -> LoggedPerson | None:
    """The person a BSN or one of their pseudonyms names, with every name the log may use for
    them (:mod:`meedoen_data.audit_person`); None when the pseudonym names no person (a
    partner's record, say). ValueError for a BSN that fails the 11-proef; VaultBusy while an
    intake holds the vault."""
    try:
        return logged_person(home=settings.MEEDOEN_HOME, bsn=bsn, name=data_subject_id)
    except PersonNotFound:
        return None


def audit_records(
    *,
    data_subject_id: str | None = None,
    person: LoggedPerson | None = None,
    trace_id: str | None = None,
    activity: str | None = None,
    limit: int | None = 200,
) -> list[dict[str, Any]]:
    """The newest processing records (filtered), each with who acted from its trace's access
    record (``user_name``, ``user_role``, ``channel``; empty when there is none).

    ``person``: every record about that person, under any of their names (ADR 0011, 0012).
    ``data_subject_id``: the records about the person that pseudonym names (through the
    vault), or, for a pseudonym of no person (a partner's record), about that subject."""
    records = ProcessingRecord.objects.order_by("-position")
    if person is None and data_subject_id:
        person = audit_person(data_subject_id=data_subject_id)
    if person is not None:
        given = [data_subject_id] if data_subject_id else []
        records = _person_records(person=person, given=given).order_by("-position")
    elif data_subject_id:
        # Records naming the subject, and records about a set that holds it (ADR 0011).
        sets = audit_subject_sets_of(data_subject_id=data_subject_id)
        records = records.filter(Q(data_subject_id=data_subject_id) | Q(subject_set_id__in=sets))
    if trace_id:
        records = records.filter(trace_id=trace_id)
    if activity:
        records = records.filter(processing_activity_id=activity)
    values = records.values()
    return _with_access(list(values[:limit] if limit is not None else values))


def _person_records(
    *, person: LoggedPerson, given: Sequence[str] = ()
) -> QuerySet[ProcessingRecord]:
    """The records about the person under any of their names (ADR 0011, 0012): those naming one
    of their pseudonyms (or ``given``), and those referencing a subject set that holds them."""
    names = sorted({*person.pseudonyms.values(), *given})
    sets = audit_subject_sets_holding(
        subjects=names, serials={PERSON: person.serial} if person.serial is not None else {}
    )
    return ProcessingRecord.objects.filter(
        Q(data_subject_id__in=names) | Q(subject_set_id__in=sets)
    )


def _with_access(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each record with who acted from its trace's access record (``user_name``,
    ``user_role``, ``channel``; empty when there is none)."""
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


@dataclass(frozen=True)
class PersonActions:
    """One page of a person's actions: each action's records (one trace's records of one
    operation, e.g. the same read of the person under several of their names), newest first."""

    actions: list[list[dict[str, Any]]]
    has_next: bool


def audit_person_actions(
    *, person: LoggedPerson, offset: int = 0, limit: int = 50, leave_out: Q | None = None
) -> PersonActions:
    """The records :func:`audit_records` finds for ``person`` (with who acted), grouped per
    action and paged in the database: ``limit`` actions from ``offset``, newest first (by the
    position of an action's newest record), and whether more follow. ``leave_out``: records
    not to count or show (e.g. the person's own page views)."""
    records = _person_records(person=person)
    if leave_out is not None:
        records = records.exclude(leave_out)
    actions = (
        records.order_by()
        .values("trace_id", "name")
        .annotate(newest=Max("position"))
        .order_by("-newest")
    )
    keys = [(a["trace_id"], a["name"]) for a in actions[offset : offset + limit + 1]]
    page = keys[:limit]
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {key: [] for key in page}
    rows = records.filter(trace_id__in={trace for trace, _ in page}).order_by("-position")
    for row in _with_access(list(rows.values())):
        found = grouped.get((row["trace_id"], row["name"]))
        if found is not None:
            found.append(row)
    return PersonActions(actions=list(grouped.values()), has_next=len(keys) > limit)


#: The standard's status codes (Logboek Dataverwerkingen, component Logboek).
STANDARD_STATUS = {
    ProcessingRecord.Status.OK: "STATUS_CODE_OK",
    ProcessingRecord.Status.ERROR: "STATUS_CODE_ERROR",
    ProcessingRecord.Status.UNSET: "STATUS_CODE_UNKNOWN",
}


def audit_person_export(*, person: LoggedPerson) -> list[dict[str, Any]]:
    """Every processing record about the person, oldest first, in the shape of the Logboek
    Dataverwerkingen standard: one record per data subject, the person named by their
    pseudonym of the record's subject type. A record that references a set names them by
    the pseudonym the set's type stands for; when that pseudonym can no longer be derived (an
    activity whose key was destroyed) by their BRP pseudonym, and says so in
    ``dpl.core.data_subject_id_type``. meedoen's own fields are in ``meedoen.*``."""
    fallback = next(
        ((t, p) for t, p in sorted(person.pseudonyms.items()) if t == "pseudonym-brp"),
        next(iter(sorted(person.pseudonyms.items())), ("", "")),
    )
    out = []
    for row in reversed(audit_records(person=person, limit=None)):
        kind = row["data_subject_id_type"]
        if row["subject_set_id"] is None:
            subject = row["data_subject_id"]
        elif kind in person.pseudonyms:
            subject = person.pseudonyms[kind]
        else:
            kind, subject = fallback
        out.append(
            {
                "trace_id": row["trace_id"],
                "operation_id": row["span_id"],
                "parent_operation_id": row["parent_span_id"] or None,
                "name": row["name"],
                "status_code": STANDARD_STATUS.get(row["status"], "STATUS_CODE_UNKNOWN"),
                "start_time": _milliseconds(row["start_time"]),
                "end_time": _milliseconds(row["end_time"]),
                "resource": {
                    "attributes": {"service.name": "meedoen", "service.version": row["resource"]}
                },
                "attributes": {
                    "dpl.core.processing_activity_id": row["processing_activity_id"],
                    "dpl.core.data_subject_id": subject,
                    "dpl.core.data_subject_id_type": kind,
                    "meedoen.position": row["position"],
                    "meedoen.subject_set_id": row["subject_set_id"],
                    "meedoen.subject_count": row["subject_count"],
                    "meedoen.detail": row["detail"],
                    "meedoen.user_name": row["user_name"],
                    "meedoen.channel": row["channel"],
                },
            }
        )
    return out


def audit_person_document(*, person: LoggedPerson) -> dict[str, Any]:
    """The export of one person's records as a file (``meedoen audit export``, the download on
    ``/logboek/``): the format, the person's pseudonyms (never the BSN) and the records."""
    return {
        "format": "logboek-dataverwerkingen/meedoen-1",
        "person": {"known": person.known, "pseudonyms": person.pseudonyms},
        "records": audit_person_export(person=person),
    }


def _milliseconds(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


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
    person: LoggedPerson | None = None  # the person the pseudonym filter names, if any


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
    person = audit_person(data_subject_id=data_subject_id) if data_subject_id else None
    rows = audit_records(
        data_subject_id=data_subject_id,
        person=person,
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
    return AuditLogPage(rows=rows[:limit], limit=limit, truncated=len(rows) > limit, person=person)


def chain_label(chain: str) -> str:
    return str(CHAIN_LABELS.get(chain, chain))


def audit_subject_set(*, set_id: int) -> tuple[str, audit_sets.SubjectSet]:
    """A stored subject set as it is now: (the digest it was stored under, the set with its
    digest recomputed from its members). The two differ when the set was changed."""
    stored = SubjectSet.objects.get(pk=set_id)
    if stored.encoding == SubjectSet.Encoding.EXPLICIT:
        members = list(
            SubjectSetMember.objects.filter(subject_set=stored).values_list("subject", flat=True)
        )
        loaded = audit_sets.subject_set_load(
            subject_type=stored.subject_type, encoding=stored.encoding, members=members
        )
    else:
        containers = [
            (key, bytes(bitmap))
            for key, bitmap in SubjectSetContainer.objects.filter(subject_set=stored).values_list(
                "key", "bitmap"
            )
        ]
        loaded = audit_sets.subject_set_load(
            subject_type=stored.subject_type, encoding=stored.encoding, containers=containers
        )
    return stored.digest, loaded


def audit_subject_sets_holding(
    *, subjects: Sequence[str] = (), serials: Mapping[str, int] | None = None
) -> list[int]:
    """The ids of the subject sets that hold a data subject: explicit sets by any of its
    pseudonyms (``subjects``), serial sets by its number in the vault's register per kind
    (``serials``: {"person": 123}) — one container per set read, found by its key."""
    found: set[int] = set()
    if subjects:
        found.update(
            SubjectSetMember.objects.filter(subject__in=list(subjects)).values_list(
                "subject_set_id", flat=True
            )
        )
    for kind, serial in (serials or {}).items():
        key = audit_sets.container_key(serial)
        for set_id, bitmap in SubjectSetContainer.objects.filter(
            key=key, subject_set__subject_type=kind
        ).values_list("subject_set_id", "bitmap"):
            if serial in audit_sets.Container(key, bytes(bitmap)):
                found.add(set_id)
    return sorted(found)


def audit_subject_sets_of(*, data_subject_id: str) -> list[int]:
    """The subject sets that hold the data subject with this pseudonym: explicit sets naming it,
    and serial sets holding its register number (found through the vault; VaultBusy while an
    intake holds the vault)."""
    serials = subject_serials_of(home=settings.MEEDOEN_HOME, pseudonym=data_subject_id)
    if not serials:  # an activity's pseudonym: through the activity's subject map
        serials = subject_map_lookup(home=settings.MEEDOEN_HOME, pseudonym=data_subject_id)
    return audit_subject_sets_holding(subjects=[data_subject_id], serials=serials)
