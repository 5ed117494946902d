"""Reading linkage runs for the web app and the command line."""

from __future__ import annotations

from dataclasses import dataclass

from meedoen.linkages.models import LinkRun
from meedoen.utils import runs


@dataclass(frozen=True)
class LinkRunState(runs.RunState):
    source: str
    file_name: str
    engine: str


def _state(run: LinkRun) -> LinkRunState:
    return LinkRunState(
        **runs.run_state_fields(run), source=run.source, file_name=run.file_name, engine=run.engine
    )


def link_run_list(*, limit: int = 50) -> list[LinkRunState]:
    return [_state(run) for run in LinkRun.objects.all()[:limit]]


def link_run_detail(*, run_id: int) -> LinkRunState:
    return _state(LinkRun.objects.get(pk=run_id))
