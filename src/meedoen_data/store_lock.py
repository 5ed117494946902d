"""Who is using an activity's store, between threads and processes: OS file locks.

Everyone who opens an activity's store — a query, a refresh, a household build, a linkage —
holds a *shared* lock on ``HOME/activities/activity-N.lock`` while they use it; deleting the
store (a revocation, an expiry, the retention job) takes the *exclusive* lock. So a deletion
waits until the running users are done, and no one opens the store while it is being deleted.
The locks are ``flock`` locks: they work between processes (the web app and a ``meedoen sql``
on the command line) and between threads of one process (every holder opens the lock file
itself), and the operating system releases them when a process dies.

Waits are bounded (``wait`` seconds; :class:`StoreLockTimeout` after that). A deletion that
cannot wait any longer leaves a note, ``HOME/activities/activity-N.purge``: the last user to
let go of the store deletes it (:func:`purge_pending`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from meedoen_data.workspace import Workspace

#: How often a waiting lock tries again (seconds).
POLL = 0.05


class StoreLockTimeout(Exception):
    """The lock was not free within the wait."""


def lock_path(home: Path, activity_id: int) -> Path:
    return Workspace(home).home / "activities" / f"activity-{activity_id}.lock"


def pending_path(home: Path, activity_id: int) -> Path:
    return Workspace(home).home / "activities" / f"activity-{activity_id}.purge"


@contextmanager
def store_lock(*, home: Path, activity_id: int, exclusive: bool, wait: float) -> Iterator[None]:
    """Hold the activity's lock, shared or exclusive, for the ``with`` block; wait at most
    ``wait`` seconds for it (0: do not wait)."""
    busy = (
        f"the tables of activity {activity_id} are in use"
        if exclusive
        else f"the tables of activity {activity_id} are being deleted"
    )
    with _flock(lock_path(home, activity_id), exclusive=exclusive, wait=wait, busy=busy):
        yield


@contextmanager
def release_lock(*, home: Path, activity_id: int, wait: float) -> Iterator[None]:
    """Publish one table of the activity at a time: a release is checked against every release
    recorded before it, so two releases must not be checked at the same moment (each would pass
    without seeing the other). Exclusive, at most ``wait`` seconds' wait."""
    busy = f"another table of activity {activity_id} is being published"
    with _flock(release_lock_path(home, activity_id), exclusive=True, wait=wait, busy=busy):
        yield


def release_lock_path(home: Path, activity_id: int) -> Path:
    return Workspace(home).home / "activities" / f"activity-{activity_id}.release.lock"


@contextmanager
def _flock(path: Path, *, exclusive: bool, wait: float, busy: str) -> Iterator[None]:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        deadline = time.monotonic() + max(wait, 0.0)
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreLockTimeout(busy) from None
                time.sleep(POLL)
        yield
    finally:
        os.close(fd)  # closing the only descriptor releases the lock


def lock_remove(*, home: Path, activity_id: int) -> None:
    """Remove the lock files (by the holder of the exclusive lock, after a deletion)."""
    for path in (lock_path(home, activity_id), release_lock_path(home, activity_id)):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def purge_note(*, home: Path, activity_id: int, note: dict[str, Any]) -> None:
    """Leave a note that the store must be deleted as soon as its last user lets go."""
    path = pending_path(home, activity_id)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(note, out)


def purge_pending(*, home: Path, activity_id: int) -> dict[str, Any] | None:
    """The note of a deletion that waits for the store's users, if any."""
    try:
        text = pending_path(home, activity_id).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        note = json.loads(text)
    except ValueError:
        note = {}
    return note if isinstance(note, dict) else {}


def purge_done(*, home: Path, activity_id: int) -> None:
    with contextlib.suppress(FileNotFoundError):
        pending_path(home, activity_id).unlink()


__all__ = [
    "StoreLockTimeout",
    "lock_path",
    "lock_remove",
    "pending_path",
    "purge_done",
    "purge_note",
    "purge_pending",
    "release_lock",
    "release_lock_path",
    "store_lock",
]
