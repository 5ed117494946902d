"""An ingest with its audit log against the I/O limit (issue 16's first target).

    make bench-ingest-audit                  # 300,000 persons, 3 runs
    PERSONS=… RUNS=… make bench-ingest-audit
    PERSONS=17900000 RUNS=1 KEEP=/srv/bench make bench-ingest-audit   # national, kept

Side by side in one run, on the generator's files: ``meedoen init`` + ``meedoen ingest`` in a
fresh workspace (the intake gate, pseudonyms, vault, and the audit log in the web database),
against DuckDB reading the same CSV files into a fresh database as text
(``CREATE TABLE … AS SELECT * FROM read_csv(…, all_varchar=true)``: what reading and storing
the bytes costs at least, no checks and no pseudonyms). Medians; the ingest's processing
records and the size of its web database are counted too. Writes
``benchmarks/results/ingest_audit.md``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from tests.helpers import cli_env

PERSONS = int(os.environ.get("PERSONS", "300000"))
RUNS = int(os.environ.get("RUNS", "3"))
#: SINGLE=1: also one file at a time (the default up to a million persons; nationally it adds
#: a whole ingest per run).
SINGLE = os.environ.get("SINGLE", "1" if PERSONS <= 1_000_000 else "0") == "1"
#: The default size writes ingest_audit.md; another size its own file (the national run).
RESULTS = (
    Path(__file__).parent
    / "results"
    / ("ingest_audit.md" if PERSONS == 300_000 else f"ingest_audit_{PERSONS}.md")
)


def meedoen(*args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "meedoen", *args],
        check=True,
        env=cli_env(),
        stdout=subprocess.DEVNULL,
    )


def ingest(source: Path, home: Path, **env: str) -> tuple[float, int, int, int]:
    """Seconds of ``meedoen ingest`` (after init), its processing records, web database bytes
    and its peak resident memory (bytes, measured by the operating system); ``env``: extra
    environment variables."""
    shutil.rmtree(home, ignore_errors=True)
    meedoen("init", "--home", str(home))
    start = time.perf_counter()
    national = ["--national"] if PERSONS > 1_000_000 else []  # the upload limits' way round
    peak = _peak_of(["ingest", str(source), "--home", str(home), "--json", *national], env)
    seconds = time.perf_counter() - start
    with sqlite3.connect(home / "web.sqlite3") as db:
        (records,) = db.execute(
            "SELECT count(*) FROM audits_processingrecord WHERE name = 'intake.load'"
        ).fetchone()
    return seconds, int(records), (home / "web.sqlite3").stat().st_size, peak


def _peak_of(args: list[str], env: dict[str, str]) -> int:
    """Run ``meedoen ARGS`` in a child and return its peak resident memory in bytes."""
    pid = subprocess.Popen(
        [sys.executable, "-m", "meedoen", *args], env=cli_env(**env), stdout=subprocess.DEVNULL
    ).pid
    _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"meedoen {' '.join(args)} failed")
    return int(usage.ru_maxrss) * 1024  # kilobytes on Linux


def read_only(source: Path, target: Path) -> float:
    """Seconds DuckDB takes to read the same CSV files into a fresh database, as text."""
    target.unlink(missing_ok=True)
    start = time.perf_counter()
    con = duckdb.connect(str(target))
    for path in sorted(source.glob("*.csv")):
        con.execute(
            f"CREATE TABLE {duckdb_name(path.stem)} AS "
            "SELECT * FROM read_csv(?, all_varchar = true, header = true)",
            [str(path)],
        )
    con.close()
    return time.perf_counter() - start


def person_index(home: Path, scratch: Path) -> tuple[float, int, int]:
    """Seconds to build the vault's index of the BRP's persons by pseudonym again, its rows, and
    its size (copied on its own into a new file)."""
    from meedoen_data.intake.person_index import TABLE, person_index_build, person_index_drop

    copy = scratch / "person_index.duckdb"
    copy.unlink(missing_ok=True)
    with duckdb.connect() as con:
        con.execute("ATTACH ? AS vault", [str(home / "vault" / "vault.duckdb")])
        start = time.perf_counter()
        person_index_drop(con)
        rows = person_index_build(con)
        seconds = time.perf_counter() - start
        con.execute("ATTACH ? AS copy", [str(copy)])
        con.execute(f"CREATE TABLE copy.person AS SELECT * FROM {TABLE}")
    size = copy.stat().st_size
    copy.unlink()
    return seconds, rows, size


def duckdb_name(stem: str) -> str:
    return '"' + stem.replace('"', '""') + '"'


def main() -> None:
    # KEEP=DIR: work in DIR and leave the sources and the last run's workspace there (DIR/home),
    # e.g. for benchmarks.audit_lookup on a national workspace.
    keep = os.environ.get("KEEP")
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(keep) if keep else Path(tmp)
        scratch.mkdir(parents=True, exist_ok=True)
        meedoen("synth", "--persons", str(PERSONS), "--out", str(scratch / "sources"))
        (source,) = [p for p in (scratch / "sources").iterdir() if p.is_dir()] or [
            scratch / "sources"
        ]
        size = sum(p.stat().st_size for p in source.glob("*.csv"))
        ours, single, limit, peaks, records, database = [], [], [], [], 0, 0
        for _ in range(RUNS):
            seconds, records, database, peak = ingest(source, scratch / "home")
            ours.append(seconds)
            peaks.append(peak)
            limit.append(read_only(source, scratch / "read.duckdb"))
            if SINGLE:  # for comparison: one file at a time, as before ADR 0016
                single.append(
                    ingest(source, scratch / "single", MEEDOEN_INTAKE_PARALLEL_FILES="1")[0]
                )
                shutil.rmtree(scratch / "single")
        index_seconds, index_rows, index_bytes = person_index(scratch / "home", scratch)
        vault_bytes = (scratch / "home" / "vault" / "vault.duckdb").stat().st_size
    ratio = statistics.median(ours) / statistics.median(limit)
    lines = [
        f"# An ingest with its audit log against the I/O limit ({datetime.now(UTC):%Y-%m-%d})",
        "",
        f"{PERSONS:,} persons from the generator ({size / 1e6:,.0f} MB of CSV), {RUNS} runs, "
        "medians (`make bench-ingest-audit`).",
        "",
        "| job | median s | runs s | ratio |",
        "|---|---:|---|---:|",
        f"| `meedoen ingest`, audit included | {statistics.median(ours):.1f} | "
        f"{', '.join(f'{s:.1f}' for s in ours)} | {ratio:.1f}x the I/O limit |",
        *(
            [
                f"| the same, one file at a time (`MEEDOEN_INTAKE_PARALLEL_FILES=1`) | "
                f"{statistics.median(single):.1f} | {', '.join(f'{s:.1f}' for s in single)} | "
                f"{statistics.median(single) / statistics.median(limit):.1f}x |"
            ]
            if single
            else []
        ),
        f"| DuckDB reads the same CSV files as text (the I/O limit) | "
        f"{statistics.median(limit):.1f} | {', '.join(f'{s:.1f}' for s in limit)} | 1 |",
        "",
        f"The ingest wrote {records:,} `intake.load` records (one per loaded file and pseudonym "
        f"type, each referencing a subject set); its web database is {database / 1e6:,.1f} MB; "
        f"its peak resident memory {max(peaks) / 2**30:,.1f} GiB (highest of the runs); "
        "two files at a time (the default). "
        f"The vault is {vault_bytes / 1e6:,.0f} MB; of that, its index of the BRP's persons by "
        f"pseudonym (ADR 0017, part of the ingest above) has {index_rows:,} rows in about "
        f"{index_bytes / 1e6:,.0f} MB and builds again in {index_seconds:.1f} s. "
        "Targets of issue 16: at most 3x the I/O limit; nationally (17.9 M persons) at most "
        "15 minutes and 12 GiB.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
