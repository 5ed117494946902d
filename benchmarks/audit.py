"""Governance costs: the audit log's hash chain and an activity's store.

    make bench-audit                 # SQLite and (when reachable) PostgreSQL, 100,000 records
    RECORDS=1000000 make bench-audit

Per database, in a child process with a fresh database: writing RECORDS processing records for
one action (one per data subject: hashed and chained, :func:`audit_processing`) against a plain
``bulk_create`` of the same rows without hash chain (the baseline), and verifying the chain.
Then, on the demo municipality, building an activity's store (every domain, new pseudonyms for
every person) against re-reading the same tables. Medians of REPEAT runs (default 3).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.helpers import cli_env, meedoen_json

RECORDS = int(os.environ.get("RECORDS", "100000"))
REPEAT = int(os.environ.get("REPEAT", "3"))
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def child(database_url: str, home: str) -> dict[str, float]:
    """Runs inside the child: Django on a fresh database, timings in seconds."""
    os.environ["MEEDOEN_HOME"] = home
    os.environ["MEEDOEN_ENVIRONMENT"] = "ci"
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "meedoen.conf.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from meedoen.audits.models import ProcessingRecord
    from meedoen.audits.selectors import audit_verify
    from meedoen.audits.services import audit_processing
    from meedoen.audits.trace import TraceContext

    subjects = [f"{i:032x}" for i in range(RECORDS)]
    chained, plain, verify = [], [], []
    for _ in range(REPEAT):
        start = time.perf_counter()
        audit_processing(
            trace=TraceContext.start(),
            name="bench.read",
            activity="urn:meedoen:verwerkingsactiviteit:1",
            subjects=subjects,
            subject_type="pseudonym-activity-1",
            started=datetime.now(UTC),
        )
        chained.append(time.perf_counter() - start)
        start = time.perf_counter()
        report = audit_verify()
        # per RECORDS records: the chain grows by RECORDS each round
        verify.append((time.perf_counter() - start) / (len(verify) + 1))
        assert all(r.intact for r in report)
    for _ in range(REPEAT):  # after the chain: these rows would break its verification
        offset = 10**12 * (len(plain) + 1)  # positions that do not collide with the chain
        now = datetime.now(UTC)
        start = time.perf_counter()
        ProcessingRecord.objects.bulk_create(
            [
                ProcessingRecord(
                    position=offset + i,
                    trace_id="0" * 32,
                    span_id="0" * 16,
                    name="bench.plain",
                    status="Ok",
                    start_time=now,
                    end_time=now,
                    processing_activity_id="urn:meedoen:verwerkingsactiviteit:1",
                    data_subject_id=subject,
                    data_subject_id_type="pseudonym-activity-1",
                    resource="bench",
                    previous_hash="",
                    hash="",
                )
                for i, subject in enumerate(subjects)
            ],
            batch_size=5000,
        )
        plain.append(time.perf_counter() - start)
    return {
        "chained": statistics.median(chained),
        "plain": statistics.median(plain),
        "verify": statistics.median(verify),
    }


def postgres_database() -> str | None:
    """A fresh database on the PostgreSQL server, or None when none is reachable."""
    try:
        import psycopg
    except ImportError:
        return None
    try:
        with psycopg.connect(POSTGRES, autocommit=True) as con:
            con.execute("DROP DATABASE IF EXISTS meedoen_bench")
            con.execute("CREATE DATABASE meedoen_bench")
    except psycopg.Error:
        return None
    return POSTGRES.rsplit("/", 1)[0] + "/meedoen_bench"


def store_build() -> tuple[float, float, int]:
    """Seconds to build an activity's store on the demo municipality, to read the same
    tables, and the number of persons."""
    import duckdb

    from meedoen_data.activity_store import activity_key_create, store_delete, store_prepare

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        demo = meedoen_json("demo", "--no-serve", "--home", str(home))
        sources = demo["activity"]["sources"]
        build, read, persons = [], [], 0
        for number in range(REPEAT):
            activity_id = 1000 + number
            activity_key_create(home=home, activity_id=activity_id)
            start = time.perf_counter()
            report = store_prepare(home=home, activity_id=activity_id, sources=sources)
            build.append(time.perf_counter() - start)
            persons = report.persons
            store_delete(home=home, activity_id=activity_id)
            start = time.perf_counter()
            with duckdb.connect(str(home / "analytics.duckdb"), read_only=True) as con:
                for (table,) in con.execute(
                    "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'source'"
                ).fetchall():
                    con.execute(f'CREATE TEMP TABLE "copy_{table}" AS FROM source."{table}"')
            read.append(time.perf_counter() - start)
        return statistics.median(build), statistics.median(read), persons


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], sys.argv[3])))
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("SQLite", f"sqlite:///{tmp}/bench.sqlite3")]
        database = postgres_database()
        if database:
            targets.append(("PostgreSQL", database))
        for label, url in targets:
            out = subprocess.run(
                [sys.executable, "-m", "benchmarks.audit", "--child", url, tmp],
                env=cli_env(),
                capture_output=True,
                text=True,
                check=True,
            )
            figures = json.loads(out.stdout.strip().splitlines()[-1])
            rows.append(
                (
                    f"{label}: {RECORDS:,} chained records",
                    figures["chained"],
                    "plain bulk_create",
                    figures["plain"],
                )
            )
            rows.append(
                (
                    f"{label}: verify, per {RECORDS:,} records",
                    figures["verify"],
                    "writing them",
                    figures["chained"],
                )
            )
    build, read, persons = store_build()
    rows.append((f"activity store, {persons:,} persons", build, "reading the tables", read))
    print(f"{'measurement':<44} {'median s':>9}  {'baseline':<20} {'median s':>9} {'ratio':>7}")
    for name, value, baseline, base in rows:
        print(f"{name:<44} {value:>9.2f}  {baseline:<20} {base:>9.2f} {value / base:>6.2f}x")
    for label, value, *_ in rows:
        if "chained" in label:
            print(f"{label}: {RECORDS / value:,.0f} records/s")


if __name__ == "__main__":
    main()
