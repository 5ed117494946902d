"""Files of one upload processed side by side, and what keeps that safe (ADR 0016).

An upload's files are independent apart from four things, each guarded here:

- **Pseudonym memos.** Every distinct value is hashed once per ingest and domain into a memo
  table that later files of the same domain join (:func:`meedoen_data.intake._pseudonymise`).
  The memos live in the intake's in-memory database, seen by every worker; a worker adds new
  values to a memo only while it holds that domain's lock (:meth:`Schedule.memo`), so a value
  is never hashed into it twice. A memo is dropped once no unfinished file needs it.
- **Names for the identifier scan.** A free-text or wrong-code value is checked against the
  names the vault knows. A file without names of its own waits, before it scans, until every
  file of the upload that brings names (the BRP persons, the early signals) is finished
  (:meth:`Schedule.names_known`), so it sees them as if it had been loaded after them. Files
  that bring names start first.
- **One table, one file at a time.** Two files of one table (``x.csv`` and ``x.parquet``) load
  one after the other, in name order (:meth:`Schedule.table`).
- **The vault's batch list.** Marking a batch loaded updates a small shared table; DuckDB
  refuses two concurrent updates of rows that sit side by side, so that step takes a lock
  (:attr:`Schedule.finishing`). The rest of the commit protocol (:mod:`.store`) holds with
  files written side by side: each file's writes are its own transactions, and recovery
  undoes exactly the batches that never reached the analytics store
  (``tests/intake/test_atomic.py`` kills ingests of two workers halfway).

The order: files with names first, then the rest largest first, so the two workers end close
together. With one worker (``MEEDOEN_INTAKE_PARALLEL_FILES=1``) the files with names load
first too (a file that scans would otherwise wait for a file no worker is left to load), then
the rest in name order.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from meedoen_data.contract import SPECS, Table

NAME_COLUMNS = frozenset({"geslachtsnaam", "voornamen"})


def table_of(path: Path) -> Table | None:
    """The contract table a file's name points at (a file may still turn out another)."""
    return SPECS.get(path.stem.lower())


def brings_names(path: Path) -> bool:
    spec = table_of(path)
    return spec is not None and bool(NAME_COLUMNS & set(spec.column_names))


def order(files: list[Path], sizes: dict[Path, int], workers: int) -> list[Path]:
    """The order in which workers take the files: those with names first, then the rest in
    name order (one worker) or largest first."""
    if workers <= 1:
        return sorted(files, key=lambda p: (not brings_names(p), p.name))
    return sorted(files, key=lambda p: (not brings_names(p), -sizes.get(p, 0), p.name))


class Schedule:
    """What the workers of one ingest share; see the module's text."""

    def __init__(self, files: list[Path], domains: dict[Path, set[str]]) -> None:
        self._lock = threading.Lock()
        self._domains = domains
        self._unfinished = set(files)
        self._used: dict[Path, set[str]] = {}
        self._memo_locks: dict[str, threading.Lock] = {}
        self._table_locks: dict[str, threading.Lock] = {}
        self._names = [p for p in files if brings_names(p)]
        self._names_done = threading.Event()
        if not self._names:
            self._names_done.set()
        #: Held while a batch is marked loaded (see the module's text).
        self.finishing = threading.Lock()
        self.done = 0

    @contextmanager
    def memo(self, domain: str) -> Iterator[None]:
        """Held while a worker creates or adds to the memo of ``domain``."""
        with self._lock:
            lock = self._memo_locks.setdefault(domain, threading.Lock())
        with lock:
            yield

    @contextmanager
    def table(self, path: Path) -> Iterator[None]:
        """Held while a file is processed: one file per table at a time."""
        with self._lock:
            lock = self._table_locks.setdefault(path.stem.lower(), threading.Lock())
        with lock:
            yield

    def uses(self, path: Path, domains: set[str]) -> None:
        """The memos a file uses (its table may not be the one its name points at)."""
        with self._lock:
            self._used[path] = set(domains)

    def names_known(self, path: Path) -> None:
        """Return once the names of this upload are in the vault (at once for a file that
        brings names itself: it scans with its own)."""
        if not brings_names(path):
            self._names_done.wait()

    def finished(self, path: Path) -> set[str]:
        """Mark ``path`` finished (loaded, rejected or failed); the domains whose memo no
        unfinished file needs any more."""
        with self._lock:
            self._unfinished.discard(path)
            self.done += 1
            if not any(p in self._unfinished for p in self._names):
                self._names_done.set()
            needed = {
                d
                for p in self._unfinished
                for d in self._domains.get(p, set()) | self._used.get(p, set())
            }
            return (self._domains.get(path, set()) | self._used.get(path, set())) - needed
