"""``meedoen segment``'s model at the scale of the national food-bank file (issue 19 target:
``compare`` + ``segment`` on ~150,000 client households in at most 10 minutes and 12 GiB).

    make bench-segments                  # HOUSEHOLDS=150000 RUNS=1

A synthetic group of HOUSEHOLDS households with five planted segments over the variables the
comparison gives (16 categorical ones with 2 to 10 categories, each taking its segment's value
80% of the time, 3% missing; two numbers, income and age, shifted per segment) is segmented in a
fresh child process, so that its peak memory (max RSS) is its own:

- **meedoen**: :func:`meedoen_data.targetgroup.segment.segments_fit` with ``k`` auto — latent
  class models of 1 to 8 segments (StepMix, three random starts) fitted on a random sample of
  10,000 households, three bootstrap fits per k for the stability, the lowest BIC chosen, every
  household assigned;
- **k-prototypes** (kmodes, the other library the issue names) with the planted number of
  segments *given*, Cao's initialisation, one start, on every household. It does less: no
  choice of k, no stability, no missing values (they are filled with an extra category and the
  mean), no likelihood.

Accuracy is the adjusted Rand index against the planted segments. The database part of the
target (the comparison's and the profile's tables on the national households) is not in this
benchmark: it needs the national workspace of ``benchmarks.linkage_national``. Writes
``benchmarks/results/segments.md``.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HOUSEHOLDS = int(os.environ.get("HOUSEHOLDS", "150000"))
RUNS = int(os.environ.get("RUNS", "1"))
K = 5
CARDINALITIES = (6, 5, 4, 4, 4, 2, 2, 2, 10, 2, 2, 2, 2, 2, 2, 2)
RESULTS = Path(__file__).parent / "results" / "segments.md"


def planted(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(categorical codes with NaN, numbers, truth) of ``n`` households in K segments."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, K, n)
    columns = []
    for cardinality in CARDINALITIES:
        centre = rng.integers(0, cardinality, K)
        noise = rng.random(n) < 0.2
        columns.append(np.where(noise, rng.integers(0, cardinality, n), centre[truth]))
    categorical = np.column_stack(columns).astype(float)
    categorical[rng.random(categorical.shape) < 0.03] = np.nan
    numeric = np.column_stack([rng.normal(truth, 1.0), rng.normal(-truth, 1.0)])
    return categorical, numeric, truth


def child(method: str, n: int) -> dict[str, object]:
    import warnings

    from sklearn.metrics import adjusted_rand_score

    categorical, numeric, truth = planted(n)
    started = time.perf_counter()
    if method == "meedoen":
        from meedoen_data.targetgroup.segment import GroupFrame, segments_fit

        frame = GroupFrame(
            household_ids=tuple(str(i) for i in range(n)),
            variables=tuple(f"v{i}" for i in range(len(CARDINALITIES) + 2)),
            codes={},
            categorical=categorical,
            numeric=(numeric - numeric.mean(axis=0)) / numeric.std(axis=0),
        )
        result = segments_fit(frame, k=None, seed=1, min_size=10)
        labels, k = result.labels, result.k
    else:
        from kmodes.kprototypes import KPrototypes

        filled = np.where(np.isnan(categorical), -1, categorical).astype(int)
        x = np.column_stack([numeric, filled]).astype(object)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = KPrototypes(n_clusters=K, init="Cao", n_init=1, random_state=1, n_jobs=1)
            model.fit(x, categorical=list(range(2, 2 + len(CARDINALITIES))))
        labels, k = model.labels_, K
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "ari": float(adjusted_rand_score(truth, labels)),
        "k": int(k),
    }


def measure(method: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.segments", "--child", method, str(HOUSEHOLDS)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    runs = {m: [measure(m) for _ in range(RUNS)] for m in ("meedoen", "kprototypes")}

    def median(method: str, key: str) -> float:
        return statistics.median(float(r[key]) for r in runs[method])  # type: ignore[arg-type]

    lines = [
        f"# `meedoen segment`'s model on {HOUSEHOLDS:,} households (median of {RUNS} run(s))",
        "",
        "| method | k | seconds | peak MB | adjusted Rand index |",
        "|---|---:|---:|---:|---:|",
    ]
    for method, name in (
        ("meedoen", "meedoen: StepMix LCA, k auto (1-8), stability, 10,000 sample"),
        ("kprototypes", "kmodes k-prototypes, k given, every household"),
    ):
        lines.append(
            f"| {name} | {runs[method][0]['k']} | {median(method, 'seconds'):.1f} | "
            f"{median(method, 'peak_mb'):,.0f} | {median(method, 'ari'):.3f} |"
        )
    ratio = median("meedoen", "seconds") / median("kprototypes", "seconds")
    lines += [
        "",
        f"Ratio of seconds meedoen / k-prototypes: {ratio:.2f}x (meedoen fits 8 numbers of "
        "segments, each with 3 bootstrap fits, and chooses; k-prototypes fits the one it is "
        "given). Target of issue 19 for compare + segment: 600 s, 12 GiB.",
    ]
    text = "\n".join(lines) + "\n"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], int(sys.argv[3]))))
    else:
        main()
