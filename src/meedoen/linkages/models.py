"""Runs of ``meedoen link``: what was asked, how far it got, what came out.

The links themselves live in the activity's linkage file (identity zone) and its store (schema
``link``), not in this database; a run keeps the summary the web app shows.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from meedoen.households.models import RunStatus


class LinkRun(models.Model):
    activity_id = models.PositiveIntegerField(_("processing activity"), db_index=True)
    source = models.CharField(_("partner source"), max_length=64)
    file_name = models.CharField(_("file"), max_length=255)
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
        verbose_name = _("partner-file linkage")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"linkage {self.pk} (activity {self.activity_id}, {self.source})"
