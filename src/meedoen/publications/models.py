"""Releases of disclosure-controlled tables (``meedoen table``).

A row holds what was published — only aggregates that passed disclosure control, never
person-level data — and the definition of the table, so that a later release of the same table
(a series) is audited together with what the earlier ones made known.

A release is never deleted: the privacy officer (or the end of its processing activity)
*withdraws* it. A withdrawn release disappears from every page and API except the privacy
officer's, and still counts for later releases — an attacker may have kept a copy.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Publication(models.Model):
    activity_id = models.PositiveIntegerField(_("processing activity"))
    #: The table's definition (variables, filter, peildatum, amount, mode) as canonical JSON.
    definition = models.JSONField(_("definition"))
    #: sha256 of the definition: releases with the same series key form a series.
    series = models.CharField(_("series"), max_length=64, db_index=True)
    description = models.CharField(_("description"), max_length=500)
    #: What was published: the JSON form of the Release (every cell, hidden ones as null).
    content = models.JSONField(_("content"))
    published_by = models.CharField(_("published by"), max_length=150)
    channel = models.CharField(_("channel"), max_length=16)
    trace_id = models.CharField(_("trace id"), max_length=32)
    created_at = models.DateTimeField(_("published at"), auto_now_add=True)
    #: Set when the release was withdrawn: by whom (a user name, or the job that ended the
    #: activity) and why.
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.CharField(_("withdrawn by"), max_length=150, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)

    class Meta:
        verbose_name = _("publication")
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"publication {self.pk}: {self.description}"

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None
