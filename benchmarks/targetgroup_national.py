"""``meedoen compare`` + ``meedoen segment`` on the national food-bank file, through the CLI.

    NATIONAL=/work/nat .venv/bin/python -m benchmarks.targetgroup_national

Target of issue 19: ``meedoen compare`` and ``meedoen segment`` on the national synthetic
population's food-bank file (≈150,000 records) in at most 10 minutes (600 s) and 12 GiB on this
2-core machine. Writes ``benchmarks/results/targetgroup_national.md``.

The folder NATIONAL is prepared once, as a municipal analyst would, with the real CLI (each step
is skipped when it was done before; none of it is in the total, its seconds and peak memory are
kept in ``NATIONAL/steps/`` and shown in the result file):

1. ``meedoen synth --gemeente GM0363 --persons 17900000 --format parquet`` into ``NATIONAL/src``;
   ``NATIONAL/register`` holds symlinks to every file of it except the food-bank file
   (``voedselbank.parquet``), which is a partner file, linked in step 5, never ingested with
   the register, and the areas (``gebied.parquet``, see :data:`LEFT_OUT`);
2. ``meedoen init`` of ``NATIONAL/home`` and two users, ``analyst`` and ``privacy_officer``
   (password: ``MEEDOEN_PASSWORD``, a fixed benchmark password when unset);
3. ``meedoen ingest NATIONAL/register --national``, one file at a time with 8GB of working
   memory (:data:`SETTINGS`: the defaults ran out of memory on the national Parquet files);
4. the demo's processing activity (``meedoen activity request`` by the analyst with the fields of
   ``meedoen demo``'s, ``meedoen activity approve`` by the privacy officer), then ``meedoen build
   --peildatum 2025-01-01`` (national households; ``MEEDOEN_DUCKDB_MEMORY``, 8GB here);
5. ``meedoen link NATIONAL/src/voedselbank.parquet --source voedselbank`` (``MEEDOEN_LINK_MEMORY``,
   9GB here).

Timed, each in a fresh child process so that its peak memory (max RSS, from ``os.wait4``) is its
own: ``meedoen compare --group voedselbank --peildatum 2025-01-01`` (releases the comparison's
tables) and ``meedoen segment`` with the same group (reads those tables again, fits the latent
class models on a sample of 10,000 households and releases the profile tables). A second
``meedoen compare`` on the same workspace (or a copy of it) finds its tables released already
("unchanged") and takes seconds, which is not the cost being measured: the two steps are timed
on their first run only; later invocations write the result file again from the figures kept in
``NATIONAL/steps/`` and say so.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from meedoen.cli.workspace import DEMO_ACTIVITY

PERSONS = 17_900_000
GEMEENTE = "GM0363"
SOURCE = "voedselbank"
PEILDATUM = "2025-01-01"
PASSWORD = "meedoen-bench-national-2026"
#: Not ingested with the register: the partner file (linked in step 5), and the areas: the
#: intake rejects the generator's national ``gebied.parquet`` (2,705 of 9,000 area names, 30.1%,
#: "free text holds an address"); no characteristic of the comparison needs them.
LEFT_OUT = (SOURCE, "gebied")
#: What the preparation sets when the environment does not: with the intake's defaults (6 GB,
#: two files side by side) the national Parquet register of persons and of addresses were
#: rejected, "the intake ran out of working memory (6 GB)" (2026-12-07).
SETTINGS = {
    "MEEDOEN_INTAKE_PARALLEL_FILES": "1",
    "MEEDOEN_INTAKE_MEMORY": "8GB",
    "MEEDOEN_DUCKDB_MEMORY": "8GB",
    "MEEDOEN_LINK_MEMORY": "9GB",
}
TARGET_SECONDS = 600.0
TARGET_GIB = 12.0
RESULTS = Path(__file__).parent / "results" / "targetgroup_national.md"

Step = dict[str, Any]


def _meedoen() -> list[str]:
    """The installed command line next to this Python, as an analyst runs it."""
    script = Path(sys.executable).parent / "meedoen"
    return [str(script)] if script.exists() else [sys.executable, "-m", "meedoen"]


def run_step(
    steps: Path, name: str, args: list[str], *, stdin: str | None = None, parse: bool = True
) -> Step:
    """Run ``meedoen ARGS`` in a fresh process, keep its figures in ``STEPS/NAME.json``.

    A step that has its file already is not run again: its kept figures are returned.
    """
    kept = steps / f"{name}.json"
    if kept.exists():
        return dict(json.loads(kept.read_text()))
    command = [*_meedoen(), *args]
    print(f"[{datetime.now(UTC):%H:%M:%S}] {name}: {' '.join(command)}", flush=True)
    out_path = steps / f"{name}.out"
    started = time.monotonic()
    with out_path.open("w") as out:
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=out,
            text=True,
        )
        if stdin is not None and process.stdin is not None:
            process.stdin.write(stdin)
            process.stdin.close()
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    text = out_path.read_text()
    if process.returncode != 0:
        raise SystemExit(
            f"step {name} failed with exit {process.returncode}: {' '.join(command)}\n{text}"
        )
    step: Step = {
        "command": command,
        "seconds": seconds,
        "peak_gib": usage.ru_maxrss / 1024**2,  # KiB -> GiB
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "output": json.loads(text) if parse else text.strip(),
    }
    kept.write_text(json.dumps(step, indent=1))
    print(f"    {seconds:.1f} s, peak {step['peak_gib']:.2f} GiB", flush=True)
    return step


def prepare(root: Path, steps: Path) -> dict[str, Step]:
    """The untimed preparation; returns each step's kept figures."""
    src, register, home = root / "src", root / "register", root / "home"
    done: dict[str, Step] = {}
    if not (src / f"{SOURCE}.parquet").exists():
        synth = ["synth", "--gemeente", GEMEENTE, "--persons", str(PERSONS), "--out", str(src),
                 "--format", "parquet", "--json"]  # fmt: skip
        done["synth"] = run_step(steps, "synth", synth)
    elif (steps / "synth.json").exists():
        done["synth"] = run_step(steps, "synth", [])  # the kept figures
    register.mkdir(exist_ok=True)
    for path in sorted(src.glob("*.parquet")):
        link = register / path.name
        if path.stem in LEFT_OUT:
            link.unlink(missing_ok=True)
        elif not link.exists():
            link.symlink_to(path)
    if not (home / "workspace.json").exists():
        run_step(steps, "init", ["init", "--home", str(home)], parse=False)
    password = os.environ["MEEDOEN_PASSWORD"]
    for user, role in (("analyst", "analyst"), ("privacy_officer", "privacy_officer")):
        run_step(
            steps,
            f"user-{user}",
            ["user", "add", user, "--role", role, "--home", str(home), "--json"],
            stdin=password + "\n",
        )
    done["ingest"] = run_step(
        steps, "ingest", ["ingest", str(register), "--national", "--home", str(home), "--json"]
    )
    fields = ["activity", "request", "--name", str(DEMO_ACTIVITY["name"]),
         "--purpose", str(DEMO_ACTIVITY["purpose"]),
         "--legal-basis", str(DEMO_ACTIVITY["legal_basis"]),
         "--sources", ",".join(DEMO_ACTIVITY["sources"]),
         "--retention-days", str(DEMO_ACTIVITY["retention_days"]),
         "--data-categories", str(DEMO_ACTIVITY["data_categories"]),
         "--recipients", str(DEMO_ACTIVITY["recipients"]),
         "--dpia", str(DEMO_ACTIVITY["dpia_reference"]),
         "--fine", ",".join(DEMO_ACTIVITY["fine_columns"]),
         "--fine-reason", str(DEMO_ACTIVITY["fine_reason"]),
         "--by", "analyst", "--home", str(home), "--json"]  # fmt: skip
    request = run_step(steps, "activity-request", fields)
    activity = str(_activity_id(request["output"]))
    approve = ["activity", "approve", activity, "--by", "privacy_officer", "--version", "1",
               "--motivation", "Doel, grondslag en bronnen passen bij elkaar (benchmark)",
               "--home", str(home), "--json"]  # fmt: skip
    run_step(steps, "activity-approve", approve)
    build = ["build", "--activity", activity, "--peildatum", PEILDATUM, "--by", "analyst",
             "--home", str(home), "--json"]  # fmt: skip
    done["build"] = run_step(steps, "build", build)
    linking = ["link", str(src / f"{SOURCE}.parquet"), "--source", SOURCE, "--activity", activity,
               "--by", "analyst", "--home", str(home), "--json"]  # fmt: skip
    done["link"] = run_step(steps, "link", linking)
    return done


def _activity_id(output: Any) -> int:
    """The new activity's id in ``meedoen activity request --json``'s output."""
    if isinstance(output, dict):
        return int(output["id"])
    return int(output)


def timed(root: Path, steps: Path, activity: int) -> dict[str, Step]:
    """``meedoen compare`` and ``meedoen segment``, first run only (see the module's text)."""
    common = ["--activity", str(activity), "--group", SOURCE, "--peildatum", PEILDATUM,
              "--by", "analyst", "--home", str(root / "home"), "--json"]  # fmt: skip
    return {
        "compare": run_step(steps, "compare", ["compare", *common]),
        "segment": run_step(steps, "segment", ["segment", *common]),
    }


def _statuses(tables: list[dict[str, Any]]) -> str:
    counts = Counter(str(t.get("status")) for t in tables)
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none"


def _get(step: Step | None, *keys: str) -> Any:
    value: Any = step["output"] if step else None
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _number(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else "—"


def report(prep: dict[str, Step], measured: dict[str, Step], rerun: bool, steps: Path) -> str:
    compare, segment = measured["compare"], measured["segment"]
    link = prep.get("link")
    total = sum(float(s["seconds"]) for s in measured.values())
    peak = max(float(s["peak_gib"]) for s in measured.values())
    lines = [
        "# `meedoen compare` + `meedoen segment` on the national food-bank file (issue 19)",
        "",
        f"Written by `benchmarks/targetgroup_national.py` on {datetime.now(UTC):%Y-%m-%d}; the "
        f"timed steps ran on {compare['finished'][:10]}, on a 2-core machine shared with other "
        "work.",
        "",
        "## What was measured",
        "",
        f"- Persons: `meedoen synth --gemeente {GEMEENTE} --persons {PERSONS:,}` "
        f"(households built at {PEILDATUM}: {_number(_get(prep.get('build'), 'households'))} "
        f"households, {_number(_get(prep.get('build'), 'persons'))} persons).",
        f"- Food-bank file (`voedselbank.parquet`, linked with `meedoen link`): "
        f"{_number(_get(link, 'records'))} records, {_number(_get(link, 'linked'))} linked.",
        f"- Group households (`--group {SOURCE}`): {_number(_get(compare, 'group_households'))}; "
        f"all households: {_number(_get(compare, 'population_households'))}.",
        f"- `meedoen compare`'s tables: {_statuses(_get(compare, 'tables') or [])}.",
        f"- `meedoen segment`: k = {_get(segment, 'k')} ({_get(segment, 'chosen_by')}); its "
        f"tables: {_statuses(_get(segment, 'tables') or [])}.",
        "",
        "Each step is the CLI in a fresh process (`--json`); peak = its max RSS. Their first "
        "run on the workspace: run again, `meedoen compare` finds its tables released already "
        "and takes seconds.",
        "",
        "| step | seconds | peak GiB |",
        "|---|---:|---:|",
    ]
    for name, step in measured.items():
        lines.append(f"| `meedoen {name}` | {step['seconds']:.1f} | {step['peak_gib']:.2f} |")
    lines.append(f"| **total** | **{total:.1f}** | **{peak:.2f}** |")
    lines.append(
        f"| *against the target ({TARGET_SECONDS:.0f} s, {TARGET_GIB:.0f} GiB)* | "
        f"*{total / TARGET_SECONDS:.2f}x* | *{peak / TARGET_GIB:.2f}x* |"
    )
    met = total <= TARGET_SECONDS and peak <= TARGET_GIB
    lines += ["", f"**Target {'met' if met else 'not met'}.**", ""]
    lines += [
        "Preparation (not in the total; done once):",
        "",
        "| step | seconds | peak GiB |",
        "|---|---:|---:|",
    ]
    for name, step in prep.items():
        lines.append(f"| `meedoen {name}` | {step['seconds']:.1f} | {step['peak_gib']:.2f} |")
    ingest = _get(prep.get("ingest"), "files") or []
    unchanged = [f["file"] for f in ingest if f.get("status") == "unchanged"]
    if unchanged:
        lines += [
            "",
            f"The ingest's seconds are those of its last run: {len(unchanged)} of its "
            f"{len(ingest)} files were loaded by an earlier run of the same command that "
            "rejected the others (see the settings) and are not in them.",
        ]
    released = [t for name in measured for t in _get(measured[name], "tables") or []]
    for table in released:
        if table.get("status") == "refused":
            lines += ["", f"Refused: {table['characteristic']}: {table.get('reason')}"]
    earlier = []
    for folder in sorted(steps.glob("previous-*")):
        kept = [folder / f"{name}.json" for name in ("compare", "segment")]
        if all(path.exists() for path in kept):
            runs = [json.loads(path.read_text()) for path in kept]
            earlier.append(
                f"- finished {runs[1]['finished']}: compare {runs[0]['seconds']:.1f} s, segment "
                f"{runs[1]['seconds']:.1f} s, total {sum(r['seconds'] for r in runs):.1f} s, "
                f"peak {max(r['peak_gib'] for r in runs):.2f} GiB"
            )
    if earlier:
        lines += ["", "Earlier first runs (`RETIME=1`; the code of their day):", "", *earlier]
    settings = ", ".join(f"`{name}={os.environ[name]}`" for name in SETTINGS)
    lines += ["", f"Settings: {settings}."]
    if rerun:
        lines += [
            "",
            "This invocation found the timed steps done before; the figures are those of their "
            "first run, kept in `NATIONAL/steps/`.",
        ]
    return "\n".join(lines) + "\n"


def retime(root: Path, steps: Path) -> None:
    """Make the next timed run a first run again (``RETIME=1``)."""
    previous = steps / f"previous-{datetime.now(UTC):%Y%m%dT%H%M%S}"
    previous.mkdir()
    for name in ("compare", "segment"):
        for kept in steps.glob(f"{name}.*"):
            kept.rename(previous / kept.name)
    with sqlite3.connect(root / "home" / "web.sqlite3") as db:
        db.execute("DELETE FROM publications_publication")


def main() -> None:
    root = Path(os.environ.get("NATIONAL", "national")).resolve()
    steps = root / "steps"
    steps.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("MEEDOEN_PASSWORD", PASSWORD)
    for name, value in SETTINGS.items():
        os.environ.setdefault(name, value)
    if os.environ.get("RETIME") == "1" and (steps / "segment.json").exists():
        retime(root, steps)
    rerun = (steps / "segment.json").exists()
    prep = prepare(root, steps)
    request = json.loads((steps / "activity-request.json").read_text())
    measured = timed(root, steps, _activity_id(request["output"]))
    text = report(prep, measured, rerun, steps)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
