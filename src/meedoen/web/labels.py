"""One label registry for the codes the product shows: pages, exports and titles say
"Eenoudergezin", never ``eenouder``; "Huishoudens afgeleid", never ``household.build``.

``label(kind, code)`` gives the label of a code of one kind (the code itself when the registry
does not know it, so nothing disappears); ``{% load nl %}{{ code|label:"operation" }}`` in
templates. A test checks that every audit operation the code writes and every household type
the derivation makes has a label here.
"""

from __future__ import annotations

from collections.abc import Mapping

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

#: The variables and measures a published table can have, as column headings (every one of
#: ``meedoen_data.disclosure.household.VARIABLES`` and ``AMOUNTS``; a test checks).
DIMENSIONS: dict[str, str | Promise] = {
    "gemeentecode": _("Municipality"),
    "wijkcode": _("District"),
    "buurtcode": _("Neighbourhood"),
    "household_type": _("Household type"),
    "size": _("Number of members"),
    "children": _("Number of children"),
    "opleidingsniveau": _("Education level"),
    "migratieachtergrond": _("Migration background"),
    "woningbezit": _("Home ownership"),
    "ww": _("Unemployment benefit"),
    "ao": _("Disability benefit"),
    "huurtoeslag": _("Housing allowance"),
    "leeftijd": _("Age of the reference person"),
    "leeftijd_eerste_kind": _("Age of the younger parent at the first child's birth"),
    "inkomensdeciel": _("Income decile"),
    "households": _("Households"),
    "persons": _("Persons"),
    "besteedbaar_inkomen": _("Disposable income"),
    "mean": _("Average mark"),
}

#: Values of table variables other than household types and areas.
VALUES: dict[str, str | Promise] = {
    "Totaal": _("Total"),
    "onbekend": _("Unknown"),
    "laag": _("Low"),
    "middelbaar": _("Intermediate"),
    "hoog": _("High"),
    "geen": _("None"),
    "westers": _("Western"),
    "niet-westers": _("Non-Western"),
    "koop": _("Owner-occupied"),
    "huur_corporatie": _("Rented from a housing association"),
    "huur_overig": _("Rented otherwise"),
    "tot_25": _("Under 25"),
    "25_44": _("25 to 44"),
    "45_59": _("45 to 59"),
    "60_74": _("60 to 74"),
    "75_plus": _("75 or older"),
    "geen_kind": _("No child known"),
    "tot_21": _("Under 21"),
    "21_25": _("21 to 25"),
    "26_30": _("26 to 30"),
    "31_plus": _("31 or older"),
    "tot_6": _("Shorter than 6 months"),
    "6_12": _("6 to 12 months"),
    "12_plus": _("12 months or longer"),
}
#: Variables whose values are 0/1.
FLAGS = ("ww", "ao", "huurtoeslag")
#: Variables whose values are area codes.
AREAS = ("gemeentecode", "wijkcode", "buurtcode")

#: Audit operations (the ``name`` of a processing record).
OPERATIONS: dict[str, str | Promise] = {
    "account.activate": _("Account activated again"),
    "account.create": _("Account created"),
    "account.team": _("Team of an account changed"),
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
    "indicators.discover": _("Indicators discovered at group level"),
    "intake.load": _("Source file loaded"),
    "partner.link": _("Partner file linked"),
    "partner.review.decide": _("Link decided by a reviewer"),
    "partner.review.read": _("Partner record read for review"),
    "casework.case.open": _("Case opened"),
    "casework.case.assign": _("Case assigned"),
    "casework.case.close": _("Case closed"),
    "casework.case.load": _("Cases loaded from the case-management system"),
    "casework.caseload.read": _("Caseload read (names)"),
    "casework.family.read": _("Family context viewed"),
    "casework.break_glass": _("Break the glass: family outside the caseload"),
    "casework.break_glass.review": _("Break-the-glass access reviewed"),
    "casework.foodbank_referral": _("Referral to the food bank (with consent)"),
    "resident.sign_in": _("Resident signed in (DigiD)"),
    "resident.sign_in_refused": _("Resident sign-in refused"),
    "resident.data_view": _("Resident viewed their own data"),
    "resident.processing_view": _("Resident viewed who used their data"),
    "resident.export": _("Resident downloaded their own data"),
    "resident.consent_give": _("Resident gave consent"),
    "resident.consent_withdraw": _("Resident withdrew consent"),
    "resident.request_submit": _("Resident filed an objection or correction request"),
    "resident.request_decide": _("Privacy officer decided on a resident's request"),
    "resident.request_read": _("Privacy officer read a resident's request"),
    "publication.withdraw": _("Table withdrawn"),
    "quarantine.show": _("Quarantined rows read"),
    "segment.run": _("Segments of a target group made"),
    "signals.link": _("Early signals linked to persons"),
    "signals.expire": _("Early signals without follow-up deleted after their retention"),
    "signals.refresh": _("Work list of early signals refreshed"),
    "signals.worklist.read": _("Work list of early signals read"),
    "signals.household.read": _("Household of early signals viewed"),
    "signals.household.assign": _("Household of early signals assigned"),
    "signals.contact.register": _("Outreach on early signals registered"),
    "signals.monitor.export": _("Monitor of early signalling exported"),
    "signals.review.read": _("Early signal read for review, with its candidates"),
    "signals.review.decide": _("Early signal decided on in review"),
    "table.publish": _("Table published"),
    "vault.key_rotate": _("Key rotated"),
    "vault.pseudonym": _("Pseudonyms computed"),
}

#: Steps of a household build (:mod:`meedoen_data.households`), in the order they run.
BUILD_STEPS: dict[str, str | Promise] = {
    "person_at": _("Persons at the reference date"),
    "person_birth": _("Birth dates"),
    "person_status": _("Status of every person"),
    "location": _("Addresses at the reference date"),
    "institution": _("Institutional addresses"),
    "private_person": _("Persons in private households"),
    "partner_at": _("Partners at the reference date"),
    "registered_couple": _("Married and registered partners"),
    "parent_of": _("Parents and children"),
    "co_parent": _("Parents of a shared child"),
    "cohabiting_pair": _("Pairs living together"),
    "cohabiting_couple": _("Couples living together"),
    "co_partner": _("Partners at the same address"),
    "couple": _("Couples"),
    "couple_person": _("Persons in a couple"),
    "parent_couple": _("Parents who are a couple"),
    "nucleus_adult": _("Adults of each family nucleus"),
    "nucleus_child": _("Children of each family nucleus"),
    "nucleus_member": _("Members of each family nucleus"),
    "related_member": _("Other related members"),
    "candidate": _("Candidate households"),
    "membership": _("Who belongs to which household"),
    "reference_person": _("Reference person of each household"),
    "household_core": _("Households and their core"),
    "household_person": _("Persons per household"),
    "household_typed": _("Household types"),
    "household": _("The household table"),
    "household_background": _("Background of each household"),
    "parent_first_child": _("Age of the parents at their first child"),
    "care_person_year": _("Care per person"),
    "care_year": _("Care per household"),
    "benefit_year": _("Benefits per household"),
    "income_year": _("Income per household"),
    "debt_year": _("Debt help per household"),
    "signal_year": _("Early signals per household"),
    "household_year": _("The integrated household table"),
    "household_stacking": _("Stacking of care and income support"),
    "writing": _("Writing the results"),
}

#: Steps of a linkage (``meedoen_data.linkage.link.STEPS``).
LINK_STEPS: dict[str, str | Promise] = {
    "reading": _("Reading the records"),
    "training and scoring": _("Estimating the model and scoring pairs"),
    "deciding": _("Deciding the links"),
    "writing": _("Writing the links"),
}

#: Stages of a file in the intake gate (a linkage's first step).
INTAKE_STAGES: dict[str, str | Promise] = {
    "reading": _("reading the file"),
    "validating": _("checking the rows"),
    "pseudonymising": _("pseudonymising"),
    "writing": _("loading"),
    "done": _("done"),
}

#: Steps of the check of the audit log (``meedoen.audits.selectors``).
CHAIN_CHECK_STEPS: dict[str, str | Promise] = {
    "processing chain": _("Records of the chain of processing records"),
    "access chain": _("Records of the chain of access records"),
    "subject sets": _("Sets of persons read back"),
}

#: The parts a professional plays with a person (``betrokkenheid.rol``).
INVOLVEMENTS: dict[str, str | Promise] = {
    "regievoerder": _("Lead professional (regievoerder)"),
    "casusregisseur": _("Case director"),
    "hulpverlener": _("Care worker"),
    "jeugdbeschermer": _("Family guardian (jeugdbescherming)"),
    "jeugdreclasseerder": _("Youth probation officer"),
    "bewindvoerder": _("Financial administrator (bewindvoerder)"),
    "schuldhulpverlener": _("Debt-help worker"),
    "overig": _("Other professional"),
}

#: Early-warning signals (Wgs) on the debt worker's work list (:mod:`meedoen.earlysignals`): the
#: partner that reported the arrears (``signaalpartner``), the priority a triage rule gave
#: (``meedoen_data.signals.rules.PRIORITIES``), the kinds of the national early-signalling tools,
#: a household's status, and an outreach's channel, result and follow-up.
SIGNAL_PARTNERS: dict[str, str | Promise] = {
    "HUUR": _("Rent arrears"),
    "ENERGIE": _("Energy"),
    "WATER": _("Water"),
    "ZORGVERZEKERAAR": _("Health insurance"),
    "CAK": _("CAK"),
}
SIGNAL_PRIORITIES: dict[str, str | Promise] = {
    "hoog": _("High"),
    "normaal": _("Normal"),
    "laag": _("Low"),
    "wachten": _("Wait for another signal"),
}
SIGNAL_KINDS: dict[str, str | Promise] = {
    "enkelvoudig": _("Single signal"),
    "meervoudig": _("Several partners"),
    "herhaald": _("Repeated"),
}
SIGNAL_STATUSES: dict[str, str | Promise] = {
    "nieuw": _("New"),
    "in_behandeling": _("In progress"),
    "afgerond": _("Concluded"),
}
CONTACT_CHANNELS: dict[str, str | Promise] = {
    "brief": _("Letter"),
    "telefoon": _("Telephone"),
    "huisbezoek": _("Home visit"),
    "via_partner": _("Through the partner"),
}
CONTACT_RESULTS: dict[str, str | Promise] = {
    "bereikt": _("Reached"),
    "niet_bereikt": _("Not reached"),
    "hulp_geweigerd": _("Help declined"),
    "hulp_geaccepteerd": _("Help accepted"),
    "doorverwezen": _("Referred elsewhere"),
    "al_in_hulp": _("Already receiving help"),
}
CONTACT_FOLLOW_UPS: dict[str, str | Promise] = {
    "geen": _("None"),
    "intake_schuldhulp": _("Debt-help intake"),
    "budgetcoaching": _("Budget coaching"),
    "doorverwezen_wijkteam": _("Referred to the wijkteam"),
    "regeling_met_partner": _("Payment arrangement with the partner"),
    "nieuwe_poging": _("New attempt"),
}

#: The comparisons of the linkage model (``Candidate.comparisons`` of a record awaiting review)
#: and the levels they reach (``meedoen_data.linkage.model``), as a reviewer reads them.
LINK_COMPARISONS: dict[str, str | Promise] = {
    "surname": _("Surname"),
    "first_name": _("First name"),
    "birth_date": _("Birth date"),
    "address": _("Address"),
}
LINK_LEVELS: dict[str, str | Promise] = {
    "same": _("same"),
    "same (Dice >= 0.99)": _("same"),
    "same with tussenvoegsel glued": _("same with the prefix glued to it"),
    "partner's surname": _("surname of the person's partner"),
    "similar (Jaro-Winkler >= 0.92)": _("similar"),
    "similar (Jaro-Winkler >= 0.9)": _("similar"),
    "similar (Dice >= 0.8)": _("similar"),
    "similar to partner's surname, or Jaro-Winkler >= 0.8": _(
        "somewhat similar, or similar to the partner's surname"
    ),
    "somewhat similar (Dice >= 0.6)": _("somewhat similar"),
    "same initials": _("same initials"),
    "same first initial": _("same first initial"),
    "day and month swapped": _("day and month swapped"),
    "one digit different": _("one digit different"),
    "same day and month": _("same day and month"),
    "same year": _("same year"),
    "same address": _("same address"),
    "same postcode and number": _("same postcode and house number"),
    "an earlier address of the person": _("an earlier address of the person"),
    "same postcode": _("same postcode"),
    "different": _("different"),
    "missing": _("missing on one side"),
}

REGISTRY: dict[str, dict[str, str | Promise]] = {
    "role": {role.value: role.label for role in Role},
    "household_type": HOUSEHOLD_TYPES,
    "dimension": DIMENSIONS,
    "value": VALUES,
    "operation": OPERATIONS,
    "build_step": BUILD_STEPS,
    "link_step": LINK_STEPS,
    "intake_stage": INTAKE_STAGES,
    "chain_check_step": CHAIN_CHECK_STEPS,
    "involvement": INVOLVEMENTS,
    "signal_partner": SIGNAL_PARTNERS,
    "signal_priority": SIGNAL_PRIORITIES,
    "signal_kind": SIGNAL_KINDS,
    "signal_status": SIGNAL_STATUSES,
    "contact_channel": CONTACT_CHANNELS,
    "contact_result": CONTACT_RESULTS,
    "contact_follow_up": CONTACT_FOLLOW_UPS,
    "link_comparison": LINK_COMPARISONS,
    "link_level": LINK_LEVELS,
}


def label(kind: str, code: object) -> str:
    """The label of ``code`` of ``kind`` (the code as text when there is none)."""
    text = "" if code is None else str(code)
    return str(REGISTRY[kind].get(text, text))


def value_label(dimension: str, code: object, areas: Mapping[str, str] | None = None) -> str:
    """The label of a value of a table's variable: a household type's or a category's name,
    "Ja"/"Nee" for a flag, an area as "Rijen-Centrum (WK078400)" when ``areas`` names it (the
    code alone otherwise); other values (a number of members) as they are."""
    text = "" if code is None else str(code)
    if text in VALUES:
        return str(VALUES[text])
    if dimension == "household_type":
        return label("household_type", text)
    if (dimension in FLAGS or dimension.startswith(("ind_", "pop_"))) and text in ("0", "1"):
        return str(_("Yes") if text == "1" else _("No"))
    if dimension in AREAS and areas and text in areas:
        return f"{areas[text]} ({text})"
    if dimension == "inkomensdeciel" and text.isdigit():
        return str(_("Decile %(decile)s") % {"decile": text})
    if dimension.startswith("seg_") and text.isdigit():
        return str(_("Segment %(segment)s") % {"segment": text})
    return text
