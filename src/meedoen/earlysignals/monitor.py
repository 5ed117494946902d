"""The monitor of early signalling (issue 21): figures per month and wijk, disclosure-controlled,
and the export for the national monitor.

**What is kept.** Signals are deleted after their retention period (:mod:`.retention`), so what
the monitor needs about past months is kept as aggregates: :func:`monitor_record` (called at
every refresh of the work list) counts every linked signal per month of its signal date x
partner x the household's wijk (:class:`~.models.SignalMonth`), and remembers for every first
outreach to a household the date of the oldest open signal it answered
(:class:`~.models.FirstContact`). A month retention may have thinned (its first day lies before
the retention cut-off) keeps the counts stored before; a month no longer read at all keeps them
too. Outreach (:class:`~.models.Contact`) stays in the web database until the activity ends.

**What is shown.** :func:`monitor_read` makes, per month, four tables with the gemeente as
margin — signals (wijk x partner), households with signals (wijk x already in debt help),
households contacted (wijk x outcome) and households with a first contact (wijk) — and releases
them together through :func:`meedoen_data.disclosure.publication_protect` with the activity's
floor (minimum frequency, protection, the group rule): CBS's default, as an operational
activity has no floors of its own (``activity_approve`` stores none for it). A cell of the
signals table is also unsafe when it concerns fewer households than the minimum frequency.
Every number shown or exported is read from that Release
(:func:`~meedoen_data.disclosure.release_json`): a hidden cell is the module's ``HIDDEN``
marker, never a number. Figures of a period are sums of the months'
published figures, hidden when any month's is hidden (a sum with one hidden part would give
that part away); a rate is shown only when its numerator and denominator are published, a median
only when the number of households it is taken over is.

Each month is released on its own and always the same way for the same data (its wijken are
those of the month), so choosing another period never publishes a month differently.

**The national monitor.** Outcomes are meedoen's results of an outreach (a household's latest
result in the month that reached it, else *niet bereikt*), mapped to the categories of the
national model for early signalling (VNG's DDAS model *Vroegsignalering*, whose final results
the Divosa *Monitor Vroegsignalering Schulden* reports): :data:`NATIONAL`.
:mod:`.monitor_export` writes one month for the gemeente and per wijk as CSV or XLSX.
"""

from __future__ import annotations

import statistics
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max, Min
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meedoen.accounts.roles import Role
from meedoen.activities.actors import Actor, require_role
from meedoen.activities.enforcement import activity_authorize_operational
from meedoen.activities.floors import Floor
from meedoen.activities.selectors import ActivityState, activity_current
from meedoen.areas.models import Area
from meedoen.audits.trace import TraceContext
from meedoen.earlysignals.models import (
    Contact,
    FirstContact,
    SignalHousehold,
    SignalList,
    SignalMonth,
)
from meedoen.earlysignals.selectors import SIGNALS, signal_activities, signals_date, wijk_labels
from meedoen.web.labels import CONTACT_RESULTS
from meedoen_data.disclosure import (
    HIDDEN,
    TOTAL,
    Cell,
    DisclosureError,
    Release,
    Rules,
    Table,
    Withheld,
    primary_cells,
    publication_protect,
    release_json,
)
from meedoen_data.disclosure.table import Dimension
from meedoen_data.signals.rules import PARTNERS
from meedoen_data.signals.worklist import SignalsRead

__all__ = [
    "ALL_PARTNERS",
    "HIDDEN",
    "NATIONAL",
    "OUTCOMES",
    "Count",
    "Figures",
    "Monitor",
    "monitor_read",
    "monitor_record",
    "monitor_view",
]

#: The partner of a SignalMonth row that counts every partner together.
ALL_PARTNERS = ""
#: The wijk code the tables use for households without a wijk (no address in the register).
NO_WIJK = "onbekend"
#: Who may see the monitor: aggregates only, disclosure-controlled.
READERS = (Role.DEBT_WORKER, Role.POLICY_MAKER)
#: The months a page shows at most.
MAX_MONTHS = 24
#: The months a page shows unless asked otherwise (up to the day's month).
DEFAULT_MONTHS = 12
MONITOR_EXPORT = "signals.monitor.export"

#: Outreach results (``CONTACT_RESULTS``): not reached keeps the outreach going, as does the
#: follow-up "new attempt" (the same as the services' ``NOT_CONCLUDING`` / ``TRY_AGAIN``).
NOT_REACHED = "niet_bereikt"
TRY_AGAIN = "nieuwe_poging"
#: Outreach that starts debt help: a household in debt help after it was not "already" in it.
HELP_STARTED_RESULTS = ("hulp_geaccepteerd",)
HELP_STARTED_FOLLOW_UPS = ("intake_schuldhulp",)
#: The outcome categories of the households contacted in a month, in the order shown: a
#: household's latest result in the month that reached it, else not reached.
OUTCOMES = ("niet_bereikt", "bereikt", "hulp_geaccepteerd", "hulp_geweigerd", "doorverwezen",
            "al_in_hulp")  # fmt: skip
#: Labels of the outcome categories; "bereikt" as an outcome is reached and nothing else.
OUTCOME_LABELS: dict[str, Any] = {
    **CONTACT_RESULTS,
    "bereikt": gettext_lazy("Reached only"),
}
#: meedoen's outcome -> the national model's categories (VNG DDAS *Vroegsignalering*:
#: ``Contactpoging.bereikt`` and ``EnumEindresultaat``, as the Divosa monitor reports them).
#: Dutch names of a national standard: not translated.
NATIONAL: dict[str, str] = {
    "niet_bereikt": "Contactpoging bereikt = nee; nog geen eindresultaat "
    "(afgesloten zonder contact: Definitief geen contact kunnen krijgen)",
    "bereikt": "Inwoner hoeft geen hulp vanuit vroegsignalering / Inwoner heeft zelf al "
    "betaald/betalingsregeling getroffen",
    "hulp_geaccepteerd": "(Budget)advies en/of 'quick fix' / Vervolghulp en/of verwijzing "
    "financieel",
    "hulp_geweigerd": "Inwoner hoeft geen hulp vanuit vroegsignalering",
    "doorverwezen": "Vervolghulp en/of verwijzing niet financieel",
    "al_in_hulp": "Inwoner al bekend bij schuldhulpverlening / Inwoner heeft al een ander "
    "lopend traject",
}
#: meedoen's partners -> the national model's ``EnumSignaalpartner``.
NATIONAL_PARTNERS: dict[str, str] = {
    "HUUR": "Huur",
    "ENERGIE": "Energie",
    "WATER": "Water",
    "ZORGVERZEKERAAR": "Zorg",
    "CAK": "CAK Zorgverzekeringen",
}

# The tables of a month: their names, dimensions and what every unit has in common (so that
# cells of different tables never count as the same cell).
SIGNALS_TABLE, HOUSEHOLDS_TABLE, OUTREACH_TABLE, FIRST_TABLE = (
    "signals",
    "households",
    "outreach",
    "first_contacts",
)
DEBT_HELP = ("ja", "nee")


# -- recording -----------------------------------------------------------------------------


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _first_day(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


def _next_month(month: str) -> str:
    day = _first_day(month)
    return _month(date(day.year + day.month // 12, day.month % 12 + 1, 1))


def _concluding(contact: Contact) -> bool:
    return bool(contact.result != NOT_REACHED and contact.follow_up != TRY_AGAIN)


@dataclass
class _Counted:
    signals: int = 0
    households: set[str] = field(default_factory=set)
    in_debt_help: set[str] = field(default_factory=set)


def monitor_record(*, activity_id: int, read: SignalsRead, on: date | None = None) -> int:
    """Keep the monitor's aggregates of ``read`` (every linked signal of the activity, per
    household): per month of the signal date x partner (and every partner together) x the
    household's wijk, the signals, the distinct households and those already in debt help;
    and per first outreach the oldest open signal it answered. A month in ``read`` replaces what
    was stored for it, unless retention may have thinned it (its first day lies before ``on``
    minus ``MEEDOEN_SIGNALS_RETENTION_DAYS``) and it was stored before: then the stored counts
    stay, as they do for a month no longer in ``read``. Returns the month rows written. Called
    by the refresh of the work list, in its transaction."""
    on = on or signals_date()
    before = on - timedelta(days=int(settings.SIGNALS_RETENTION_DAYS))
    households = {row.key: row for row in SignalHousehold.objects.filter(activity_id=activity_id)}
    contacts: dict[int, list[Contact]] = defaultdict(list)
    for contact in Contact.objects.filter(household__activity_id=activity_id).order_by(
        "household_id", "date", "registered_at", "pk"
    ):
        contacts[contact.household_id].append(contact)

    counted: dict[tuple[str, str, str], _Counted] = defaultdict(_Counted)
    for household in read.households:
        row = households.get(household.key)
        helped = [
            c.date
            for c in (contacts.get(row.pk, []) if row is not None else [])
            if c.result in HELP_STARTED_RESULTS or c.follow_up in HELP_STARTED_FOLLOW_UPS
        ]
        for signal in household.signals:
            month = _month(signal.signal_date)
            # In debt help "already": not when it followed an outreach in or after the month.
            debt = household.in_debt_help and not any(d >= _first_day(month) for d in helped)
            for partner in (signal.partner, ALL_PARTNERS):
                cell = counted[(month, partner, household.wijk)]
                cell.signals += 1
                cell.households.add(household.key)
                if debt:
                    cell.in_debt_help.add(household.key)

    stored: dict[str, dict[tuple[str, str], SignalMonth]] = defaultdict(dict)
    for month_row in SignalMonth.objects.filter(activity_id=activity_id):
        stored[month_row.month][(month_row.partner, month_row.wijk)] = month_row
    written = 0
    for month in sorted({key[0] for key in counted}):
        if _first_day(month) < before and stored.get(month):
            continue  # retention may have deleted some of its signals: keep what was counted
        now = {(p, w): c for (m, p, w), c in counted.items() if m == month}
        old = stored.get(month, {})
        gone = [row.pk for key, row in old.items() if key not in now]
        if gone:
            SignalMonth.objects.filter(pk__in=gone).delete()
        for (partner, wijk), cell in sorted(now.items()):
            values = {
                "signals": cell.signals,
                "households": len(cell.households),
                "in_debt_help": len(cell.in_debt_help),
            }
            row_now = old.get((partner, wijk))
            if row_now is None:
                SignalMonth.objects.create(
                    activity_id=activity_id, month=month, partner=partner, wijk=wijk, **values
                )
            elif any(getattr(row_now, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row_now, k, v)
                row_now.save()
            written += 1
    _first_contacts_record(activity_id, read, households, contacts)
    return written


def _first_contacts_record(
    activity_id: int,
    read: SignalsRead,
    households: Mapping[str, SignalHousehold],
    contacts: Mapping[int, list[Contact]],
) -> None:
    """Per household of ``read``, each first outreach (the first, or the first after one that
    concluded) with the oldest open signal it answered on or before its date. A contact whose
    signals are no longer read keeps what was recorded."""
    known = dict(
        FirstContact.objects.filter(contact__household__activity_id=activity_id).values_list(
            "contact_id", "first_signal"
        )
    )
    for household in read.households:
        row = households.get(household.key)
        if row is None:
            continue
        dates = {s.signaalid: s.signal_date for s in household.signals}
        first = True
        for contact in contacts.get(row.pk, []):
            if first:
                answered = [
                    dates[i]
                    for i in contact.signal_ids or []
                    if i in dates and dates[i] <= contact.date
                ]
                if answered and known.get(contact.pk) != min(answered):
                    FirstContact.objects.update_or_create(
                        contact=contact, defaults={"first_signal": min(answered)}
                    )
            first = _concluding(contact)


# -- figures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """A published count, or None: hidden (shown as ``HIDDEN``)."""

    value: int | None

    @property
    def hidden(self) -> bool:
        return self.value is None

    def __add__(self, other: Count) -> Count:
        if self.value is None or other.value is None:
            return Count(None)
        return Count(self.value + other.value)


ZERO = Count(0)


def _sum(counts: Iterable[Count]) -> Count:
    total = ZERO
    for count in counts:
        total = total + count
    return total


@dataclass(frozen=True)
class Figures:
    """The monitor's figures of a month or a period, for the gemeente or a wijk."""

    signals: Count = ZERO
    partners: dict[str, Count] = field(default_factory=dict)
    households: Count = ZERO
    in_debt_help: Count = ZERO
    contacted: Count = ZERO
    outcomes: dict[str, Count] = field(default_factory=dict)
    first_contacts: Count = ZERO
    #: Days from the oldest open signal to the first contact, of the first contacts counted
    #: (kept for the median; never shown one by one).
    days: tuple[int, ...] = field(default=(), repr=False)

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            signals=self.signals + other.signals,
            partners={
                p: self.partners.get(p, ZERO) + other.partners.get(p, ZERO)
                for p in sorted(set(self.partners) | set(other.partners))
            },
            households=self.households + other.households,
            in_debt_help=self.in_debt_help + other.in_debt_help,
            contacted=self.contacted + other.contacted,
            outcomes={
                o: self.outcomes.get(o, ZERO) + other.outcomes.get(o, ZERO) for o in OUTCOMES
            },
            first_contacts=self.first_contacts + other.first_contacts,
            days=self.days + other.days,
        )

    def outcome(self, code: str) -> Count:
        return self.outcomes.get(code, ZERO)

    def partner(self, code: str) -> Count:
        return self.partners.get(code, ZERO)

    @property
    def reached(self) -> Count:
        """Contacted and reached: every outcome but not reached (from published cells only)."""
        contacted, not_reached = self.contacted.value, self.outcome(NOT_REACHED).value
        if contacted is not None and not_reached is not None:
            return Count(contacted - not_reached)
        return _sum(self.outcome(o) for o in OUTCOMES if o != NOT_REACHED)

    @property
    def accepted(self) -> Count:
        return self.outcome("hulp_geaccepteerd")

    @property
    def acceptance(self) -> float | None:
        """Help accepted among the households reached (a fraction), when both are published."""
        reached, accepted = self.reached.value, self.accepted.value
        if reached is None or accepted is None or reached == 0:
            return None
        return accepted / reached

    @property
    def acceptance_hidden(self) -> bool:
        """No rate, because its numerator or denominator is not published."""
        return self.reached.hidden or self.accepted.hidden

    @property
    def median_days(self) -> float | None:
        """The median days to first contact, when the number it is taken over is published."""
        if self.first_contacts.hidden or not self.first_contacts.value or not self.days:
            return None
        return float(statistics.median(self.days))

    @property
    def median_decimals(self) -> int:
        """Places to show the median with: 35 days, or 35.5 (the middle of two)."""
        median = self.median_days
        return 0 if median is None or median.is_integer() else 1


@dataclass(frozen=True)
class Month:
    month: str  # YYYY-MM
    label: str  # december 2024
    gemeente: Figures
    wijken: dict[str, Figures]  # wijk code (NO_WIJK: unknown) -> figures
    release: Release = field(repr=False)
    #: The cells the disclosure control hid in this month's tables.
    hidden: int = 0


@dataclass(frozen=True)
class Monitor:
    activity_id: int
    period_from: str
    period_to: str
    months: list[Month]
    rules: Rules
    total: Figures  # the period, whole gemeente
    wijken: list[tuple[str, str, Figures]]  # (code, label, the period's figures)
    gemeente: tuple[str, str]  # (code, name) of the gemeente, ("", "") when no area says

    @property
    def hidden(self) -> int:
        return sum(m.hidden for m in self.months)

    @property
    def partners(self) -> list[str]:
        """Every partner of the law, and any other partner that sent signals in the period."""
        present = {p for m in self.months for p in m.gemeente.partners}
        return [*PARTNERS, *sorted(present - set(PARTNERS))]


def month_label(month: str) -> str:
    """December 2024 ("december 2024" in Dutch)."""
    return str(formats.date_format(_first_day(month), "YEAR_MONTH_FORMAT"))


def month_short(month: str) -> str:
    """Dec ("dec", "mrt" in Dutch)."""
    return str(formats.date_format(_first_day(month), "b"))


def months_between(period_from: str, period_to: str) -> list[str]:
    out = []
    month = period_from
    while month <= period_to:
        out.append(month)
        month = _next_month(month)
    return out


def monitor_rules(floor: Floor) -> Rules:
    """The rules of the monitor's tables: the activity's floor (minimum frequency, protection,
    the group rule on the categories of the column: partner, already in debt help, outcome).
    Being in debt help is the sensitive category of its table; all of the others are."""
    group = (
        {"partner": frozenset(), "debt_help": frozenset({"ja"}), "outcome": frozenset()}
        if floor.group
        else {}
    )
    return Rules(
        min_frequency=floor.min_frequency,
        dominance=floor.dominance,
        p_percent=floor.p_percent,
        group=group,
        zeros="publish",
        protection=floor.protection,
    )


@dataclass
class _MonthData:
    signals: dict[tuple[str, str], int] = field(default_factory=dict)  # (wijk, partner)
    households: dict[tuple[str, str], int] = field(default_factory=dict)  # (wijk, partner|"")
    debt: dict[str, int] = field(default_factory=dict)  # wijk -> already in debt help
    outcomes: dict[tuple[str, str], int] = field(default_factory=dict)  # (wijk, outcome)
    first: dict[str, list[int]] = field(default_factory=dict)  # wijk -> days


def _wijk(code: str) -> str:
    return code or NO_WIJK


def _month_data(activity_id: int, month: str) -> _MonthData:
    data = _MonthData()
    for row in SignalMonth.objects.filter(activity_id=activity_id, month=month):
        wijk = _wijk(row.wijk)
        data.households[(wijk, row.partner)] = row.households
        if row.partner == ALL_PARTNERS:
            data.debt[wijk] = row.in_debt_help
        else:
            data.signals[(wijk, row.partner)] = row.signals
    start, end = _first_day(month), _first_day(_next_month(month))
    latest: dict[int, tuple[tuple[date, datetime, int], str]] = {}
    contacted: dict[int, str] = {}
    for contact in Contact.objects.filter(
        household__activity_id=activity_id, date__gte=start, date__lt=end
    ).select_related("household"):
        contacted[contact.household_id] = _wijk(contact.household.wijk)
        if contact.result == NOT_REACHED:
            continue
        order = (contact.date, contact.registered_at, contact.pk)
        if contact.household_id not in latest or order > latest[contact.household_id][0]:
            latest[contact.household_id] = (order, contact.result)
    for household_id, wijk in contacted.items():
        outcome = latest[household_id][1] if household_id in latest else NOT_REACHED
        data.outcomes[(wijk, outcome)] = data.outcomes.get((wijk, outcome), 0) + 1
    for first in FirstContact.objects.filter(
        contact__household__activity_id=activity_id,
        contact__date__gte=start,
        contact__date__lt=end,
    ).select_related("contact__household"):
        data.first.setdefault(_wijk(first.contact.household.wijk), []).append(first.days)
    return data


def _tables(data: _MonthData) -> tuple[list[Table], dict[str, list[str]]]:
    """The month's four tables (the gemeente as every table's margin) and their wijken."""
    wijken = sorted(
        {w for w, _ in data.signals}
        | {w for w, _ in data.households}
        | {w for w, _ in data.outcomes}
        | set(data.first)
    )
    present = {p for _, p in data.signals}
    partners = [p for p in PARTNERS if p in present] + sorted(present - set(PARTNERS))
    wijk = Dimension.flat("wijk", wijken)
    signals = Table.from_leaves(
        SIGNALS_TABLE,
        [wijk, Dimension.flat("partner", partners)],
        {key: Cell(n) for key, n in data.signals.items()},
        given=[("measure", SIGNALS_TABLE)],
    )
    households: dict[tuple[str, ...], Cell] = {}
    for w in wijken:
        everyone = data.households.get((w, ALL_PARTNERS), 0)
        debt = data.debt.get(w, 0)
        households[(w, "ja")] = Cell(debt)
        households[(w, "nee")] = Cell(everyone - debt)
    households_table = Table.from_leaves(
        HOUSEHOLDS_TABLE,
        [wijk, Dimension.flat("debt_help", DEBT_HELP)],
        households,
        given=[("measure", HOUSEHOLDS_TABLE)],
    )
    outreach = Table.from_leaves(
        OUTREACH_TABLE,
        [wijk, Dimension.flat("outcome", OUTCOMES)],
        {key: Cell(n) for key, n in data.outcomes.items()},
        given=[("measure", OUTREACH_TABLE)],
    )
    first = Table.from_leaves(
        FIRST_TABLE,
        [wijk],
        {(w,): Cell(len(days)) for w, days in data.first.items()},
        given=[("measure", FIRST_TABLE)],
    )
    return [signals, households_table, outreach, first], {"wijken": wijken, "partners": partners}


def _few_households(table: Table, data: _MonthData, rules: Rules) -> Withheld | None:
    """The cells of the signals table that concern fewer households than the minimum
    frequency (a household may have several signals), to be protected as unsafe."""
    wijken = [w for w in table.dimensions[0].codes() if w != TOTAL]

    def households(wijk: str, partner: str) -> int:
        key = ALL_PARTNERS if partner == TOTAL else partner
        if wijk == TOTAL:
            return sum(data.households.get((w, key), 0) for w in wijken)
        return data.households.get((wijk, key), 0)

    unsafe = primary_cells(table, rules)
    few = {
        table.identity(key): "primary"
        for key, cell in table.cells.items()
        if key not in unsafe and cell.units and 0 < households(*key) < rules.min_frequency
    }
    if not few:
        return None
    return Withheld(release="the rule on households", rules=rules, cells=few)


def _lookup(release: Release) -> dict[tuple[str, tuple[str, ...]], int | None]:
    """Every cell the Release published (its value) or hid (None), by table and codes."""
    out: dict[tuple[str, tuple[str, ...]], int | None] = {}
    for table in release_json(release)["tables"]:
        for cell in table["cells"]:
            codes = tuple(str(cell[d]) for d in table["dimensions"])
            value = cell["value"]
            out[(table["name"], codes)] = None if value is None else int(value)
    return out


def _figures(
    cells: Mapping[tuple[str, tuple[str, ...]], int | None],
    wijk: str,
    partners: Sequence[str],
    days: Sequence[int],
) -> Figures:
    def count(table: str, *codes: str) -> Count:
        return Count(cells.get((table, (wijk, *codes)), 0))

    return Figures(
        signals=count(SIGNALS_TABLE, TOTAL),
        partners={p: count(SIGNALS_TABLE, p) for p in partners},
        households=count(HOUSEHOLDS_TABLE, TOTAL),
        in_debt_help=count(HOUSEHOLDS_TABLE, "ja"),
        contacted=count(OUTREACH_TABLE, TOTAL),
        outcomes={o: count(OUTREACH_TABLE, o) for o in OUTCOMES},
        first_contacts=count(FIRST_TABLE),
        days=tuple(days),
    )


#: Releases made in this process, by the rules and the month's data: the same data is released
#: once (the same way every time; a page of twelve months does not protect twelve tables anew).
_RELEASES: OrderedDict[tuple[Any, ...], Release] = OrderedDict()
_RELEASES_KEPT = 512
_RELEASES_LOCK = threading.Lock()


def _protected(data: _MonthData, rules: Rules, month: str) -> tuple[Release, dict[str, list[str]]]:
    tables, shape = _tables(data)
    key = (
        repr(rules),  # (its group rule is a dict; the repr is stable within the process)
        tuple(sorted(data.signals.items())),
        tuple(sorted(data.households.items())),
        tuple(sorted(data.debt.items())),
        tuple(sorted(data.outcomes.items())),
        tuple(sorted((w, len(days)) for w, days in data.first.items())),
    )
    with _RELEASES_LOCK:
        release = _RELEASES.get(key)
        if release is not None:
            _RELEASES.move_to_end(key)
            return release, shape
    withheld = _few_households(tables[0], data, rules)
    try:
        release = publication_protect(
            tables, rules, measure="count", withheld=[withheld] if withheld else []
        )
    except DisclosureError as exc:
        raise ValidationError(
            _("The figures of %(month)s cannot be published safely: %(error)s"),
            code="disclosure",
            params={"month": month_label(month), "error": str(exc)},
        ) from None
    with _RELEASES_LOCK:
        _RELEASES[key] = release
        while len(_RELEASES) > _RELEASES_KEPT:
            _RELEASES.popitem(last=False)
    return release, shape


def _month_release(activity_id: int, month: str, rules: Rules) -> Month:
    data = _month_data(activity_id, month)
    release, shape = _protected(data, rules, month)
    cells = _lookup(release)
    partners = shape["partners"]
    everything = [d for days in data.first.values() for d in days]
    return Month(
        month=month,
        label=month_label(month),
        gemeente=_figures(cells, TOTAL, partners, everything),
        wijken={w: _figures(cells, w, partners, data.first.get(w, [])) for w in shape["wijken"]},
        release=release,
        hidden=sum(1 for value in cells.values() if value is None),
    )


def _gemeente(wijken: Iterable[str]) -> tuple[str, str]:
    codes = [w for w in wijken if w and w != NO_WIJK]
    parents = set(
        Area.objects.filter(code__in=codes)
        .exclude(parent_code="")
        .values_list("parent_code", flat=True)
    )
    area = (
        Area.objects.filter(code__in=parents).first()
        if parents
        else Area.objects.filter(level=Area.Level.GEMEENTE).first()
    )
    return (area.code, area.name) if area is not None else ("", "")


def monitor_read(
    *,
    activity_id: int,
    period_from: str,
    period_to: str,
    floor: Floor | None = None,
) -> Monitor:
    """The monitor's figures of the months ``period_from`` .. ``period_to`` (YYYY-MM): per month
    a Release of its tables under ``floor`` (the activity's, when not given), the figures per
    month and per wijk read from it, and the period's sums. Aggregates only; who may read it is
    the caller's check (:func:`monitor_view`)."""
    if floor is None:
        floor = activity_current(activity_id=activity_id).floor
    rules = monitor_rules(floor)
    months = [_month_release(activity_id, m, rules) for m in months_between(period_from, period_to)]
    total = Figures()
    per_wijk: dict[str, Figures] = {}
    for month in months:
        total = total + month.gemeente
    codes = sorted({w for m in months for w in m.wijken})
    for code in codes:
        # A wijk without figures in a month had none there: zero, published.
        per_wijk[code] = Figures()
        for month in months:
            per_wijk[code] = per_wijk[code] + month.wijken.get(code, Figures())
    names = wijk_labels(codes=[c for c in codes if c != NO_WIJK])
    unknown = str(_("Wijk unknown (no address in the register)"))
    return Monitor(
        activity_id=activity_id,
        period_from=period_from,
        period_to=period_to,
        months=months,
        rules=rules,
        total=total,
        wijken=[(c, unknown if c == NO_WIJK else names.get(c, c), per_wijk[c]) for c in codes],
        gemeente=_gemeente(codes),
    )


# -- the page -------------------------------------------------------------------------------


def _authorize(actor: Actor, activity_id: int | None, trace: TraceContext) -> ActivityState:
    """The approved operational activity of debt help whose signals the monitor counts (the
    first one when none is asked for); PermissionDenied for a role that may not read it, or
    when there is no such activity."""
    require_role(actor, *READERS)
    if not activity_id:
        choices = signal_activities()
        if not choices:
            raise PermissionDenied(
                _(
                    "No approved operational processing activity for debt help lets debt workers "
                    "see early signals. The privacy officer approves one."
                )
            )
        activity_id = choices[0].id
    # The activity must let debt workers work with the signals now (approved, of the debt-help
    # task, listing the signals); a policy maker reads its aggregates only.
    return activity_authorize_operational(
        activity_id=activity_id, role=Role.DEBT_WORKER, sources=(SIGNALS,), trace=trace
    )


def monitor_months(*, activity_id: int) -> list[str]:
    """The months the monitor has figures for, up to the day's month (newest first)."""
    found: set[str] = set(
        SignalMonth.objects.filter(activity_id=activity_id).values_list("month", flat=True)
    )
    span = Contact.objects.filter(household__activity_id=activity_id).aggregate(
        first=Min("date"), last=Max("date")
    )
    today = _month(signals_date())
    if span["first"] is not None:
        found.update(months_between(_month(span["first"]), _month(span["last"])))
    if found:
        found.update(months_between(min(found), today))
    found.add(today)
    return sorted((m for m in found if m <= today), reverse=True)


def period_parse(value: str | None) -> str | None:
    """A month YYYY-MM from a query string, else None."""
    if not value or len(value) != 7 or value[4] != "-":
        return None
    try:
        return _month(_first_day(value))
    except ValueError:
        return None


def _period(period_from: str | None, period_to: str | None) -> tuple[str, str]:
    """The period asked for (months, at most MAX_MONTHS; reversed ends are swapped); by default
    the DEFAULT_MONTHS months up to the day's month."""
    today = _month(signals_date())
    last = min(period_to or today, today)
    if period_from is None:
        day = _first_day(last)
        back = day.year * 12 + day.month - 1 - (DEFAULT_MONTHS - 1)
        period_from = _month(date(back // 12, back % 12 + 1, 1))
    first = period_from
    if first > last:
        first, last = last, first
    months = months_between(first, last)
    if len(months) > MAX_MONTHS:
        first = months[-MAX_MONTHS]
    return first, last


@dataclass(frozen=True)
class MonitorView:
    monitor: Monitor
    activity: ActivityState
    activities: list[ActivityState]
    months: list[str]  # to choose from, newest first
    state: SignalList | None


def monitor_view(
    *,
    actor: Actor,
    activity_id: int | None,
    period_from: str | None,
    period_to: str | None,
    trace: TraceContext,
) -> MonitorView:
    """The monitor page (``/vroegsignalen/monitor/``): debt workers and policy makers, under an
    approved operational activity of debt help. Aggregates only, disclosure-controlled: no
    person is shown, so nothing is logged as read."""
    state = _authorize(actor, activity_id, trace)
    first, last = _period(period_from, period_to)
    return MonitorView(
        monitor=monitor_read(
            activity_id=state.id, period_from=first, period_to=last, floor=state.floor
        ),
        activity=state,
        activities=signal_activities(),
        months=monitor_months(activity_id=state.id),
        state=SignalList.objects.filter(activity_id=state.id).first(),
    )
