"""Clerical review: the records a linkage was unsure about, shown side by side, and decisions.

A record is *pending* when its best candidate lies in the review band, or when two persons
score above the threshold. A reviewer sees the partner's record next to up to three register
persons, with per comparison the level that was reached and its weight (log2 of the Bayes
factor: positive means evidence for a match). A decision is stored with the record's evidence
hash in the activity's linkage file, so that it is reused when the same record comes again in a
later delivery, and the activity's ``link.record`` row is updated at once.

Only records awaiting review can be opened, and only by their *review token*: a random code
kept in the linkage file (identity zone), issued per run for each pending record. The record
pseudonyms of ``link.partner_link`` (what an analyst reads in the activity's tables) open
nothing, so no analyst can turn a pseudonym found with SQL into a name and an address.
Candidates are identified by the activity's person pseudonym; BSNs never leave this module.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from meedoen_data.activity_store import activity_key_name, linkage_path, store_path
from meedoen_data.intake.pseudonyms import domain_key, pseudonym
from meedoen_data.intake.sql import ident
from meedoen_data.linkage.link import (
    SCHEMA,
    SIGNAL_SOURCES,
    STATE_DDL,
    LinkError,
    record_prefix,
    review_tokens_issue,
)
from meedoen_data.workspace import Workspace

#: What a review token looks like (``secrets.token_urlsafe(16)``).
REVIEW_TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")


class ReviewNotFound(LinkError):
    """No record awaiting review has this token (unknown, an older run, or decided)."""


DECISIONS = ("accepted", "rejected")


@dataclass(frozen=True)
class ReviewItem:
    source: str
    #: The record's review token: pages and URLs use it, never the partner's record number nor
    #: the record's pseudonym in the activity's tables.
    token: str
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
    #: The person's BRP pseudonym (how the debt worker's work list logs persons): for the audit
    #: log only.
    brp_id: str = ""
    #: The person has a secrecy indication in the BRP (``indicatiegeheim``): a page that shows
    #: addresses to others than analysts leaves theirs out.
    secret: bool = False


@dataclass
class ReviewCase:
    source: str
    token: str
    #: The activity's pseudonym of the record (as in ``link.record``): for the audit log only.
    record_id: str
    #: The activity's pseudonym of the person the record is linked to now (provisionally),
    #: or None: for the audit log only.
    person_id: str | None
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
    #: The same persons by their BRP pseudonym (for the audit log of the debt worker's review).
    brp_subjects: list[str] = field(default_factory=list)


def _state(
    home: Path, activity_id: int, *, write: bool = False, record: bool = False
) -> duckdb.DuckDBPyConnection:
    """The linkage file with the vault attached. Without a linkage file: LinkError, or
    ReviewNotFound when a record is asked for (``record``)."""
    workspace = Workspace(home)
    path = linkage_path(workspace, activity_id)
    if not path.exists():
        error = ReviewNotFound if record else LinkError
        raise error(f"activity {activity_id} has no linkage yet: run meedoen link first")
    con = duckdb.connect()
    con.execute(f"ATTACH ? AS state{'' if write else ' (READ_ONLY)'}", [str(path)])
    con.execute("ATTACH ? AS vault (READ_ONLY)", [str(workspace.vault_dir / "vault.duckdb")])
    return con


_LATEST = "(SELECT source, arg_max(run_id, started_at) AS run_id FROM state.run GROUP BY 1)"


def review_items(*, home: Path, activity_id: int) -> list[ReviewItem]:
    """Records awaiting review in the latest run of every partner source, by review token.
    (Linkage files from before tokens get theirs now.)"""
    _tokens_ensure(home, activity_id)
    con = _state(home, activity_id)
    try:
        rows = con.execute(
            f"SELECT l.source, t.token, l.run_id, l.match_probability, "
            f"coalesce(l.reason, 'below the review band''s upper bound'), l.bsn IS NOT NULL "
            f"FROM state.link l JOIN {_LATEST} r USING (source, run_id) "
            "JOIN state.review_token t ON t.run_id = l.run_id AND t.source = l.source "
            "AND t.klantnummer = l.klantnummer "
            "WHERE l.status = 'pending' ORDER BY l.source, l.match_probability DESC, l.klantnummer"
        ).fetchall()
    finally:
        con.close()
    return [
        ReviewItem(str(s), str(t), str(r), p, str(why), bool(linked))
        for s, t, r, p, why, linked in rows
    ]


def _tokens_ensure(home: Path, activity_id: int) -> None:
    """Issue tokens for pending records of the latest runs that have none (linkage files
    written before tokens existed). A file in use by a linkage is left alone."""
    try:
        con = _state(home, activity_id, write=True)
    except duckdb.Error:
        return
    try:
        con.execute(STATE_DDL)
        latest = con.execute(f"SELECT source, run_id FROM {_LATEST}").fetchall()
        con.execute("BEGIN")
        for source, run_id in latest:
            review_tokens_issue(con, run_id=str(run_id), source=str(source))
        con.execute("COMMIT")
    finally:
        con.close()


def _record_id(key: bytes, source: str, klantnummer: str) -> str:
    return pseudonym(key, f"{record_prefix(source)}{klantnummer}")


def _find(
    con: duckdb.DuckDBPyConnection, source: str, token: str
) -> tuple[str, str, str, str | None]:
    """(klantnummer, run id, evidence, linked BSN) of a record awaiting review in the latest
    run, by its review token; LinkError for anything else (unknown token, an older run, a
    record that is no longer awaiting review)."""
    if not REVIEW_TOKEN.fullmatch(token):
        raise ReviewNotFound("this is not the review code of a record")
    rows = con.execute(
        "SELECT l.klantnummer, l.run_id, l.evidence, l.bsn, l.status, "
        f"l.run_id IN (SELECT run_id FROM {_LATEST}) FROM state.review_token t "
        "JOIN state.link l ON t.run_id = l.run_id AND t.source = l.source "
        "AND t.klantnummer = l.klantnummer WHERE t.token = ? AND t.source = ?",
        [token, source],
    ).fetchall()
    if not rows:
        raise ReviewNotFound(f"there is no record of {source} with this review code")
    klantnummer, run_id, evidence, bsn, status, latest = rows[0]
    if not latest:
        raise ReviewNotFound(
            "this record belongs to an earlier linkage; open the review queue again"
        )
    if status != "pending":
        raise ReviewNotFound("this record is not awaiting review (any more)")
    return str(klantnummer), str(run_id), str(evidence), None if bsn is None else str(bsn)


def _key(home: Path, activity_id: int) -> bytes:
    return Workspace(home).keys.read(activity_key_name(activity_id))


def review_case(*, home: Path, activity_id: int, source: str, token: str) -> ReviewCase:
    """The record awaiting review and its candidates side by side (identity zone: the caller
    logs who reads it, per candidate and for the record)."""
    key = _key(home, activity_id)
    brp = domain_key(Workspace(home).keys, "brp")
    con = _state(home, activity_id, record=True)
    try:
        klantnummer, run_id, _, bsn = _find(con, source, token)
        record = _one(con, _record_sql(con, source), [klantnummer])
        secrecy = "indicatiegeheim" in _vault_columns(con, "ingeschrevenpersoon")
        case = ReviewCase(
            source,
            token,
            _record_id(key, source, klantnummer),
            None if bsn is None else pseudonym(key, bsn),
            klantnummer,
            run_id,
            "pending",
            bsn is not None,
            record,
        )
        for candidate_bsn, rank, probability, weight, detail in con.execute(
            "SELECT bsn, rank, match_probability, match_weight, detail FROM state.candidate "
            "WHERE run_id = ? AND source = ? AND klantnummer = ? ORDER BY rank",
            [run_id, source, klantnummer],
        ).fetchall():
            person = _one(con, _PERSON, [candidate_bsn])
            case.candidates.append(
                Candidate(
                    int(rank),
                    pseudonym(key, str(candidate_bsn)),
                    float(probability),
                    float(weight),
                    person,
                    json.loads(detail) if isinstance(detail, str) else dict(detail or {}),
                    pseudonym(brp, str(candidate_bsn)),
                    secrecy and _secret(con, str(candidate_bsn)),
                )
            )
    finally:
        con.close()
    return case


def _record_sql(con: duckdb.DuckDBPyConnection, source: str) -> str:
    """The identifying fields of one record of ``source`` (a partner file, or the signals:
    their record number is ``signaalid``, their birth date ``geboortedatum`` when delivered;
    and a signal's amount, ``bedrag``, which the debt worker's review shows beside them)."""
    if source not in SIGNAL_SOURCES:
        return (
            "SELECT geslachtsnaam, voorvoegsel, voornamen, datumgeboorte, postcode, huisnummer, "
            f"huisnummertoevoeging FROM vault.identity.{ident(source)} WHERE klantnummer = ?"
        )
    born = "geboortedatum" if "geboortedatum" in _vault_columns(con, source) else "NULL"
    return (
        f"SELECT geslachtsnaam, voorvoegsel, voornamen, {born} AS datumgeboorte, postcode, "
        f"huisnummer, huisnummertoevoeging, bedrag FROM vault.identity.{ident(source)} "
        "WHERE signaalid = ?"
    )


def _secret(con: duckdb.DuckDBPyConnection, bsn: str) -> bool:
    rows = con.execute(
        "SELECT coalesce(indicatiegeheim, '0') NOT IN ('', '0') "
        "FROM vault.identity.ingeschrevenpersoon WHERE burgerservicenummer = ?",
        [bsn],
    ).fetchall()
    return any(bool(r[0]) for r in rows)


def _vault_columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = 'vault' "
        "AND schema_name = 'identity' AND table_name = ?",
        [table],
    ).fetchall()
    return {str(r[0]) for r in rows}


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
    token: str,
    rank: int,
    decision: str,
    decided_by: str,
) -> ReviewOutcome:
    """Store a reviewer's decision on one candidate (by its rank) of a record awaiting review
    (by its token) and update the record's link at once."""
    if decision not in DECISIONS:
        raise LinkError(f"a decision is {' or '.join(DECISIONS)}, not {decision!r}")
    key = _key(home, activity_id)
    con = _state(home, activity_id, write=True, record=True)
    try:
        klantnummer, run_id, evidence, _ = _find(con, source, token)
        record_id = _record_id(key, source, klantnummer)
        rows = con.execute(
            "SELECT bsn, match_probability FROM state.candidate WHERE run_id = ? "
            "AND source = ? AND klantnummer = ? AND rank = ?",
            [run_id, source, klantnummer, rank],
        ).fetchall()
        if not rows:
            raise LinkError(f"the record has no candidate {rank} awaiting review")
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
    brp = pseudonym(domain_key(Workspace(home).keys, "brp"), bsn)
    return ReviewOutcome(outcome.status, outcome.person_id, outcome.subjects, published, [brp])


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
    if not path.exists():  # an operational activity has no store: the linkage file is all
        return True
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
