"""Link a partner file to the register under an approved activity.

Where things live (docs/linkage.md, ADR 0006):

- The linkage itself runs in the **identity zone**: an in-memory DuckDB connection with the
  vault and the analytics store attached read-only, spilling to ``HOME/vault/tmp``. Names,
  birth dates, addresses and BSNs never leave it.
- What has to be remembered between runs — runs, record->person links with the evidence they
  rest on, candidate pairs for clerical review and the reviewers' decisions — goes into the
  activity's **linkage file** ``HOME/vault/linkage/activity-ID.duckdb``: identity zone, one
  file per activity, deleted with the activity.
- What analysts use goes into schema ``link`` of the **activity's store**, pseudonymised with
  the activity's key: ``link.run`` (one row per run: threshold, estimates, model),
  ``link.record`` (every record of the file: person, household, probability, status, reason)
  and the views ``link.partner_link`` and ``link.partner_unmatched`` (latest run per source).

Decisions per record (:func:`_decide`), in this order:

1. a reviewer's decision for this record with the same evidence (its identifying fields):
   *accepted* links to that person; *rejected* removes that person from the candidates;
2. an earlier link of this record with the same evidence is kept (stable across monthly
   re-deliveries) — the evidence changed means: linked afresh;
3. the best remaining candidate: probability >= the review band's upper bound -> ``auto``;
   between the threshold and the upper bound, or a second person above the threshold ->
   linked but ``pending`` review; between the band's lower bound and the threshold ->
   not linked, ``pending`` review; lower or no candidate at all -> unmatched, with the reason.
"""

from __future__ import annotations

import json
import os
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from meedoen_data.activity_store import (
    ActivityStoreError,
    activity_key_name,
    linkage_path,
    store_path,
)
from meedoen_data.intake.pseudonyms import hmac_pads, hmac_sql
from meedoen_data.intake.sql import ident
from meedoen_data.keystore import KeyStoreError
from meedoen_data.linkage import inputs
from meedoen_data.linkage.clk import ClkEncoder
from meedoen_data.linkage.model import (
    ENCODED_FEATURES,
    ENGINES,
    FEATURES,
    MODELS,
    level_labels,
    model_engine,
    train_and_predict,
)
from meedoen_data.linkage.normalise import SQL_MACROS
from meedoen_data.linkage.spark import spark_train_and_predict
from meedoen_data.linkage.threshold import ThresholdChoice, threshold_choose
from meedoen_data.spark import SparkError
from meedoen_data.workspace import Workspace, WorkspaceError

Progress = Callable[[str, int, int], None]
SCHEMA = "link"
#: Default review band: best candidates with a probability in [low, high) go to clerical review.
REVIEW_LOW = 0.1
REVIEW_HIGH = 0.99
#: A second person makes a record ambiguous only if its match weight is within this many bits
#: of the best (2**7: less than 128 times less likely) and it also reaches the threshold.
AMBIGUITY_MARGIN = 7.0
STEPS = ("reading", "training and scoring", "deciding", "writing")
#: Random bytes of a review token (22 URL-safe characters).
REVIEW_TOKEN_BYTES = 16

STATE_DDL = """
CREATE TABLE IF NOT EXISTS state.run (
    run_id VARCHAR PRIMARY KEY, source VARCHAR, mode VARCHAR, file_date DATE,
    started_at TIMESTAMPTZ, seconds DOUBLE, threshold DOUBLE, review_low DOUBLE,
    review_high DOUBLE, est_precision DOUBLE, est_recall DOUBLE, records BIGINT,
    linked BIGINT, pending BIGINT, unmatched BIGINT, curve JSON, model JSON);
CREATE TABLE IF NOT EXISTS state.link (
    run_id VARCHAR, source VARCHAR, klantnummer VARCHAR, evidence VARCHAR, bsn VARCHAR,
    match_probability DOUBLE, match_weight DOUBLE, status VARCHAR, reason VARCHAR);
CREATE TABLE IF NOT EXISTS state.candidate (
    run_id VARCHAR, source VARCHAR, klantnummer VARCHAR, bsn VARCHAR, rank INTEGER,
    match_probability DOUBLE, match_weight DOUBLE, detail JSON);
CREATE TABLE IF NOT EXISTS state.decision (
    source VARCHAR, klantnummer VARCHAR, evidence VARCHAR, bsn VARCHAR, decision VARCHAR,
    decided_by VARCHAR, decided_at TIMESTAMPTZ);
CREATE TABLE IF NOT EXISTS state.review_token (
    run_id VARCHAR, source VARCHAR, klantnummer VARCHAR, token VARCHAR PRIMARY KEY);
"""
STORE_DDL = f"""
CREATE SCHEMA IF NOT EXISTS store.{SCHEMA};
CREATE TABLE IF NOT EXISTS store.{SCHEMA}.run (
    run_id VARCHAR, source VARCHAR, mode VARCHAR, file_date DATE, household_peildatum DATE,
    started_at TIMESTAMPTZ, threshold DOUBLE, review_low DOUBLE, review_high DOUBLE,
    est_precision DOUBLE, est_recall DOUBLE, records BIGINT, linked BIGINT, pending BIGINT,
    unmatched BIGINT, model JSON);
CREATE TABLE IF NOT EXISTS store.{SCHEMA}.record (
    run_id VARCHAR, source VARCHAR, record_id VARCHAR, person_id VARCHAR, household_id VARCHAR,
    match_probability DOUBLE, review_status VARCHAR, reason VARCHAR);
"""
VIEWS = f"""
CREATE OR REPLACE VIEW {SCHEMA}.partner_link AS
SELECT r.source, r.record_id, r.person_id, r.household_id, r.match_probability, r.review_status
FROM {SCHEMA}.record r
JOIN (SELECT source, arg_max(run_id, started_at) AS run_id FROM {SCHEMA}.run GROUP BY 1) l
  USING (source, run_id)
WHERE r.person_id IS NOT NULL;
CREATE OR REPLACE VIEW {SCHEMA}.partner_unmatched AS
SELECT r.source, r.record_id, r.reason, r.match_probability AS best_probability, r.review_status
FROM {SCHEMA}.record r
JOIN (SELECT source, arg_max(run_id, started_at) AS run_id FROM {SCHEMA}.run GROUP BY 1) l
  USING (source, run_id)
WHERE r.person_id IS NULL;
"""


def record_prefix(source: str) -> str:
    """What precedes a record number in its activity pseudonym: the contract's table name for
    a contract table with record numbers (``vroegsignaal:``, as the store's own column has it),
    ``partner-NAME:`` for a partner file. (Literal: ``source`` is a checked name.)"""
    return f"{source}:" if source in SIGNAL_SOURCES else f"partner-{source}:"


#: Contract tables linked like a partner file (their record number is the record).
SIGNAL_SOURCES = ("vroegsignaal",)


class LinkError(Exception):
    """The linkage cannot run: missing data, a file in use, a bad option."""


@dataclass
class LinkReport:
    run_id: str
    activity_id: int
    source: str
    mode: str
    engine: str
    file_date: date
    household_peildatum: date | None
    records: int = 0
    register: int = 0
    pairs_scored: int = 0
    threshold: ThresholdChoice | None = None
    review_low: float = REVIEW_LOW
    review_high: float = REVIEW_HIGH
    #: Records per status: auto, pending (linked or not, awaiting review), accepted, unmatched.
    by_status: dict[str, int] = field(default_factory=dict)
    linked: int = 0  # records linked to a person (pending ones above the threshold included)
    unmatched_by_reason: dict[str, int] = field(default_factory=dict)
    persons_with_several_records: int = 0
    households: int = 0
    seconds: float = 0.0
    subjects: list[str] = field(default_factory=list)  # activity pseudonyms of linked persons
    records_read: list[str] = field(default_factory=list)  # activity pseudonyms of the records


def _connect(workspace: Workspace, activity_id: int) -> duckdb.DuckDBPyConnection:
    """Identity-zone connection: vault and analytics read-only, the linkage file read-write."""
    workspace.manifest()
    vault = workspace.vault_dir / "vault.duckdb"
    if not vault.exists() or not workspace.analytics_path.exists():
        raise WorkspaceError(f"{workspace.home} holds no ingested data yet; run: meedoen ingest")
    scratch = workspace.vault_dir / "tmp"
    scratch.mkdir(mode=0o700, exist_ok=True)
    config: dict[str, str | bool | int | float | list[str]] = {"temp_directory": str(scratch)}
    # MEEDOEN_LINK_MEMORY: DuckDB's memory limit while linking (e.g. 8GB; default DuckDB's own,
    # 80% of RAM); larger intermediate results spill to HOME/vault/tmp.
    if limit := os.environ.get("MEEDOEN_LINK_MEMORY", ""):
        config["memory_limit"] = limit
    con = duckdb.connect(config=config)
    try:
        con.execute("ATTACH ? AS vault (READ_ONLY)", [str(vault)])
        con.execute("ATTACH ? AS analytics (READ_ONLY)", [str(workspace.analytics_path)])
        path = linkage_path(workspace, activity_id)
        path.parent.mkdir(mode=0o700, exist_ok=True)
        con.execute("ATTACH ? AS state", [str(path)])
        path.chmod(0o600)
        con.execute(STATE_DDL)
        con.execute(SQL_MACROS)
    except duckdb.Error as exc:
        con.close()
        if "lock" in str(exc).lower():
            raise LinkError(
                "the vault or the activity's linkage file is in use by another process (an "
                f"ingest or another linkage?); try again when it has finished ({_first(exc)})"
            ) from None
        raise
    return con


def _first(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _table_exists(con: duckdb.DuckDBPyConnection, database: str, schema: str, name: str) -> bool:
    rows = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND schema_name = ? "
        "AND table_name = ?",
        [database, schema, name],
    ).fetchall()
    return bool(rows[0][0])


@dataclass(frozen=True)
class Encoded:
    """An encoded partner file (``meedoen encode``) and the secret shared with the partner."""

    path: Path
    secret: bytes


def link_partner(
    *,
    home: Path,
    activity_id: int,
    source: str,
    encoded: Encoded | None = None,
    file_date: date | None = None,
    threshold: float | None = None,
    review_band: tuple[float, float] = (REVIEW_LOW, REVIEW_HIGH),
    model_from: str | None = None,
    engine: str = "duckdb",
    seed: int = 42,
    progress: Progress | None = None,
) -> LinkReport:
    """Link partner file ``source`` to the register: its current delivery through the intake
    (clear text), or an ``encoded`` file of Bloom-filter encodings.

    ``file_date`` is the date the file describes (default: its latest enrolment or leaving
    date); addresses and households are taken at that date. ``threshold`` overrides the one
    chosen from the estimated precision and recall. ``model_from`` (a run id of this activity)
    reuses that run's estimated model instead of training: the same parameters, the same
    scores for the same records. ``engine`` is where Splink trains and scores: DuckDB
    (default) or Spark (:mod:`meedoen_data.linkage.spark`)."""
    started = time.monotonic()
    if engine not in ENGINES:
        raise LinkError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    low, high = review_band
    if not 0 < low < high <= 1:
        raise LinkError(f"the review band must be 0 < low < high <= 1, not {low}, {high}")
    if threshold is not None and not 0 < threshold < 1:
        raise LinkError(f"the threshold must lie between 0 and 1, not {threshold}")
    workspace = Workspace(home)
    key = _activity_key(workspace, activity_id)
    store = store_path(workspace, activity_id)
    if not store.exists():
        raise LinkError(f"activity {activity_id} has no store yet: it is built by meedoen link")

    def step(number: int) -> None:
        if progress is not None:
            progress(STEPS[number], number, len(STEPS))

    con = _connect(workspace, activity_id)
    try:
        step(0)
        if encoded is None:
            if not _table_exists(con, "vault", "identity", source):
                raise LinkError(
                    f"no partner file {source!r} has been delivered: run meedoen link FILE "
                    f"--source {source} (or meedoen ingest a file named {source}.csv)"
                )
            records = inputs.partner_input(con, source=source)
            latest = inputs.partner_dates(con, source=source)
        else:
            try:
                records, latest = inputs.partner_encoded(con, path=encoded.path)
            except (ValueError, duckdb.Error) as exc:
                raise LinkError(_first(exc)) from None
        on = file_date or latest or date.today()
        report = LinkReport(
            run_id=uuid.uuid4().hex[:16],
            activity_id=activity_id,
            source=source,
            mode="clear" if encoded is None else "encoded",
            engine=engine,
            file_date=on,
            household_peildatum=None,
            records=records,
            review_low=low,
            review_high=high,
        )
        report.register = inputs.register_raw(con, on=on)
        if report.records == 0 or report.register == 0:
            raise LinkError(
                f"nothing to link: {report.records} records in {source}, "
                f"{report.register} persons in the register at {on}"
            )
        if encoded is None:
            inputs.register_input(con)
        else:
            inputs.register_encoded(con, encoder=ClkEncoder(encoded.secret))
        model = MODELS[report.mode]
        features = FEATURES if encoded is None else ENCODED_FEATURES
        columns = ", ".join(["unique_id", *features])
        for side in ("partner", "register"):
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW {side}_features AS SELECT {columns} FROM {side}_input"
            )
        step(1)
        saved = None if model_from is None else _saved_model(con, model_from, report.mode, engine)
        if engine == "duckdb":
            trained = train_and_predict(
                con, model, "partner_features", "register_features", seed=seed, saved_model=saved
            )
        else:
            workdir = linkage_path(workspace, activity_id).with_suffix(".spark")
            try:
                trained = spark_train_and_predict(
                    con, model, "partner_features", "register_features",
                    workdir=workdir, seed=seed, saved_model=saved,
                )  # fmt: skip
            except SparkError as exc:
                raise LinkError(str(exc)) from None
        step(2)
        report.pairs_scored = _pairs(con, trained.predictions)
        labels = level_labels(trained.model_json)
        choice = _candidates(con, trained.predictions, labels, source)
        report.threshold = choice if threshold is None else choice.at(threshold)
        _decide(con, source, report)
        step(3)
        _remember(con, report, trained.model_json)
        _publish(con, store, key, report, trained.model_json)
    finally:
        con.close()
    report.seconds = time.monotonic() - started
    return report


def _saved_model(
    con: duckdb.DuckDBPyConnection, run_id: str, mode: str, engine: str
) -> dict[str, Any]:
    rows = con.execute("SELECT mode, model FROM state.run WHERE run_id = ?", [run_id]).fetchall()
    if not rows:
        raise LinkError(f"there is no linkage run {run_id!r} in this activity")
    if rows[0][0] != mode:
        raise LinkError(f"run {run_id} used the {rows[0][0]} model; this linkage is {mode}")
    model: dict[str, Any] = json.loads(rows[0][1])
    if model_engine(model) != engine:
        raise LinkError(
            f"run {run_id} was estimated on {model_engine(model)}: reproduce it with "
            f"--engine {model_engine(model)} (its comparisons are in that engine's SQL)"
        )
    return model


def _activity_key(workspace: Workspace, activity_id: int) -> bytes:
    try:
        return workspace.keys.read(activity_key_name(activity_id))
    except KeyStoreError:
        raise ActivityStoreError(
            f"activity {activity_id} has no key: it was never approved, or it was revoked"
        ) from None


def _pairs(con: duckdb.DuckDBPyConnection, predictions: str) -> int:
    return int(con.execute(f"SELECT count(*) FROM {ident(predictions)}").fetchall()[0][0])


def _candidates(
    con: duckdb.DuckDBPyConnection,
    predictions: str,
    labels: dict[str, dict[int, str]],
    source: str,
) -> ThresholdChoice:
    """Table ``candidate``: scored pairs per record, best first, with the comparison detail;
    then the threshold from the best candidates' probabilities."""
    detail = ", ".join(
        f"'{name}': {{'level': {_label_case(name, levels)}, 'weight': round(mw_{name}, 2)}}"
        for name, levels in labels.items()
    )
    # Splink puts the dataset that sorts first ("partner") on the left.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE candidate AS
        SELECT unique_id_l AS klantnummer, unique_id_r AS bsn, match_probability,
               match_weight, to_json({{{detail}}}) AS detail
        FROM {ident(predictions)}
        WHERE source_dataset_l = 'partner' AND source_dataset_r = 'register'
        """
    )
    # Rejections by reviewers take a candidate out before anything is ranked.
    con.execute(
        """
        DELETE FROM candidate c USING partner_input p, state.decision d
        WHERE p.unique_id = c.klantnummer AND d.source = ? AND d.klantnummer = c.klantnummer
          AND d.evidence = p.evidence AND d.bsn = c.bsn AND d.decision = 'rejected'
        """,
        [source],
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE candidate AS SELECT *, row_number() OVER "
        "(PARTITION BY klantnummer ORDER BY match_weight DESC, bsn) AS rank FROM candidate"
    )
    best = [
        float(r[0])
        for r in con.execute(
            "SELECT match_probability FROM candidate WHERE rank = 1 "
            "UNION ALL SELECT 0.0 FROM partner_input WHERE unique_id NOT IN "
            "(SELECT klantnummer FROM candidate)"
        ).fetchall()
    ]
    return threshold_choose(best)


def _label_case(name: str, levels: dict[int, str]) -> str:
    whens = " ".join(
        f"WHEN {int(v)} THEN '{label.replace(chr(39), chr(39) * 2)}'" for v, label in levels.items()
    )
    return f"CASE gamma_{name} {whens} END"


def _decide(con: duckdb.DuckDBPyConnection, source: str, report: LinkReport) -> None:
    """Table ``decided``: one row per partner record with its person (or none) and status."""
    assert report.threshold is not None
    params = {
        "source": source,
        "t": report.threshold.threshold,
        "low": report.review_low,
        "high": report.review_high,
        "margin": AMBIGUITY_MARGIN,
    }
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE decided AS
        WITH accepted AS (
            SELECT d.klantnummer, arg_max(d.bsn, d.decided_at) AS bsn
            FROM state.decision d JOIN partner_input p
              ON p.unique_id = d.klantnummer AND p.evidence = d.evidence
            WHERE d.source = $source AND d.decision = 'accepted' GROUP BY 1
        ),
        previous AS (
            SELECT l.klantnummer, l.bsn, l.status
            FROM state.link l
            JOIN (SELECT arg_max(run_id, started_at) AS run_id FROM state.run
                  WHERE source = $source) last USING (run_id)
            JOIN partner_input p ON p.unique_id = l.klantnummer AND p.evidence = l.evidence
            WHERE l.bsn IS NOT NULL AND l.status IN ('auto', 'accepted')
        ),
        best AS (
            SELECT c.klantnummer, c.bsn, c.match_probability, c.match_weight,
                   (SELECT max(o.match_probability) FROM candidate o
                    WHERE o.klantnummer = c.klantnummer AND o.rank > 1
                      AND o.match_weight >= c.match_weight - $margin) AS second
            FROM candidate c WHERE c.rank = 1
        )
        SELECT p.unique_id AS klantnummer, p.evidence,
               CASE WHEN a.bsn IS NOT NULL THEN a.bsn
                    WHEN v.bsn IS NOT NULL THEN v.bsn
                    WHEN b.match_probability >= $t THEN b.bsn END AS bsn,
               coalesce(ca.match_probability, cv.match_probability, b.match_probability)
                   AS match_probability,
               coalesce(ca.match_weight, cv.match_weight, b.match_weight) AS match_weight,
               CASE WHEN a.bsn IS NOT NULL THEN 'accepted'
                    WHEN v.bsn IS NOT NULL THEN v.status
                    WHEN b.match_probability >= $t AND coalesce(b.second, 0) >= $t
                        THEN 'pending'
                    WHEN b.match_probability >= $high THEN 'auto'
                    WHEN b.match_probability >= $low THEN 'pending'
                    ELSE 'unmatched' END AS status,
               CASE WHEN a.bsn IS NOT NULL OR v.bsn IS NOT NULL THEN NULL
                    WHEN b.match_probability >= $t AND coalesce(b.second, 0) >= $t
                        THEN 'two persons above the threshold: awaiting review'
                    WHEN b.match_probability >= $t THEN NULL
                    WHEN b.match_probability >= $low THEN 'below the threshold: awaiting review'
                    WHEN b.bsn IS NULL THEN 'no candidate: no register person shares an '
                        || 'address, birth date or surname with birth year'
                    ELSE 'below the review band: too little agreement' END AS reason
        FROM partner_input p
        LEFT JOIN accepted a ON a.klantnummer = p.unique_id
        LEFT JOIN previous v ON v.klantnummer = p.unique_id
        LEFT JOIN best b ON b.klantnummer = p.unique_id
        LEFT JOIN candidate ca ON ca.klantnummer = p.unique_id AND ca.bsn = a.bsn
        LEFT JOIN candidate cv ON cv.klantnummer = p.unique_id AND cv.bsn = v.bsn
        """,
        params,
    )
    decided_count(con, report)
    rows = con.execute(
        "SELECT count(*) FROM (SELECT bsn FROM decided WHERE bsn IS NOT NULL GROUP BY 1 "
        "HAVING count(*) > 1)"
    ).fetchall()
    report.persons_with_several_records = int(rows[0][0])


def decided_count(con: duckdb.DuckDBPyConnection, report: LinkReport) -> None:
    """The report's counts from table ``decided``: per status, linked, unmatched per reason."""
    report.by_status = {
        str(s): int(n)
        for s, n in con.execute(
            "SELECT status, count(*) FROM decided GROUP BY 1 ORDER BY 1"
        ).fetchall()
    }
    report.linked = int(
        con.execute("SELECT count(*) FROM decided WHERE bsn IS NOT NULL").fetchall()[0][0]
    )
    report.unmatched_by_reason = {
        str(r): int(n)
        for r, n in con.execute(
            "SELECT reason, count(*) FROM decided WHERE bsn IS NULL GROUP BY 1 ORDER BY 2 DESC"
        ).fetchall()
    }


def _remember(con: duckdb.DuckDBPyConnection, report: LinkReport, model: dict[str, Any]) -> None:
    """The run, its links and its review candidates into the activity's linkage file."""
    choice = report.threshold
    assert choice is not None
    con.execute("BEGIN")
    con.execute(
        "INSERT INTO state.run VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            report.run_id,
            report.source,
            report.mode,
            report.file_date,
            datetime.now(UTC),
            choice.threshold,
            report.review_low,
            report.review_high,
            choice.precision,
            choice.recall,
            report.records,
            report.linked,
            report.by_status.get("pending", 0),
            report.by_status.get("unmatched", 0),
            json.dumps(choice.curve),
            json.dumps(model),
        ],
    )
    con.execute(
        "INSERT INTO state.link SELECT ?, ?, klantnummer, evidence, bsn, match_probability, "
        "match_weight, status, reason FROM decided",
        [report.run_id, report.source],
    )
    # Review candidates: up to three persons for every record awaiting review.
    con.execute(
        "INSERT INTO state.candidate SELECT ?, ?, c.klantnummer, c.bsn, c.rank, "
        "c.match_probability, c.match_weight, c.detail FROM candidate c "
        "JOIN decided d ON d.klantnummer = c.klantnummer "
        "WHERE d.status = 'pending' AND c.rank <= 3",
        [report.run_id, report.source],
    )
    review_tokens_issue(con, run_id=report.run_id, source=report.source)
    con.execute("COMMIT")


def review_tokens_issue(con: duckdb.DuckDBPyConnection, *, run_id: str, source: str) -> int:
    """A random review token for every record of the run awaiting review that has none.

    The review pages accept only these tokens: they are kept in the linkage file (identity
    zone), so nothing an analyst reads in the activity's tables (``link.partner_link``'s record
    pseudonyms) opens a record's names and addresses."""
    waiting = con.execute(
        "SELECT l.klantnummer FROM state.link l WHERE l.run_id = ? AND l.source = ? "
        "AND l.status = 'pending' AND NOT EXISTS (SELECT 1 FROM state.review_token t "
        "WHERE t.run_id = l.run_id AND t.source = l.source AND t.klantnummer = l.klantnummer)",
        [run_id, source],
    ).fetchall()
    rows = [(run_id, source, str(k), secrets.token_urlsafe(REVIEW_TOKEN_BYTES)) for (k,) in waiting]
    if rows:
        con.executemany("INSERT INTO state.review_token VALUES (?, ?, ?, ?)", rows)
    return len(rows)


def _publish(
    con: duckdb.DuckDBPyConnection,
    store: Path,
    key: bytes,
    report: LinkReport,
    model: dict[str, Any],
) -> None:
    """The run's pseudonymised result into schema ``link`` of the activity's store."""
    choice = report.threshold
    assert choice is not None
    ipad, opad = hmac_pads(key)
    person = hmac_sql("d.bsn", "$ipad", "$opad")
    record = hmac_sql(f"'{record_prefix(report.source)}' || d.klantnummer", "$ipad", "$opad")
    try:
        con.execute("ATTACH ? AS store", [str(store)])
    except duckdb.Error as exc:
        raise LinkError(
            f"the activity's tables are in use by another process (a build or a query?); try "
            f"again when it has finished ({_first(exc)})"
        ) from None
    try:
        con.execute(STORE_DDL)
        peildatum = _household_peildatum(con, report.file_date)
        report.household_peildatum = peildatum
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE published AS
            SELECT {record} AS record_id,
                   CASE WHEN d.bsn IS NOT NULL THEN {person} END AS person_id,
                   d.match_probability, d.status, d.reason
            FROM decided d
            """,
            {"ipad": ipad, "opad": opad},
        )
        # A link may only name a person the store holds: a person left out of it (an upheld
        # objection, ADR 0028) is not linked back in through a partner's record.
        if con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'store' "
            "AND schema_name = 'source' AND table_name = 'ingeschrevenpersoon'"
        ).fetchone() == (1,):
            con.execute(
                "UPDATE published SET person_id = NULL WHERE person_id IS NOT NULL AND "
                "person_id NOT IN (SELECT person_pseudonym "
                "FROM store.source.ingeschrevenpersoon WHERE person_pseudonym IS NOT NULL)"
            )
        household = "NULL::VARCHAR"
        joins = ""
        if peildatum is not None:
            household = "m.household_id"
            joins = (
                "LEFT JOIN store.household.household_member m ON m.person_id = p.person_id "
                "AND m.peildatum = $peildatum"
            )
        con.execute("BEGIN")
        con.execute(
            f"INSERT INTO store.{SCHEMA}.record SELECT $run, $source, p.record_id, p.person_id, "
            f"{household}, p.match_probability, CASE WHEN p.person_id IS NULL AND "
            "p.status <> 'pending' THEN 'unmatched' ELSE p.status END, p.reason "
            f"FROM published p {joins}",
            {"run": report.run_id, "source": report.source}
            | ({"peildatum": peildatum} if peildatum is not None else {}),
        )
        con.execute(
            f"INSERT INTO store.{SCHEMA}.run VALUES ({', '.join(['?'] * 16)})",
            [
                report.run_id,
                report.source,
                report.mode,
                report.file_date,
                peildatum,
                datetime.now(UTC),
                choice.threshold,
                report.review_low,
                report.review_high,
                choice.precision,
                choice.recall,
                report.records,
                report.linked,
                report.by_status.get("pending", 0),
                report.by_status.get("unmatched", 0),
                json.dumps(model),
            ],
        )
        con.execute("COMMIT")
        con.execute("USE store")
        con.execute(VIEWS)
        con.execute("USE memory")
        report.subjects = [
            str(r[0])
            for r in con.execute(
                "SELECT DISTINCT person_id FROM published WHERE person_id IS NOT NULL ORDER BY 1"
            ).fetchall()
        ]
        report.records_read = [
            str(r[0])
            for r in con.execute("SELECT DISTINCT record_id FROM published ORDER BY 1").fetchall()
        ]
        rows = con.execute(
            f"SELECT count(DISTINCT household_id) FROM store.{SCHEMA}.record "
            "WHERE run_id = ? AND person_id IS NOT NULL",
            [report.run_id],
        ).fetchall()
        report.households = int(rows[0][0])
        con.execute("CHECKPOINT store")
    finally:
        con.execute("USE memory")
        con.execute("DETACH store")


def _household_peildatum(con: duckdb.DuckDBPyConnection, on: date) -> date | None:
    """The peildatum of the activity's household build nearest to the file's date."""
    if not _table_exists(con, "store", "household", "build"):
        return None
    rows = con.execute(
        "SELECT peildatum FROM store.household.build "
        "ORDER BY abs(date_diff('day', peildatum, ?::DATE)), peildatum DESC LIMIT 1",
        [on],
    ).fetchall()
    value = rows[0][0] if rows else None
    return value if isinstance(value, date) else None
