"""Clerical review: the records a linkage was unsure about, shown side by side, and decisions.

A record is *pending* when its best candidate lies in the review band, or when two persons
score above the threshold. A reviewer sees the partner's record next to up to three register
persons, with per comparison the level that was reached and its weight (log2 of the Bayes
factor: positive means evidence for a match). A decision is stored with the record's evidence
hash in the activity's linkage file, so that it is reused when the same record comes again in a
later delivery, and the activity's ``link.record`` row is updated at once.

Candidates are identified by the activity's person pseudonym; BSNs never leave this module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from meedoen_data.activity_store import activity_key_name, linkage_path, store_path
from meedoen_data.intake.pseudonyms import pseudonym
from meedoen_data.intake.sql import ident
from meedoen_data.linkage.link import SCHEMA, LinkError
from meedoen_data.workspace import Workspace

DECISIONS = ("accepted", "rejected")


@dataclass(frozen=True)
class ReviewItem:
    source: str
    #: The activity's pseudonym of the record (as in ``link.record``): pages and URLs use it,
    #: never the partner's record number.
    record_id: str
    run_id: str
    best_probability: float | None
    reason: str
    linked: bool  # linked provisionally (its probability reached the threshold)


@dataclass
class Candidate:
    rank: int  # 1 = the best; a decision names the candidate by its rank
    person_id: str  # the activity's pseudonym: for the audit log, not for showing
    probability: float
    weight: float
    fields: dict[str, str]
    comparisons: dict[str, dict[str, Any]]


@dataclass
class ReviewCase:
    source: str
    record_id: str
    klantnummer: str
    run_id: str
    status: str
    linked: bool
    record: dict[str, str]
    candidates: list[Candidate] = field(default_factory=list)


@dataclass(frozen=True)
class ReviewOutcome:
    status: str  # the record's status after the decision: accepted, pending or rejected
    person_id: str | None  # the person the record is linked to now
    subjects: list[str]  # persons whose data the decision touched (for the audit log)
    #: False when the activity's tables were in use: the decision is stored in the linkage file
    #: and reaches ``link.record`` at the next linkage.
    published: bool = True


def _state(home: Path, activity_id: int, *, write: bool = False) -> duckdb.DuckDBPyConnection:
    workspace = Workspace(home)
    path = linkage_path(workspace, activity_id)
    if not path.exists():
        raise LinkError(f"activity {activity_id} has no linkage yet: run meedoen link first")
    con = duckdb.connect()
    con.execute(f"ATTACH ? AS state{'' if write else ' (READ_ONLY)'}", [str(path)])
    con.execute("ATTACH ? AS vault (READ_ONLY)", [str(workspace.vault_dir / "vault.duckdb")])
    return con


_LATEST = "(SELECT source, arg_max(run_id, started_at) AS run_id FROM state.run GROUP BY 1)"


def review_items(*, home: Path, activity_id: int) -> list[ReviewItem]:
    """Records awaiting review in the latest run of every partner source."""
    key = _key(home, activity_id)
    con = _state(home, activity_id)
    try:
        rows = con.execute(
            f"SELECT l.source, l.klantnummer, l.run_id, l.match_probability, "
            f"coalesce(l.reason, 'below the review band''s upper bound'), l.bsn IS NOT NULL "
            f"FROM state.link l JOIN {_LATEST} r USING (source, run_id) "
            "WHERE l.status = 'pending' ORDER BY l.source, l.match_probability DESC, 2"
        ).fetchall()
    finally:
        con.close()
    return [
        ReviewItem(str(s), _record_id(key, str(s), str(k)), str(r), p, str(why), bool(linked))
        for s, k, r, p, why, linked in rows
    ]


def _record_id(key: bytes, source: str, klantnummer: str) -> str:
    return pseudonym(key, f"partner-{source}:{klantnummer}")


def _find(
    con: duckdb.DuckDBPyConnection, key: bytes, source: str, record_id: str
) -> tuple[str, str, str, str | None]:
    """(klantnummer, run id, evidence, status) of a record of the latest run, by its pseudonym:
    records awaiting review first, then all."""
    for where in ("AND l.status = 'pending'", ""):
        for klantnummer, run_id, evidence, status in con.execute(
            f"SELECT l.klantnummer, l.run_id, l.evidence, l.status FROM state.link l "
            f"JOIN {_LATEST} r USING (source, run_id) WHERE l.source = ? {where}",
            [source],
        ).fetchall():
            if _record_id(key, source, str(klantnummer)) == record_id:
                return str(klantnummer), str(run_id), str(evidence), status
    raise LinkError(f"there is no record {record_id} of {source} in the latest linkage")


def _key(home: Path, activity_id: int) -> bytes:
    return Workspace(home).keys.read(activity_key_name(activity_id))


def review_case(*, home: Path, activity_id: int, source: str, record_id: str) -> ReviewCase:
    """The record and its candidates side by side (identity zone: log who reads it)."""
    key = _key(home, activity_id)
    con = _state(home, activity_id)
    try:
        klantnummer, run_id, _, status = _find(con, key, source, record_id)
        linked = con.execute(
            "SELECT bsn IS NOT NULL FROM state.link WHERE run_id = ? AND source = ? "
            "AND klantnummer = ?",
            [run_id, source, klantnummer],
        ).fetchall()[0][0]
        record = _one(
            con,
            f"SELECT geslachtsnaam, voorvoegsel, voornamen, datumgeboorte, postcode, huisnummer, "
            f"huisnummertoevoeging FROM vault.identity.{ident(source)} WHERE klantnummer = ?",
            [klantnummer],
        )
        case = ReviewCase(source, record_id, klantnummer, run_id, str(status), bool(linked), record)
        for bsn, rank, probability, weight, detail in con.execute(
            "SELECT bsn, rank, match_probability, match_weight, detail FROM state.candidate "
            "WHERE run_id = ? AND source = ? AND klantnummer = ? ORDER BY rank",
            [run_id, source, klantnummer],
        ).fetchall():
            person = _one(con, _PERSON, [bsn])
            case.candidates.append(
                Candidate(
                    int(rank),
                    pseudonym(key, str(bsn)),
                    float(probability),
                    float(weight),
                    person,
                    json.loads(detail) if isinstance(detail, str) else dict(detail or {}),
                )
            )
    finally:
        con.close()
    return case


_PERSON = """
SELECT i.geslachtsnaam, i.voorvoegsel, i.voornamen, i.datumgeboorte,
       n.postcode, n.huisnummer,
       concat(n.huisletter, n.huisnummertoevoeging) AS huisnummertoevoeging
FROM vault.identity.ingeschrevenpersoon i
LEFT JOIN (SELECT burgerservicenummer, arg_max(nummeraanduidingidentificatie, datumvan) AS nummer
           FROM vault.identity.verblijfplaats GROUP BY 1) v
  ON v.burgerservicenummer = i.burgerservicenummer
LEFT JOIN vault.identity.nummeraanduiding n ON n.identificatie = v.nummer
WHERE i.burgerservicenummer = ?
"""


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> dict[str, str]:
    result = con.execute(sql, params)
    names = [d[0] for d in result.description or []]
    rows = result.fetchall()
    if not rows:
        return {}
    return {n: "" if v is None else str(v) for n, v in zip(names, rows[0], strict=True)}


def review_decide(
    *,
    home: Path,
    activity_id: int,
    source: str,
    record_id: str,
    rank: int,
    decision: str,
    decided_by: str,
) -> ReviewOutcome:
    """Store a reviewer's decision on one candidate (by its rank) and update the record's link
    at once."""
    if decision not in DECISIONS:
        raise LinkError(f"a decision is {' or '.join(DECISIONS)}, not {decision!r}")
    key = _key(home, activity_id)
    con = _state(home, activity_id, write=True)
    try:
        klantnummer, run_id, evidence, _ = _find(con, key, source, record_id)
        rows = con.execute(
            "SELECT bsn, match_probability FROM state.candidate WHERE run_id = ? "
            "AND source = ? AND klantnummer = ? AND rank = ?",
            [run_id, source, klantnummer, rank],
        ).fetchall()
        if not rows:
            raise LinkError(f"record {record_id} has no candidate {rank} awaiting review")
        bsn, probability = str(rows[0][0]), float(rows[0][1])
        person_id = pseudonym(key, bsn)
        con.execute("BEGIN")
        con.execute(
            "INSERT INTO state.decision VALUES (?, ?, ?, ?, ?, ?, ?)",
            [source, klantnummer, evidence, bsn, decision, decided_by, datetime.now(UTC)],
        )
        if decision == "accepted":
            con.execute(
                "UPDATE state.link SET bsn = ?, match_probability = ?, status = 'accepted', "
                "reason = NULL WHERE run_id = ? AND source = ? AND klantnummer = ?",
                [bsn, probability, run_id, source, klantnummer],
            )
            con.execute(
                "DELETE FROM state.candidate WHERE run_id = ? AND source = ? AND klantnummer = ?",
                [run_id, source, klantnummer],
            )
            outcome = ReviewOutcome("accepted", person_id, [person_id])
        else:
            con.execute(
                "DELETE FROM state.candidate WHERE run_id = ? AND source = ? AND klantnummer = ? "
                "AND bsn = ?",
                [run_id, source, klantnummer, bsn],
            )
            left = con.execute(
                "SELECT count(*) FROM state.candidate WHERE run_id = ? AND source = ? "
                "AND klantnummer = ?",
                [run_id, source, klantnummer],
            ).fetchall()[0][0]
            status = "pending" if left else "rejected"
            reason = (
                "a candidate was rejected: awaiting review of the others"
                if left
                else "rejected in review"
            )
            con.execute(
                "UPDATE state.link SET bsn = NULL, status = ?, reason = ? "
                "WHERE run_id = ? AND source = ? AND klantnummer = ?",
                [status, reason, run_id, source, klantnummer],
            )
            outcome = ReviewOutcome(status, None, [person_id])
        con.execute("COMMIT")
    finally:
        con.close()
    published = _store_update(home, activity_id, run_id, source, record_id, outcome)
    return ReviewOutcome(outcome.status, outcome.person_id, outcome.subjects, published)


def _store_update(
    home: Path,
    activity_id: int,
    run_id: str,
    source: str,
    record_id: str,
    outcome: ReviewOutcome,
) -> bool:
    """The decision into the activity's ``link.record`` (with the person's household); False
    when the activity's tables are in use (the next linkage applies the decision)."""
    path = store_path(Workspace(home), activity_id)
    try:
        con = duckdb.connect(str(path))
    except duckdb.Error:
        return False
    try:
        household = None
        if outcome.person_id is not None and _has_households(con):
            rows = con.execute(
                f"SELECT m.household_id FROM {SCHEMA}.run r "
                "JOIN household.household_member m ON m.peildatum = r.household_peildatum "
                "WHERE r.run_id = ? AND m.person_id = ?",
                [run_id, outcome.person_id],
            ).fetchall()
            household = rows[0][0] if rows else None
        if outcome.person_id:
            reason = None
        elif outcome.status == "rejected":
            reason = "rejected in review"
        else:
            reason = "awaiting review"
        con.execute(
            f"UPDATE {SCHEMA}.record SET person_id = ?, household_id = ?, review_status = ?, "
            "reason = ? WHERE run_id = ? AND source = ? AND record_id = ?",
            [outcome.person_id, household, outcome.status, reason, run_id, source, record_id],
        )
    finally:
        con.close()
    return True


def _has_households(con: duckdb.DuckDBPyConnection) -> bool:
    rows = con.execute(
        "SELECT count(*) FROM duckdb_views() WHERE schema_name = 'household' "
        "AND view_name = 'household_member'"
    ).fetchall()
    return bool(rows[0][0])
