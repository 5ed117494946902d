"""Reading build runs for the web app and the command line."""

from __future__ import annotations

from dataclasses import dataclass

from meedoen.households.models import BuildRun
from meedoen.utils import runs


@dataclass(frozen=True)
class RunState(runs.RunState):
    peildatum: str
    engine: str


def _state(run: BuildRun) -> RunState:
    return RunState(
        **runs.run_state_fields(run), peildatum=run.peildatum.isoformat(), engine=run.engine
    )


def build_run_list(*, limit: int = 50) -> list[RunState]:
    return [_state(run) for run in BuildRun.objects.all()[:limit]]


def build_run_detail(*, run_id: int) -> RunState:
    return _state(BuildRun.objects.get(pk=run_id))
