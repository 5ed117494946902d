"""``meedoen dashboard publish`` for three peildata of the demo municipality (issue 18 target:
at most 60 s for a municipality of 25,000 persons).

    make bench-dashboard                 # RUNS=3 fresh demo workspaces

Each run: ``meedoen demo --no-serve`` in a fresh workspace (25,420 persons), households built
for 1 January 2023 and 2024 besides the demo's 2025, then ``meedoen dashboard publish`` for
2025, 2023 and 2024 in that order, timed through the command line (start-up included). The
alternative beside it: the same register indicators counted per buurt without any disclosure
control (``household_table``, what a dashboard tool reading the household table directly would
show), in-process. Medians of RUNS runs; writes ``benchmarks/results/dashboard.md``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from datetime import date
from pathlib import Path

from tests.helpers import cli_env

RUNS = int(os.environ.get("RUNS", "3"))
PEILDATA = ("2025-01-01", "2023-01-01", "2024-01-01")
RESULTS = Path(__file__).parent / "results" / "dashboard.md"


def meedoen(*args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
    env = cli_env(**({"MEEDOEN_PASSWORD": password} if password else {}))
    result = subprocess.run(
        [sys.executable, "-m", "meedoen", *args], env=env, capture_output=True, text=True
    )
    if result.returncode not in (0, 2):
        raise SystemExit(f"meedoen {' '.join(args)} failed:\n{result.stderr}")
    return result


def unprotected(home: Path, activity: int) -> float:
    """Seconds to count every register indicator per buurt for the three peildata, unprotected."""
    from meedoen_data.disclosure.household import TableError, household_table
    from meedoen_data.indicators import catalogue_load

    indicators = catalogue_load().indicators
    started = time.perf_counter()
    for day in PEILDATA:
        for i in indicators:
            if i.status != "register":
                continue
            where = [(f"pop_{i.id}", "1")] if i.denominator else []
            with suppress(TableError):  # an uncovered source: refused on both sides
                household_table(
                    home=home,
                    activity_id=activity,
                    rowvar="buurtcode",
                    colvar=f"ind_{i.id}",
                    where=where,
                    peildatum=date.fromisoformat(day),
                    indicators=indicators,
                )
    return time.perf_counter() - started


def one_run(root: Path) -> dict[str, float | int]:
    home = root / "home"
    demo = json.loads(meedoen("demo", "--no-serve", "--home", str(home), "--json").stdout)
    password = {u["username"]: u["password"] for u in demo["users"]}["analyst"]
    activity = str(demo["activity"]["id"])
    common = ("--activity", activity, "--by", "analyst", "--home", str(home), "--json")
    for day in PEILDATA[1:]:
        meedoen("build", "--peildatum", day, *common, password=password)
    seconds, released = [], 0
    for day in PEILDATA:
        started = time.perf_counter()
        result = meedoen("dashboard", "publish", "--peildatum", day, *common, password=password)
        seconds.append(time.perf_counter() - started)
        rows = json.loads(result.stdout)["indicators"]
        released += sum(1 for r in rows if r["status"] == "published")
    return {
        "protected": sum(seconds),
        "first": seconds[0],
        "unprotected": unprotected(home, int(activity)),
        "released": released,
    }


def main() -> None:
    runs = []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as tmp:
            runs.append(one_run(Path(tmp)))
    protected = statistics.median(float(r["protected"]) for r in runs)
    first = statistics.median(float(r["first"]) for r in runs)
    bare = statistics.median(float(r["unprotected"]) for r in runs)
    released = int(statistics.median(int(r["released"]) for r in runs))
    lines = [
        "# Dashboard publication: three peildata of the demo municipality",
        "",
        f"`make bench-dashboard`, {RUNS} runs in fresh workspaces (25,420 persons, 11,348 "
        "households in 2025), medians. The target of issue 18: at most 60 s.",
        "",
        "| | seconds | |",
        "|---|---:|---|",
        f"| `meedoen dashboard publish`, 3 peildata (CLI, start-up included) | {protected:.1f} | "
        f"{released} releases (register and panel) |",
        f"| of which the first peildatum | {first:.1f} | |",
        f"| the same register indicators per buurt, counted without disclosure control "
        f"(in-process) | {bare:.1f} | what a dashboard reading the table directly shows |",
        f"| ratio | {protected / bare:.1f}x | the price of suppression, the audit against every "
        "earlier release and the audit log |",
        "",
        "The unprotected counts publish cells of fewer than 10 households and margins an "
        "attacker can subtract; meedoen refuses what it cannot protect (per buurt, then per "
        "wijk) and reports why.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
