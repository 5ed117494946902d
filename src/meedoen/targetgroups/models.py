"""A segmentation of a target group (``meedoen segment``, issue 19): one run, its settings, its
status and the model's figures (BIC, ICL and stability per number of segments — no counts: the
segments' sizes are published only through disclosure control)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from meedoen.utils.runs import Run


class SegmentRun(Run):
    activity_id = models.PositiveIntegerField(_("processing activity"), db_index=True)
    group = models.CharField(_("group"), max_length=64)
    peildatum = models.DateField(_("reference date"))
    k = models.PositiveIntegerField(_("number of segments asked"), null=True, blank=True)
    seed = models.IntegerField(_("seed"), default=1)
    #: The run's id in the activity's store (``segment.run``), once it is written.
    store_run = models.CharField(max_length=32, blank=True)

    class Meta(Run.Meta):
        verbose_name = _("segmentation")

    def __str__(self) -> str:
        return f"segmentation {self.pk} ({self.group}, activity {self.activity_id})"
