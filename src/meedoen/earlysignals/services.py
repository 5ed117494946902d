"""Writes on the debt worker's work list of early-warning signals (Wgs vroegsignalering), and
the reads that show persons. Roles and the operational activity are checked here; views, API
and CLI only call these functions.

- Signals are linked to persons in the identity zone (:func:`signals_link`: the command line or
  an administrator) and grouped per household; every household gets a priority from the
  municipality's transparent rules (:mod:`meedoen_data.signals.rules`) with the rule and the
  signals that made it hold (:func:`signals_refresh`).
- A signal is open from its date for ``MEEDOEN_SIGNALS_OPEN_DAYS`` days, unless an outreach
  concluded on or after its date (the household's ``closed_at``). A concluded household with a
  newer signal is new again.
- Only a debt worker, under an approved operational activity of the debt-help task that lists
  the signals, sees the list and a household; every person shown is logged by BRP pseudonym
  (``pseudonym-brp``), under the activity.

``via`` is the audit log's channel (``web``, ``api``, ``cli``): ``channel`` is an outreach's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meedoen.accounts.models import User
from meedoen.accounts.roles import Role
from meedoen.activities.actors import Actor, require_role
from meedoen.activities.enforcement import activity_authorize_operational
from meedoen.activities.selectors import ActivityState
from meedoen.audits.services import activity_uri, audit_action
from meedoen.audits.trace import TraceContext
from meedoen.cases.selectors import source_max_age_days
from meedoen.earlysignals.models import (
    AFGEROND,
    CHANNELS,
    FOLLOW_UPS,
    IN_BEHANDELING,
    NIEUW,
    RESULTS,
    Contact,
    SignalHousehold,
    SignalList,
)
from meedoen.earlysignals.monitor import monitor_record
from meedoen.earlysignals.selectors import (
    SIGNALS,
    SOURCES,
    Filters,
    Page,
    households_open,
    households_page,
    rules_path,
    signal_activities,
    signals_date,
    signals_since,
)
from meedoen_data.casework import (
    Family,
    FamilyError,
    Member,
    family_read,
    person_bsn,
    persons_named,
)
from meedoen_data.intake.subjects import VaultBusy
from meedoen_data.linkage import LinkError
from meedoen_data.linkage.link import LinkReport
from meedoen_data.linkage.signals import link_signals
from meedoen_data.signals.rules import PARTNERS, RuleError, RuleSet, Signal, rules_load, triage
from meedoen_data.signals.worklist import SignalHousehold as HouseholdRead
from meedoen_data.signals.worklist import (
    SignalsError,
    SignalsRead,
    UnlinkedSignal,
    signals_read,
)

#: The data-subject type of every record: the person's BRP pseudonym (as case work logs).
SUBJECT_TYPE = "pseudonym-brp"

SIGNALS_LINK = "signals.link"
SIGNALS_REFRESH = "signals.refresh"
WORKLIST_READ = "signals.worklist.read"
HOUSEHOLD_READ = "signals.household.read"
HOUSEHOLD_ASSIGN = "signals.household.assign"
CONTACT_REGISTER = "signals.contact.register"

#: Results that leave the outreach in progress (every other result concludes it), and the
#: follow-up that does the same.
NOT_CONCLUDING = ("niet_bereikt",)
TRY_AGAIN = "nieuwe_poging"
#: Signals are read from this day on: the refresh decides per household which are open.
EVER = date(1900, 1, 1)


# -- shared ---------------------------------------------------------------------------------


def _log(
    *,
    actor: Actor,
    trace: TraceContext,
    via: str,
    client: str,
    operation: str,
    activity_id: int,
    subjects: Iterable[str],
    started: datetime,
    detail: str,
) -> None:
    """One action on the work list under its activity: who, and every person it touched."""
    audit_action(
        trace=trace,
        user_name=actor.name,
        user_role=actor.role,
        channel=via,
        client=client,
        operation=operation,
        activity=activity_uri(activity_id),
        subjects={SUBJECT_TYPE: sorted(set(subjects))},
        started=started,
        detail=detail,
    )


def _operational(*, activity_id: int, trace: TraceContext) -> ActivityState:
    """The approved operational activity debt workers work with signals under; otherwise
    :class:`~meedoen.activities.enforcement.ActivityNotApproved` (a PermissionDenied: the pages
    answer 403) naming what is missing."""
    return activity_authorize_operational(
        activity_id=activity_id, role=Role.DEBT_WORKER, sources=SOURCES, trace=trace
    )


def _unavailable(exc: Exception) -> ValidationError:
    return ValidationError(
        str(exc).splitlines()[0] if str(exc) else type(exc).__name__, code="unavailable"
    )


def _read(*, activity_id: int, on: date) -> SignalsRead:
    """Every linked signal up to ``on``, per household (the refresh decides which are open)."""
    try:
        return signals_read(home=settings.MEEDOEN_HOME, activity_id=activity_id, on=on, since=EVER)
    except (SignalsError, FamilyError, VaultBusy, OSError) as exc:
        raise _unavailable(exc) from None


def _rules() -> RuleSet:
    """The municipality's rules (HOME/signals/rules.toml), else the shipped ones."""
    try:
        return rules_load(rules_path())
    except RuleError as exc:
        raise ValidationError(str(exc), code="rules") from None


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if timezone.is_naive(moment) else moment


def _months(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (as the rules count arrears)."""
    return max(0, (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day))


def _open(
    signals: Iterable[Signal], *, since: date, on: date, closed_at: date | None
) -> list[Signal]:
    """The signals still open: dated in the window and after the last concluding outreach."""
    return [
        s
        for s in signals
        if since <= s.signal_date <= on and (closed_at is None or s.signal_date > closed_at)
    ]


def _apply(
    row: SignalHousehold,
    read: HouseholdRead | None,
    *,
    rules: RuleSet | None,
    since: date,
    on: date,
    earlier_outreach: bool,
) -> bool:
    """Set the row's triage snapshot from the household as read (None: no longer read at all);
    returns whether a concluded household was reopened by a newer signal. Without ``rules``
    (the municipality's file cannot be used now) the open signals are set and the priority of
    the last triage kept."""
    if read is not None:
        row.wijk = read.wijk
        row.in_debt_help = read.in_debt_help
        row.persons = read.subjects
    signals = (
        [] if read is None else _open(read.signals, since=since, on=on, closed_at=row.closed_at)
    )
    signals.sort(key=lambda s: (s.signal_date, s.signaalid))
    row.open_signals = len(signals)
    row.signal_ids = [s.signaalid for s in signals]
    row.refreshed_at = timezone.now()
    if not signals:
        row.priority = row.rule_id = row.rule_name = row.rule_why = ""
        row.triggered, row.kinds, row.partners = [], [], []
        row.amount_total = Decimal(0)
        row.first_signal = row.last_signal = row.months_in_arrears = None
        return False
    if rules is not None:
        result = triage(
            rules, signals, in_debt_help=row.in_debt_help, earlier_outreach=earlier_outreach
        )
        row.priority = result.rule.priority
        row.rule_id, row.rule_name = result.rule.id, result.rule.name
        row.rule_why = result.rule.why
        row.triggered = list(result.triggered_by)
        row.kinds = list(result.kinds)
        row.rules_version = rules.version
    else:
        open_ids = set(row.signal_ids)
        row.triggered = [s for s in row.triggered if s in open_ids]
    present = {s.partner for s in signals}
    row.partners = [p for p in PARTNERS if p in present] + sorted(present - set(PARTNERS))
    row.amount_total = sum((Decimal(s.amount or 0) for s in signals), Decimal(0))
    row.first_signal = signals[0].signal_date
    row.last_signal = max(s.signal_date for s in signals)
    arrears = [_months(s.arrears_since, s.signal_date) for s in signals if s.arrears_since]
    row.months_in_arrears = max(arrears) if arrears else None
    if row.status == AFGEROND:
        row.status = NIEUW
        return True
    return False


@dataclass
class RefreshReport:
    households: int = 0  # households with linked signals (open or not)
    open: int = 0  # households with open signals: on the work list
    new: int = 0  # households on the list for the first time
    reopened: int = 0  # concluded households a newer signal put back as new
    closed: int = 0  # households that no longer have open signals
    run_id: str | None = None
    linked_at: datetime | None = None
    rules_version: str = ""
    #: The persons of the households with open signals (triaged) and of all linked ones.
    triaged: list[str] = field(default_factory=list)
    linked: list[str] = field(default_factory=list)


@transaction.atomic
def _refresh(*, activity_id: int, actor: Actor, read: SignalsRead, on: date) -> RefreshReport:
    rules = _rules()
    since = signals_since(on=on)
    report = RefreshReport(
        run_id=read.run_id, linked_at=_aware(read.linked_at), rules_version=rules.version
    )
    rows = {
        r.key: r
        for r in SignalHousehold.objects.select_for_update().filter(activity_id=activity_id)
    }
    contacted = set(
        Contact.objects.filter(household__activity_id=activity_id).values_list(
            "household_id", flat=True
        )
    )
    seen: set[str] = set()
    for household in read.households:
        seen.add(household.key)
        row = rows.get(household.key)
        created = row is None
        if row is None:
            row = SignalHousehold(activity_id=activity_id, key=household.key)
        was_open = not created and row.open_signals > 0
        reopened = _apply(
            row,
            household,
            rules=rules,
            since=since,
            on=on,
            earlier_outreach=row.pk in contacted,
        )
        if created and not row.open_signals:
            report.households += 1
            report.linked.extend(household.subjects)
            continue  # never on the list: no row until a signal is open
        row.save()
        report.households += 1
        report.linked.extend(household.subjects)
        if row.open_signals:
            report.open += 1
            report.triaged.extend(household.subjects)
            report.new += created
            report.reopened += reopened
        elif was_open:
            report.closed += 1
    for key, row in rows.items():
        if key in seen:
            continue
        was_open = row.open_signals > 0
        _apply(row, None, rules=rules, since=since, on=on, earlier_outreach=False)
        row.save()
        report.closed += was_open
    monitor_record(activity_id=activity_id, read=read, on=on)
    SignalList.objects.update_or_create(
        activity_id=activity_id,
        defaults={
            "run_id": read.run_id or "",
            "linked_at": report.linked_at,
            "refreshed_at": timezone.now(),
            "refreshed_by": actor.name,
            "rules_version": rules.version,
        },
    )
    return report


def _detail(report: RefreshReport) -> str:
    return (
        f"{report.open} households with open signals ({report.new} new, {report.reopened} "
        f"reopened, {report.closed} without open signals now), rules {report.rules_version}"
    )


def signals_refresh(
    *, activity_id: int, actor: Actor, trace: TraceContext, via: str, client: str = ""
) -> RefreshReport:
    """The work list of the activity made again from its latest signal linkage: per household
    the open signals, triaged by the municipality's rules (``earlier_outreach``: the household
    has outreach registered). A household without open signals keeps its row (no longer on the
    list); a concluded one with a newer signal is new again. Debt workers and administrators
    (and the workspace operator); logged with every person triaged."""
    require_role(actor, Role.DEBT_WORKER, Role.ADMINISTRATOR, operator=True)
    started = datetime.now(UTC)
    _operational(activity_id=activity_id, trace=trace)
    on = signals_date()
    report = _refresh(
        activity_id=activity_id, actor=actor, read=_read(activity_id=activity_id, on=on), on=on
    )
    _log(
        actor=actor,
        trace=trace,
        via=via,
        client=client,
        operation=SIGNALS_REFRESH,
        activity_id=activity_id,
        subjects=report.triaged,
        started=started,
        detail=_detail(report),
    )
    return report


@dataclass(frozen=True)
class LinkOutcome:
    link: LinkReport
    refresh: RefreshReport


def signals_link(
    *,
    activity_id: int,
    actor: Actor,
    trace: TraceContext,
    via: str,
    client: str = "",
    progress: Callable[[str, int, int], None] | None = None,
) -> LinkOutcome:
    """Link every delivered signal to a person in the identity zone (``meedoen signals link``:
    by BSN where the partner sent one, else by the linkage engine), then refresh the work
    list. An administrator or the workspace operator; logged as ``signals.link`` with every
    person linked."""
    require_role(actor, Role.ADMINISTRATOR, operator=True)
    started = datetime.now(UTC)
    _operational(activity_id=activity_id, trace=trace)
    try:
        link = link_signals(
            home=settings.MEEDOEN_HOME, activity_id=activity_id, publish=False, progress=progress
        )
    except (LinkError, VaultBusy, OSError) as exc:
        raise _unavailable(exc) from None
    _operational(activity_id=activity_id, trace=trace)  # not revoked meanwhile
    on = signals_date()
    refresh = _refresh(
        activity_id=activity_id, actor=actor, read=_read(activity_id=activity_id, on=on), on=on
    )
    _log(
        actor=actor,
        trace=trace,
        via=via,
        client=client,
        operation=SIGNALS_LINK,
        activity_id=activity_id,
        subjects=refresh.linked,
        started=started,
        detail=(
            f"{link.records} signals, {link.linked} linked "
            f"({', '.join(f'{k} {v}' for k, v in sorted(link.by_status.items()))}); "
            + _detail(refresh)
        ),
    )
    return LinkOutcome(link, refresh)


# -- the work list --------------------------------------------------------------------------


def _activity(activity_id: int | None) -> int:
    """The activity asked for, or the first a debt worker may use now (PermissionDenied when
    there is none: no approved activity, no page)."""
    if activity_id:
        return activity_id
    choices = signal_activities()
    if not choices:
        raise PermissionDenied(
            _(
                "No approved operational processing activity for debt help lets debt workers "
                "see early signals. The privacy officer approves one."
            )
        )
    return choices[0].id


@dataclass(frozen=True)
class WorkRow:
    household: SignalHousehold
    name: str  # the contact person's; empty when the register no longer holds them
    outreach: bool  # earlier outreach registered


@dataclass(frozen=True)
class Worklist:
    activity: ActivityState
    activities: list[ActivityState]
    page: Page
    rows: list[WorkRow]
    state: SignalList | None
    on: date
    problem: str  # names could not be read now (the vault busy)


def worklist_read(
    *,
    actor: Actor,
    activity_id: int | None,
    filters: Filters,
    page: int | str | None,
    trace: TraceContext,
    via: str,
    client: str = "",
) -> Worklist:
    """One page of the work list (50 households, most urgent first) with the name of each
    household's contact person, read from the vault and logged for every person of the rows
    shown. Debt workers under an approved activity only (PermissionDenied otherwise)."""
    require_role(actor, Role.DEBT_WORKER)
    state = _operational(activity_id=_activity(activity_id), trace=trace)
    started = datetime.now(UTC)
    shown = households_page(activity_id=state.id, filters=filters, user=actor.user, number=page)
    problem = ""
    try:
        named = persons_named(
            home=settings.MEEDOEN_HOME, persons=[h.persons[0] for h in shown.items if h.persons]
        )
    except (FamilyError, VaultBusy, OSError) as exc:
        named, problem = {}, str(exc)
    if named:
        _log(
            actor=actor,
            trace=trace,
            via=via,
            client=client,
            operation=WORKLIST_READ,
            activity_id=state.id,
            subjects=[p for h in shown.items for p in h.persons],
            started=started,
            detail=f"page {shown.number}: {len(shown.items)} households listed with names",
        )
    rows = [
        WorkRow(h, named.get(h.persons[0], ("", None))[0] if h.persons else "", h.outreach)  # type: ignore[attr-defined]
        for h in shown.items
    ]
    return Worklist(
        activity=state,
        activities=signal_activities(),
        page=shown,
        rows=rows,
        state=SignalList.objects.filter(activity_id=state.id).first(),
        on=signals_date(),
        problem=problem,
    )


def worklist_api(
    *,
    actor: Actor,
    activity_id: int | None,
    filters: Filters,
    trace: TraceContext,
    via: str,
    client: str = "",
) -> tuple[ActivityState, list[SignalHousehold]]:
    """Every household of the work list (no names), for the API; logged for every person of
    the households returned (their signals and amounts are shown)."""
    require_role(actor, Role.DEBT_WORKER)
    state = _operational(activity_id=_activity(activity_id), trace=trace)
    started = datetime.now(UTC)
    rows = list(households_open(activity_id=state.id, filters=filters, user=actor.user))
    if rows:
        _log(
            actor=actor,
            trace=trace,
            via=via,
            client=client,
            operation=WORKLIST_READ,
            activity_id=state.id,
            subjects=[p for h in rows for p in h.persons],
            started=started,
            detail=f"{len(rows)} households listed without names",
        )
    return state, rows


@dataclass(frozen=True)
class Unlinked:
    activity: ActivityState
    signals: list[UnlinkedSignal]
    state: SignalList | None
    on: date


def unlinked_read(*, actor: Actor, activity_id: int | None, trace: TraceContext) -> Unlinked:
    """The open-window signals that are not on a household (awaiting review, not linked, or
    delivered after the last linkage), by signal id, partner, date and reason: no person is
    shown, so nothing is logged. Debt workers under an approved activity only."""
    require_role(actor, Role.DEBT_WORKER)
    state = _operational(activity_id=_activity(activity_id), trace=trace)
    on = signals_date()
    since = signals_since(on=on)
    read = _read(activity_id=state.id, on=on)
    return Unlinked(
        activity=state,
        signals=[s for s in read.unlinked if s.signal_date >= since],
        state=SignalList.objects.filter(activity_id=state.id).first(),
        on=on,
    )


# -- a household ----------------------------------------------------------------------------


def _household(*, household_id: int) -> SignalHousehold:
    """The household (ObjectDoesNotExist for none); PermissionDenied when it is not on the work
    list (no open signals): a concluded household is not shown again."""
    row = SignalHousehold.objects.select_related("assigned_to").get(pk=household_id)
    if row.open_signals == 0:
        raise PermissionDenied(_("This household has no open signals: it is not on the work list."))
    return row


@dataclass(frozen=True)
class SignalLine:
    signal: Signal
    triggering: bool  # one of the signals that made the rule hold
    name: str  # whom the signal names


@dataclass(frozen=True)
class Resident:
    member: Member
    help: list[str]  # labels of the help current on the day, with the provider


@dataclass(frozen=True)
class HouseholdView:
    household: SignalHousehold
    activity: ActivityState
    on: date
    name: str  # the contact person's
    address: str
    address_hidden: bool
    signals: list[SignalLine]
    residents: list[Resident]
    family: Family | None
    contacts: list[Contact]


def _help(family: Family, member: Member) -> list[str]:
    """The help current on the day (the signals themselves are not help: shown apart)."""
    items = []
    for service in family.services.get(member.bsn, []):
        if service.current and service.domain != SIGNALS:
            provider = service.provider.name or service.provider.code if service.provider else ""
            items.append(f"{service.label}, {provider}" if provider else service.label)
    for involvement in family.involvements.get(member.bsn, []):
        if involvement.current:
            items.append(f"{involvement.professional}, {involvement.organisation}")
    return items


def household_view(
    *, actor: Actor, household_id: int, trace: TraceContext, via: str, client: str = ""
) -> HouseholdView:
    """A household of the work list: its open signals (the triggering ones marked), the
    residents at the address with their current help in the activity's sources, and the
    outreach so far; one processing record per person shown. PermissionDenied for anyone but a
    debt worker under the household's approved activity, or a household not on the list;
    ObjectDoesNotExist for none; ValidationError when the identity zone cannot be read now."""
    require_role(actor, Role.DEBT_WORKER)
    row = _household(household_id=household_id)
    state = _operational(activity_id=row.activity_id, trace=trace)
    started = datetime.now(UTC)
    on = signals_date()
    read = _read(activity_id=row.activity_id, on=on)
    found = next((h for h in read.households if h.key == row.key), None)
    if found is None:
        raise ValidationError(
            _(
                "The signals of this household are no longer linked: the work list is refreshed "
                "at the next linkage."
            ),
            code="gone",
        )
    names = {p.pseudonym: p.name for p in found.persons}
    open_ids = set(row.signal_ids)
    lines = [
        SignalLine(
            s, s.signaalid in row.triggered, names.get(found.signal_person.get(s.signaalid, ""), "")
        )
        for s in sorted(found.signals, key=lambda s: (s.signal_date, s.signaalid))
        if s.signaalid in open_ids
    ]
    family: Family | None = None
    residents: list[Resident] = []
    try:
        bsn = person_bsn(home=settings.MEEDOEN_HOME, person=row.persons[0])
        family = family_read(
            home=settings.MEEDOEN_HOME,
            bsn=bsn,
            on=on,
            allowed=state.sources,
            max_age_days=source_max_age_days(),
            now=datetime.now(UTC).replace(tzinfo=None),
        )
    except VaultBusy as exc:
        raise _unavailable(exc) from None
    except (FamilyError, IndexError):
        family = None  # the register no longer holds the person: the signals only
    if family is not None:
        residents = [
            Resident(m, _help(family, m))
            for m in family.members
            if (m.lives_at_address or m.role == "zelf") and m.deceased is None
        ]
    hidden = found.address_hidden or bool(family and family.address_hidden)
    subjects = {*found.subjects, *(r.member.pseudonym for r in residents)}
    _log(
        actor=actor,
        trace=trace,
        via=via,
        client=client,
        operation=HOUSEHOLD_READ,
        activity_id=row.activity_id,
        subjects=subjects,
        started=started,
        detail=(f"household {row.pk}: {len(lines)} open signals, {len(subjects)} persons shown"),
    )
    return HouseholdView(
        household=row,
        activity=state,
        on=on,
        name=found.persons[0].name if found.persons else "",
        address="" if hidden else found.address,
        address_hidden=hidden,
        signals=lines,
        residents=residents,
        family=family,
        contacts=list(row.contacts.all()),
    )


@transaction.atomic
def household_assign(
    *,
    actor: Actor,
    household_id: int,
    worker: str,
    trace: TraceContext,
    via: str,
    client: str = "",
) -> SignalHousehold:
    """A debt worker gives a household of the work list to a debt worker (themselves or a
    colleague); empty ``worker``: to nobody."""
    require_role(actor, Role.DEBT_WORKER)
    started = datetime.now(UTC)
    row = _household(household_id=household_id)
    _operational(activity_id=row.activity_id, trace=trace)
    owner: User | None = None
    if worker:
        owner = User.objects.filter(username=worker, role=Role.DEBT_WORKER, is_active=True).first()
        if owner is None:
            raise ValidationError(_("Choose a debt worker."), code="worker")
    row.assigned_to = owner
    row.save(update_fields=["assigned_to"])
    _log(
        actor=actor,
        trace=trace,
        via=via,
        client=client,
        operation=HOUSEHOLD_ASSIGN,
        activity_id=row.activity_id,
        subjects=row.persons,
        started=started,
        detail=f"household {row.pk}: assigned to {owner.username if owner else 'nobody'}",
    )
    return row


def _codes(*, channel: str, result: str, follow_up: str, on: date | None) -> date:
    errors: dict[str, Any] = {}
    if channel not in CHANNELS:
        errors["channel"] = _("Choose how the household was approached.")
    if result not in RESULTS:
        errors["result"] = _("Choose the result of the outreach.")
    if follow_up not in FOLLOW_UPS:
        errors["follow_up"] = _("Choose the follow-up.")
    latest = max(timezone.localdate(), signals_date())
    if on is None:
        errors["date"] = _("Give the date of the outreach.")
    elif on > latest:
        errors["date"] = _("The date of the outreach cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    assert on is not None
    return on


def contact_register(
    *,
    actor: Actor,
    household_id: int,
    channel: str,
    result: str,
    follow_up: str,
    on: date | None,
    trace: TraceContext,
    via: str,
    client: str = "",
) -> Contact:
    """Register an outreach to a household of the work list and its outcome. Not reached, or a
    new attempt as follow-up, keeps (or puts) the household in progress; every other result
    concludes it: status concluded, ``closed_at`` the date, and its signals up to that date are
    closed. The household is triaged again (its signals after the date, earlier outreach now
    known); a signal newer than the date makes it new again."""
    require_role(actor, Role.DEBT_WORKER)
    started = datetime.now(UTC)
    day = _codes(channel=channel, result=result, follow_up=follow_up, on=on)
    row = _household(household_id=household_id)
    _operational(activity_id=row.activity_id, trace=trace)
    today = signals_date()
    read = _read(activity_id=row.activity_id, on=today)
    try:
        rules: RuleSet | None = _rules()
    except ValidationError:
        rules = None  # the outreach counts; the priority waits for a usable rule file
    with transaction.atomic():
        row = SignalHousehold.objects.select_for_update().get(pk=row.pk)
        contact = Contact.objects.create(
            household=row,
            date=day,
            channel=channel,
            result=result,
            follow_up=follow_up,
            registered_by=actor.name,
            signal_ids=list(row.signal_ids),
        )
        if result in NOT_CONCLUDING or follow_up == TRY_AGAIN:
            row.status = IN_BEHANDELING
        else:
            row.status = AFGEROND
            row.closed_at = max(day, row.closed_at) if row.closed_at else day
        found = next((h for h in read.households if h.key == row.key), None)
        _apply(
            row,
            found,
            rules=rules,
            since=signals_since(on=today),
            on=today,
            earlier_outreach=True,
        )
        row.save()
    _log(
        actor=actor,
        trace=trace,
        via=via,
        client=client,
        operation=CONTACT_REGISTER,
        activity_id=row.activity_id,
        subjects=row.persons,
        started=started,
        detail=(
            f"household {row.pk}: {channel} on {day.isoformat()}, {result}, {follow_up} -> "
            f"{row.status}"
        ),
    )
    return contact


__all__ = [
    "HouseholdView",
    "LinkOutcome",
    "RefreshReport",
    "Unlinked",
    "Worklist",
    "contact_register",
    "household_assign",
    "household_view",
    "signals_link",
    "signals_refresh",
    "unlinked_read",
    "worklist_api",
    "worklist_read",
]
