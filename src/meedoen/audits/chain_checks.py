"""The check of the audit log from its web page, as a background run with progress.

A year of national use is checked in about 20 s (benchmarks/results/audit_verify.md): too long
for a request without feedback. The page starts a :class:`~meedoen.audits.models.ChainCheck`
(:func:`chain_check_start`), a thread of the web process runs :func:`chain_check_execute`
(:func:`meedoen.audits.selectors.audit_verify_all` with the run's row as its progress), and the
check's page follows it (:mod:`meedoen.web.runs`) until it shows the outcome, kept in the row as
:func:`audit_verification_summary`. ``meedoen audit verify`` checks in the foreground as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime

from meedoen.audits.models import ChainCheck
from meedoen.audits.selectors import AuditVerification, audit_verify_all
from meedoen.audits.trace import TraceContext
from meedoen.utils.runs import (
    RunState,
    RunStatus,
    run_begin,
    run_busy,
    run_finish,
    run_in_background,
    run_progress,
    run_refusal,
    run_state_fields,
)


def audit_verification_summary(verification: AuditVerification) -> dict[str, Any]:
    """What the page shows of a check, as JSON to keep in the run's row: the chains, the
    checkpoints (records cut off the end of the log apart from the other problems), the
    triggers, the subject sets and the accounts whose role the log does not account for."""
    checkpoints = verification.checkpoints
    cut = {t.message for t in checkpoints.truncations}
    return {
        "intact": verification.intact,
        "chains": [{**vars(r), "intact": r.intact} for r in verification.chains],
        "triggers_missing": list(verification.triggers_missing),
        "sets_changed": list(verification.sets_changed),
        "sets_checked": verification.sets_checked,
        "roles_unlogged": [
            {
                "username": r.username,
                "role": r.role,
                "recorded": r.recorded,
                "joined": r.joined.isoformat(),
            }
            for r in verification.roles_unlogged
        ],
        "truncations": [
            {
                "chain": t.chain,
                "lost": t.lost,
                "last_position": t.last_position,
                "seen_position": t.seen_position,
                "seen_sequence": t.seen_sequence,
                "seen_time": t.seen_time.isoformat(),
            }
            for t in checkpoints.truncations
        ],
        "checkpoint_problems": [p for p in checkpoints.problems if p not in cut],
        "checkpoints": {
            "intact": checkpoints.intact,
            "checkpoints": checkpoints.checkpoints,
            "kept": checkpoints.kept,
            "key_fingerprints": list(checkpoints.key_fingerprints),
        },
    }


@dataclass(frozen=True)
class ChainCheckState:
    run: RunState
    kept_name: str  # the uploaded checkpoint the check compared with ("" when none)
    outcome: dict[str, Any] | None  # the summary with its times as datetimes; None until done


def chain_check_detail(*, run_id: int) -> ChainCheckState:
    """One check (ChainCheck.DoesNotExist when there is none)."""
    check = ChainCheck.objects.get(pk=run_id)
    state = RunState(**run_state_fields(check))
    outcome = None
    if state.status == RunStatus.DONE and check.summary:
        outcome = dict(check.summary)
        outcome["roles_unlogged"] = [
            {**r, "joined": _moment(r["joined"])} for r in outcome.get("roles_unlogged", [])
        ]
        outcome["truncations"] = [
            {**t, "seen_time": _moment(t["seen_time"])} for t in outcome.get("truncations", [])
        ]
    return ChainCheckState(state, check.kept_name, outcome)


def _moment(text: str) -> datetime | None:
    return parse_datetime(text) if text else None


def chain_check_start(
    *, user_name: str, trace: TraceContext, kept_name: str = ""
) -> tuple[ChainCheck, bool]:
    """A queued check and True; while another check without a kept checkpoint is still going,
    that one and False (it would only read the same log again)."""
    busy = None if kept_name else run_busy(ChainCheck, kept_name="")
    if busy is not None:
        return busy, False
    check = ChainCheck.objects.create(
        requested_by=user_name, channel="web", trace_id=trace.trace_id, kept_name=kept_name
    )
    return check, True


def chain_check_execute(*, run_id: int, kept: Sequence[tuple[str, bytes]] = ()) -> None:
    """Run a queued check, its progress on the run's row; the outcome in its summary."""
    run_begin(ChainCheck, run_id=run_id)
    try:
        verification = audit_verify_all(kept=kept, progress=run_progress(ChainCheck, run_id))
    except BaseException as exc:
        run_finish(ChainCheck, run_id, RunStatus.FAILED, message=run_refusal(exc))
        raise
    run_finish(ChainCheck, run_id, RunStatus.DONE, summary=audit_verification_summary(verification))


def chain_check_start_background(*, run_id: int, kept: Sequence[tuple[str, bytes]] = ()) -> None:
    """Run the check in a thread of this process (the web app); its row shows the progress."""
    run_in_background(
        f"meedoen-chain-check-{run_id}",
        lambda: chain_check_execute(run_id=run_id, kept=list(kept)),
    )


__all__ = [
    "ChainCheckState",
    "audit_verification_summary",
    "chain_check_detail",
    "chain_check_execute",
    "chain_check_start",
    "chain_check_start_background",
]
