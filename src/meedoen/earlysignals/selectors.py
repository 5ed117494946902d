"""Reads of the work list that show no person-level data (names, addresses and the signals
themselves are read by services, which log them): the activities a debt worker works under,
the rows of the list, the debt workers to assign to, the outreach of a household."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Case, Exists, IntegerField, OuterRef, QuerySet, Value, When

from meedoen.accounts.models import User
from meedoen.accounts.roles import Role
from meedoen.activities.selectors import ActivityState, activities_operational
from meedoen.areas.selectors import area_names
from meedoen.cases.selectors import casework_date
from meedoen.earlysignals.models import STATUSES, Contact, SignalHousehold
from meedoen_data.signals.rules import PARTNERS, PRIORITIES

#: The source domain of the early-warning signals; an activity for the work list must list it.
SIGNALS = "signalen"
#: The sources a debt worker's page reads: the register (who, where) and the signals.
SOURCES = ("brp", SIGNALS)
#: Rows of the work list per page.
PER_PAGE = 50
#: Where a municipality keeps its own triage rules (else the shipped ones).
RULES_FILE = Path("signals") / "rules.toml"


def signals_date() -> date:
    """The day the work list is read for: the same "today" as the family view (the demo's
    reference date in a demo workspace, MEEDOEN_CASEWORK_DATE when set)."""
    return casework_date()


def signals_since(*, on: date) -> date:
    """The first signal date still open on ``on`` (MEEDOEN_SIGNALS_OPEN_DAYS before it)."""
    return on - timedelta(days=int(settings.SIGNALS_OPEN_DAYS))


def rules_path() -> Path | None:
    """The municipality's own rule file (HOME/signals/rules.toml), or None for the shipped one."""
    own = Path(settings.MEEDOEN_HOME) / RULES_FILE
    return own if own.is_file() else None


def signal_activities() -> list[ActivityState]:
    """The operational activities approved now under which debt workers work with signals."""
    return [
        state
        for state in activities_operational(role=Role.DEBT_WORKER)
        if SIGNALS in state.sources and SIGNALS not in state.withheld
    ]


def debt_workers() -> list[User]:
    """The active debt workers: whom a household can be assigned to."""
    return list(User.objects.filter(role=Role.DEBT_WORKER, is_active=True).order_by("username"))


@dataclass(frozen=True)
class Filters:
    """The work list's filters (empty: all)."""

    wijk: str = ""
    priority: str = ""
    partner: str = ""
    status: str = ""
    mine: bool = False

    @classmethod
    def parse(cls, query: dict[str, str]) -> Filters:
        """From the page's query string; an unknown value is ignored (all)."""
        return cls(
            wijk=query.get("wijk", "")[:16],
            priority=query.get("prioriteit", "") if query.get("prioriteit") in PRIORITIES else "",
            partner=query.get("partner", "") if query.get("partner") in PARTNERS else "",
            status=query.get("status", "") if query.get("status") in STATUSES else "",
            mine=query.get("mijn") == "1",
        )


def _ordered(rows: QuerySet[SignalHousehold]) -> QuerySet[SignalHousehold]:
    """Most urgent priority first, then the longest waiting (the oldest last signal)."""
    rank = Case(
        *(When(priority=p, then=Value(i)) for i, p in enumerate(PRIORITIES)),
        default=Value(len(PRIORITIES)),
        output_field=IntegerField(),
    )
    return rows.annotate(
        rank=rank,
        outreach=Exists(Contact.objects.filter(household=OuterRef("pk"))),
    ).order_by("rank", "last_signal", "pk")


def households_open(
    *, activity_id: int, filters: Filters = Filters(), user: User | None = None
) -> QuerySet[SignalHousehold]:
    """The activity's households with open signals, filtered, in the work list's order."""
    rows = SignalHousehold.objects.select_related("assigned_to").filter(
        activity_id=activity_id, open_signals__gt=0
    )
    if filters.wijk:
        rows = rows.filter(wijk=filters.wijk)
    if filters.priority:
        rows = rows.filter(priority=filters.priority)
    if filters.partner:
        # The JSON list as text: works on SQLite too (``contains`` on JSON does not).
        rows = rows.filter(partners__icontains=f'"{filters.partner}"')
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.mine and user is not None:
        rows = rows.filter(assigned_to=user)
    return _ordered(rows)


def household_wijken(*, activity_id: int) -> list[str]:
    """The wijk codes of the activity's households with open signals (the wijk filter)."""
    return sorted(
        set(
            SignalHousehold.objects.filter(activity_id=activity_id, open_signals__gt=0)
            .exclude(wijk="")
            .values_list("wijk", flat=True)
        )
    )


@dataclass(frozen=True)
class Page:
    """One page of the work list (see :func:`households_page`)."""

    items: list[SignalHousehold]
    number: int
    pages: int
    count: int
    numbers: list[int | None] = field(default_factory=list)

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None


def households_page(
    *,
    activity_id: int,
    filters: Filters,
    user: User | None,
    number: int | str | None,
    per_page: int | None = None,
) -> Page:
    """Page ``number`` of the work list, ``per_page`` (default :data:`PER_PAGE`) to a page
    (the first for a number that is none, the last past the end)."""
    paginator = Paginator(
        households_open(activity_id=activity_id, filters=filters, user=user),
        per_page or PER_PAGE,
    )
    page = paginator.get_page(number)
    return Page(
        items=list(page.object_list),
        number=page.number,
        pages=paginator.num_pages,
        count=paginator.count,
        numbers=[
            n if isinstance(n, int) else None
            for n in paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
        ],
    )


def household_contacts(*, household: SignalHousehold) -> list[Contact]:
    return list(household.contacts.all())


def wijk_labels(*, codes: list[str]) -> dict[str, str]:
    """Wijk code -> "Rijen-Centrum (WK078400)" (the code alone when no area delivery names it)."""
    names = area_names(codes=codes)
    return {code: f"{names[code]} ({code})" if code in names else code for code in codes}
