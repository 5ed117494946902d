"""Dates, times and numbers the way a Dutch page writes them, the same on every page.

``{{ value|datum }}`` 3 december 2026 · ``{{ value|datumtijd }}`` 3 december 2026 21:02 (in the
installation's time zone, ``TIME_ZONE``, Europe/Amsterdam by default; a time without zone, as
DuckDB returns them, is UTC) · ``{{ value|getal }}`` 11.348 · ``{{ value|procent }}`` 12,5%
(of a fraction: 0.125); ``{{ code|label:"operation" }}`` the label of a code
(:mod:`meedoen.web.labels`). In English the same filters give English formats. A value that is not a
date or number is shown as it is; nothing (``None``) as an empty string.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import formats, timezone

from meedoen.web import labels

register = template.Library()


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if timezone.is_naive(value) else value


@register.filter
def datum(value: object) -> object:
    """3 december 2026."""
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(_aware(value)), "DATE_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, str):
        try:
            return datum(date.fromisoformat(value))
        except ValueError:
            return value
    return "" if value is None else value


@register.filter
def datumtijd(value: object) -> object:
    """3 december 2026 21:02, in the installation's time zone."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(_aware(value)), "DATETIME_FORMAT")
    return datum(value)


@register.filter
def getal(value: object, decimals: int = 0) -> object:
    """11.348 (with ``decimals`` places: ``|getal:1`` 12,5)."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return "" if value is None else value
    # Rounded half up here: Django's number_format cuts the digits off.
    places = int(decimals)
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return formats.number_format(rounded, decimal_pos=places, use_l10n=True, force_grouping=True)


@register.filter
def procent(value: object, decimals: int = 1) -> object:
    """12,5% of the fraction 0.125."""
    try:
        number = Decimal(str(value)) * 100
    except (InvalidOperation, ValueError):
        return "" if value is None else value
    return f"{getal(number, decimals)}%"


@register.filter
def label(code: object, kind: str) -> str:
    """The label of a code: ``{{ record.name|label:"operation" }}`` (meedoen.web.labels)."""
    return labels.label(kind, code)


@register.simple_tag(takes_context=True)
def persoon(context: template.Context, username: object) -> str:
    """A person by full name, not by user name: ``{% persoon run.requested_by %}`` gives
    "Anna de Vries" for the account ``a.devries`` (and the user name for an account without a
    name or a name that is no account, such as the operator's on the command line). One query per
    page for all the names it shows: the names are kept on the request."""
    name = "" if username is None else str(username)
    if not name:
        return ""
    request = context.get("request")
    known: dict[str, str] = getattr(request, "_meedoen_full_names", {}) if request else {}
    if name not in known:
        from meedoen.accounts.selectors import user_full_names

        known[name] = user_full_names(usernames={name}).get(name, name)
        if request is not None:
            request._meedoen_full_names = known
    return known[name]


@register.filter
def intake_file(message: object) -> str:
    """What the intake gate said about a file, in the page's language
    (:mod:`meedoen.web.intake_messages`)."""
    from meedoen.web.intake_messages import intake_file_text

    return intake_file_text(message)


@register.filter
def intake_row(reason: object) -> str:
    """Why a row is in quarantine, in the page's language."""
    from meedoen.web.intake_messages import intake_row_text

    return intake_row_text(reason)


@register.filter
def intake_failure(message: object) -> str:
    """A linkage's failure, translated when the intake gate refused the partner file."""
    from meedoen.web.intake_messages import intake_failure_text

    return intake_failure_text(message)


@register.filter
def run_failure(message: object) -> object:
    """Why a long run failed: ``.text`` in the page's language, ``.technical`` the original
    (English) where the text is not a translation of it (:mod:`meedoen.web.run_messages`)."""
    from meedoen.web.run_messages import run_failure as failure

    return failure(message)


@register.filter
def item(mapping: object, key: object) -> object:
    """``{{ mapping|item:key }}``: the value under ``key`` (None when there is none)."""
    return mapping.get(key) if isinstance(mapping, dict) else None
