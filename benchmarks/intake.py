"""Intake gate speed and memory, against a straightforward pandas + per-row hmac job.

    make bench-intake                     # 300,000 persons: meedoen and pandas, one run each
    make bench-intake PERSONS=17900000    # adds the national run (meedoen only)

Each job runs in its own child process; time is wall-clock, memory the child's peak RSS.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.helpers import cli_env, meedoen

COMPARE_PERSONS = 300_000


def measure(args: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    process = subprocess.Popen(args, env=cli_env(), stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(args)} failed with status {status}")
    return seconds, usage.ru_maxrss * 1024


def ingest(source: Path, scratch: Path) -> tuple[float, int]:
    home = scratch / "home"
    shutil.rmtree(home, ignore_errors=True)
    subprocess.run(
        [sys.executable, "-m", "meedoen", "init", "--home", str(home)],
        check=True,
        env=cli_env(),
        stdout=subprocess.DEVNULL,
    )
    command = [sys.executable, "-m", "meedoen", "ingest", str(source), "--home", str(home)]
    # --national: the national run is over a municipality's limits.
    result = measure([*command, "--json", "--national"])
    shutil.rmtree(home)
    return result


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        scratch = Path(tmp)
        sizes = [COMPARE_PERSONS]
        extra = int(os.environ.get("PERSONS", "0"))
        if extra:
            sizes.append(extra)
        for persons in sizes:
            source = scratch / f"src{persons}"
            assert meedoen("synth", "--out", str(source), "--persons", str(persons)).returncode == 0
            ours = ingest(source, scratch)
            theirs = None
            if persons == COMPARE_PERSONS:
                theirs = measure(
                    [
                        sys.executable,
                        "-m",
                        "benchmarks.pandas_intake",
                        str(source),
                        str(scratch / "pandas"),
                    ]
                )
                shutil.rmtree(scratch / "pandas")
            rows.append((persons, ours, theirs))
            shutil.rmtree(source)
    print(
        f"{'persons':>12} {'meedoen s':>10} {'peak MiB':>9} {'pandas s':>9} {'peak MiB':>9}"
        f" {'time ratio':>11} {'vs 15 min/12 GiB':>17}"
    )
    for persons, (seconds, peak), theirs in rows:
        other = (
            f"{theirs[0]:>9.1f} {theirs[1] / 2**20:>9.0f} {theirs[0] / seconds:>10.1f}x"
            if theirs
            else f"{'-':>9} {'-':>9} {'-':>11}"
        )
        target = f"{seconds / 900:.2f}x / {peak / 12 / 2**30:.2f}x"
        print(f"{persons:>12,} {seconds:>10.1f} {peak / 2**20:>9.0f} {other} {target:>17}")
    print("time ratio: pandas seconds / meedoen seconds (higher: meedoen faster).")


if __name__ == "__main__":
    main()
