"""Who used my data (``/mijn/verwerkingen/``): the resident's own processing records from the
audit log, in plain language, one page at a time.

The records are found as the privacy officer's lookup finds them (every name the log may use
for the person, and the subject sets that hold them: :func:`meedoen.audits.selectors.
audit_person_actions`), paged in the database and grouped per action (one trace's records of
one operation). Each row says when, who (role and team, never the employee's name unless
``RESIDENT_SHOW_NAMES``), under which processing activity (name, purpose, legal basis from the
register, or from :data:`STANDING` for processing outside it) and what was done, as a sentence.
The resident's own visits to their pages are logged but not listed (:data:`OWN_VIEWS`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from meedoen.accounts.models import User
from meedoen.accounts.roles import Role
from meedoen.accounts.selectors import user_full_names
from meedoen.activities.selectors import ActivityState, activity_history
from meedoen.audits.models import ProcessingRecord
from meedoen.audits.selectors import REGISTER_ACTIVITY, audit_person, audit_person_actions
from meedoen.audits.selectors import VaultBusy as VaultBusy  # re-exported for the view
from meedoen.cases.models import Case
from meedoen.residents.services import (
    SUBJECT_TYPE,
    portal_log,
    resident_person,
)
from meedoen.web.labels import OPERATIONS
from meedoen_data.audit_person import LoggedPerson
from meedoen_data.casework.family import FamilyError, person_bsn
from meedoen_data.contract import SPECS

#: The resident looking at this page (logged, not listed).
PROCESSING_VIEW = "resident.processing_view"
#: The resident's own page views: logged, but left out of the list, which they would flood.
#: (The privacy officer reading the resident's request, ``resident.request_read``, is listed.)
OWN_VIEWS = Q(name__in=("resident.data_view", PROCESSING_VIEW))
#: Actions read per query when the whole list is exported.
EXPORT_PAGE = 500
PER_PAGE = 50

Text = str | Promise

#: Processing outside the register's numbered activities
#: (``urn:meedoen:verwerkingsactiviteit:<name>``): name, purpose and legal basis as a resident
#: reads them.
STANDING: dict[str, tuple[Text, Text, Text]] = {
    "inname": (
        _("Receiving data from sources"),
        _(
            "The municipality receives data from its own registers and from partners, checks "
            "them and stores them safely."
        ),
        _("The law of each source (such as the Wet BRP, Wmo 2015, Jeugdwet, Participatiewet)"),
    ),
    "identiteitskluis": (
        _("Protecting your identity"),
        _("Your name and BSN are kept apart in a locked store. Elsewhere a code is used instead."),
        _("GDPR art. 25 and 32 (privacy by design, security)"),
    ),
    "beheer": (
        _("Running meedoen"),
        _("Managing the system, so that it works safely."),
        _("GDPR art. 6(1)(e) (a public task) and art. 32 (security)"),
    ),
    "toezicht": (
        _("Supervision of the use of your data"),
        _(
            "The privacy officer checks that your data are used correctly, and answers "
            "questions and complaints about it."
        ),
        _("GDPR art. 15 (right of access) and art. 39 (tasks of the privacy officer)"),
    ),
    "vroegsignalering": (
        _("Early help with debts"),
        _(
            "Offering help early to households that are behind with rent, energy, water or "
            "health insurance."
        ),
        _("Wet gemeentelijke schuldhulpverlening (Wgs) art. 3 and 4a"),
    ),
    "accountbeheer": (
        _("Managing accounts"),
        _("Managing the accounts of people who sign in to meedoen."),
        _("GDPR art. 6(1)(e) (a public task) and art. 32 (security)"),
    ),
    "inwonersportaal": (
        _("Resident portal"),
        _("Showing you your own data, who used them, your consents and your requests."),
        _("GDPR art. 12 to 22 (your rights)"),
    ),
}
STANDING_PREFIX = "urn:meedoen:verwerkingsactiviteit:"

#: What was done, per audit operation that can carry a person (``meedoen.web.labels.
#: OPERATIONS``), as a sentence to the resident. A test checks that every such code has one.
SENTENCES: dict[str, Text] = {
    "intake.load": _("Data about you were received from a source and stored."),
    "quarantine.show": _(
        "An employee looked at delivered data that did not pass the checks. Data about you "
        "were among them."
    ),
    "vault.pseudonym": _(
        "A code was made for you, so that your data can be used without your name or BSN."
    ),
    "vault.key_rotate": _("The codes that replace your name and BSN were renewed."),
    "partner.link": _("Data about you from a partner organisation were linked to your data."),
    "partner.review.read": _(
        "An employee checked whether data from a partner organisation belong to you."
    ),
    "partner.review.decide": _(
        "An employee decided whether data from a partner organisation belong to you."
    ),
    "activity.store.build": _("Your data were prepared for an analysis, without your name or BSN."),
    "activity.sql": _(
        "Your data were part of a question in an analysis, without your name or BSN."
    ),
    "activity.delete": _("Your data in an analysis were deleted."),
    "household.build": _(
        "For an analysis, we worked out who lives with you in one household. Your name and "
        "BSN were not used."
    ),
    "segment.run": _("You were counted in a study of a target group."),
    "indicators.discover": _("You were counted in a study of figures for groups of people."),
    "table.publish": _(
        "You were counted in a table of figures that was published. Nobody can find you in it."
    ),
    "casework.case.open": _("A case was opened."),
    "casework.case.assign": _("A case was given to a case worker."),
    "casework.case.close": _("A case was closed."),
    "casework.case.load": _("A case was taken over from the case registration system."),
    "casework.caseload.read": _("Your name was on the list of cases of a case worker."),
    "casework.family.read": _("An employee looked at your family situation for a case."),
    "casework.break_glass": _(
        "An employee looked at your family situation because of an urgent situation. The "
        "privacy officer checks whether this was justified."
    ),
    "casework.break_glass.review": _(
        "The privacy officer checked whether the urgent access to your data was justified."
    ),
    "signals.link": _("A report of a payment arrear was linked to you."),
    "signals.refresh": _(
        "The list of households with payment arrears was updated. Your household was on it."
    ),
    "signals.worklist.read": _("Your household was on the list of a debt-help worker."),
    "signals.household.read": _(
        "A debt-help worker looked at your household because of a payment arrear."
    ),
    "signals.household.assign": _("Your household was given to a debt-help worker."),
    "signals.contact.register": _(
        "A debt-help worker wrote down that they contacted you, or tried to."
    ),
    "signals.expire": _("Reports of payment arrears about you were deleted: no help followed."),
    "signals.monitor.export": _("You were counted in figures about early help with debts."),
    "signals.review.read": _(
        "An employee checked whether a report of a payment arrear belongs to you."
    ),
    "signals.review.decide": _(
        "An employee decided whether a report of a payment arrear belongs to you."
    ),
    "audit.person_lookup": _("The privacy officer looked up how your data were used."),
    "audit.person_export": _(
        "The privacy officer made a copy of the list of how your data were used."
    ),
    "casework.foodbank_referral": _(
        "An employee referred you to the food bank, with your consent. Your name, address "
        "and household size went to the food bank."
    ),
    "resident.sign_in": _("You signed in to the resident portal."),
    "resident.sign_in_refused": _("Signing in to the resident portal as you was refused."),
    "resident.export": _("You downloaded your own data."),
    "resident.consent_give": _("You gave consent."),
    "resident.consent_withdraw": _("You withdrew your consent."),
    "resident.request_submit": _("You sent an objection, or a request to correct your data."),
    "resident.request_decide": _("The privacy officer decided on your objection or request."),
    "resident.request_read": _("The privacy officer read your objection or request."),
}
#: Operations on a case (the record's detail names it): the case's reason is shown to the
#: person the case is about; to others in the family only that it was someone else's case.
CASE_DETAIL = re.compile(r"^case (\S+):")
OTHERS_CASE: Text = _("The case is about someone in your family.")
#: The source a file of an intake belongs to (``file -> table (batch N)``), by domain.
INTAKE_DETAIL = re.compile(r" -> (\w+) \(batch ")
SOURCES: dict[str, Text] = {
    "brp": _("the persons register (BRP)"),
    "wmo": _("Wmo support"),
    "jeugd": _("youth care"),
    "by_wet": _("Wmo support or youth care"),
    "participatie": _("income support (bijstand)"),
    "schulden": _("debt help"),
    "signalen": _("reports of payment arrears"),
    "betrokkenheid": _("the professionals who help you"),
    "casus": _("the case register of the wijkteam"),
}


@dataclass(frozen=True)
class ProcessingRow:
    """One action on the resident's data, as the page shows it."""

    at: datetime
    who: str  # role and team, "you", or meedoen itself
    employee: str  # the employee's name: only with RESIDENT_SHOW_NAMES, else ""
    sentence: str
    reason: str  # the case's reason (the resident's own case only), else ""
    activity: str
    purpose: str
    legal_basis: str
    done: bool = True  # False: the action was refused or failed
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ProcessingPage:
    rows: list[ProcessingRow]
    page: int
    per_page: int
    has_next: bool
    contact: str  # the privacy officer's contact (MEEDOEN_PRIVACY_CONTACT), may be ""
    show_names: bool  # employees' names are shown (MEEDOEN_RESIDENT_SHOW_NAMES)

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def resident_logged_person(*, user: User) -> LoggedPerson:
    """Every name the audit log may use for the resident (through the vault: BSN, then
    :func:`audit_person`). When the register no longer holds them, their BRP pseudonym alone
    (their own actions and case reads still name it). ResidentRefused for an account bound to
    nobody; VaultBusy while an intake holds the vault."""
    person = resident_person(user=user)
    try:
        bsn = person_bsn(home=settings.MEEDOEN_HOME, person=person)
    except FamilyError:
        return LoggedPerson(known=False, serial=None, pseudonyms={SUBJECT_TYPE: person})
    found = audit_person(bsn=bsn)
    if found is None:  # pragma: no cover - a BSN always names a person
        return LoggedPerson(known=False, serial=None, pseudonyms={SUBJECT_TYPE: person})
    return found


def resident_processing_viewed(*, user: User, client: str = "", channel: str = "web") -> None:
    """Log the resident looking at their own processing records (``resident.processing_view``
    under the resident portal's activity, the resident as data subject). Call it before the
    page is read."""
    portal_log(
        user_name=user.username,
        user_role=Role.RESIDENT,
        channel=channel,
        client=client,
        operation=PROCESSING_VIEW,
        subjects=[resident_person(user=user)],
        started=datetime.now(UTC),
        detail="/mijn/verwerkingen/",
    )


def resident_processing_page(
    *, person: LoggedPerson, page: int = 1, per_page: int = PER_PAGE
) -> ProcessingPage:
    """One page of the actions on the person's data, newest first, each in plain language.
    The person's own page views are left out (:data:`OWN_VIEWS`)."""
    page, per_page = max(1, page), max(1, per_page)
    found = audit_person_actions(
        person=person, offset=(page - 1) * per_page, limit=per_page, leave_out=OWN_VIEWS
    )
    context = _Context.load(found.actions, person=person)
    rows = [_row(records, context) for records in found.actions]
    return ProcessingPage(
        rows=rows,
        page=page,
        per_page=per_page,
        has_next=found.has_next,
        contact=settings.PRIVACY_CONTACT,
        show_names=settings.RESIDENT_SHOW_NAMES,
    )


def resident_processing_all(*, person: LoggedPerson) -> list[dict[str, Any]]:
    """Every action on the person's data, newest first, in plain language and plain JSON
    types (the export of ``/mijn/export/``): the pages of :func:`resident_processing_page`."""
    out: list[dict[str, Any]] = []
    page = 1
    while True:
        found = resident_processing_page(person=person, page=page, per_page=EXPORT_PAGE)
        for row in found.rows:
            plain = asdict(row)
            plain["at"] = row.at.isoformat()
            out.append(plain)
        if not found.has_next:
            return out
        page += 1


@dataclass(frozen=True)
class _Context:
    """What the rows of one page need beyond their records, read once per page."""

    brp: str  # the person's BRP pseudonym ("" when unknown)
    teams: dict[str, str]
    names: dict[str, str]
    cases: dict[str, tuple[str, str]]  # number -> (reason, the case's person)
    activities: dict[int, list[ActivityState]]

    @classmethod
    def load(cls, actions: Sequence[Sequence[dict[str, Any]]], *, person: LoggedPerson) -> _Context:
        records = [r for records in actions for r in records]
        users = {r["user_name"] for r in records if r["user_name"]}
        teams = dict(
            User.objects.filter(username__in=users).exclude(team="").values_list("username", "team")
        )
        names = user_full_names(usernames=users) if settings.RESIDENT_SHOW_NAMES else {}
        numbers = {m.group(1) for r in records if (m := CASE_DETAIL.match(r["detail"]))}
        cases = {
            number: (reason, who)
            for number, reason, who in Case.objects.filter(number__in=numbers).values_list(
                "number", "reason", "person_pseudonym"
            )
        }
        ids = {int(m.group(1)) for r in records if (m := _register(r["processing_activity_id"]))}
        activities = {i: activity_history(activity_id=i) for i in sorted(ids)}
        brp = person.pseudonyms.get(SUBJECT_TYPE, "")
        return cls(brp=brp, teams=teams, names=names, cases=cases, activities=activities)


def _register(activity: str) -> re.Match[str] | None:
    return REGISTER_ACTIVITY.fullmatch(activity)


def _row(records: Sequence[dict[str, Any]], context: _Context) -> ProcessingRow:
    first = records[0]  # the newest record of the action
    name, role, user = first["name"], first["user_role"], first["user_name"]
    activity, purpose, basis = _activity(
        first["processing_activity_id"], first["start_time"], context
    )
    sentence, reason, notes = _what(name, role, records, context)
    return ProcessingRow(
        at=first["start_time"],
        who=_who(role=role, user=user, context=context),
        employee=_employee(role=role, user=user, context=context),
        sentence=sentence,
        reason=reason,
        activity=activity,
        purpose=purpose,
        legal_basis=basis,
        done=all(r["status"] != ProcessingRecord.Status.ERROR for r in records),
        notes=notes,
    )


def _who(*, role: str, user: str, context: _Context) -> str:
    """The organisation unit and role, never the employee's name."""
    if role == Role.RESIDENT:
        return str(_("You"))
    if role not in Role.values:
        return str(_("meedoen (automatic)"))
    team = context.teams.get(user, "")
    label = str(Role(role).label)
    return str(_("%(role)s, team %(team)s") % {"role": label, "team": team}) if team else label


def _employee(*, role: str, user: str, context: _Context) -> str:
    """The employee's name (their user name when the account has none), only when the
    installation shows names to residents (``MEEDOEN_RESIDENT_SHOW_NAMES``)."""
    if not settings.RESIDENT_SHOW_NAMES or role == Role.RESIDENT or role not in Role.values:
        return ""
    return context.names.get(user, user)


def _activity(activity: str, at: datetime, context: _Context) -> tuple[str, str, str]:
    """Name, purpose and legal basis of the processing activity, as in force at ``at``."""
    number = _register(activity)
    if number is not None:
        versions = context.activities.get(int(number.group(1)), [])
        then = [v for v in versions if v.at is None or v.at <= at] or versions[:1]
        if then:
            state = then[-1]
            return state.name, state.purpose, state.legal_basis
        unknown = _("Processing activity %(number)s") % {"number": number.group(1)}
        return str(unknown), "", ""
    standing = STANDING.get(activity.removeprefix(STANDING_PREFIX))
    if standing is not None:
        return str(standing[0]), str(standing[1]), str(standing[2])
    return str(_("Other processing")), "", ""


def _what(
    name: str, role: str, records: Sequence[dict[str, Any]], context: _Context
) -> tuple[str, str, list[str]]:
    """The sentence for the action, the case's reason where it is the person's own case, and
    notes (the sources of an intake, whose case it was)."""
    notes: list[str] = []
    reason = ""
    for number in _unique(m.group(1) for r in records if (m := CASE_DETAIL.match(r["detail"]))):
        case = context.cases.get(number)
        if case is None:
            continue
        if context.brp and case[1] == context.brp:
            reason = case[0]
        elif str(OTHERS_CASE) not in notes:
            notes.append(str(OTHERS_CASE))
    if name == "intake.load":
        domains = _unique(
            str(SOURCES.get(SPECS[m.group(1)].domain, _("another source")))
            for r in records
            if (m := INTAKE_DETAIL.search(r["detail"])) and m.group(1) in SPECS
        )
        if domains:
            notes.append(str(_("From: %(sources)s.") % {"sources": ", ".join(domains)}))
    if name == "partner.link" and records[0]["detail"]:
        partner = records[0]["detail"].split(" ", 1)[0]
        notes.append(str(_("Partner: %(partner)s.") % {"partner": partner}))
    if name in SENTENCES:
        return str(SENTENCES[name]), reason, notes
    label = str(OPERATIONS.get(name, name))
    if role == Role.RESIDENT:
        return str(_("You did this yourself: %(what)s.") % {"what": label}), reason, notes
    return str(_("Your data were used for: %(what)s.") % {"what": label}), reason, notes


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
