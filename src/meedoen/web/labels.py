"""One label registry for the codes the product shows: pages, exports and titles say
"Eenoudergezin", never ``eenouder``; "Huishoudens afgeleid", never ``household.build``.

``label(kind, code)`` gives the label of a code of one kind (the code itself when the registry
does not know it, so nothing disappears); ``{% load nl %}{{ code|label:"operation" }}`` in
templates. A test checks that every audit operation the code writes and every household type
the derivation makes has a label here.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from meedoen.accounts.roles import Role

HOUSEHOLD_TYPES: dict[str, str | Promise] = {
    "paar_met_kinderen": _("Couple with children"),
    "paar_zonder_kinderen": _("Couple without children"),
    "eenouder": _("Single parent"),
    "eenpersoons": _("One person"),
    "overig": _("Other multi-person household"),
    "institutioneel": _("Institutional household"),
}

#: The variables a published table can have, as column headings.
DIMENSIONS: dict[str, str | Promise] = {
    "wijkcode": _("District"),
    "buurtcode": _("Neighbourhood"),
    "household_type": _("Household type"),
    "households": _("Households"),
    "persons": _("Persons"),
}

#: Audit operations (the ``name`` of a processing record).
OPERATIONS: dict[str, str | Promise] = {
    "account.activate": _("Account activated again"),
    "account.create": _("Account created"),
    "account.deactivate": _("Account deactivated"),
    "account.locked": _("Account locked after failed sign-ins"),
    "account.login_failed": _("Sign-in failed"),
    "account.password_set": _("New password set with a one-time link"),
    "account.reset": _("Password reset"),
    "account.reset_link": _("One-time link for a new password made"),
    "account.role": _("Role changed"),
    "account.second_factor_failed": _("Wrong code of the second factor"),
    "account.second_factor_off": _("Second factor removed"),
    "account.second_factor_on": _("Second factor set up"),
    "account.token_create": _("API token created"),
    "account.token_revoke": _("API token revoked"),
    "activity.amend": _("Request amended"),
    "activity.approve": _("Activity approved"),
    "activity.delete": _("Activity data deleted"),
    "activity.refuse": _("Activity refused"),
    "activity.request": _("Activity requested"),
    "activity.reviewer_grant": _("Reviewer granted"),
    "activity.reviewer_withdraw": _("Reviewer withdrawn"),
    "activity.revoke": _("Activity revoked"),
    "activity.sql": _("SQL query"),
    "activity.store.build": _("Activity tables built"),
    "audit.checkpoint_download": _("Checkpoint downloaded"),
    "audit.compact": _("Audit log compacted"),
    "audit.person_export": _("Records of a person exported"),
    "audit.person_lookup": _("Records of a person looked up"),
    "audit.prune": _("Audit log pruned"),
    "audit.read": _("Audit log read"),
    "audit.verify": _("Audit log checked"),
    "household.build": _("Households derived"),
    "intake.load": _("Source file loaded"),
    "partner.link": _("Partner file linked"),
    "partner.review.decide": _("Link decided by a reviewer"),
    "partner.review.read": _("Partner record read for review"),
    "publication.withdraw": _("Table withdrawn"),
    "quarantine.show": _("Quarantined rows read"),
    "table.publish": _("Table published"),
    "vault.key_rotate": _("Key rotated"),
    "vault.pseudonym": _("Pseudonyms computed"),
}

REGISTRY: dict[str, dict[str, str | Promise]] = {
    "role": {role.value: role.label for role in Role},
    "household_type": HOUSEHOLD_TYPES,
    "dimension": DIMENSIONS,
    "operation": OPERATIONS,
}


def label(kind: str, code: object) -> str:
    """The label of ``code`` of ``kind`` (the code as text when there is none)."""
    text = "" if code is None else str(code)
    return str(REGISTRY[kind].get(text, text))


def value_label(dimension: str, code: object) -> str:
    """The label of a value of a table's variable (a household type; codes of areas as they
    are until the area names exist)."""
    if dimension == "household_type":
        return label("household_type", code)
    return "" if code is None else str(code)
