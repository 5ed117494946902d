"""The audit log's storage: a record per data subject (today) against subject sets (ADR 0011).

    make bench-audit-sets                    # 1,000,000 subjects per ingest
    SUBJECTS=300000 make bench-audit-sets

Side by side in one run, each in a fresh SQLite file (the web database's default engine):

1. **per person** — what ``audit_processing`` writes today: one chained record (HMAC-SHA256
   over its fields, like ``meedoen_data.audit_chain``) per data subject, with the table's
   indexes, written with ``executemany`` in batches of 5,000;
2. **subject set** — one chained record carrying the digest of a set of SUBJECTS serials (the
   ingest's persons, dense as the vault hands them out), stored as Roaring containers.

Then the national scale (17,900,000 persons): the set is made and measured for real, and so is
the vault's subject register that numbers them (first registration, again, the register's size,
one person's number); the per-person log is extrapolated from its bytes per record. And
lookups: "which records touched this person" on a log of 30 national sets, 100 sets of 100,000
to 2,000,000 random draws of persons and 100,000 small explicit sets — p50 and p95 of LOOKUPS
random persons — against the per-person log's index. Writes a table to stdout and to
``benchmarks/results/audit_sets.md``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np

from meedoen_data.audit_sets import (
    SubjectSet,
    container_key,
    subject_set_explicit,
    subject_set_load,
    subject_set_serials,
)
from meedoen_data.audit_subjects import PERSON, subject_serial, subjects_register

SUBJECTS = int(os.environ.get("SUBJECTS", "1000000"))
NATIONAL = 17_900_000
LOOKUPS = int(os.environ.get("LOOKUPS", "400"))
BATCH = 5_000
KEY = b"k" * 32
RESULTS = Path(__file__).parent / "results" / "audit_sets.md"
#: The analytics store of a national full delivery (docs/benchmarks.md, issue 4).
NATIONAL_ANALYTICS_BYTES = 2.9e9

PER_PERSON = """
CREATE TABLE record (
    position INTEGER PRIMARY KEY, trace_id TEXT, span_id TEXT, parent_span_id TEXT,
    name TEXT, status TEXT, start_time TEXT, end_time TEXT, processing_activity_id TEXT,
    data_subject_id TEXT, data_subject_id_type TEXT, resource TEXT, detail TEXT,
    previous_hash TEXT, hash TEXT);
CREATE INDEX record_trace ON record (trace_id);
CREATE INDEX record_subject ON record (data_subject_id);
CREATE INDEX record_activity ON record (processing_activity_id);
"""
SETS = """
CREATE TABLE record (
    position INTEGER PRIMARY KEY, trace_id TEXT, span_id TEXT, parent_span_id TEXT,
    name TEXT, status TEXT, start_time TEXT, end_time TEXT, processing_activity_id TEXT,
    subject_set INTEGER, subject_set_digest TEXT, subject_count INTEGER, resource TEXT,
    detail TEXT, previous_hash TEXT, hash TEXT);
CREATE INDEX record_trace ON record (trace_id);
CREATE INDEX record_set ON record (subject_set);
CREATE TABLE subject_set (id INTEGER PRIMARY KEY, subject_type TEXT, encoding TEXT,
    size INTEGER, digest TEXT);
CREATE TABLE subject_member (subject_set INTEGER, subject TEXT);
CREATE INDEX member_subject ON subject_member (subject);
CREATE TABLE subject_container (subject_set INTEGER, key INTEGER, bitmap BLOB);
CREATE INDEX container_key ON subject_container (key);
"""


def chained(position: int, previous: str, fields: list[str]) -> str:
    message = json.dumps([position, previous, *fields], separators=(",", ":"))
    return hmac.new(KEY, message.encode(), hashlib.sha256).hexdigest()


def common(now: str) -> list[str]:
    return ["0" * 32, "1" * 16, "", "intake.load", "Ok", now, now, "urn:meedoen:inname"]


def per_person(path: Path, subjects: list[str]) -> float:
    """Today's layout: a chained record per subject."""
    con = sqlite3.connect(path)
    con.executescript(PER_PERSON)
    now = datetime.now(UTC).isoformat()
    start = time.perf_counter()
    previous, batch = "0" * 64, []
    for position, subject in enumerate(subjects, start=1):
        fields = [*common(now), subject, "pseudonym-brp", "meedoen", "brp.csv"]
        digest = chained(position, previous, fields)
        batch.append((position, *fields, previous, digest))
        previous = digest
        if len(batch) == BATCH:
            con.executemany(f"INSERT INTO record VALUES ({', '.join('?' * 15)})", batch)
            batch = []
    con.executemany(f"INSERT INTO record VALUES ({', '.join('?' * 15)})", batch)
    con.commit()
    seconds = time.perf_counter() - start
    con.close()
    return seconds


def store_set(con: sqlite3.Connection, set_id: int, made: SubjectSet) -> None:
    con.execute(
        "INSERT INTO subject_set VALUES (?, ?, ?, ?, ?)",
        (set_id, made.subject_type, made.encoding, made.size, made.digest),
    )
    con.executemany("INSERT INTO subject_member VALUES (?, ?)", [(set_id, m) for m in made.members])
    con.executemany(
        "INSERT INTO subject_container VALUES (?, ?, ?)",
        [(set_id, c.key, c.bitmap) for c in made.containers],
    )


def record_for(con: sqlite3.Connection, position: int, previous: str, made: SubjectSet) -> str:
    now = datetime.now(UTC).isoformat()
    fields = [*common(now), str(position), made.digest, str(made.size), "meedoen", "brp.csv"]
    digest = chained(position, previous, fields)
    con.execute(
        f"INSERT INTO record VALUES ({', '.join('?' * 16)})", (position, *fields, previous, digest)
    )
    return digest


def with_sets(path: Path, serials: np.ndarray) -> tuple[float, float, int]:
    """The new layout: the set is made (seconds), stored and referenced (seconds); the bytes
    it stored (bitmaps, digests and the record's fields: a file of a few pages says little)."""
    con = sqlite3.connect(path)
    con.executescript(SETS)
    start = time.perf_counter()
    made = subject_set_serials(subject_type="person", serials=serials)
    making = time.perf_counter() - start
    start = time.perf_counter()
    store_set(con, 1, made)
    record_for(con, 1, "0" * 64, made)
    con.commit()
    storing = time.perf_counter() - start
    (stored,) = con.execute(
        "SELECT (SELECT sum(length(bitmap)) FROM subject_container)"
        " + (SELECT sum(length(digest) + length(subject_type) + 16) FROM subject_set)"
        " + (SELECT sum(length(trace_id) + length(span_id) + length(name) + length(start_time)"
        " + length(end_time) + length(processing_activity_id) + length(subject_set_digest)"
        " + length(resource) + length(detail) + length(previous_hash) + length(hash) + 32)"
        " FROM record)"
    ).fetchone()
    con.close()
    return making, storing, int(stored)


def lookup_log(path: Path, rng: np.random.Generator) -> tuple[int, int]:
    """A year's log of sets: national, random large ones and many small explicit ones."""
    con = sqlite3.connect(path)
    con.executescript(SETS)
    set_id, previous = 0, "0" * 64
    full = np.arange(NATIONAL, dtype=np.uint32)
    national = subject_set_serials(subject_type="person", serials=full)
    for _ in range(30):
        set_id += 1
        store_set(con, set_id, national)
        previous = record_for(con, set_id, previous, national)
    for _ in range(100):
        set_id += 1
        size = int(rng.integers(100_000, 2_000_000))
        made = subject_set_serials(subject_type="person", serials=rng.integers(0, NATIONAL, size))
        store_set(con, set_id, made)
        previous = record_for(con, set_id, previous, made)
    for _ in range(100_000):
        set_id += 1
        picked = rng.integers(0, NATIONAL, int(rng.integers(1, 20)))
        made = subject_set_explicit(subject_type="person", subjects=[f"{s:032x}" for s in picked])
        store_set(con, set_id, made)
        previous = record_for(con, set_id, previous, made)
    con.commit()
    con.close()
    return set_id, path.stat().st_size


def lookup(con: sqlite3.Connection, serial: int) -> list[int]:
    """The sets (hence records) that hold a person: explicit members by pseudonym, serial sets
    by the container of the serial."""
    found = [
        row[0]
        for row in con.execute(
            "SELECT subject_set FROM subject_member WHERE subject = ?", (f"{serial:032x}",)
        )
    ]
    key = container_key(serial)
    for set_id, bitmap in con.execute(
        "SELECT subject_set, bitmap FROM subject_container WHERE key = ?", (key,)
    ):
        made = subject_set_load(
            subject_type="person", encoding="serials", containers=[(key, bitmap)]
        )
        if serial in made.containers[0]:
            found.append(set_id)
    return [
        row[0]
        for row in con.execute(
            f"SELECT position FROM record WHERE subject_set IN ({', '.join('?' * len(found))})",
            found,
        )
    ]


def register(path: Path, rng: np.random.Generator) -> dict[str, float]:
    """The vault's subject register for 17.9 million BSNs: seconds and bytes."""
    con = duckdb.connect()
    con.execute("ATTACH ? AS vault", [str(path)])
    con.execute(
        "CREATE TABLE bsn AS SELECT lpad((100000000 + i * 47)::VARCHAR, 9, '0') AS b "
        f"FROM range({NATIONAL}) t(i)"
    )
    start = time.perf_counter()
    subjects_register(con, kind=PERSON, identifiers=con.table("bsn"))
    first = time.perf_counter() - start
    con.execute("CHECKPOINT")
    size = path.stat().st_size
    start = time.perf_counter()
    serials = subjects_register(con, kind=PERSON, identifiers=con.table("bsn"))
    again = time.perf_counter() - start
    assert serials.size == NATIONAL
    times = []
    for i in rng.integers(0, NATIONAL, 21):
        start = time.perf_counter()
        subject_serial(con, kind=PERSON, identifier=f"{100000000 + int(i) * 47:09d}")
        times.append(time.perf_counter() - start)
    con.close()
    return {"first": first, "again": again, "bytes": size, "lookup": statistics.median(times)}


def row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    rng = np.random.default_rng(2026)
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        subjects = [f"{s:032x}" for s in rng.permutation(SUBJECTS)]
        row_seconds = per_person(base / "rows.sqlite", subjects)
        row_bytes = (base / "rows.sqlite").stat().st_size
        making, storing, set_bytes = with_sets(base / "sets.sqlite", np.arange(SUBJECTS))
        start = time.perf_counter()
        national = subject_set_serials(subject_type="person", serials=np.arange(NATIONAL))
        national_seconds = time.perf_counter() - start
        national_bytes = sum(len(c.bitmap) for c in national.containers)
        sample = rng.permutation(NATIONAL)[:1_000_000]
        million = subject_set_serials(subject_type="person", serials=sample)
        million_bytes = sum(len(c.bitmap) for c in million.containers)

        numbered = register(base / "vault.duckdb", rng)
        start = time.perf_counter()
        sets, log_bytes = lookup_log(base / "log.sqlite", rng)
        building = time.perf_counter() - start
        con = sqlite3.connect(base / "log.sqlite")
        times = []
        for serial in rng.integers(0, NATIONAL, LOOKUPS):
            start = time.perf_counter()
            lookup(con, int(serial))
            times.append(time.perf_counter() - start)
        con.close()
        rows = sqlite3.connect(base / "rows.sqlite")
        row_times = []
        for subject in rng.choice(subjects, LOOKUPS):
            start = time.perf_counter()
            rows.execute(
                "SELECT position FROM record WHERE data_subject_id = ?", (str(subject),)
            ).fetchall()
            row_times.append(time.perf_counter() - start)
        rows.close()

    per_record = row_bytes / SUBJECTS
    national_rows = per_record * NATIONAL
    share = NATIONAL_ANALYTICS_BYTES
    set_seconds = making + storing
    ratio = f"{set_seconds / row_seconds:.4f}x time, {set_bytes / row_bytes:.6f}x bytes"
    today = (
        f"{statistics.median(row_times) * 1000:.3f}",
        f"{np.percentile(row_times, 95) * 1000:.3f}",
    )
    lines += [
        f"# Audit storage: a record per person against subject sets ({datetime.now(UTC):%Y-%m-%d})",
        "",
        f"One ingest of {SUBJECTS:,} persons, SQLite, one run "
        f"(`SUBJECTS={SUBJECTS} make bench-audit-sets`).",
        "",
        row("layout", "seconds", "bytes", "bytes per person", "ratio"),
        "|---|---:|---:|---:|---:|",
        row(
            "a chained record per person (today)",
            f"{row_seconds:.2f}",
            f"{row_bytes:,}",
            f"{per_record:.0f}",
            "1",
        ),
        row(
            "one record + a subject set (serials)",
            f"{set_seconds:.3f}",
            f"{set_bytes:,} (stored values)",
            f"{set_bytes / SUBJECTS:.4f}",
            ratio,
        ),
        "",
        "National scale (17,900,000 persons):",
        "",
        row("", "bytes", "share of the analytics store (2.9 GB)"),
        "|---|---:|---:|",
        row(
            "a record per person (extrapolated from the run above)",
            f"{national_rows:,.0f}",
            f"{national_rows / share:.1%}",
        ),
        row(
            f"the set of all persons (made in {national_seconds:.2f} s)",
            f"{national_bytes:,}",
            f"{national_bytes / share:.6%}",
        ),
        row(
            "a set of 1,000,000 random persons",
            f"{million_bytes:,}",
            f"{million_bytes / share:.4%}",
        ),
        "",
        f"The vault's subject register for all persons: numbered in {numbered['first']:.1f} s, "
        f"again (all known) in {numbered['again']:.1f} s, {numbered['bytes']:,.0f} bytes in the "
        "vault (not the audit log); one person's number by BSN in "
        f"{numbered['lookup'] * 1000:.0f} ms (median of 21, no index).",
        "",
        f"Lookup of one person's records: a log of {sets:,} sets (30 national, 100 of 100,000 to "
        f"2,000,000 random persons, 100,000 small explicit ones; {log_bytes:,} bytes, built in "
        f"{building:.0f} s), {LOOKUPS} random persons:",
        "",
        row("", "p50 ms", "p95 ms"),
        "|---|---:|---:|",
        row(
            "subject sets (members by pseudonym, containers by key)",
            f"{statistics.median(times) * 1000:.2f}",
            f"{np.percentile(times, 95) * 1000:.2f}",
        ),
        row(f"a record per person (index on the subject, {SUBJECTS:,} records)", *today),
        "",
        "Not in these figures: the per-person log's other indexes on PostgreSQL, and the "
        "writers, verify and retention on top of the sets (issue 16). The per-person lookup "
        "is faster; its log is what does not fit.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
