"""Runs of ``meedoen build``: what was asked, how far it got, what came out.

A run is started from the command line or the web app; the web app shows its progress and its
summary. The households themselves live in the activity's store, not in this database.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class BuildRun(models.Model):
    activity_id = models.PositiveIntegerField(_("processing activity"), db_index=True)
    peildatum = models.DateField(_("reference date"))
    engine = models.CharField(_("engine"), max_length=16)
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
        verbose_name = _("household build")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"build {self.pk} (activity {self.activity_id}, {self.peildatum})"
