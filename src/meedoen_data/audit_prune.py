"""Pruning the audit log at the end of its retention period, verifiably (issue 16, ADR 0013).

A hash chain cannot lose its first records and still be recomputed from record 1. A prune
therefore leaves an *anchor* per chain: the position and hash of the last record it removed,
how many records it removed and a digest over their positions and hashes, signed with the
checkpoint key (the key that signs the checkpoints, outside the database). ``meedoen audit
verify`` trusts a chain's newest anchor only when its signature checks against the trusted key,
and recomputes the chain from the record after it: that record must point to the anchor's hash.
Who deletes records without the key cannot make an anchor, so the deletion shows as missing
records, as before.

Pure: no database, no Django.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from meedoen_data.audit_checkpoint import canonical, key_fingerprint

FORMAT = "meedoen-audit-prune/1"
#: Why records before an anchor went: their retention period ended (``meedoen audit prune``),
#: or they were copied after it as records with subject sets (``meedoen audit compact``).
RETENTION = "retention"
COMPACTION = "compaction"
#: No prune may remove records younger than this, whatever the configuration says: the holder of
#: the checkpoint key (on a one-account installation, the operator) could otherwise remove
#: yesterday's records and sign for it. Verify checks every retention anchor against it.
RETENTION_FLOOR = timedelta(days=365)
#: How far an anchor's time may lie ahead of the verifier's clock (clock drift).
CLOCK_SKEW = timedelta(days=1)


def removed_digest(records: Iterable[tuple[int, str]]) -> str:
    """SHA-256 over the removed records' ``position:hash`` lines, in position order: whoever
    kept a copy of them (an export, a backup) can show it is exactly what was removed."""
    digest = hashlib.sha256()
    for position, record_hash in records:
        digest.update(f"{position}:{record_hash}\n".encode("ascii"))
    return digest.hexdigest()


@dataclass(frozen=True)
class Anchor:
    """Where a pruned chain now starts: records 1 to ``upto`` were removed."""

    chain: str
    upto: int  # the last position removed
    upto_hash: str  # its hash: the next record's previous_hash
    removed: int  # records removed by this prune (earlier prunes removed the rest)
    digest: str  # removed_digest of those records
    before: datetime  # the retention cut-off: every removed record ended before it
    time: datetime  # when the prune ran
    kind: str = RETENTION  # why the records went: RETENTION, or COMPACTION (copied as sets)
    key: str = ""  # fingerprint of the signing key
    signature: str = ""  # Ed25519 over canonical(statement), hexadecimal

    def statement(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "kind": self.kind,
            "chain": self.chain,
            "upto": self.upto,
            "upto_hash": self.upto_hash,
            "removed": self.removed,
            "digest": self.digest,
            "before": self.before.astimezone(UTC).isoformat(timespec="microseconds"),
            "time": self.time.astimezone(UTC).isoformat(timespec="microseconds"),
            "key": self.key,
        }

    def signed(self, key: Ed25519PrivateKey) -> Anchor:
        unsigned = replace(self, key=key_fingerprint(key.public_key()), signature="")
        return replace(unsigned, signature=key.sign(canonical(unsigned.statement())).hex())

    def signed_by(self, key: Ed25519PublicKey) -> bool:
        try:
            key.verify(bytes.fromhex(self.signature), canonical(self.statement()))
        except (InvalidSignature, ValueError):
            return False
        return True

    @property
    def label(self) -> str:
        what = "prune" if self.kind == RETENTION else "compaction"
        return f"the {what} of {self.time.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


def anchor_problem(
    anchor: Anchor, trusted: Iterable[Ed25519PublicKey], *, now: datetime | None = None
) -> str:
    """Why the anchor cannot be trusted ("" when it is signed by a trusted key and, for a
    retention prune, removed only records past RETENTION_FLOOR at a time that has passed: a key
    holder who signs a recent cut-off, or dates the prune into the future to make the cut-off
    look old enough, is caught here)."""
    keys = {key_fingerprint(k): k for k in trusted}
    if not keys:
        return "no trusted public key to check its signature"
    key = keys.get(anchor.key)
    if key is None:
        return "it is not signed by the trusted key (forged, or signed with a key you do not trust)"
    if not anchor.signed_by(key):
        return "its signature does not match its content (forged or altered)"
    if anchor.time > (now or datetime.now(UTC)) + CLOCK_SKEW:
        return f"it is dated {anchor.time:%Y-%m-%d}, in the future"
    if anchor.kind == RETENTION and anchor.before > anchor.time - RETENTION_FLOOR:
        return (
            f"it removed records that ended up to {anchor.before:%Y-%m-%d}, less than "
            f"{RETENTION_FLOOR.days} days before the prune of {anchor.time:%Y-%m-%d}: the log "
            "is kept at least that long"
        )
    return ""


__all__ = [
    "COMPACTION",
    "FORMAT",
    "RETENTION",
    "RETENTION_FLOOR",
    "Anchor",
    "anchor_problem",
    "removed_digest",
]
