"""Words for the work list's codes that are not in :mod:`meedoen.web.labels` because only these
pages use them: a resident's place in the household, why a signal is not on a household."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

#: A resident relative to the household's contact person (``meedoen_data.casework.ROLES``).
RESIDENT_ROLES: dict[str, str | Promise] = {
    "zelf": _("Contact person"),
    "ouder": _("Parent"),
    "stiefouder": _("Step-parent"),
    "partner": _("Partner"),
    "kind": _("Child"),
    "broer_zus": _("Brother or sister"),
    "halfbroer_halfzus": _("Half-brother or half-sister"),
    "huisgenoot": _("Housemate"),
}

#: The status of a signal that is not on a household.
UNLINKED_STATUSES: dict[str, str | Promise] = {
    "pending": _("Awaiting review"),
    "unmatched": _("Not linked"),
    "rejected": _("Rejected in review"),
    "not_linked": _("Not linked yet"),
}

#: Why a signal is not on a household (the linkage's reasons, in English in the data package).
UNLINKED_REASONS: dict[str, str | Promise] = {
    "the BSN the partner sent is not in the register": _(
        "the BSN the partner sent is not in the register"
    ),
    "delivered after the last linkage": _("delivered after the last linkage"),
    "the signals have not been linked under this activity yet": _(
        "the signals have not been linked under this activity yet"
    ),
    "two persons above the threshold: awaiting review": _(
        "two persons above the threshold: awaiting review"
    ),
    "below the threshold: awaiting review": _("below the threshold: awaiting review"),
    "below the review band's upper bound": _(
        "below the upper bound of the review band: awaiting review"
    ),
    "no candidate: no register person shares an address, birth date or surname with birth year": (
        _(
            "no candidate: no person in the register shares an address, a birth date or a "
            "surname with birth year"
        )
    ),
    "below the review band: too little agreement": _("below the review band: too little agreement"),
    "a candidate was rejected: awaiting review of the others": _(
        "a candidate was rejected: awaiting review of the others"
    ),
    "rejected in review": _("rejected in review"),
    "awaiting review": _("awaiting review"),
}


def unlinked_reason(reason: str) -> str:
    return str(UNLINKED_REASONS.get(reason, reason))
