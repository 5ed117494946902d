"""Household derivation at scale: DuckDB against a straightforward pandas job, Spark beside.

    make bench-households                   # 200,000 persons: DuckDB, pandas, Spark, 3 runs each
    PERSONS=17900000 make bench-households  # 1,000,000 for the comparison, then national scale

For every size the generator writes a population (Parquet, with ``truth/``), and
:func:`make_store` turns it into an activity's store directly with DuckDB SQL — *without* the
intake gate or the activity's key: persons get ``md5(BSN)`` and addresses ``md5('bag:' || BAG
id)`` (32 hex characters, like the real pseudonyms), dates become the store's ``yyyymm`` months.
The figures are the derivation alone: ``household_build`` (all steps of
``meedoen_data.households.derivation`` and writing schema ``household``) in a fresh child process.

- Comparison size (``COMPARE_PERSONS``; default 200,000, or 1,000,000 when ``PERSONS`` is set):
  DuckDB, the pandas job (``benchmarks/pandas_households.py``: membership and types only) and
  Spark local mode on the same data, ``REPEAT`` runs each (default 3), interleaved.
- ``PERSONS`` (optional): one DuckDB run (``MEEDOEN_DUCKDB_MEMORY`` default 10GB here) and one
  Spark run (``SPARK_LARGE=0`` skips it; stopped after ``SPARK_TIMEOUT`` seconds, default 3600).

Time is wall-clock of the child. Peak memory is the larger of the child's maximum RSS as the
kernel reports it when the child is reaped (``wait4``; it covers the child and the descendants
it reaped, as a maximum over single processes) and the peak of the *sum* of the RSS of the child
and all its descendants, sampled from ``/proc`` every 0.1 s — for Spark the Python driver and
the JVM together. Also printed: the seconds per derivation step (from the progress callback),
the household counts by type of every engine (pandas and Spark must agree with DuckDB within
HANDFUL households per type, or the benchmark fails after printing its table), and the accuracy
against the generator's truth. Households are counted from the store on a new connection (see
:func:`child`). ``MEEDOEN_SPARK_MEMORY`` (driver memory, default 4g) reaches Spark unchanged;
``BENCH_TMP`` chooses the scratch folder (default the system's temporary folder).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
from tests.helpers import cli_env

NATIONAL = 17_900_000
TARGET_SECONDS = 10 * 60
TARGET_BYTES = 12 * 2**30
DOMAINS = ("brp", "wmo", "jeugd", "participatie", "schulden", "signalen", "cbs")
ACTIVITY = 1
#: Households of one type that pandas or Spark may differ from DuckDB by (see check_counts).
HANDFUL = 5
PAGE = os.sysconf("SC_PAGE_SIZE")


# --- the store, straight from the generator's files ---------------------------------------

STORE_SQL = {
    "ingeschrevenpersoon": """
        SELECT md5(burgerservicenummer) AS person_pseudonym, geslachtsaanduiding,
               datumoverlijden, aanduidingnaamgebruik, geboorteland,
               year(datumgeboorte)::INTEGER AS geboortejaar,
               month(datumgeboorte)::INTEGER AS geboortemaand
        FROM src ORDER BY person_pseudonym""",
    "verblijfplaats": """
        SELECT md5(burgerservicenummer) AS person_pseudonym,
               md5('bag:' || adresseerbaarobjectidentificatie) AS address_pseudonym,
               (year(datumvan) * 100 + month(datumvan))::INTEGER AS datumvan_maand,
               (year(datumtot) * 100 + month(datumtot))::INTEGER AS datumtot_maand
        FROM src ORDER BY person_pseudonym, address_pseudonym""",
    "relatie": """
        SELECT md5(burgerservicenummer) AS person_pseudonym,
               md5(gerelateerde_burgerservicenummer) AS related_person_pseudonym,
               soortrelatie, soortverbintenis,
               (year(datumingang) * 100 + month(datumingang))::INTEGER AS datumingang_maand,
               (year(datumeinde) * 100 + month(datumeinde))::INTEGER AS datumeinde_maand
        FROM src ORDER BY person_pseudonym, related_person_pseudonym""",
    "nummeraanduiding": """
        SELECT md5('bag:' || adresseerbaarobjectidentificatie) AS address_pseudonym,
               buurtcode, wijkcode, gemeentecode, left(postcode, 4) AS postcode4
        FROM src ORDER BY address_pseudonym""",
    "toewijzing": """
        SELECT toewijzingnummer, md5(burgerservicenummer) AS person_pseudonym, wet,
               productcategorie, productcode, datumtoewijzing, datumstarttoewijzing,
               datumeindetoewijzing, omvang::BIGINT AS omvang, eenheid, frequentie,
               leveringsvorm, aanbieder, soortverwijzer
        FROM src ORDER BY person_pseudonym""",
    "inkomensvoorziening": """
        SELECT md5(burgerservicenummer) AS person_pseudonym, wet, code, ingangsdatum,
               einddatum, bedrag::DECIMAL(18, 2) AS bedrag
        FROM src ORDER BY person_pseudonym""",
    "schuldhulptraject": """
        SELECT md5(burgerservicenummer) AS person_pseudonym, startdatum, einddatum,
               totaalschuldbedragbijaanvangschuld::DECIMAL(18, 2)
                   AS totaalschuldbedragbijaanvangschuld,
               crisisinterventie, uitstroomreden
        FROM src ORDER BY person_pseudonym""",
    "vroegsignaal": """
        SELECT signaalid, signaalpartner, md5(burgerservicenummer) AS person_pseudonym,
               bedrag::DECIMAL(18, 2) AS bedrag, ontstaansdatum, signaaldatum, crisissignaal,
               left(postcode, 4) AS postcode4
        FROM src ORDER BY person_pseudonym""",
    "cbs_persoon": """
        SELECT md5(burgerservicenummer) AS person_pseudonym, opleidingsniveau,
               migratieachtergrond
        FROM src ORDER BY person_pseudonym""",
    "cbs_inkomen": """
        SELECT md5(burgerservicenummer) AS person_pseudonym, jaar::BIGINT AS jaar,
               besteedbaar_huishoudinkomen::DECIMAL(18, 2) AS besteedbaar_huishoudinkomen,
               ww::BIGINT AS ww, ao::BIGINT AS ao, huurtoeslag::BIGINT AS huurtoeslag,
               woningbezit
        FROM src ORDER BY person_pseudonym""",
}


def store_file(home: Path) -> Path:
    return home / "activities" / f"activity-{ACTIVITY}.duckdb"


def make_store(source: Path, home: Path, memory_limit: str | None = None) -> dict[str, int]:
    """An activity's store (schema ``source``, the columns and types of a real one) made from
    the generator's Parquet files with DuckDB SQL, bypassing the intake gate; rows per table."""
    target = store_file(home)
    target.parent.mkdir(parents=True, exist_ok=True)
    config = {"temp_directory": str(home / "tmp")}
    if memory_limit:
        config["memory_limit"] = memory_limit
    rows = {}
    with duckdb.connect(str(target), config=config) as con:
        con.execute("CREATE SCHEMA source")
        for table, sql in STORE_SQL.items():
            path = str(source / f"{table}.parquet").replace("'", "''")
            con.execute(f"CREATE OR REPLACE TEMP VIEW src AS FROM read_parquet('{path}')")
            con.execute(f"CREATE TABLE source.{table} AS {sql}")
            rows[table] = int(con.execute(f"SELECT count(*) FROM source.{table}").fetchone()[0])
        con.execute("CHECKPOINT")
    return rows


def reset_store(home: Path) -> None:
    """Remove an earlier build's schema ``household`` (each measured run starts fresh)."""
    with duckdb.connect(str(store_file(home))) as con:
        con.execute("DROP SCHEMA IF EXISTS household CASCADE")
        con.execute("CHECKPOINT")
    shutil.rmtree(store_file(home).with_suffix(".spark"), ignore_errors=True)


# --- one measured run in a child process ----------------------------------------------------


def child(engine: str, home: Path, peildatum: date) -> dict[str, object]:
    """Runs inside the child: one household_build, with the seconds of every step."""
    from meedoen_data.households.build import household_build

    marks: list[tuple[str, float]] = []
    started = time.perf_counter()

    def progress(step: str, number: int, total: int) -> None:
        marks.append((step, time.perf_counter()))
        print(f"  {engine} {number + 1}/{total} {step}", file=sys.stderr, flush=True)

    report = household_build(
        home=home,
        activity_id=ACTIVITY,
        peildatum=peildatum,
        domains=DOMAINS,
        engine=engine,
        progress=progress,
    )
    ended = time.perf_counter()
    steps = {"(inputs, start-up)": marks[0][1] - started if marks else 0.0}
    for (name, at), (_, following) in zip(marks, [*marks[1:], ("end", ended)], strict=True):
        steps[name] = following - at
    # Counted again on a fresh connection (untimed): with DuckDB 2.0.0 the build's own summary,
    # read on the connection that has just committed the tables, finds no households once
    # they fill more than one row group (1 million persons), until a CHECKPOINT.
    with duckdb.connect(str(store_file(home)), read_only=True) as con:
        rows = con.execute(
            "SELECT household_type, count(*) FROM household.household WHERE peildatum = ? "
            "GROUP BY ALL ORDER BY ALL",
            [peildatum],
        ).fetchall()
    by_type = {str(kind): int(n) for kind, n in rows}
    return {
        "households": sum(by_type.values()),
        "persons": report.persons,
        "by_type": by_type,
        "report_households": report.households,
        "steps": steps,
    }


@dataclass
class Run:
    seconds: float
    peak: int  # bytes
    rusage_peak: int  # bytes: wait4's ru_maxrss (largest single process)
    sampled_peak: int  # bytes: largest sampled sum over the process tree
    result: dict | None  # the child's JSON, None when it failed or timed out
    failure: str = ""
    load: float = 0.0  # highest 1-minute load average seen during the run (2 cores)


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo.extend(int(c) for c in handle.read().split())
        except OSError:
            continue
    return found


def _tree_rss(pid: int) -> int:
    total = 0
    for member in _descendants(pid):
        try:
            with open(f"/proc/{member}/statm") as handle:
                total += int(handle.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


def measure(args: list[str], env: dict[str, str], timeout: float | None = None) -> Run:
    """Wall time and peak memory of a child process (see the module docstring)."""
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        process = subprocess.Popen(args, env=env, stdout=out, start_new_session=True)
        peak = [0]
        load = [0.0]
        timed_out = [False]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.1):
                peak[0] = max(peak[0], _tree_rss(process.pid))
                load[0] = max(load[0], os.getloadavg()[0])
                if timeout is not None and time.perf_counter() - start > timeout:
                    timed_out[0] = True
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    return

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        with contextlib.suppress(ProcessLookupError):  # a JVM that outlived its driver
            os.killpg(process.pid, signal.SIGKILL)
        out.seek(0)
        lines = out.read().strip().splitlines()
    rusage_peak = usage.ru_maxrss * 1024
    run = Run(seconds, max(rusage_peak, peak[0]), rusage_peak, peak[0], None, load=load[0])
    if timed_out[0]:
        run.failure = f"stopped after {timeout:.0f} s"
    elif process.returncode != 0:
        run.failure = f"failed (exit status {process.returncode})"
    else:
        run.result = json.loads(lines[-1])
    return run


def build_run(
    engine: str, home: Path, peildatum: date, env: dict[str, str], timeout: float | None
) -> Run:
    reset_store(home)
    args = [
        sys.executable,
        "-m",
        "benchmarks.households",
        "--child",
        engine,
        str(home),
        peildatum.isoformat(),
    ]
    run = measure(args, env, timeout)
    if run.failure:
        shutil.rmtree(store_file(home).with_suffix(".spark"), ignore_errors=True)
    return run


def pandas_run(home: Path, scratch: Path, peildatum: date, env: dict[str, str]) -> Run:
    target = scratch / "pandas.duckdb"
    target.unlink(missing_ok=True)
    args = [
        sys.executable,
        "-m",
        "benchmarks.pandas_households",
        str(store_file(home)),
        str(target),
        peildatum.isoformat(),
    ]
    return measure(args, env)


# --- checks: counts per type, accuracy against the truth ------------------------------------


def check_counts(
    reference: dict[str, int], other: dict[str, int], label: str
) -> tuple[list[str], str]:
    """Differences in households per type, and a failure when one type differs by more than
    HANDFUL households (the benchmark then fails, after printing its table)."""
    lines, bad = [], []
    for kind in sorted(set(reference) | set(other)):
        ours, theirs = reference.get(kind, 0), other.get(kind, 0)
        if ours != theirs:
            lines.append(f"{label}: {kind} {theirs:,} against DuckDB's {ours:,}")
            if abs(ours - theirs) > HANDFUL:
                bad.append(kind)
    if not bad:
        return lines, ""
    return lines, (
        f"{label} and DuckDB disagree on {', '.join(bad)} by more than {HANDFUL} households. "
        "They implement the same rules (derivation.py) on the same store, so this is a bug in "
        "one of them, not noise; the only differences tolerated are ties the SQL can resolve "
        "by duplicate rows (a person in two registered couples at one address), which pandas "
        "resolves with isin."
    )


@dataclass
class Accuracy:
    label: str
    person_share: float
    type_share: float
    households: int
    persons: int = 0
    persons_exact: int = 0
    types_right: int = 0


def accuracy(home: Path, source: Path, scratch: Path, memory_limit: str | None) -> list[Accuracy]:
    """DuckDB's (and, when present, pandas') households against the generator's truth."""
    from meedoen_data.households.quality import household_quality

    config = {"temp_directory": str(scratch / "quality-tmp")}
    if memory_limit:
        config["memory_limit"] = memory_limit
    truth = str(source / "truth" / "household.parquet").replace("'", "''")
    out = []
    with duckdb.connect(str(store_file(home)), config=config) as con:
        con.execute(
            "CREATE TEMP VIEW truth AS SELECT md5(burgerservicenummer) AS person_id, household_id,"
            f" household_type FROM read_parquet('{truth}')"
        )
        con.execute(
            "CREATE TEMP VIEW derived AS SELECT person_id, household_id, household_type "
            "FROM household.household_member"
        )
        sets = [("DuckDB", "derived")]
        pandas_out = scratch / "pandas.duckdb"
        if pandas_out.exists():
            con.execute(f"ATTACH '{pandas_out}' AS pandas_out (READ_ONLY)")
            con.execute(
                "CREATE TEMP VIEW pandas_derived AS SELECT person_pseudonym AS person_id, "
                "household_id, household_type FROM pandas_out.household_person"
            )
            sets.append(("pandas", "pandas_derived"))
        for label, relation in sets:
            q = household_quality(con, derived=relation, truth="truth")
            out.append(
                Accuracy(
                    label,
                    q.person_share,
                    q.type_share,
                    q.households,
                    q.persons,
                    q.persons_exact,
                    q.types_right,
                )
            )
        if pandas_out.exists():
            row = con.execute(
                "SELECT count(*) FROM derived d FULL JOIN pandas_derived p USING (person_id) "
                "WHERE d.household_id IS DISTINCT FROM p.household_id "
                "OR d.household_type IS DISTINCT FROM p.household_type"
            ).fetchone()
            out.append(Accuracy(f"persons placed differently by pandas: {row[0]:,}", 0, 0, 0))
    return out


# --- the benchmark --------------------------------------------------------------------------


@dataclass
class Size:
    persons: int
    generate: float = 0.0
    store: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)
    runs: dict[str, list[Run]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    quality: list[Accuracy] = field(default_factory=list)


def median(runs: list[Run], attribute: str) -> float:
    return statistics.median(getattr(r, attribute) for r in runs)


def household_seconds(run: Run) -> float:
    """Seconds of the household steps (up to household_person), without the integrated table."""
    total = 0.0
    for name, seconds in (run.result or {}).get("steps", {}).items():
        total += seconds
        if name == "household_person":
            break
    return total


def bench_size(persons: int, scratch: Path, engines: list[str], repeat: int, large: bool) -> Size:
    size = Size(persons)
    source, home = scratch / f"src{persons}", scratch / f"home{persons}"
    started = time.perf_counter()
    synth = f"synth --persons {persons} --format parquet --with-truth".split()
    subprocess.run(
        [sys.executable, "-m", "meedoen", *synth, "--out", str(source)],
        env=cli_env(),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    size.generate = time.perf_counter() - started
    memory_limit = os.environ.get("MEEDOEN_DUCKDB_MEMORY") or ("10GB" if large else "")
    started = time.perf_counter()
    size.rows = make_store(source, home, memory_limit or None)
    size.store = time.perf_counter() - started
    with duckdb.connect() as con:
        truth = str(source / "truth" / "household.parquet").replace("'", "''")
        peildatum = con.execute(f"SELECT max(peildatum) FROM read_parquet('{truth}')").fetchone()[0]
    env = cli_env()
    if memory_limit:
        env["MEEDOEN_DUCKDB_MEMORY"] = memory_limit
    timeout = float(os.environ.get("SPARK_TIMEOUT", "3600")) if large else None
    print(
        f"{persons:,} persons: generated in {size.generate:.0f} s, store in {size.store:.0f} s",
        file=sys.stderr,
    )
    for number in range(repeat):
        for engine in engines:
            if engine == "pandas":
                run = pandas_run(home, scratch, peildatum, env)
            else:
                run = build_run(
                    engine, home, peildatum, env, timeout if engine == "spark" else None
                )
            size.runs.setdefault(engine, []).append(run)
            print(
                f"  {engine} run {number + 1}: {run.seconds:.1f} s, {run.peak / 2**20:,.0f} MiB,"
                f" load {run.load:.1f} {run.failure}",
                file=sys.stderr,
            )
            if engine == "duckdb" and number == repeat - 1 and run.result:
                size.quality = accuracy(home, source, scratch, memory_limit or None)
    reference = size.runs["duckdb"][-1].result or {}
    for engine in engines:
        last = size.runs[engine][-1].result
        if engine == "duckdb":
            continue
        if last:
            lines, failure = check_counts(reference.get("by_type", {}), last["by_type"], engine)
            size.notes += lines
            if failure:
                size.failures.append(failure)
    shutil.rmtree(source)
    shutil.rmtree(home)
    (scratch / "pandas.duckdb").unlink(missing_ok=True)
    return size


def report(sizes: list[Size]) -> None:
    print(
        f"{'engine':<8} {'persons':>11} {'runs':>4} {'median s':>9} {'peak MiB':>9}"
        f" {'households':>11} {'time vs pandas':>15} {'memory vs pandas':>17}"
        f" {'vs 10 min':>9} {'vs 12 GiB':>9}"
    )
    for size in sizes:
        base = size.runs.get("pandas")
        for engine, runs in size.runs.items():
            ok = [r for r in runs if r.result]
            if not ok:
                print(
                    f"{engine:<8} {size.persons:>11,} {len(runs):>4} {runs[0].failure} after "
                    f"{runs[0].seconds:.0f} s, peak {runs[0].peak / 2**20:,.0f} MiB"
                )
                continue
            seconds, peak = median(ok, "seconds"), median(ok, "peak")
            households = ok[-1].result["households"]
            versus = (
                f"{seconds / median(base, 'seconds'):>14.2f}x {peak / median(base, 'peak'):>16.2f}x"
                if base
                else f"{'-':>15} {'-':>17}"
            )
            target = (
                f"{seconds / TARGET_SECONDS:>8.2f}x {peak / TARGET_BYTES:>8.2f}x"
                if size.persons >= NATIONAL and engine == "duckdb"
                else f"{'-':>9} {'-':>9}"
            )
            print(
                f"{engine:<8} {size.persons:>11,} {len(ok):>4} {seconds:>9.1f}"
                f" {peak / 2**20:>9,.0f} {households:>11,} {versus} {target}"
            )
        duck = [r for r in size.runs.get("duckdb", []) if r.result]
        if base and duck:
            household_only = statistics.median(household_seconds(r) for r in duck)
            print(
                f"{'':<8} {'':>11} {'':>4} {household_only:>9.1f} {'':>9} {'':>11}"
                f" {household_only / median(base, 'seconds'):>14.2f}x"
                "   (DuckDB, household steps only, against pandas)"
            )
    print("time vs pandas: engine seconds / pandas seconds (below 1: faster than pandas).")
    print("peak: max(wait4 ru_maxrss, sampled sum of RSS of the child and its descendants).")
    for size in sizes:
        print(
            f"\n{size.persons:,} persons: generated in {size.generate:.0f} s, store made in "
            f"{size.store:.0f} s (" + ", ".join(f"{t} {n:,}" for t, n in size.rows.items()) + ")"
        )
        for engine, runs in size.runs.items():
            ok = [r for r in runs if r.result]
            if ok:
                print(
                    f"  {engine}: "
                    + ", ".join(f"{t} {n:,}" for t, n in ok[-1].result["by_type"].items())
                )
                said = ok[-1].result.get("report_households")
                if said is not None and said != ok[-1].result["households"]:
                    print(
                        f"    household_build's report said {said:,} households; the store "
                        f"holds {ok[-1].result['households']:,} (counted on a new connection)"
                    )
            print(
                "    runs (s, peak MiB, largest single process MiB, highest load): "
                + "; ".join(
                    f"{r.seconds:.1f}, {r.peak / 2**20:,.0f}, {r.rusage_peak / 2**20:,.0f},"
                    f" {r.load:.1f}{' ' + r.failure if r.failure else ''}"
                    for r in runs
                )
            )
        for line in size.notes:
            print(f"  differs: {line}")
        for q in size.quality:
            if q.households:
                print(
                    f"  accuracy ({q.label}): {q.persons_exact:,} of {q.persons:,} residents"
                    f" ({q.person_share:.3%}) in exactly their household; {q.types_right:,} of"
                    f" {q.households:,} households ({q.type_share:.3%}) exact with their type"
                )
            else:
                print(f"  {q.label}")
        for engine in ("duckdb", "spark"):
            ok = [r for r in size.runs.get(engine, []) if r.result]
            if ok:
                steps = ok[-1].result["steps"]
                total = sum(steps.values())
                slow = sorted(steps.items(), key=lambda kv: -kv[1])[:8]
                print(
                    f"  {engine} slowest steps (last run, {total:.1f} s in all): "
                    + ", ".join(f"{name} {s:.1f} s ({s / total:.0%})" for name, s in slow)
                )
                start_up = steps.get("(inputs, start-up)", 0.0)
                households = household_seconds(ok[-1]) - start_up
                writing = steps.get("writing", 0.0)
                print(
                    f"  {engine} split (last run): inputs and start-up {start_up:.1f} s, household"
                    f" steps (person_at … household_person) {households:.1f} s, integrated table"
                    f" (person_birth … household_stacking)"
                    f" {total - start_up - households - writing:.1f} s, writing {writing:.1f} s"
                )


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        result = child(sys.argv[2], Path(sys.argv[3]), date.fromisoformat(sys.argv[4]))
        print(json.dumps(result))
        return
    large = int(os.environ.get("PERSONS") or 0)
    compare = int(os.environ.get("COMPARE_PERSONS") or (1_000_000 if large else 200_000))
    repeat = int(os.environ.get("REPEAT") or 3)
    sizes = []
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        scratch = Path(tmp)
        sizes.append(bench_size(compare, scratch, ["pandas", "spark", "duckdb"], repeat, False))
        if large and large != compare:
            engines = (
                ["duckdb"] if os.environ.get("SPARK_LARGE", "1") == "0" else ["duckdb", "spark"]
            )
            sizes.append(bench_size(large, scratch, engines, 1, True))
    report(sizes)
    failures = [f for size in sizes for f in size.failures]
    if failures:
        raise SystemExit("\n".join(failures))


if __name__ == "__main__":
    main()
