"""``meedoen audit verify`` on a year of national deliveries: in full, and with ``--since``.

    make bench-audit-verify                          # 12 deliveries of 17,900,000 persons
    PERSONS=1000000 DELIVERIES=3 RUNS=1 make bench-audit-verify

Builds, in a fresh workspace's web database (SQLite, the default), the audit log of a year:
DELIVERIES monthly full deliveries, each FILES ``intake.load`` records (one per file and
pseudonym type, as ``meedoen ingest`` writes them) with their access records, each record
referencing a serial subject set of the national size (a month's population, numbered densely
as the vault's register numbers them: each month some persons leave and others arrive, and each
file lacks a few thousand persons, so every set is a different one of about PERSONS members);
between the deliveries ordinary use, ACCESS access records and as many processing records about
one person each. Then a checkpoint and a full ``meedoen audit verify``, which remembers the
position it checked; then one more month (a delivery and a month of ordinary use) and a
checkpoint.

Timed through the command line (start-up included), RUNS times each, medians: the full
``meedoen audit verify`` and ``meedoen audit verify --since`` (the remembered position of the
year put back before each run, so each checks the last month). Writes a table to stdout and to
``benchmarks/results/audit_verify.md``.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from tests.helpers import cli_env

PERSONS = int(os.environ.get("PERSONS", "17900000"))
DELIVERIES = int(os.environ.get("DELIVERIES", "12"))
FILES = int(os.environ.get("FILES", "13"))
ACCESS = int(os.environ.get("ACCESS", "100000"))
RUNS = int(os.environ.get("RUNS", "3"))
#: Persons leaving (and as many arriving) per month; persons missing from each further file.
CHURN = 15_000
MISSING_PER_FILE = 5_000
RESULTS = Path(__file__).parent / "results" / "audit_verify.md"


def meedoen(*args: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "meedoen", *args, "--json"],
        check=False,
        capture_output=True,
        text=True,
        env=cli_env(),
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return dict(json.loads(result.stdout))


def django_on(home: Path) -> None:
    os.environ["MEEDOEN_HOME"] = str(home)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "meedoen.conf.settings"
    import django

    django.setup()


def delivery(month: int, rng: np.random.Generator) -> int:
    """One monthly full delivery: FILES intake.load records, each with its own set."""
    from meedoen.audits.services import INTAKE_ACTIVITY, audit_action
    from meedoen.audits.trace import TraceContext
    from meedoen_data.audit_sets import subject_set_serials

    population = np.arange(month * CHURN, PERSONS + month * CHURN, dtype=np.uint32)
    trace, started = TraceContext.start(), datetime.now(UTC)
    written = 0
    for file in range(FILES):
        missing = rng.choice(population.size, file * MISSING_PER_FILE, replace=False)
        serials = np.delete(population, missing) if file else population
        made = subject_set_serials(subject_type="person", serials=serials)
        written += audit_action(
            trace=trace,
            user_name="operator",
            user_role="",
            channel="cli",
            client="bench",
            operation="intake.load",
            activity=INTAKE_ACTIVITY,
            subjects={"pseudonym-brp": made},
            started=started,
            detail=f"file-{file}.csv -> table_{file} (month {month})",
        )
    return written


def ordinary_use(count: int) -> None:
    """``count`` actions of the web app: an access record each (written in one go, as
    ``audit_access`` writes them one by one) and a processing record about one person each."""
    from meedoen.audits.services import _append, activity_uri, audit_processing
    from meedoen.audits.trace import TraceContext

    now = datetime.now(UTC)
    _append(
        "access",
        (
            {
                "trace_id": f"{i:032x}",
                "at": now,
                "user_name": "case_worker",
                "user_role": "case_worker",
                "channel": "web",
                "client": "127.0.0.1",
                "operation": "casework.family",
            }
            for i in range(count)
        ),
    )
    audit_processing(
        trace=TraceContext.start(),
        name="casework.family",
        activity=activity_uri(3),
        subjects=(f"{i:032x}" for i in range(count)),
        subject_type="pseudonym-activity-3",
        started=now,
    )


def build(home: Path) -> dict[str, float]:
    """The year's log, checked and remembered; then one more month. Seconds and counts."""
    from django.db import connections

    from meedoen.audits.services import audit_checkpoint_write

    rng = np.random.default_rng(2026)
    start = time.perf_counter()
    for month in range(DELIVERIES):
        delivery(month, rng)
        ordinary_use(ACCESS // DELIVERIES)
    audit_checkpoint_write()
    year = time.perf_counter() - start
    connections.close_all()
    meedoen("audit", "verify", "--home", str(home))  # remembers the year
    shutil.copy(home / "audit-verified.json", home.parent / "year-verified.json")
    start = time.perf_counter()
    delivery(DELIVERIES, rng)
    ordinary_use(ACCESS // DELIVERIES)
    audit_checkpoint_write()
    month = time.perf_counter() - start
    connections.close_all()
    return {"year": year, "month": month}


def timed(home: Path, *args: str) -> tuple[float, dict[str, Any]]:
    start = time.perf_counter()
    report = meedoen("audit", "verify", "--home", str(home), *args)
    seconds = time.perf_counter() - start
    assert report["intact"], report
    return seconds, report


def checked(report: dict[str, Any]) -> tuple[int, int]:
    """(records recomputed in both chains, subject sets read back)."""
    return sum(c["records"] for c in report["chains"]), int(report["sets_checked"])


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        meedoen("init", "--home", str(home))
        django_on(home)
        built = build(home)
        database = (home / "web.sqlite3").stat().st_size
        full: list[float] = []
        since: list[float] = []
        full_report: dict[str, Any] = {}
        since_report: dict[str, Any] = {}
        for _ in range(RUNS):
            seconds, full_report = timed(home)
            full.append(seconds)
        for _ in range(RUNS):
            shutil.copy(home.parent / "year-verified.json", home / "audit-verified.json")
            seconds, since_report = timed(home, "--since")
            since.append(seconds)
    full_records, full_sets = checked(full_report)
    since_records, since_sets = checked(since_report)
    ratio = statistics.median(full) / statistics.median(since)
    from_position = {c["chain"]: c["checked_from"] for c in since_report["chains"]}
    month_records = since_records
    lines = [
        f"# `meedoen audit verify` on a year of national deliveries ({datetime.now(UTC):%Y-%m-%d})",
        "",
        f"{DELIVERIES} monthly full deliveries of {PERSONS:,} persons and one more, {FILES} "
        "`intake.load` records each (one per file and pseudonym type), every record referencing "
        f"its own serial subject set of about {PERSONS:,} persons; {ACCESS:,} ordinary actions "
        "a year (an access record and a processing record about one person each). SQLite web "
        f"database of {database / 1e6:,.0f} MB. Timed through the command line (start-up "
        f"included), {RUNS} runs, medians (`make bench-audit-verify`).",
        "",
        "| check | records recomputed | subject sets read back | median s | runs s | ratio |",
        "|---|---:|---:|---:|---|---:|",
        f"| `meedoen audit verify` (everything) | {full_records:,} | {full_sets:,} | "
        f"{statistics.median(full):.1f} | {', '.join(f'{s:.1f}' for s in full)} | "
        f"{ratio:.1f}x |",
        f"| `meedoen audit verify --since` (the last month) | {since_records:,} | "
        f"{since_sets:,} | {statistics.median(since):.1f} | "
        f"{', '.join(f'{s:.1f}' for s in since)} | 1 |",
        "",
        f"`--since` started after the position the year's check remembered (processing record "
        f"{from_position['processing'] - 1:,}, access record {from_position['access'] - 1:,}) "
        f"and recomputed the last month's {month_records:,} records: one national delivery "
        f"({FILES} records, {since_sets} sets read back) and a month of ordinary use. Target of "
        "issue 16: verify of a national ingest's log in under 60 s. Building the log took "
        f"{built['year']:.0f} s for the year and {built['month']:.0f} s for the last month "
        "(making the sets; not part of verify).",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
