"""Areas by CBS code with the names the municipality supplied (contract table ``gebied``).

A copy of the last delivery, replaced after every intake that loaded one (ADR 0019): pages look
names up here instead of opening the analytics store."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Area(models.Model):
    class Level(models.TextChoices):
        GEMEENTE = "gemeente", _("municipality")
        WIJK = "wijk", _("district")
        BUURT = "buurt", _("neighbourhood")

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    parent_code = models.CharField(_("lies in"), max_length=10, blank=True)
    #: GeoJSON Polygon or MultiPolygon (RD New or WGS84), for the dashboard's map.
    geometry = models.TextField(_("outline"), blank=True)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ("code",)

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
