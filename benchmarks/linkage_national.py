"""National scale: 100,000 partner records against a register of 17.9 million persons.

    NATIONAL=/work/nat .venv/bin/python -m benchmarks.linkage_national

Target of issue #7: at most 15 minutes and 12 GiB on this 2-core machine. The folder NATIONAL is
prepared once (the steps that already happened are skipped, none is timed here):

1. ``meedoen synth --gemeente GM0363 --persons 17900000 --format parquet --with-truth`` into
   ``NATIONAL/src`` (≈4 minutes);
2. 100,000 records sampled from its food-bank file (``voedselbank-100k.parquet``) with their
   truth (``truth_voedselbank.csv``);
3. a workspace ``NATIONAL/home`` with the register tables the linkage reads (persons, addresses,
   BAG addresses, relations) ingested through the gate (the intake's per-person audit log is
   not written: it is the intake's cost, not the linkage's).

Then, each in a fresh child process so that its peak memory (max RSS) is its own: the
activity's store the first time (once per activity, before any partner file), and what
``meedoen link`` does for a delivery: the partner file through the intake gate, the store
brought up to date (only the partner's table is new: the register's tables are copied from the
previous store), and ``link_partner``; DuckDB's memory: ``MEEDOEN_LINK_MEMORY`` (9GB here) and
``MEEDOEN_DUCKDB_MEMORY`` (8GB here, the store).
Deliveries alternate between the 100,000-record sample and "next month's" file (the same minus
100 clients), so that every run of the benchmark is a new delivery. Quality against the truth.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import duckdb

PERSONS = 17_900_000
RECORDS = 100_000
SOURCE = "voedselbank"
REGISTER = ("ingeschrevenpersoon", "verblijfplaats", "nummeraanduiding", "relatie")


def _run(*args: str) -> None:
    subprocess.run(args, check=True)


def prepare(root: Path) -> None:
    src, home = root / "src", root / "home"
    python = sys.executable
    if not (src / "ingeschrevenpersoon.parquet").exists():
        _run(python, "-m", "meedoen", "synth", "--gemeente", "GM0363", "--persons", str(PERSONS),
             "--out", str(src), "--with-truth", "--format", "parquet")  # fmt: skip
    sample = root / "voedselbank-100k.parquet"
    if not (root / "voedselbank-next.parquet").exists():
        if not sample.exists():
            con = duckdb.connect()
            con.execute(
                f"COPY (SELECT * FROM read_parquet(?) USING SAMPLE {RECORDS} ROWS "
                "(reservoir, 7)) TO ? (FORMAT parquet)",
                [str(src / "voedselbank.parquet"), str(sample)],
            )
            con.execute(
                "COPY (SELECT * FROM read_parquet(?) WHERE klantnummer IN "
                "(SELECT klantnummer FROM read_parquet(?))) TO ? (HEADER)",
                [str(src / "truth" / "partner_voedselbank.parquet"), str(sample),
                 str(root / "truth_voedselbank.csv")],
            )  # fmt: skip
            con.close()
        con = duckdb.connect()
        con.execute(
            f"COPY (SELECT * FROM read_parquet(?) ORDER BY klantnummer LIMIT {RECORDS - 100}) "
            "TO ? (FORMAT parquet)",
            [str(sample), str(root / "voedselbank-next.parquet")],
        )
        con.close()
    if not (home / "vault" / "vault.duckdb").exists():
        register = root / "register"
        register.mkdir(exist_ok=True)
        for table in REGISTER:
            link = register / f"{table}.parquet"
            if not link.exists():
                link.symlink_to(src / f"{table}.parquet")
        _run(python, "-m", "meedoen", "init", "--home", str(home))
        _child("ingest", home, register)


def _child(step: str, home: Path, path: Path | None = None) -> dict[str, float]:
    """Run one step in a fresh process; return its seconds and peak memory (GiB)."""
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.linkage_national", "--step", step, str(home),
         str(path or "")],
        check=False, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    if result.returncode != 0:
        raise SystemExit(f"step {step} failed (its error is above)")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def step(name: str, home: Path, path: str) -> None:
    """One timed step (the child side of :func:`_child`)."""
    from meedoen_data.activity_store import activity_key_create, store_prepare
    from meedoen_data.intake import NATIONAL, ingest_directory, ingest_partner_file
    from meedoen_data.linkage import link_partner

    started = time.monotonic()
    extra: dict[str, object] = {}
    if name == "ingest":
        ingest_directory(home=home, directory=Path(path), user="bench", limits=NATIONAL)
    elif name == "partner":
        report = ingest_partner_file(home=home, path=Path(path), source=SOURCE, user="bench")
        extra["status"] = report.files[0].status
    elif name == "store":
        activity_key_create(home=home, activity_id=1)
        extra["status"] = store_prepare(
            home=home, activity_id=1, sources=["brp", f"partner-{SOURCE}"]
        ).status
    elif name == "link":
        report_link = link_partner(
            home=home,
            activity_id=1,
            source=SOURCE,
            progress=lambda name, done, total: print(
                f"{time.monotonic() - started:7.1f} s  {name}", file=sys.stderr, flush=True
            ),
        )
        choice = report_link.threshold
        extra = {
            "records": report_link.records,
            "register": report_link.register,
            "pairs": report_link.pairs_scored,
            "linked": report_link.linked,
            "threshold": choice.threshold if choice else None,
            "est_precision": choice.precision if choice else None,
            "est_recall": choice.recall if choice else None,
        }
    seconds = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # KiB -> GiB
    print(json.dumps({"seconds": seconds, "peak_gib": peak, **extra}))


def _next_delivery(root: Path, home: Path) -> Path:
    """The file that is new to the workspace: the sample, or next month's file."""
    con = duckdb.connect(str(home / "analytics.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "SELECT arg_max(file_name, finished_at) FROM meta.batch WHERE table_name = ?",
            [SOURCE],
        ).fetchall()
    except duckdb.Error:
        rows = []
    finally:
        con.close()
    last = rows[0][0] if rows else None
    name = (
        "voedselbank-next.parquet"
        if last == "voedselbank-100k.parquet"
        else ("voedselbank-100k.parquet")
    )
    return root / name


def main() -> None:
    root = Path(os.environ.get("NATIONAL", "national"))
    os.environ.setdefault("MEEDOEN_LINK_MEMORY", "9GB")
    os.environ.setdefault("MEEDOEN_DUCKDB_MEMORY", "8GB")
    prepare(root)
    home = root / "home"
    once = {}
    if not (home / "activities" / "activity-1.duckdb").exists():
        once["activity store, first build (once per activity)"] = _child("store", home)
    delivery = _next_delivery(root, home)
    figures = {
        f"{delivery.name} through the intake gate": _child("partner", home, delivery),
        "activity store brought up to date": _child("store", home),
        "link_partner": _child("link", home),
    }
    for name, row in once.items():
        print(f"{name}: {row['seconds']:.1f} s, peak {row['peak_gib']:.2f} GiB (not in the total)")
    from meedoen_data.linkage.quality import linkage_quality

    quality = linkage_quality(
        home=home, activity_id=1, source=SOURCE, truth=root / "truth_voedselbank.csv"
    )
    print(f"{'step':<40} {'seconds':>9} {'peak GiB':>9}")
    for name, row in figures.items():
        print(f"{name:<40} {row['seconds']:>9.1f} {row['peak_gib']:>9.2f}")
    total = sum(row["seconds"] for row in figures.values())
    print(f"{'total (target 900 s, 12 GiB)':<40} {total:>9.1f} "
          f"{max(r['peak_gib'] for r in figures.values()):>9.2f}")  # fmt: skip
    link = figures["link_partner"]
    print(
        f"records {link['records']:,}, register {link['register']:,}, pairs scored "
        f"{link['pairs']:,}, linked {link['linked']:,}; threshold {link['threshold']} "
        f"(estimated precision {link['est_precision']:.4f}, recall {link['est_recall']:.4f})"
    )
    print(
        f"against the truth: precision {quality.overall.precision:.4f}, recall "
        f"{quality.overall.recall:.4f}, F1 {quality.overall.f1:.4f}"
    )
    for kind, score in quality.by_error.items():
        print(
            f"  {kind:<22} n {score.records:>6,}  precision {score.precision:.4f}  "
            f"recall {score.recall:.4f}"
        )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--step":
        step(sys.argv[2], Path(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else "")
    else:
        main()
