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

from meedoen_data.activity_store import activity_key_name, store_path
from meedoen_data.intake.pseudonyms import pseudonym
from meedoen_data.intake.sql import ident
from meedoen_data.linkage.link import SCHEMA, LinkError, linkage_path
from meedoen_data.workspace import Workspace

DECISIONS = ("accepted", "rejected")


@dataclass(frozen=True)
class ReviewItem:
    source: str
    klantnummer: str
    run_id: str
    best_probability: float | None
    reason: str


@dataclass
class Candidate:
    person_id: str
    probability: float
    weight: float
    fields: dict[str, str]
    comparisons: dict[str, dict[str, Any]]


@dataclass
class ReviewCase:
    source: str
    klantnummer: str
    run_id: str
    status: str
    record: dict[str, str]
    candidates: list[Candidate] = field(default_factory=list)


@dataclass(frozen=True)
class ReviewOutcome:
    status: str  # the record's status after the decision: accepted, pending or rejected
    person_id: str | None  # the person the record is linked to now
    subjects: list[str]  # persons whose data the decision touched (for the audit log)


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
    con = _state(home, activity_id)
    try:
        rows = con.execute(
            f"SELECT l.source, l.klantnummer, l.run_id, l.match_probability, "
            f"coalesce(l.reason, 'below the review band''s upper bound') "
            f"FROM state.link l JOIN {_LATEST} r USING (source, run_id) "
            "WHERE l.status = 'pending' ORDER BY l.source, l.match_probability DESC, 2"
        ).fetchall()
    finally:
        con.close()
    return [ReviewItem(str(s), str(k), str(r), p, str(why)) for s, k, r, p, why in rows]


def _key(home: Path, activity_id: int) -> bytes:
    return Workspace(home).keys.read(activity_key_name(activity_id))


def review_case(*, home: Path, activity_id: int, source: str, klantnummer: str) -> ReviewCase:
    """The record and its candidates side by side (identity zone: log who reads it)."""
    key = _key(home, activity_id)
    con = _state(home, activity_id)
    try:
        rows = con.execute(
            f"SELECT l.run_id, l.status FROM state.link l JOIN {_LATEST} r "
            "USING (source, run_id) WHERE l.source = ? AND l.klantnummer = ?",
            [source, klantnummer],
        ).fetchall()
        if not rows:
            raise LinkError(f"record {klantnummer} of {source} is not in the latest linkage")
        run_id, status = str(rows[0][0]), str(rows[0][1])
        record = _one(
            con,
            f"SELECT geslachtsnaam, voorvoegsel, voornamen, datumgeboorte, postcode, huisnummer, "
            f"huisnummertoevoeging FROM vault.identity.{ident(source)} WHERE klantnummer = ?",
            [klantnummer],
        )
        case = ReviewCase(source, klantnummer, run_id, status, record)
        for bsn, probability, weight, detail in con.execute(
            "SELECT bsn, match_probability, match_weight, detail FROM state.candidate "
            "WHERE run_id = ? AND source = ? AND klantnummer = ? ORDER BY rank",
            [run_id, source, klantnummer],
        ).fetchall():
            person = _one(
                con,
                """
                SELECT i.geslachtsnaam, i.voorvoegsel, i.voornamen, i.datumgeboorte,
                       n.postcode, n.huisnummer,
                       concat(n.huisletter, n.huisnummertoevoeging) AS huisnummertoevoeging
                FROM vault.identity.ingeschrevenpersoon i
                LEFT JOIN (SELECT burgerservicenummer, arg_max(nummeraanduidingidentificatie,
                                  datumvan) AS nummer
                           FROM vault.identity.verblijfplaats GROUP BY 1) v
                  ON v.burgerservicenummer = i.burgerservicenummer
                LEFT JOIN vault.identity.nummeraanduiding n ON n.identificatie = v.nummer
                WHERE i.burgerservicenummer = ?
                """,
                [bsn],
            )
            case.candidates.append(
                Candidate(
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
    klantnummer: str,
    person_id: str,
    decision: str,
    decided_by: str,
) -> ReviewOutcome:
    """Store a reviewer's decision on one candidate and update the record's link at once."""
    if decision not in DECISIONS:
        raise LinkError(f"a decision is {' or '.join(DECISIONS)}, not {decision!r}")
    key = _key(home, activity_id)
    con = _state(home, activity_id, write=True)
    try:
        rows = con.execute(
            f"SELECT l.run_id, l.evidence, l.bsn FROM state.link l JOIN {_LATEST} r "
            "USING (source, run_id) WHERE l.source = ? AND l.klantnummer = ?",
            [source, klantnummer],
        ).fetchall()
        if not rows:
            raise LinkError(f"record {klantnummer} of {source} is not in the latest linkage")
        run_id, evidence = str(rows[0][0]), str(rows[0][1])
        candidates = {
            pseudonym(key, str(bsn)): (str(bsn), float(p), int(rank))
            for bsn, p, rank in con.execute(
                "SELECT bsn, match_probability, rank FROM state.candidate WHERE run_id = ? "
                "AND source = ? AND klantnummer = ?",
                [run_id, source, klantnummer],
            ).fetchall()
        }
        if person_id not in candidates:
            raise LinkError(f"{person_id} is not a candidate for record {klantnummer}")
        bsn, probability, _ = candidates[person_id]
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
    _store_update(home, activity_id, run_id, source, klantnummer, key, outcome)
    return outcome


def _store_update(
    home: Path,
    activity_id: int,
    run_id: str,
    source: str,
    klantnummer: str,
    key: bytes,
    outcome: ReviewOutcome,
) -> None:
    """The decision into the activity's ``link.record`` (with the person's household)."""
    record_id = pseudonym(key, f"partner-{source}:{klantnummer}")
    path = store_path(Workspace(home), activity_id)
    try:
        con = duckdb.connect(str(path))
    except duckdb.Error as exc:
        raise LinkError(
            "the decision is stored, but the activity's tables are in use; it reaches them at "
            f"the next linkage ({str(exc).splitlines()[0]})"
        ) from None
    try:
        household = None
        if outcome.person_id is not None:
            rows = (
                con.execute(
                    f"SELECT m.household_id FROM {SCHEMA}.run r "
                    "JOIN household.household_member m ON m.peildatum = r.household_peildatum "
                    "WHERE r.run_id = ? AND m.person_id = ?",
                    [run_id, outcome.person_id],
                ).fetchall()
                if _has_households(con)
                else []
            )
            household = rows[0][0] if rows else None
        con.execute(
            f"UPDATE {SCHEMA}.record SET person_id = ?, household_id = ?, review_status = ?, "
            "reason = ? WHERE run_id = ? AND source = ? AND record_id = ?",
            [
                outcome.person_id,
                household,
                outcome.status,
                None
                if outcome.person_id
                else ("rejected in review" if outcome.status == "rejected" else "awaiting review"),
                run_id,
                source,
                record_id,
            ],
        )
    finally:
        con.close()


def _has_households(con: duckdb.DuckDBPyConnection) -> bool:
    rows = con.execute(
        "SELECT count(*) FROM duckdb_views() WHERE schema_name = 'household' "
        "AND view_name = 'household_member'"
    ).fetchall()
    return bool(rows[0][0])
