"""Reads of areas: names by code, for labels ("Rijen-Centrum (WK078400)")."""

from __future__ import annotations

from collections.abc import Iterable

from meedoen.areas.models import Area


def area_names(*, codes: Iterable[str]) -> dict[str, str]:
    """The names of those of ``codes`` that are known areas."""
    wanted = {str(code) for code in codes if code}
    if not wanted:
        return {}
    return dict(Area.objects.filter(code__in=wanted).values_list("code", "name"))
