"""Runs of ``meedoen link``: what was asked, how far it got, what came out.

The links themselves live in the activity's linkage file (identity zone) and its store (schema
``link``), not in this database; a run keeps the summary the web app shows.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from meedoen.utils.runs import Run


class LinkRun(Run):
    activity_id = models.PositiveIntegerField(_("processing activity"), db_index=True)
    source = models.CharField(_("partner source"), max_length=64)
    file_name = models.CharField(_("file"), max_length=255)
    engine = models.CharField(_("engine"), max_length=16, default="duckdb")

    class Meta(Run.Meta):
        verbose_name = _("partner-file linkage")

    def __str__(self) -> str:
        return f"linkage {self.pk} (activity {self.activity_id}, {self.source})"
