"""Subject sets: whom one processing record of the audit log is about, stored once and compactly.

The audit log used to hold one record per data subject: an ingest of 300,000 persons wrote 1.5
million records (905 MB, 17 times the data they describe). A processing record now references a
*subject set* — the data subjects it touched, of one subject type — and carries the set's digest
among its chained fields, so a set that changes no longer fits its record (ADR 0011). One set
can be referenced by many records (every query on the same table of the same store).

Two encodings, both exact:

- **explicit** (at most :data:`SMALL_SET_LIMIT` members): the pseudonyms themselves, one indexed
  row each where the set is stored — the reads of a review page, a quarantine, a handful of
  persons;
- **serials**: the subjects' *serial numbers* (dense integers the identity vault gives every
  data subject, ADR 0011) as a Roaring bitmap, cut into containers of 65,536 serials each, so
  that a lookup of one subject reads one small container per set. All 17.9 million persons take
  under 4 kB, a random million of them 2 MB (two bytes a member) — against 16 bytes for a
  pseudonym, or some 600 bytes for a record per person.

Nothing here knows where sets are stored (the web database, in the Django app); this module
makes, digests, reads and checks them.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from pyroaring import BitMap

#: Largest set kept as explicit pseudonyms; larger sets need serials.
SMALL_SET_LIMIT = 4_096
#: Serials per container: the low 16 bits are the position in the container, the rest its key.
CONTAINER_BITS = 16
_LOW_MASK = (1 << CONTAINER_BITS) - 1
#: The largest serial (unsigned 32 bits).
MAX_SERIAL = (1 << 32) - 1

EXPLICIT = "explicit"
SERIALS = "serials"
_DIGEST_PREFIX = b"meedoen subject set 1\n"


class SubjectSetError(ValueError):
    """A set that cannot be made or read: too large to be explicit, a serial out of range, a
    damaged container."""


@dataclass(frozen=True)
class Container:
    """The members of a serial set whose serials share ``key`` (serial >> 16): a serialised
    Roaring bitmap of their low 16 bits."""

    key: int
    bitmap: bytes

    def __contains__(self, serial: object) -> bool:
        if not isinstance(serial, int | np.integer) or int(serial) >> CONTAINER_BITS != self.key:
            return False
        return (int(serial) & _LOW_MASK) in _bitmap(self.bitmap, self.key)

    def serials(self) -> npt.NDArray[np.uint32]:
        low = np.asarray(_bitmap(self.bitmap, self.key).to_array(), dtype=np.uint32)
        return (np.uint32(self.key) << np.uint32(CONTAINER_BITS)) | low


@dataclass(frozen=True)
class SubjectSet:
    """A set of data subjects of one type: ``members`` (sorted pseudonyms) when explicit,
    ``containers`` (in key order) when made of serials. ``digest`` covers the type, the
    encoding and every member, whatever the storage."""

    subject_type: str
    encoding: str
    size: int
    digest: str
    members: tuple[str, ...] = ()
    containers: tuple[Container, ...] = ()

    def __contains__(self, subject: object) -> bool:
        if self.encoding == EXPLICIT:
            return isinstance(subject, str) and _sorted_contains(self.members, subject)
        if not isinstance(subject, int | np.integer):
            return False
        key = int(subject) >> CONTAINER_BITS
        return any(c.key == key and int(subject) in c for c in self.containers)

    def serials(self) -> npt.NDArray[np.uint32]:
        """Every serial of a serial set, sorted."""
        if self.encoding != SERIALS:
            raise SubjectSetError("an explicit set has pseudonyms, not serials")
        if not self.containers:
            return np.empty(0, dtype=np.uint32)
        return np.concatenate([c.serials() for c in self.containers])


def subject_set_explicit(*, subject_type: str, subjects: Iterable[str]) -> SubjectSet:
    """A small set of pseudonyms (duplicates count once)."""
    members = tuple(sorted(set(subjects)))
    if len(members) > SMALL_SET_LIMIT:
        raise SubjectSetError(
            f"{len(members):,} subjects of type {subject_type} are too many for an explicit set "
            f"(at most {SMALL_SET_LIMIT:,}); give their serials"
        )
    if any(not m or "\n" in m for m in members):
        raise SubjectSetError(f"a subject of type {subject_type} is empty or holds a line break")
    digest = _explicit_digest(subject_type, members)
    return SubjectSet(subject_type, EXPLICIT, len(members), digest, members=members)


def subject_set_serials(*, subject_type: str, serials: npt.ArrayLike | Iterable[int]) -> SubjectSet:
    """A set of serials, any size (duplicates count once)."""
    values = np.asarray(serials if isinstance(serials, np.ndarray) else list(serials))  # type: ignore[arg-type]
    if values.size and (
        not np.issubdtype(values.dtype, np.integer)
        or int(values.min()) < 0
        or int(values.max()) > MAX_SERIAL
    ):
        raise SubjectSetError(f"serials are whole numbers from 0 to {MAX_SERIAL:,}")
    unique = _sorted_unique(values.astype(np.uint32, copy=False))
    containers = tuple(_containers(unique))
    digest = _serials_digest(subject_type, unique)
    return SubjectSet(subject_type, SERIALS, int(unique.size), digest, containers=containers)


def subject_set_load(
    *,
    subject_type: str,
    encoding: str,
    members: Sequence[str] = (),
    containers: Sequence[tuple[int, bytes]] = (),
) -> SubjectSet:
    """A set as it was stored, digest recomputed from what is there now (compare it with the
    digest in the record that references the set: a changed set no longer fits)."""
    if encoding == EXPLICIT:
        ordered = tuple(sorted(members))
        digest = _explicit_digest(subject_type, ordered)
        return SubjectSet(subject_type, EXPLICIT, len(ordered), digest, members=ordered)
    if encoding != SERIALS:
        raise SubjectSetError(f"unknown encoding {encoding!r} of a subject set")
    loaded = tuple(Container(int(k), bytes(b)) for k, b in sorted(containers))
    serials = np.concatenate([c.serials() for c in loaded]) if loaded else np.empty(0, np.uint32)
    if serials.size > 1 and not bool(np.all(serials[1:] > serials[:-1])):
        raise SubjectSetError("the containers of a subject set overlap (a key appears twice)")
    digest = _serials_digest(subject_type, serials)
    return SubjectSet(subject_type, SERIALS, int(serials.size), digest, containers=loaded)


def container_key(serial: int) -> int:
    """The key of the container that holds ``serial`` (where a lookup reads)."""
    return int(serial) >> CONTAINER_BITS


# -- internals --------------------------------------------------------------------------------


def _sorted_unique(values: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """Sorted without duplicates (numpy's ``unique`` hashes and takes seconds on millions)."""
    ordered = np.sort(values)
    if ordered.size < 2:
        return ordered
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def _containers(sorted_serials: npt.NDArray[np.uint32]) -> Iterator[Container]:
    if not sorted_serials.size:
        return
    keys = sorted_serials >> np.uint32(CONTAINER_BITS)
    bounds = np.flatnonzero(np.diff(keys)) + 1
    for part in np.split(sorted_serials, bounds):
        low = (part & np.uint32(_LOW_MASK)).astype("=u4", copy=False)
        values = array("I")
        values.frombytes(low.tobytes())  # pyroaring reads an array("I") at C speed
        bitmap = BitMap(values)
        bitmap.run_optimize()
        yield Container(int(part[0]) >> CONTAINER_BITS, bitmap.serialize())


def _bitmap(blob: bytes, key: int) -> BitMap:
    try:
        bitmap = BitMap.deserialize(blob)
    except Exception as exc:  # pyroaring raises ValueError or its own errors on bad input
        raise SubjectSetError(f"the container {key} of a subject set is damaged: {exc}") from None
    if len(bitmap) and bitmap.max() > _LOW_MASK:
        raise SubjectSetError(f"the container {key} of a subject set holds a value out of range")
    return bitmap


def _sorted_contains(members: tuple[str, ...], subject: str) -> bool:
    low, high = 0, len(members)
    while low < high:
        middle = (low + high) // 2
        if members[middle] < subject:
            low = middle + 1
        else:
            high = middle
    return low < len(members) and members[low] == subject


def _explicit_digest(subject_type: str, members: Sequence[str]) -> str:
    digest = hashlib.sha256(_DIGEST_PREFIX)
    digest.update(f"{subject_type}\n{EXPLICIT}\n{len(members)}\n".encode())
    for member in members:
        digest.update(member.encode("utf-8") + b"\n")
    return digest.hexdigest()


def _serials_digest(subject_type: str, sorted_serials: npt.NDArray[np.uint32]) -> str:
    digest = hashlib.sha256(_DIGEST_PREFIX)
    digest.update(f"{subject_type}\n{SERIALS}\n{sorted_serials.size}\n".encode())
    digest.update(sorted_serials.astype("<u4", copy=False).tobytes())
    return digest.hexdigest()


__all__ = [
    "CONTAINER_BITS",
    "EXPLICIT",
    "MAX_SERIAL",
    "SERIALS",
    "SMALL_SET_LIMIT",
    "Container",
    "SubjectSet",
    "SubjectSetError",
    "container_key",
    "subject_set_explicit",
    "subject_set_load",
    "subject_set_serials",
]
