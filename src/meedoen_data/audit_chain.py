"""The hash chain that makes the audit log tamper-evident.

Every record has a position (1, 2, 3, … without gaps), the hash of the record before it and its
own hash: HMAC-SHA256 under the workspace's ``audit-chain`` key over the position, the previous
hash and the record's fields. Changing a field, deleting a record or inserting one breaks the
chain at that record; without the key nobody can compute a hash that fits. The key lives in the
key store (``HOME/keys/audit-chain.key``), never in the database that holds the records.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

GENESIS = "0" * 64

#: (position, previous hash, hash, fields) as stored.
StoredRecord = tuple[int, str, str, Sequence[str]]


def record_hash(key: bytes, position: int, previous: str, fields: Sequence[str]) -> str:
    message = json.dumps([position, previous, *fields], ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    chain: str
    records: int
    last_position: int
    last_hash: str
    broken_at: int | None = None  # position of the first broken record
    problem: str = ""
    checked_from: int = 1  # the first position recomputed (after a trusted ``start``)

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def chain_verify(
    *,
    chain: str,
    key: bytes,
    records: Iterable[StoredRecord],
    head: tuple[int, str] | None,
    start: tuple[int, str] | None = None,
) -> ChainReport:
    """Recompute the chain in position order; report the first record that does not fit.

    ``head`` is the (position, hash) the log says it ends with; a shorter chain means records
    at the end were deleted. ``start`` is the (position, hash) of the last record already
    trusted (checked before): ``records`` then begin with the record after it, which must point
    to that hash. Without it the chain is recomputed from record 1."""
    first, previous = (start[0] + 1, start[1]) if start is not None else (1, GENESIS)
    expected, count = first, 0

    def report(
        last: int, digest: str, broken_at: int | None = None, problem: str = ""
    ) -> ChainReport:
        return ChainReport(chain, count, last, digest, broken_at, problem, checked_from=first)

    for position, stored_previous, stored_hash, fields in records:
        count += 1
        if position < expected:
            return report(position, stored_hash, position, f"record {position} appears twice")
        if position > expected:
            missing = (
                f"record {expected} is missing"
                if position == expected + 1
                else f"records {expected} to {position - 1} are missing"
            )
            return report(position, stored_hash, expected, f"{missing} (deleted)")
        if stored_previous != previous:
            return report(
                position,
                stored_hash,
                position,
                f"record {position} does not point to record {position - 1} (inserted or moved)",
            )
        if record_hash(key, position, previous, fields) != stored_hash:
            return report(
                position,
                stored_hash,
                position,
                f"record {position} does not match its hash (changed, or inserted without the key)",
            )
        previous, expected = stored_hash, expected + 1
    last = expected - 1
    if head is not None and head[0] > last:
        return report(
            last,
            previous,
            last + 1,
            f"the log ends at record {last} but its head says {head[0]}: records at the end "
            "were deleted",
        )
    if head is not None and head[0] == last and head[1] != previous:
        return report(last, previous, last, f"record {last} is not the record the head names")
    return report(last, previous)
