"""Writes of areas: the web database's copy of the ``gebied`` delivery."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from meedoen.areas.models import Area
from meedoen_data.areas import areas_read


def areas_replace(*, home: Path) -> int:
    """Replace the areas by those of the analytics store's last ``gebied`` delivery (all or
    nothing); the number of areas."""
    rows = areas_read(home=home)
    with transaction.atomic():
        Area.objects.all().delete()
        Area.objects.bulk_create(
            Area(code=a.code, name=a.name, level=a.level, parent_code=a.parent, geometry=a.geometry)
            for a in rows
        )
    return len(rows)
