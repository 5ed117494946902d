"""Runs of ``meedoen build``: what was asked, how far it got, what came out.

A run is started from the command line or the web app; the web app shows its progress and its
summary. The households themselves live in the activity's store, not in this database.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from meedoen.utils.runs import Run, RunStatus

__all__ = ["BuildRun", "RunStatus"]


class BuildRun(Run):
    activity_id = models.PositiveIntegerField(_("processing activity"), db_index=True)
    peildatum = models.DateField(_("reference date"))
    engine = models.CharField(_("engine"), max_length=16)

    class Meta(Run.Meta):
        verbose_name = _("household build")

    def __str__(self) -> str:
        return f"build {self.pk} (activity {self.activity_id}, {self.peildatum})"
