"""Reading and verifying the audit log."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from meedoen.accounts.roles import Role
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
    audit_key,
    chain_ends,
    chain_hashes,
    hashed_values,
)
from meedoen_data import audit_sets
from meedoen_data.audit_chain import ChainReport, StoredRecord, chain_verify
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
)
from meedoen_data.intake.subjects import VaultBusy as VaultBusy  # re-exported for views and the CLI
from meedoen_data.intake.subjects import subject_serials_of


def _stored(chain: str) -> Iterator[StoredRecord]:
    model, fields = CHAINS[chain]
    names = (*fields, *EXTRA_COLUMNS[chain])
    rows = model.objects.order_by("position").values_list(
        "position", "previous_hash", "hash", *names
    )
    for position, previous, digest, *values in rows.iterator(chunk_size=10_000):
        yield (
            position,
            previous,
            digest,
            hashed_values(chain, dict(zip(names, values, strict=True))),
        )


def audit_verify() -> list[ChainReport]:
    """Recompute both chains; each report names the first broken record, if any."""
    key = audit_key()
    reports = []
    for chain in CHAINS:
        head = ChainHead.objects.filter(chain=chain).values_list("position", "hash").first()
        reports.append(chain_verify(chain=chain, key=key, records=_stored(chain), head=head))
    return reports


#: The subject sets' tables (migration 0005).
SET_TABLES = ("audits_subjectset", "audits_subjectsetmember", "audits_subjectsetcontainer")
#: The triggers that keep the log append-only (migrations 0002, 0004 and 0005), per database.
TRIGGERS = {
    "sqlite": (
        *(
            f"{table}_{suffix}"
            for table in ("audits_processingrecord", "audits_accessrecord", *SET_TABLES)
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
        *(f"{table}_{suffix}" for table in SET_TABLES for suffix in ("append_only", "no_truncate")),
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
    report = checkpoints_verify(
        witness=files,
        kept=kept,
        trusted=trusted,
        key_source=source,
        ends=chain_ends(),
        hashes_at=chain_hashes,
    )
    return dataclasses.replace(report, witness=str(folder), problems=(*problems, *report.problems))


@dataclass(frozen=True)
class AuditVerification:
    """Everything ``meedoen audit verify`` and the audit log page check."""

    chains: list[ChainReport]
    checkpoints: CheckpointReport
    triggers_missing: list[str]
    sets_changed: list[str] = dataclasses.field(default_factory=list)

    @property
    def intact(self) -> bool:
        return (
            all(r.intact for r in self.chains)
            and self.checkpoints.intact
            and not self.triggers_missing
            and not self.sets_changed
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "intact": self.intact,
            "chains": [{**vars(r), "intact": r.intact} for r in self.chains],
            "checkpoints": self.checkpoints.as_json(),
            "triggers_missing": self.triggers_missing,
            "sets_changed": self.sets_changed,
        }


def audit_verify_all(
    *, kept: Sequence[tuple[str, bytes]] = (), public_keys: Sequence[Path] = ()
) -> AuditVerification:
    """The hash chains, the checkpoints (witness folder and kept files) and the triggers."""
    return AuditVerification(
        chains=audit_verify(),
        checkpoints=audit_checkpoints_verify(kept=kept, public_keys=public_keys),
        triggers_missing=audit_triggers_missing(),
        sets_changed=audit_subject_sets_verify(),
    )


def audit_subject_sets_verify() -> list[str]:
    """Every subject set referenced by a record, read back (each once) and its digest recomputed
    from its members: a set changed or cut since no longer matches the digest its records
    carry in the chain (which the chain check covers). One line per problem."""
    problems = []
    referenced: dict[int, tuple[int, str]] = {}
    for position, set_id, digest in (
        ProcessingRecord.objects.filter(subject_set__isnull=False)
        .order_by("position")
        .values_list("position", "subject_set_id", "subject_set_digest")
        .iterator(chunk_size=10_000)
    ):
        first = referenced.setdefault(int(set_id), (int(position), str(digest)))
        if first[1] != digest:
            problems.append(
                f"records {first[0]} and {position} reference subject set {set_id} with "
                "different digests"
            )
    for set_id, (position, digest) in sorted(referenced.items()):
        try:
            _, loaded = audit_subject_set(set_id=set_id)
        except (SubjectSet.DoesNotExist, audit_sets.SubjectSetError) as exc:
            problems.append(f"subject set {set_id} of record {position} cannot be read: {exc}")
            continue
        if loaded.digest != digest:
            problems.append(
                f"subject set {set_id} of record {position} was changed: its members no "
                "longer match the digest in the record"
            )
    return problems


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
        # Records naming the subject, and records about a set that holds it (ADR 0011).
        sets = audit_subject_sets_of(data_subject_id=data_subject_id)
        records = records.filter(Q(data_subject_id=data_subject_id) | Q(subject_set_id__in=sets))
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
    return audit_subject_sets_holding(subjects=[data_subject_id], serials=serials)
