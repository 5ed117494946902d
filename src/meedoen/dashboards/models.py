"""Signals of the advisory council (issue 18): what members heard at a consultation hour or a
meeting, laid beside the figures "to see whether signals live more widely". Short texts without
personal data (checked when recorded)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Signal(models.Model):
    class Source(models.TextChoices):
        SPREEKUUR = "spreekuur", _("consultation hour")
        BIJEENKOMST = "bijeenkomst", _("meeting")
        GESPREK = "gesprek", _("conversation with a resident or organisation")
        ANDERS = "anders", _("other")

    text = models.CharField(_("signal"), max_length=1000)
    indicator = models.CharField(_("indicator"), max_length=100)
    wijkcode = models.CharField(_("district"), max_length=10, blank=True)
    heard_on = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    recorded_by = models.CharField(_("recorded by"), max_length=150)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        ordering = ("-heard_on", "-recorded_at")

    def __str__(self) -> str:
        return f"signal {self.pk} ({self.indicator})"
