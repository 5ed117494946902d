"""A date in the parameters of a translated message (ADR 0018), written when the message is
shown, in the language it is shown in: "7 december 2026" on a Dutch page, "Dec. 7, 2026" on the
command line (English). A time is first put in the installation's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import formats, timezone


@dataclass(frozen=True)
class ShownDate:
    value: date | datetime

    def __str__(self) -> str:
        value = self.value
        if isinstance(value, datetime):
            value = timezone.localtime(value) if timezone.is_aware(value) else value
        return formats.date_format(value, "DATE_FORMAT")
