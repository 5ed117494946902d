"""Synthetic generator at scale: time and peak memory, against the issue's targets.

    make bench-synth                  # Gilze en Rijen (GM0784) and 1 million persons
    make bench-synth PERSONS=17900000 # national scale (17.9 million persons, ~8 GB of CSV)

Each size runs `meedoen synth` in a child process (peak memory is the child's maximum RSS);
figures are printed as a table with ratios against the targets for the national run: at most
15 minutes and 12 GiB.
"""

from __future__ import annotations

import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

from tests.helpers import meedoen

TARGET_SECONDS_NATIONAL = 15 * 60
TARGET_BYTES_NATIONAL = 12 * 1024**3
NATIONAL = 17_900_000


def run(persons: int, scratch: Path) -> tuple[float, int, int]:
    out = scratch / f"p{persons}"
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    assert meedoen("synth", "--out", str(out), "--persons", str(persons)).returncode == 0
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    shutil.rmtree(out)
    # ru_maxrss of children is the maximum over all children so far: report it only if it grew.
    return seconds, max(peak_kib, before) * 1024, size


def main() -> None:
    sizes = [24_300, 1_000_000]
    extra = int(os.environ.get("PERSONS", "0"))
    if extra:
        sizes.append(extra)
    rows = []
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as scratch:
        for persons in sizes:
            seconds, peak, size = run(persons, Path(scratch))
            rows.append((persons, seconds, peak, size))
    print(
        f"{'persons':>12} {'seconds':>9} {'persons/s':>11} {'peak MiB':>9} {'output MiB':>11}"
        f"  {'time vs 15 min':>14} {'memory vs 12 GiB':>16}"
    )
    for persons, seconds, peak, size in rows:
        scale = persons / NATIONAL
        time_ratio = seconds / (TARGET_SECONDS_NATIONAL * scale)
        print(
            f"{persons:>12,} {seconds:>9.1f} {persons / seconds:>11,.0f} {peak / 2**20:>9.0f}"
            f" {size / 2**20:>11.0f}  {time_ratio:>13.2f}x {peak / TARGET_BYTES_NATIONAL:>15.2f}x"
        )
    print(
        "time ratio: seconds against the 15-minute target scaled to this size (< 1 is better);"
        " memory ratio: peak against 12 GiB (unscaled)."
    )


if __name__ == "__main__":
    main()
