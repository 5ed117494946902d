"""Reading linkage runs for the web app and the command line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from meedoen.households.models import RunStatus
from meedoen.linkages.models import LinkRun
from meedoen.linkages.services import STALE_AFTER


@dataclass(frozen=True)
class LinkRunState:
    id: int
    activity_id: int
    source: str
    file_name: str
    status: str  # queued, running, done, failed, interrupted
    step: str
    step_number: int
    step_total: int
    message: str
    summary: dict[str, object]
    requested_by: str
    created_at: datetime
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.status in {RunStatus.DONE, RunStatus.FAILED, "interrupted"}

    @property
    def percent(self) -> int:
        if self.status == RunStatus.DONE:
            return 100
        return round(100 * self.step_number / self.step_total) if self.step_total else 0


def _state(run: LinkRun) -> LinkRunState:
    status = run.status
    if status in {RunStatus.QUEUED, RunStatus.RUNNING} and (
        datetime.now(UTC) - run.updated_at > STALE_AFTER
    ):
        status = "interrupted"
    return LinkRunState(
        id=run.pk,
        activity_id=run.activity_id,
        source=run.source,
        file_name=run.file_name,
        status=status,
        step=run.step,
        step_number=run.step_number,
        step_total=run.step_total,
        message=run.message,
        summary=run.summary,
        requested_by=run.requested_by,
        created_at=run.created_at,
        finished_at=run.finished_at,
    )


def link_run_list(*, limit: int = 50) -> list[LinkRunState]:
    return [_state(run) for run in LinkRun.objects.all()[:limit]]


def link_run_detail(*, run_id: int) -> LinkRunState:
    return _state(LinkRun.objects.get(pk=run_id))
