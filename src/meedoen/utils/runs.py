"""Long work the command line runs in the foreground and the web app in a background thread:
household builds, partner-file linkages, the check of the audit log's chains. One row per run
shows its progress and its outcome.

- :class:`Run`: the abstract model (status, step, progress, message, summary, who, when); a
  kind of run adds what it is about (an activity, a peildatum, …);
- :func:`run_busy`, :func:`run_begin`, :func:`run_progress`, :func:`run_finish`,
  :func:`run_refusal`, :func:`run_in_background`: what every kind of run's services do;
- :class:`RunState`: what selectors hand to views (a run whose row stopped moving for
  :data:`STALE_AFTER` shows as *interrupted*: its process died).

The web side (status labels, the progress region, its JSON for the page's script) is
:mod:`meedoen.web.runs`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection, models
from django.utils.translation import gettext_lazy as _

#: A run whose row has not moved for this long is taken as interrupted (the process died).
STALE_AFTER = timedelta(minutes=30)


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class Run(models.Model):
    status = models.CharField(
        _("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    step = models.CharField(_("step"), max_length=64, blank=True)
    step_number = models.PositiveIntegerField(default=0)
    step_total = models.PositiveIntegerField(default=0)
    message = models.TextField(_("message"), blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    requested_by = models.CharField(_("requested by"), max_length=150)
    channel = models.CharField(max_length=16)
    trace_id = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]


R = TypeVar("R", bound=Run)


def run_status_word(status: str) -> object:
    """A run's status in a message, translated when it is shown (``queued``, ``running``)."""
    return dict(RunStatus.choices).get(status, status)


def run_busy(model: type[R], **about: object) -> R | None:
    """A run of this kind that is queued or running (and not stale), of those matching
    ``about`` (e.g. ``activity_id=3``)."""
    return (
        model.objects.filter(
            **about,
            status__in=[RunStatus.QUEUED, RunStatus.RUNNING],
            updated_at__gte=datetime.now(UTC) - STALE_AFTER,
        )
        .order_by("-created_at")
        .first()
    )


def run_begin(model: type[R], *, run_id: int) -> R:
    run = model.objects.get(pk=run_id)
    run.status, run.started_at = RunStatus.RUNNING, datetime.now(UTC)
    run.save(update_fields=["status", "started_at", "updated_at"])
    return run


def run_progress(
    model: type[Run],
    run_id: int,
    then: Callable[[str, int, int], None] | None = None,
) -> Callable[[str, int, int], None]:
    """A progress callback ``(step, done, total)`` that writes the run's row, then calls
    ``then`` (a progress bar on the command line)."""

    def report(step: str, done: int, total: int) -> None:
        model.objects.filter(pk=run_id).update(
            step=step[:64], step_number=done, step_total=total, updated_at=datetime.now(UTC)
        )
        if then is not None:
            then(step, done, total)

    return report


def run_finish(
    model: type[Run],
    run_id: int,
    status: str,
    *,
    message: str = "",
    summary: dict[str, object] | None = None,
) -> None:
    model.objects.filter(pk=run_id).update(
        status=status,
        message=message,
        summary=summary or {},
        finished_at=datetime.now(UTC),
        updated_at=datetime.now(UTC),
    )


def run_refusal(exc: BaseException) -> str:
    """The message a failed run shows."""
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    return str(exc) or type(exc).__name__


def run_in_background(
    name: str, work: Callable[[], object], cleanup: Callable[[], None] | None = None
) -> None:
    """Run ``work`` in a thread of this process (the web app); its failure is on the run's row,
    written by ``work`` itself."""

    def target() -> None:
        close_old_connections()
        try:
            work()
        except Exception:  # noqa: S110 - the failure is recorded on the run's row
            pass
        finally:
            if cleanup is not None:
                cleanup()
            connection.close()

    threading.Thread(target=target, name=name, daemon=True).start()


@dataclass(frozen=True)
class RunState:
    id: int
    activity_id: int | None  # None for a run about no activity (the chain check)
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


def run_state_fields(run: Run) -> dict[str, Any]:
    """The :class:`RunState` fields of a run's row."""
    status = run.status
    if status in {RunStatus.QUEUED, RunStatus.RUNNING} and (
        datetime.now(UTC) - run.updated_at > STALE_AFTER
    ):
        status = "interrupted"
    return {
        "id": run.pk,
        "activity_id": getattr(run, "activity_id", None),
        "status": status,
        "step": run.step,
        "step_number": run.step_number,
        "step_total": run.step_total,
        "message": run.message,
        "summary": run.summary,
        "requested_by": run.requested_by,
        "created_at": run.created_at,
        "finished_at": run.finished_at,
    }
