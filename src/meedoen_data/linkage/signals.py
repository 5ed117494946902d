"""Link early-warning signals (``vroegsignaal``, Wgs) to persons, in the identity zone.

A signal names the person the partner knows: a health insurer and the CAK send the BSN; a
housing corporation name, birth date and address; an energy or water company name and
address only. Per signal, in this order:

1. **by BSN** where the partner sent one that the register holds (status ``bsn``); a BSN the
   register does not hold is not guessed at: unmatched, with that reason;
2. otherwise **by the linkage engine** (:mod:`meedoen_data.linkage.link`, the same model as a
   partner file): surname, given names, birth date where present, and the address compared
   with the person's address history up to the latest signal date, so a signal about someone
   who moved since still finds them. Decisions, the review band, reviewers' decisions and
   stable links are those of :func:`meedoen_data.linkage.link.link_partner`.

The links go into the activity's linkage file (``HOME/vault/linkage/activity-ID.duckdb``,
identity zone) under source ``vroegsignaal``: the debt-help work list reads them there. Under
an *analysis* activity that has a store, the run is also published pseudonymised into the
store's ``link`` schema (``record_id`` = the store's ``vroegsignaal.signaalid``), for research
at group level. Whether the activity may use signals at all (purpose binding: debt help only) is
the caller's check.
"""

from __future__ import annotations

import time
import uuid
from datetime import date
from pathlib import Path

import duckdb

from meedoen_data.activity_store import store_path
from meedoen_data.linkage import inputs
from meedoen_data.linkage.link import (
    REVIEW_HIGH,
    REVIEW_LOW,
    STEPS,
    LinkError,
    LinkReport,
    Progress,
    _activity_key,
    _candidates,
    _connect,
    _decide,
    _first,
    _pairs,
    _publish,
    _remember,
    _table_exists,
    decided_count,
)
from meedoen_data.linkage.model import FEATURES, MODELS, level_labels, train_and_predict
from meedoen_data.linkage.threshold import ThresholdChoice
from meedoen_data.workspace import Workspace

__all__ = ["SOURCE", "link_signals"]

SOURCE = "vroegsignaal"
#: Why a signal with a BSN is not linked.
BSN_UNKNOWN = "the BSN the partner sent is not in the register"


def link_signals(
    *,
    home: Path,
    activity_id: int,
    on: date | None = None,
    threshold: float | None = None,
    review_band: tuple[float, float] = (REVIEW_LOW, REVIEW_HIGH),
    publish: bool = False,
    seed: int = 42,
    progress: Progress | None = None,
) -> LinkReport:
    """Link every delivered signal to a person (see the module). ``on`` is the date of the
    register's addresses (default: the latest signal date). ``publish`` also writes the run
    into the activity's store (analysis activities; the store must exist)."""
    started = time.monotonic()
    low, high = review_band
    if not 0 < low < high <= 1:
        raise LinkError(f"the review band must be 0 < low < high <= 1, not {low}, {high}")
    workspace = Workspace(home)
    store = store_path(workspace, activity_id)
    if publish and not store.exists():
        raise LinkError(f"activity {activity_id} has no store yet: build it first (meedoen build)")

    def step(number: int) -> None:
        if progress is not None:
            progress(STEPS[number], number, len(STEPS))

    con = _connect(workspace, activity_id)
    try:
        step(0)
        if not _table_exists(con, "vault", "identity", SOURCE):
            raise LinkError("no early-warning signals have been delivered: meedoen ingest a file "
                            "vroegsignaal.csv first")  # fmt: skip
        records = inputs.signal_input(con)
        latest = con.execute(f"SELECT max(signaaldatum) FROM vault.identity.{SOURCE}").fetchall()
        day = on or latest[0][0] or date.today()
        report = LinkReport(
            run_id=uuid.uuid4().hex[:16],
            activity_id=activity_id,
            source=SOURCE,
            mode="clear",
            engine="duckdb",
            file_date=day,
            household_peildatum=None,
            records=records,
            review_low=low,
            review_high=high,
        )
        report.register = inputs.register_raw(con, on=day)
        if report.register == 0:
            raise LinkError(f"nothing to link against: no persons in the register at {day}")
        inputs.register_input(con)
        step(1)
        model_json: dict[str, object] = {}
        without_bsn = int(
            con.execute("SELECT count(*) FROM partner_input WHERE bsn IS NULL").fetchall()[0][0]
        )
        columns = ", ".join(["unique_id", *FEATURES])
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW partner_features AS SELECT {columns} "
            "FROM partner_input WHERE bsn IS NULL"
        )
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW register_features AS SELECT {columns} FROM register_input"
        )
        if without_bsn:
            trained = train_and_predict(
                con, MODELS["clear"], "partner_features", "register_features", seed=seed
            )
            model_json = trained.model_json
            step(2)
            report.pairs_scored = _pairs(con, trained.predictions)
            choice = _candidates(con, trained.predictions, level_labels(model_json), SOURCE)
        else:
            step(2)
            con.execute(
                "CREATE OR REPLACE TEMP TABLE candidate (klantnummer VARCHAR, bsn VARCHAR, "
                "match_probability DOUBLE, match_weight DOUBLE, detail JSON, rank BIGINT)"
            )
            choice = ThresholdChoice(threshold=0.5, precision=1.0, recall=1.0, links=0)
        report.threshold = choice if threshold is None else choice.at(threshold)
        _decide(con, SOURCE, report)
        _with_bsn(con, report)
        step(3)
        _remember(con, report, model_json)
        if publish:
            _publish(con, store, _activity_key(workspace, activity_id), report, model_json)
    except duckdb.Error as exc:
        raise LinkError(_first(exc)) from None
    finally:
        con.close()
    report.seconds = time.monotonic() - started
    return report


def _with_bsn(con: duckdb.DuckDBPyConnection, report: LinkReport) -> None:
    """Replace the engine's decision for signals that came with a BSN: linked by it when the
    register holds that person, else unmatched (never guessed); then count again."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE decided AS
        SELECT d.* FROM decided d
        JOIN partner_input p ON p.unique_id = d.klantnummer AND p.bsn IS NULL
        UNION ALL
        SELECT p.unique_id, p.evidence, r.unique_id,
               CASE WHEN r.unique_id IS NOT NULL THEN 1.0 END, NULL,
               CASE WHEN r.unique_id IS NOT NULL THEN 'bsn' ELSE 'unmatched' END,
               CASE WHEN r.unique_id IS NULL THEN $unknown END
        FROM partner_input p LEFT JOIN register_input r ON r.unique_id = p.bsn
        WHERE p.bsn IS NOT NULL
        """,
        {"unknown": BSN_UNKNOWN},
    )
    decided_count(con, report)
