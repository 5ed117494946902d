"""Why a long run (a household build, a linkage, a chain check) failed, in the reader's language.

A run's ``message`` is what the code that failed said: the intake gate's refusal of a partner
file (said again in Dutch by :mod:`meedoen.web.intake_messages`), a service's refusal (already
in the language it was raised in), or the data package's technical English — a store without a
table the build needs, Spark's error, a store in use. For those a page shows a Dutch sentence
that says what happened and what to do, and the original below it, marked as English
(``lang="en"``) for the administrator who looks into it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from meedoen.web.intake_messages import intake_failure_text
from meedoen_data.intake.reasons import OTHER, file_reason

#: (what the message starts with or holds, the sentence to show); the first that fits.
KNOWN: tuple[tuple[str, str | Promise], ...] = (
    (
        "in use",
        _(
            "The tables of this processing activity were in use by another process (a build, "
            "a linkage or a query). Try again in a moment."
        ),
    ),
    (
        "the activity's store has no",
        _(
            "The tables of this processing activity lack data this needs. Request an activity "
            "that covers these sources and columns."
        ),
    ),
    (
        "Spark failed",
        _(
            "The Spark engine reported an error. Try again with DuckDB, or ask the "
            "administrator to look up the cause in the server's log."
        ),
    ),
    ("nothing to link", _("There was nothing to link: the partner file has no usable records.")),
    ("no partner file", _("This partner file has not been delivered yet.")),
    (
        "not approved",
        _(
            "The processing activity is not (or no longer) approved for this, so its data may "
            "not be used."
        ),
    ),
    (
        "expired on",
        _("The processing activity has expired and its data is deleted. Request a new activity."),
    ),
)
GENERIC = _("Something went wrong. The technical message below helps the administrator.")


@dataclass(frozen=True)
class Failure:
    text: str  # in the reader's language
    technical: str = ""  # the original (English), when the text is not a translation of it


def run_failure(message: object) -> Failure:
    text = str(message or "")
    if not text:
        return Failure("")
    head = text.partition(" (row ")[0]
    if file_reason(head).code != OTHER:
        return Failure(intake_failure_text(text))
    for marker, said in KNOWN:
        if text.startswith(marker) or marker in text:
            return Failure(str(said), text)
    return Failure(str(GENERIC), text)
