"""Looking one person up in the audit log of an ingested workspace (issue 16's lookup target).

    WORKSPACE=/srv/bench/home python -m benchmarks.audit_lookup   # e.g. the national workspace
                                                                 # of KEEP=… bench-ingest-audit

In the workspace's own web database and vault, for SAMPLE persons drawn at random from the
register: the whole lookup by BSN (every name the log may use for the person, from the vault and
the keys, then the records naming them and the sets holding them: ``logged_person`` and
``audit_records``), and the lookup by a domain pseudonym (the same, starting from the
pseudonym). In-process, after one warm-up lookup; p50 and p95 of the milliseconds. Then the
whole check of the log (``audit_verify_all``), three times. Writes
``benchmarks/results/audit_lookup.md``.

``REINDEX=1`` first builds the vault's index of the BRP's persons by pseudonym again (ADR 0017)
and reports its time and size: for a workspace an older version ingested.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

HOME = Path(os.environ["WORKSPACE"]).expanduser()  # the ingested workspace to look in
SAMPLE = int(os.environ.get("SAMPLE", "50"))
REINDEX = os.environ.get("REINDEX") == "1"  # build the vault's person index again first
RESULTS = Path(__file__).parent / "results" / "audit_lookup.md"


def main() -> None:
    from meedoen.cli.common import workspace_django

    workspace_django(HOME)
    from django.db.models import Count

    from meedoen.audits.models import ProcessingRecord, SubjectSet
    from meedoen.audits.selectors import audit_person, audit_records, audit_verify_all
    from meedoen.audits.services import audit_checkpoint_write

    reindexed = reindex() if REINDEX else None
    with duckdb.connect(str(HOME / "vault" / "vault.duckdb"), read_only=True) as vault:
        (persons,) = vault.execute("SELECT count(*) FROM audit.subject").fetchone() or (0,)
        rows = vault.execute(
            "SELECT burgerservicenummer, burgerservicenummer_pseudonym "
            f"FROM identity.ingeschrevenpersoon USING SAMPLE reservoir({SAMPLE + 1:d} ROWS) "
            "REPEATABLE (7)"  # a whole number from the environment, formatted as one
        ).fetchall()
    random.Random(7).shuffle(rows)
    timings: dict[str, list[float]] = {"by BSN": [], "by BRP pseudonym": []}
    found: list[int] = []
    for number, (bsn, pseudonym) in enumerate(rows):
        for label, kwargs in (
            ("by BSN", {"bsn": str(bsn)}),
            ("by BRP pseudonym", {"data_subject_id": str(pseudonym)}),
        ):
            start = time.perf_counter()
            person = audit_person(**kwargs)
            records = audit_records(person=person, limit=None)
            milliseconds = (time.perf_counter() - start) * 1000
            if number:  # the first is the warm-up
                timings[label].append(milliseconds)
                found.append(len(records))
    audit_checkpoint_write()  # verify wants the log witnessed
    verify_seconds = []
    for _ in range(3):
        start = time.perf_counter()
        verification = audit_verify_all()
        verify_seconds.append(time.perf_counter() - start)
        assert verification.intact, verification.as_json()
    lines = [
        f"# Looking one person up in the audit log ({datetime.now(UTC):%Y-%m-%d})",
        "",
        f"Workspace: {persons:,} subjects in the vault's register, "
        f"{ProcessingRecord.objects.count():,} processing records, "
        f"{SubjectSet.objects.count():,} subject sets. {SAMPLE} persons at random, in-process, "
        "after one warm-up (`python -m benchmarks.audit_lookup`).",
        "",
        "Processing records by operation: "
        + ", ".join(
            f"`{row['name']}` {row['n']:,}"
            for row in ProcessingRecord.objects.values("name")
            .annotate(n=Count("id"))
            .order_by("name")
        )
        + ".",
        "",
        "| lookup | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|",
    ]
    for label, values in timings.items():
        ordered = sorted(values)
        p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
        lines.append(
            f"| {label} | {statistics.median(ordered):,.0f} | {p95:,.0f} | {ordered[-1]:,.0f} |"
        )
    lines += [
        "",
        f"Records found per person: {min(found)} to {max(found)}. Target of issue 16: p95 under "
        "1 s at national scale.",
        "",
        *(
            [
                f"The vault's index of the BRP's persons by pseudonym was built again first: "
                f"{reindexed[1]:,} rows in about {reindexed[2] / 1e6:,.0f} MB, in "
                f"{reindexed[0]:.1f} s (ADR 0017).",
                "",
            ]
            if reindexed
            else []
        ),
        f"`audit_verify_all` (chains, every subject set read back, triggers, checkpoints) of the "
        f"same log: median {statistics.median(verify_seconds):.2f} s of 3 "
        f"({', '.join(f'{v:.2f}' for v in verify_seconds)}); target: under 60 s.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    RESULTS.write_text(text, encoding="utf-8")


def reindex() -> tuple[float, int, int]:
    """Seconds to build the vault's person index again, its rows and its size."""
    from benchmarks.ingest_audit import person_index

    return person_index(HOME, HOME.parent)


if __name__ == "__main__":
    main()
