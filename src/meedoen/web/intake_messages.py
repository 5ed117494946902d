"""What the intake gate said about a file or a row, in the reader's language (ADR 0018).

The gate writes English (the command line, the vault's records and the docs quote it);
:mod:`meedoen_data.intake.reasons` takes a message apart into a code and its values, and this
module says it again. ``{{ file.message|intake_file }}`` and ``{{ error.reason|intake_row }}``
in templates. A message without a code here is shown as the gate wrote it.
"""

from __future__ import annotations

import re

from django.utils import translation
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from meedoen.web.templatetags.nl import datumtijd
from meedoen_data.intake.reasons import OTHER, Reason, file_reason, row_reason

ROW_MESSAGES: dict[str, str | Promise] = {
    "required": _("required value missing"),
    "bsn": _("not a valid BSN (9 digits, 11-proef)"),
    "date": _("not a valid date (expected YYYY-MM-DD or DD-MM-YYYY)"),
    "whole_number": _("not a whole number"),
    "amount": _("not an amount (e.g. 1234.56 or 1.234,56)"),
    "flag": _("not J or N"),
    "bag": _("not a BAG identification (16 digits)"),
    "postcode": _("not a postcode (1234AB)"),
    "pattern": _("does not match the pattern %(pattern)s"),
    "code_not_listed": _("code %(value)s is not in its list (%(codes)s)"),
    "value_not_listed": _("not in its list (%(codes)s); the value is not shown"),
    "duplicate_key": _("duplicate key (same %(key)s as row %(row)s)"),
    "date_order": _("%(end)s is before %(start)s"),
    "free_text": _("free text holds %(kinds)s; the row is not loaded and the value is not shown"),
    "area_level": _("niveau does not match the code (GM is a gemeente, WK a wijk, BU a buurt)"),
    "area_parent": _(
        "bovenliggend is not the level above the code (a buurt lies in a wijk, a wijk in a "
        "gemeente)"
    ),
}
#: Added to a row's reason when the wrong value holds an identifier.
HOLDS = _("%(reason)s; it holds %(kinds)s")
_LOAD_IT = _(
    "To load it, raise %(variable)s (docs/admin/configuration.md), or load a national delivery "
    "on the command line with: meedoen ingest DIR --national"
)
FILE_MESSAGES: dict[str, str | Promise] = {
    "loaded": _("%(loaded)s rows loaded into %(table)s"),
    "loaded_quarantined": _(
        "%(loaded)s rows loaded into %(table)s, %(quarantined)s rows quarantined"
    ),
    "unchanged": _("already loaded in batch %(batch)s on %(when)s; nothing changed"),
    "no_rows": _("the file has no rows"),
    "too_many_failing": _(
        "%(bad)s of %(rows)s rows (%(share)s%%) fail the checks, more than the %(allowed)s%% "
        "allowed; the whole file is rejected and its failing rows are in quarantine"
    ),
    "no_header": _("the file is empty or has no header line"),
    "not_csv_or_parquet": _("not a .csv or .parquet file"),
    "unreadable_parquet": _("unreadable Parquet file (%(detail)s)"),
    "not_partner_file": _("not a partner file; its columns must be, in this order: %(columns)s"),
    "unknown_table": _(
        "unknown table %(table)s: name the file after a table of the source data contract, or "
        "deliver a partner file with the partner file's columns"
    ),
    "column_missing": _("required column missing: %(columns)s"),
    "column_twice": _("column appears twice: %(columns)s"),
    "unreadable": _("unreadable (%(detail)s)"),
    "out_of_memory": _(
        "the intake ran out of working memory (%(memory)s) and spill space (%(spill)s); nothing "
        "was loaded. Raise %(variable)s or %(variable2)s (docs/admin/configuration.md)"
    ),
    "file_rows": _(
        "%(rows)s rows, more than the limit of %(limit)s rows per file; nothing was read or loaded."
    ),
    "file_bytes": _(
        "%(size)s, more than the limit of %(limit)s per file; nothing was read or loaded."
    ),
    "rows_over": _(
        "more than %(limit)s rows, the limit per file; reading stopped there and nothing was "
        "loaded."
    ),
    "upload_rows": _(
        "this upload has %(rows)s rows, more than the limit of %(limit)s rows per upload; "
        "nothing was read or loaded."
    ),
    "upload_bytes": _(
        "this upload has %(size)s, more than the limit of %(limit)s per upload; nothing was "
        "read or loaded."
    ),
}
#: Messages about a limit end with how to load the file anyway.
_LIMITS = ("file_rows", "file_bytes", "rows_over", "upload_rows", "upload_bytes")
KINDS: dict[str, str | Promise] = {
    "BSN": _("a BSN"),
    "name": _("a name"),
    "date": _("a date"),
    "postcode": _("a postcode"),
    "address": _("a street address"),
    "e-mail address": _("an e-mail address"),
    "phone number": _("a phone number"),
}


def intake_row_text(text: object) -> str:
    """A quarantined row's reason in the active language."""
    reason = row_reason(str(text))
    if reason.code == OTHER or reason.code not in ROW_MESSAGES:
        return reason.text
    said = str(ROW_MESSAGES[reason.code]) % _params(reason)
    if reason.kinds and reason.code != "free_text":
        said = str(HOLDS) % {"reason": said, "kinds": _kinds(reason.kinds)}
    return said


def intake_file_text(text: object) -> str:
    """What the gate said about a file (or an upload), in the active language, without the
    file's name (the page shows it beside the message)."""
    reason = file_reason(str(text))
    if reason.code == OTHER or reason.code not in FILE_MESSAGES:
        return reason.text
    said = str(FILE_MESSAGES[reason.code]) % _params(reason)
    if reason.code in _LIMITS:
        said += " " + str(_LOAD_IT) % {"variable": reason.params.get("variable", "")}
    return said


#: A linkage stopped by the gate: the file's message, then up to five rows' problems
#: (``meedoen.linkages.services``): "x.csv: … (row 3, datumgeboorte: not a valid date …; row 9, …)".
_PROBLEM = re.compile(r"(?:^|; )row (\d+), ([a-z0-9_]+): ")


def intake_failure_text(text: object) -> str:
    """A linkage's failure message in the active language when it is the gate's refusal of the
    partner file (with its rows' problems); any other message as it is."""
    message = str(text)
    head, found, rest = message.partition(" (row ")
    if not found or not rest.endswith(")"):
        return intake_file_text(message) if file_reason(message).code != OTHER else message
    parts = _PROBLEM.split("row " + rest[:-1])
    if file_reason(head).code == OTHER or parts[0] != "" or len(parts) % 3 != 1:
        return message
    problems = [
        str(_("row %(row)s, %(column)s: %(reason)s"))
        % {"row": parts[k], "column": parts[k + 1], "reason": intake_row_text(parts[k + 2])}
        for k in range(1, len(parts), 3)
    ]
    return f"{intake_file_text(head)} ({'; '.join(problems)})"


def _params(reason: Reason) -> dict[str, str]:
    params = dict(reason.params)
    if reason.code == "free_text":
        params["kinds"] = _kinds(reason.kinds)
    for name, value in params.items():
        if name == "when":
            params[name] = str(datumtijd(value))
        elif value.isdigit():
            params[name] = number_format(int(value), force_grouping=True)
        elif translation.get_language() != "en" and name in ("rows", "limit", "size", "share"):
            # English grouping (1,234,567; 1.5 GB) the Dutch way (1.234.567; 1,5 GB).
            params[name] = value.translate(str.maketrans(",.", ".,"))
    return params


def kinds_label(kinds: list[str] | tuple[str, ...]) -> str:
    """``een BSN en een naam``: kinds of personal data in the active language."""
    return _kinds(tuple(kinds))


def _kinds(kinds: tuple[str, ...]) -> str:
    said = [str(KINDS.get(k, k)) for k in kinds]
    if len(said) <= 1:
        return "".join(said)
    return gettext("%(first)s and %(second)s") % {"first": ", ".join(said[:-1]), "second": said[-1]}
