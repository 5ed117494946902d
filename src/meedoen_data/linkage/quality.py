"""How good a linkage was, measured against the synthetic generator's truth.

``meedoen synth --with-truth`` writes ``truth/partner_voedselbank.csv``: per record its true
register person (``burgerservicenummer``, empty for clients from outside the municipality) and
the errors planted in it (``typo;initials;…``). This compares the latest run of an activity's
linkage with it: precision and recall overall and per error kind. Tests and benchmarks use it;
the product never sees truth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from meedoen_data.activity_store import linkage_path
from meedoen_data.workspace import Workspace


@dataclass(frozen=True)
class Score:
    records: int
    true_links: int  # records that have a true register person
    found: int  # links made to the right person
    wrong: int  # links made to another person, or for a record without one

    @property
    def precision(self) -> float:
        made = self.found + self.wrong
        return self.found / made if made else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.true_links if self.true_links else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


@dataclass
class Quality:
    overall: Score
    by_error: dict[str, Score] = field(default_factory=dict)


def linkage_quality(
    *, home: Path, activity_id: int, source: str, truth: Path, linked_only: bool = True
) -> Quality:
    """Score the latest run of ``source`` against ``truth`` (a partner truth CSV), over the
    records of that run (every record delivered has a row, linked or not).

    ``linked_only``: records awaiting review count as linked when they have a person (as they
    do in ``link.partner_link``)."""
    path = linkage_path(Workspace(home), activity_id)
    con = duckdb.connect()
    try:
        con.execute("ATTACH ? AS state (READ_ONLY)", [str(path)])
        con.execute(
            "CREATE TEMP TABLE truth AS SELECT * FROM read_csv(?, all_varchar = true)",
            [str(truth)],
        )
        linked = "l.bsn" if linked_only else "CASE WHEN l.status <> 'pending' THEN l.bsn END"
        con.execute(
            f"""
            CREATE TEMP TABLE scored AS
            SELECT t.klantnummer, t.burgerservicenummer AS truth, {linked} AS linked,
                   CASE WHEN t.errors IS NULL OR t.errors = '' THEN ['none']
                        ELSE list_distinct(string_split(t.errors, ';')) END AS kinds
            FROM truth t
            JOIN (
                SELECT l.* FROM state.link l
                JOIN (SELECT arg_max(run_id, started_at) AS run_id FROM state.run
                      WHERE source = ?) r USING (run_id)
            ) l ON l.klantnummer = t.klantnummer
            """,
            [source],
        )
        measures = (
            "count(*), count(truth), count(*) FILTER (WHERE linked = truth), "
            "count(*) FILTER (WHERE linked IS NOT NULL AND linked IS DISTINCT FROM truth)"
        )
        overall = con.execute(f"SELECT {measures} FROM scored").fetchall()[0]
        rows = con.execute(
            f"SELECT kind, {measures} FROM (SELECT unnest(kinds) AS kind, * FROM scored) "
            "GROUP BY kind ORDER BY kind"
        ).fetchall()
    finally:
        con.close()
    return Quality(
        Score(*(int(v) for v in overall)),
        {str(kind): Score(*(int(v) for v in values)) for kind, *values in rows},
    )
