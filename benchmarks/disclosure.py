"""Disclosure control: our suppression against τ-ARGUS's optimal method (pytauargus), issue #8.

    make bench-disclosure               # 3-D table of 9,860 cells (400,000 households)
    SIZE=small make bench-disclosure    # 1,000 cells (20,000 households)
    SIZE=3k make bench-disclosure       # also 3k (2,912 cells) and 5k (4,845 cells)

One synthetic table of households (fixed seed; wijk x age class of the head x income class, with
all its margins; 17-19% of the non-zero cells hold 1 to 9 households) protected in the same run
by three tools:

- **ours**: ``Table.from_leaves`` and ``publication_protect([table], Rules(group={}),
  time_limit=TIME_LIMIT)`` — primary suppression, the exact MILP with Benders cuts in HiGHS, the
  independent LP audit (included in its time; shown apart below the table).
- **τ-ARGUS OPT, FREQ(10,100)**: the microdata (one row per household, response ``n`` = 1, so a
  cell's value is its frequency) through ``pytauargus.protect(df, ["wijk", "leeftijd",
  "inkomen"], response="n", safety_rules="FREQ(10,100)", suppress="OPT(1,M)", workdir=...,
  run=False)``, then ``pytauargus.engine.Engine().run_batch(arb)`` and ``TableResult(tab1, dims,
  "n")`` for the statuses (``U`` primary, ``M`` secondary) — what ``protect(run=True)`` does, split
  so that FullJJ (the optimiser) can be timed alone and its log files kept out of the working
  directory. ``M`` is TIME_LIMIT in minutes, rounded up: τ-ARGUS's unit. (Without it, ``OPT(1)``
  gives FullJJ zero seconds: it returns its first heuristic pattern, "TIME LIMIT EXCEEDED".)
- **τ-ARGUS OPT, our levels**: the same table given to τ-ARGUS as a table (every non-empty cell,
  margins included, ``<READTABLE> 0``), our unsafe cells marked unsafe in a ``<STATUS>`` column
  and our protection levels in ``<LOWERPL>``/``<UPPERPL>`` columns (``<SAFETYRULE> MAN(20)``;
  the 20% is unused, every unsafe cell brings its levels): the optimisation problem of ours, so
  this row compares the optimisers.

Each τ-ARGUS run is a fresh child process (spawn): in one process the native engine once died
without a Python error in its second OPT run after a first that hit its time limit, and
pytauargus itself only validates separate processes. Its time is measured inside the child.

Rule semantics. The unsafe cells are the same (1 to 9 households; an empty cell is safe in both;
checked: "primary cells differ" below the table). What differs:

- Protection. Ours: the interval an attacker derives for an unsafe cell with value ``a`` must be
  at least 10 wide; the optimiser asks for ``[a - min(a, 5), a - min(a, 5) + 10]`` (3 households:
  0 to 10), the audit for any interval 10 wide. τ-ARGUS's ``FREQ(10, R)`` sets both protection
  levels to ``max(1, R% of a)`` (read from its JJ file) and refuses R > 100. With R = 100, as
  close as it gets, the interval must cover ``[0, 2a]``: narrower than ours for 1 to 4 households
  (1 household: [0, 2], width 2 instead of 10), the same for 5, wider for 6 to 9 (9 households:
  [0, 18] where ours asks [4, 14]). Neither implies the other, so every pattern is audited
  against both: *exposed (ours)* counts unsafe cells our ``publication_audit`` narrows below 10
  (pass: none), *exposed (τ)* those whose interval (from the same audit) misses ``[0, 2a]``.
- Attacker's a-priori bounds: the same, every cell between 0 and the grand total.
- Cost of hiding a cell: ours its value + 1 (exact); τ-ARGUS its value scaled so that the
  largest cell costs 20,000, rounded to a whole number, at least 1 (read from its JJ file). With
  400,000 households every cell of 1 to 29 households costs 1, 30 to 49 cost 2, ...: τ-ARGUS
  optimises a coarser objective (with 20,000 households the scale is 1). *sec. value* is the
  sum of the values hidden as secondary suppressions, the same measure for every row; below the
  table every pattern's cost in τ-ARGUS's scaled units (FullJJ's objective, primary cells
  included), to set beside FullJJ's lower and upper bound.
- Optimality: ``TIME_LIMIT`` (default 600 s) bounds each of our master MILPs (there are a few
  rounds) and τ-ARGUS's whole FullJJ. *optimal* says whether the tool proved its pattern optimal
  (τ-ARGUS: FullJJ returned 0 rather than 1; its lower and upper bound are shown below).

Figures are medians over ``REPEAT`` runs (default 3 for ``SIZE=small``; 1 for the full table —
one run of each is what the 10,000-cell table affords on the 2-core machine), interleaved; a tool
stopped by its time limit is not run again (its time would be the limit again). Suppressions and
audits are those of the last run. ``BENCH_TMP`` chooses the scratch folder; progress goes to
standard error.
"""

from __future__ import annotations

import faulthandler
import math
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from meedoen_data.disclosure import (
    TOTAL,
    Cell,
    Dimension,
    Rules,
    Table,
    primary_cells,
    publication_audit,
    publication_protect,
)
from meedoen_data.disclosure.problem import publication_problem

Shape = tuple[int, int, int]
#: (wijken, age classes, income classes), households.
SIZES: dict[str, tuple[Shape, int]] = {
    "small": ((9, 9, 9), 20_000),  # 10 x 10 x 10 = 1,000 cells, 17% of non-zero cells unsafe
    "3k": ((15, 13, 12), 100_000),  # 16 x 14 x 13 = 2,912 cells, 19%
    "5k": ((18, 16, 14), 200_000),  # 19 x 17 x 15 = 4,845 cells, 18%
    "full": ((28, 19, 16), 400_000),  # 29 x 20 x 17 = 9,860 cells, 18%
}
DIMENSIONS = ("wijk", "leeftijd", "inkomen")
SEED = 8
RULES = Rules(group={})
#: τ-ARGUS's frequency range (%), as close to our protection as it allows (see above).
FREQUENCY_RANGE = 100
TAU_TOTAL = "Total"
TOLERANCE = 1e-6
#: τ-ARGUS scales the costs so that the largest cell costs this (pytauargus's set_table).
MAX_SCALED_COST = 20_000
OURS = "ours (publication_protect)"
TAU_FREQUENCY = f"τ-ARGUS OPT, FREQ(10,{FREQUENCY_RANGE})"
TAU_LEVELS = "τ-ARGUS OPT, our levels"
SCRATCH = {TAU_FREQUENCY: "frequency", TAU_LEVELS: "levels"}

Key = tuple[str, ...]


# --- data ------------------------------------------------------------------------------------


def households(n: int, shape: Shape, seed: int = SEED) -> pd.DataFrame:
    """``n`` synthetic households of one gemeente: wijk (sizes skewed), age class of the head
    (a hump around 50, long tails) and income class (depends on age and on the wijk)."""
    rng = np.random.default_rng(seed)
    n_wijk, n_age, n_income = shape
    size = rng.permutation(1.0 / np.arange(1, n_wijk + 1) ** 0.5)
    wijk = rng.choice(n_wijk, n, p=size / size.sum())
    wealth = rng.normal(0.0, 0.35, n_wijk)
    age = np.clip(rng.gamma(9.0, 5.5, n) + 12, 17, 109)
    age_class = np.clip(((age - 22) / (68 / n_age)).astype(int), 0, n_age - 1)
    peak = 1 - ((age - 52) / 40) ** 2
    log_income = 10.3 + 0.45 * peak + wealth[wijk] + rng.normal(0.0, 0.55, n)
    edges = np.quantile(log_income, (np.arange(1, n_income) / n_income) ** 1.4)
    income = np.searchsorted(edges, log_income)
    return pd.DataFrame(
        {
            "wijk": [f"W{i + 1:02d}" for i in wijk],
            "leeftijd": [f"L{i + 1:02d}" for i in age_class],
            "inkomen": [f"I{i + 1:02d}" for i in income],
        }
    )


def table_build(frame: pd.DataFrame, shape: Shape) -> Table:
    counts = frame.value_counts(list(DIMENSIONS))
    leaves = {tuple(key): Cell(int(units)) for key, units in counts.items()}
    dims = [
        Dimension.flat(name, [f"{prefix}{i + 1:02d}" for i in range(k)])
        for name, prefix, k in zip(DIMENSIONS, "WLI", shape, strict=True)
    ]
    return Table.from_leaves("huishoudens", dims, leaves)


# --- runs ------------------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    #: The optimiser alone (ours: secondary suppression; τ-ARGUS: FullJJ).
    solver_seconds: float
    hidden: set[Key]
    primary: set[Key]
    optimal: bool | None
    notes: list[str] = field(default_factory=list)
    #: Why the run produced no pattern (the child process died), else None.
    failure: str | None = None


def _log(started: float, message: str) -> None:
    print(f"{time.monotonic() - started:8.1f} s  {message}", file=sys.stderr, flush=True)


def ours(frame: pd.DataFrame, shape: Shape, time_limit: float) -> Run:
    started = time.monotonic()
    marks: dict[str, float] = {}

    def progress(stage: str, step: int, total: int) -> None:
        marks[stage.split(",")[0]] = time.monotonic()
        _log(started, f"ours: {stage}")

    table = table_build(frame, shape)
    built = time.monotonic()
    release = publication_protect([table], RULES, time_limit=time_limit, progress=progress)
    seconds = time.monotonic() - started
    audited = marks.get("audit", time.monotonic())
    cells = release.tables[0].cells
    hidden = {tuple(c.labels[d] for d in DIMENSIONS) for c in cells if c.value is None}
    primary = {tuple(c.labels[d] for d in DIMENSIONS) for c in cells if c.flag == "primary"}
    s = release.summary
    notes = [
        f"{s['rounds']} rounds, {s['cuts']} cuts; table built in {built - started:.2f} s; the "
        f"audit inside publication_protect {seconds - (audited - started):.2f} s "
        f"({s['audit_linear_programmes']} LPs)"
    ]
    return Run(seconds, audited - built, hidden, primary, bool(s["optimal"]), notes)


class _Solver:
    """pytauargus's HiTaSCtrl with FullJJ (the optimal method) timed, its log files written to
    ``folder`` (by default they land in the working directory) and its outcome read back."""

    def __init__(self, inner: Any, folder: Path) -> None:
        self.inner = inner
        self.folder = folder
        self.seconds = 0.0
        self.optimal: bool | None = None
        self.bounds = "?"

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def full_jj(self, **options: Any) -> int:
        self.folder.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        code = int(self.inner.full_jj(**{**options, "out_dir": f"{self.folder}/"}))
        self.seconds += time.monotonic() - started
        self.optimal = code == 0  # 0: optimal; 1: stopped by the time limit, with a pattern
        log = (self.folder / "FullJJ.log").read_text(encoding="utf-8", errors="replace")
        for line in log.splitlines():
            if line.startswith("Objectvalues:"):  # "Objectvalues: <lower> and <upper>"
                self.bounds = " ".join(line.split()[1:])
        return code


def _tau_run(arb: Path, folder: Path) -> _Solver:
    from pytauargus.engine import Engine

    engine = Engine()
    solver = _Solver(engine._hitas, folder)
    engine._hitas = solver
    engine.run_batch(arb)
    return solver


def _tau_read(path: Path) -> tuple[set[Key], set[Key], int]:
    from pytauargus import TableResult

    result = TableResult(path, list(DIMENSIONS), "n")
    hidden: set[Key] = set()
    primary: set[Key] = set()
    for row in result.rows:
        key = tuple(TOTAL if row[d] == TAU_TOTAL else str(row[d]) for d in DIMENSIONS)
        if row["status"] in ("U", "M"):
            hidden.add(key)
        if row["status"] == "U":
            primary.add(key)
    return hidden, primary, result.n_cells


def _minutes(time_limit: float) -> int:
    return max(1, math.ceil(time_limit / 60))


def _tau_result(started: float, solver: _Solver, out: Path, time_limit: float) -> Run:
    hidden, primary, cells = _tau_read(out)
    seconds = time.monotonic() - started
    notes = [
        f"OPT time limit {_minutes(time_limit)} min; FullJJ's lower and upper bound "
        f"{solver.bounds} (in its scaled costs); {cells:,} cells in its table"
    ]
    return Run(seconds, solver.seconds, hidden, primary, solver.optimal, notes)


def tau_frequency(frame: pd.DataFrame, time_limit: float, scratch: Path) -> Run:
    """τ-ARGUS OPT on the microdata with its frequency rule FREQ(10, FREQUENCY_RANGE)."""
    from pytauargus import protect

    started = time.monotonic()
    written = protect(
        frame.assign(n=1),
        list(DIMENSIONS),
        response="n",
        safety_rules=f"FREQ({RULES.min_frequency},{FREQUENCY_RANGE})",
        suppress=f"OPT(1,{_minutes(time_limit)})",
        workdir=str(scratch),
        run=False,
    )
    _log(started, f"{TAU_FREQUENCY}: microdata and batch written, OPT starts")
    solver = _tau_run(Path(written.files["arb"]), scratch / "solver")
    return _tau_result(started, solver, Path(written.files["tab1"]), time_limit)


def tau_levels(table: Table, time_limit: float, scratch: Path) -> Run:
    """τ-ARGUS OPT on the table itself, with our unsafe cells and our protection levels."""
    started = time.monotonic()
    scratch.mkdir(parents=True, exist_ok=True)
    primary = primary_cells(table, RULES)
    problem = publication_problem([table], {table.name: primary}, RULES)
    lines = []
    for key, cell in table.cells.items():
        if cell.units == 0:
            continue  # a cell missing from the file is empty for τ-ARGUS
        codes = [TAU_TOTAL if code == TOTAL else code for code in key]
        if key in primary:
            lower, upper = problem.protect[problem.index[table.identity(key)]]
            status = f"U;{lower:g};{upper:g}"
        else:
            status = "S;;"
        lines.append(";".join([*codes, str(cell.units), status]))
    (scratch / "table.tab").write_text("\n".join(lines) + "\n", encoding="utf-8")
    variables = "".join(f'{d}\n  <RECODEABLE>\n  <TOTCODE> "{TAU_TOTAL}"\n' for d in DIMENSIONS)
    (scratch / "table.rda").write_text(
        '<SEPARATOR> ";"\n<SAFE> "S"\n<UNSAFE> "U"\n'
        + variables
        + "n\n  <NUMERIC>\nstatus\n  <STATUS>\n"
        + "lpl\n  <NUMERIC> <LOWERPL>\nupl\n  <NUMERIC> <UPPERPL>\n",
        encoding="utf-8",
    )
    explanatory = "".join(f'"{d}"' for d in DIMENSIONS)
    (scratch / "batch.arb").write_text(
        f'<OPENTABLEDATA> "{scratch / "table.tab"}"\n'
        f'<OPENMETADATA> "{scratch / "table.rda"}"\n'
        f'<SPECIFYTABLE> {explanatory}|"n"||\n'
        "<SAFETYRULE> MAN(20)\n"
        "<READTABLE> 0\n"
        f"<SUPPRESS> OPT(1,{_minutes(time_limit)})\n"
        f'<WRITETABLE> (1,5,SO+,"{scratch / "out.tab"}")\n',
        encoding="utf-8",
    )
    _log(started, f"{TAU_LEVELS}: table and batch written, OPT starts")
    solver = _tau_run(scratch / "batch.arb", scratch / "solver")
    return _tau_result(started, solver, scratch / "out.tab", time_limit)


def _child(
    channel: Connection,
    tool: str,
    frame: pd.DataFrame,
    shape: Shape,
    time_limit: float,
    scratch: Path,
) -> None:
    faulthandler.enable()  # a crash in the native engine leaves a trace on standard error
    if tool == TAU_FREQUENCY:
        run = tau_frequency(frame, time_limit, scratch)
    else:
        run = tau_levels(table_build(frame, shape), time_limit, scratch)
    channel.send(run)
    channel.close()


def tau(tool: str, frame: pd.DataFrame, shape: Shape, time_limit: float, scratch: Path) -> Run:
    """One τ-ARGUS run in a fresh child process."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child, args=(sender, tool, frame, shape, time_limit, scratch), daemon=True
    )
    child.start()
    sender.close()
    try:
        run: Run | None = receiver.recv()
    except EOFError:
        run = None
    child.join()
    if run is None:
        failure = f"child process died (exit code {child.exitcode})"
        print(f"{tool}: {failure}", file=sys.stderr, flush=True)
        return Run(0.0, 0.0, set(), set(), None, [], failure)
    return run


# --- judging a pattern -----------------------------------------------------------------------


@dataclass
class Judged:
    secondary: int
    secondary_value: float
    exposed_ours: int
    exposed_tau: int
    audit_seconds: float
    primary_differs: int
    #: The pattern's cost in τ-ARGUS's scaled units (FullJJ's objective; primaries included).
    tau_cost: int


def judge(table: Table, run: Run, unsafe: set[Key]) -> Judged:
    """Our audit on ``run``'s pattern: exposures under our rule and under τ-ARGUS's levels."""
    started = time.monotonic()
    audit = publication_audit(
        [table], hidden={table.name: run.hidden}, unsafe={table.name: unsafe}, rules=RULES
    )
    seconds = time.monotonic() - started
    exposed_tau = 0
    for key in unsafe:
        a = table.cells[key].value
        low, high = audit.intervals.get(table.identity(key), (a, a))
        level = max(1.0, a * FREQUENCY_RANGE / 100)
        if low > a - min(a, level) + TOLERANCE or high < a + level - TOLERANCE:
            exposed_tau += 1
    secondary = run.hidden - unsafe
    scale = MAX_SCALED_COST / max(c.value for c in table.cells.values())
    tau_cost = sum(max(1, math.floor(table.cells[k].value * scale + 0.5)) for k in run.hidden)
    return Judged(
        len(secondary),
        sum(table.cells[k].value for k in secondary),
        len(audit.exposures),
        exposed_tau,
        seconds,
        len(run.primary ^ unsafe),
        tau_cost,
    )


# --- the benchmark ---------------------------------------------------------------------------


def _median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def report(
    table: Table,
    unsafe: set[Key],
    runs: Mapping[str, list[Run]],
    judged: Mapping[str, Judged | None],
    context: list[str],
) -> None:
    print(
        f"{'tool':<29} {'cells':>6} {'primary':>7} {'secondary':>9} {'sec. value':>10}"
        f" {'runs':>4} {'median s':>9} {'solver s':>9} {'optimal':>7} {'exposed (ours)':>14}"
        f" {'exposed (τ)':>11}"
    )
    for tool, tool_runs in runs.items():
        good = [r for r in tool_runs if r.failure is None]
        j = judged[tool]
        if j is None or not good:
            failure = tool_runs[-1].failure if tool_runs else "not run"
            print(f"{tool:<29} {len(table.cells):>6,} {failure}")
            continue
        verdict = ("pass " if j.exposed_ours == 0 else "FAIL ") + str(j.exposed_ours)
        optimal = "yes" if good[-1].optimal else "no"
        print(
            f"{tool:<29} {len(table.cells):>6,} {len(unsafe):>7,} {j.secondary:>9,}"
            f" {j.secondary_value:>10,.0f} {len(good):>4}"
            f" {_median(r.seconds for r in good):>9.2f}"
            f" {_median(r.solver_seconds for r in good):>9.2f} {optimal:>7}"
            f" {verdict:>14} {j.exposed_tau:>11}"
        )
    mine = [r.seconds for r in runs[OURS] if r.failure is None]
    for tool, tool_runs in runs.items():
        theirs = [r.seconds for r in tool_runs if r.failure is None]
        if tool != OURS and mine and theirs:
            ratio = _median(mine) / _median(theirs)
            print(f"time ratio ours / {tool}: {ratio:.3f} (below 1: ours faster)")
    print(
        "primary: cells with 1-9 households; sec. value: households in the secondary cells; "
        "solver s: the optimiser alone; optimal: proved within the time limit (if not, the "
        "time is that limit, not the time to the optimum). "
        "exposed (ours): unsafe cells our audit narrows below 10 (pass: none); "
        "exposed (τ): unsafe cells whose interval misses FREQ(10,100)'s [0, 2a]."
    )
    print()
    for line in context:
        print(line)
    for tool, tool_runs in runs.items():
        j = judged[tool]
        times = ", ".join(f"{r.seconds:.2f}" for r in tool_runs if r.failure is None)
        line = f"{tool}: runs {times or '-'} s"
        if j is not None:
            line += (
                f"; our audit of its pattern {j.audit_seconds:.2f} s; the pattern costs"
                f" {j.tau_cost:,} in τ-ARGUS's scaled units"
            )
            if j.primary_differs:
                line += f"; {j.primary_differs} primary cells differ from ours"
        failures = [r.failure for r in tool_runs if r.failure is not None]
        if failures:
            line += f"; failed: {'; '.join(failures)}"
        notes = tool_runs[-1].notes if tool_runs else []
        print(line + "".join(f"\n    {note}" for note in notes))


def main() -> None:
    size = os.environ.get("SIZE") or "full"
    if size not in SIZES:
        raise SystemExit(f"SIZE must be one of {', '.join(SIZES)}, not {size!r}")
    shape, n = SIZES[size]
    repeat = int(os.environ.get("REPEAT") or (3 if size == "small" else 1))
    time_limit = float(os.environ.get("TIME_LIMIT") or 600)
    try:
        import pytauargus
    except ImportError as error:  # a dev dependency: scripts/bootstrap installs it
        raise SystemExit(
            f"pytauargus cannot be imported, nothing to compare with: {error}"
        ) from None

    frame = households(n, shape)
    table = table_build(frame, shape)
    unsafe = set(primary_cells(table, RULES))
    nonzero = sum(1 for c in table.cells.values() if c.units > 0)
    context = [
        f"SIZE={size}: {n:,} households (seed {SEED}), {' x '.join(map(str, shape))} categories; "
        f"{len(table.cells):,} cells with margins, {nonzero:,} non-zero, {len(unsafe):,} unsafe "
        f"({len(unsafe) / nonzero:.0%} of the non-zero); time limit {time_limit:g} s",
        f"pytauargus {pytauargus.__version__} "
        f"(engine HiGHS {pytauargus.engine_meta()['highs_version']}), each τ-ARGUS run in a fresh "
        "child process",
    ]
    runs: dict[str, list[Run]] = {OURS: [], TAU_FREQUENCY: [], TAU_LEVELS: []}
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        for number in range(repeat):
            for tool, tool_runs in runs.items():
                if tool_runs and (tool_runs[-1].optimal is not True):
                    continue  # stopped by its time limit or failed: the same again
                if tool == OURS:
                    tool_runs.append(ours(frame, shape, time_limit))
                else:
                    scratch = Path(tmp) / f"{SCRATCH[tool]}-{number}"
                    tool_runs.append(tau(tool, frame, shape, time_limit, scratch))
    judged: dict[str, Judged | None] = {}
    for tool, tool_runs in runs.items():
        good = [r for r in tool_runs if r.failure is None]
        judged[tool] = judge(table, good[-1], unsafe) if good else None
    report(table, unsafe, runs, judged, context)


if __name__ == "__main__":
    main()
