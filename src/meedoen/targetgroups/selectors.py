"""Reads of target-group comparisons and segments (issue 19): the group beside all households
from the comparison tables that were released (``meedoen compare``), and the profile table of
its segments from the released tables "characteristic x segment" (``meedoen segment``) — never
from person-level data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from meedoen.publications.selectors import dimension_label, publication_same
from meedoen.targetgroups.models import SegmentRun
from meedoen.utils.runs import RunState, RunStatus, run_busy, run_state_fields
from meedoen.web.labels import FLAGS, value_label
from meedoen.web.templatetags.nl import getal
from meedoen_data.disclosure.household import DURATION_BANDS, DURATION_PREFIX, SEGMENT_PREFIX
from meedoen_data.indicators import CatalogueError, catalogue_load
from meedoen_data.indicators.flags import linked_sources
from meedoen_data.targetgroup import (
    Comparison,
    ShareRow,
    Standout,
    segment_profile,
    shares_compare,
)

TOTAL = "Totaal"
#: Characteristics of the household table the group is compared on (all their categories).
HOUSEHOLD = (
    "household_type",
    "leeftijd",
    "children",
    "leeftijd_eerste_kind",
    "opleidingsniveau",
    "migratieachtergrond",
    "woningbezit",
    "huurtoeslag",
    "inkomensdeciel",
    "ww",
    "ao",
)
#: Register indicators the group is compared on (the share with the indicator's flag).
INDICATORS = (
    "bijstand",
    "schuldhulp",
    "vroegsignalen",
    "jeugdhulp",
    "begeleiding",
    "huishoudelijke_hulp",
    "stapeling",
)


#: The rows of the profile table, as in the study: a heading and the characteristics under it.
PROFILE_ROWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("benefit", ("ind_bijstand", "ww", "ao")),
    ("income", ("inkomensdeciel",)),
    ("education", ("opleidingsniveau",)),
    ("housing", ("woningbezit", "huurtoeslag")),
    ("household", ("household_type", "leeftijd")),
    ("children", ("children", "leeftijd_eerste_kind")),
    ("care", ("ind_jeugdhulp", "ind_begeleiding", "ind_huishoudelijke_hulp")),
    (
        "further",
        ("migratieachtergrond", "ind_schuldhulp", "ind_vroegsignalen", "ind_stapeling"),
    ),
)


#: The amount whose mean the comparison shows, and the characteristic that says how many
#: households have it (its category onbekend: no known income).
INCOME = "besteedbaar_inkomen"
DECILES = "inkomensdeciel"
UNKNOWN = "onbekend"


@dataclass(frozen=True)
class IncomeMeans:
    """Mean disposable household income (euro) among the households with a known income; None
    where a sum or a count it needs was withheld."""

    group: float | None
    population: float | None

    @property
    def ratio(self) -> float | None:
        if self.group is None or not self.population:
            return None
        return self.group / self.population


def income_means(
    sums: dict[tuple[str, str], Any], deciles: dict[tuple[str, str], Any] | None
) -> IncomeMeans | None:
    """The means from the released magnitude table "sum of income by the group's flag"
    (``sums``: (flag, Totaal) -> sum) and the released table "income decile x the group's
    flag" (households with a known income: all but onbekend). Where the number without a known
    income was withheld (it is small then), the mean is over all households, an unknown income
    counted as 0 — as the sum counts it. None when either table is missing."""
    if not sums or not deciles:
        return None

    def mean(flag: str) -> float | None:
        total = sums.get((flag, TOTAL))
        households = deciles.get((TOTAL, flag))
        if total is None or households is None:
            return None
        unknown = deciles.get((UNKNOWN, flag), 0)
        known = int(households) - int(unknown or 0)
        return float(total) / known if known > 0 else None

    return IncomeMeans(mean("1"), mean(TOTAL))


def duration_variable(partner: str) -> str:
    """The table variable of how long a household has been a client of ``partner``."""
    return f"{DURATION_PREFIX}{partner}"


def segment_variable(store_run: str) -> str:
    """The table variable of a segmentation run's segments (household table ``seg_<run>``)."""
    return f"{SEGMENT_PREFIX}{store_run}"


def characteristics_of(group: str) -> list[str]:
    """The table variables a group is compared on."""
    return [*HOUSEHOLD, *(f"ind_{i}" for i in INDICATORS if i != group)]


def comparison_of(tables: dict[str, dict[tuple[str, str], Any]]) -> Comparison | None:
    """The comparison from the released cells; None when no table released the group's and
    the population's totals (they are the same cells in every table)."""
    totals = [
        (cells.get((TOTAL, "1")), cells.get((TOTAL, TOTAL)))
        for cells in tables.values()
        if cells.get((TOTAL, "1")) is not None and cells.get((TOTAL, TOTAL)) is not None
    ]
    if not totals:
        return None
    group_n, population_n = (int(v) for v in totals[0])
    counts: dict[str, dict[str, tuple[int | None, int | None]]] = {}
    for rowvar, cells in tables.items():
        categories = dict.fromkeys(row for row, _ in cells if row != TOTAL)
        if rowvar.startswith("ind_"):
            categories = {"1": None} if "1" in categories else {}
        counts[rowvar] = {
            category: (_count(cells.get((category, "1"))), _count(cells.get((category, TOTAL))))
            for category in categories
        }
    return shares_compare(counts, group_households=group_n, population_households=population_n)


def comparison_at_start(
    start: dict[str, dict[tuple[str, str], Any]], tables: dict[str, dict[tuple[str, str], Any]]
) -> Comparison | None:
    """The comparison of a partner's clients' households at their start (``start``: the
    released one-way tables of them) with all households at the peildatum (the population's
    column of the released comparison ``tables``): two independent samples. None when a total
    was withheld or nothing was released."""
    group_totals = [c.get((TOTAL, TOTAL)) for c in start.values()]
    population_totals = [c.get((TOTAL, TOTAL)) for c in tables.values()]
    group_n = next((int(v) for v in group_totals if v is not None), None)
    population_n = next((int(v) for v in population_totals if v is not None), None)
    if not group_n or not population_n:
        return None
    counts: dict[str, dict[str, tuple[int | None, int | None]]] = {}
    for rowvar, cells in start.items():
        population = tables.get(rowvar, {})
        categories = dict.fromkeys(row for row, _ in [*cells, *population] if row != TOTAL)
        if rowvar.startswith("ind_"):
            categories = {"1": None} if "1" in categories else {}
        counts[rowvar] = {
            # A category a table has no cell for has no households (onbekend is only there
            # when some are); a withheld cell is None.
            category: (
                _count(cells.get((category, TOTAL), 0)),
                _count(population.get((category, TOTAL), 0)) if population else None,
            )
            for category in categories
        }
    return shares_compare(
        counts, group_households=group_n, population_households=population_n, independent=True
    )


def _count(value: Any) -> int | None:
    return None if value is None else int(value)


#: The minus sign of typesetting (U+2212): a screen reader says "min", not "streepje".
MINUS = "\u2212"
#: The width of a full bar (100%) in the charts, in pixels.
BAR = 200


def _points(value: float | None) -> str:
    """A difference of shares in percentage points, signed, Dutch: "+44,4"."""
    if value is None:
        return ""
    text = str(getal(abs(100 * value), 1))
    return f"{MINUS if value < 0 else '+'}{text}"


@dataclass(frozen=True)
class RowView:
    row: ShareRow
    label: str  # the category in words ("Eenoudergezin", "Ja")

    @property
    def group_bar(self) -> int:
        return round(BAR * (self.row.group_share or 0))

    @property
    def population_bar(self) -> int:
        return round(BAR * (self.row.population_share or 0))

    @property
    def difference(self) -> str:
        return _points(self.row.difference)

    @property
    def interval(self) -> str:
        if self.row.lower is None or self.row.upper is None:
            return ""
        return gettext("%(low)s to %(high)s") % {
            "low": _points(self.row.lower),
            "high": _points(self.row.upper),
        }


@dataclass(frozen=True)
class CharacteristicView:
    name: str  # "Type huishouden", or an indicator's name
    rows: tuple[RowView, ...]


@dataclass(frozen=True)
class DurationView:
    label: str  # "Korter dan 6 maanden"
    households: int | None  # as released
    share: float | None  # of the group's households

    @property
    def bar(self) -> int:
        return round(BAR * (self.share or 0))


@dataclass(frozen=True)
class ComparisonView:
    group: str
    peildatum: date
    comparison: Comparison
    characteristics: tuple[CharacteristicView, ...]
    missing: tuple[str, ...]  # characteristics without a released table (their labels)
    duration: tuple[DurationView, ...] = ()  # for a partner file's clients, when released
    at_start: str | None = None  # the partner file when the group is shown at its start
    income: IncomeMeans | None = None  # at the peildatum only


def comparison_read(
    *, activity_id: int, group: str, peildatum: date, at_start: bool = False
) -> ComparisonView | None:
    """The comparison of ``group`` at ``peildatum`` from the released tables (with
    ``at_start``: its households when they became clients, beside all households at the
    peildatum); None when none was released (``meedoen compare`` releases them)."""
    colvar = f"ind_{group}"
    partner = _start_partner(group) if at_start else None
    if at_start and partner is None:
        return None
    tables: dict[str, dict[tuple[str, str], Any]] = {}
    start: dict[str, dict[tuple[str, str], Any]] = {}
    missing = []
    for rowvar in characteristics_of(group):
        found = publication_same(
            activity_id=activity_id, peildatum=peildatum, rowvar=rowvar, colvar=colvar
        )
        if found is not None:
            [table] = found.content["tables"]
            tables[rowvar] = {(str(c[rowvar]), str(c[colvar])): c["value"] for c in table["cells"]}
        if partner is not None:
            at = publication_same(
                activity_id=activity_id,
                peildatum=peildatum,
                rowvar=rowvar,
                colvar=None,
                at_start=partner,
            )
            if at is not None:
                [table] = at.content["tables"]
                start[rowvar] = {(str(c[rowvar]), TOTAL): c["value"] for c in table["cells"]}
        if rowvar not in (start if partner else tables):
            missing.append(dimension_label(rowvar))
    comparison = comparison_at_start(start, tables) if partner else comparison_of(tables)
    if comparison is None:
        return None
    views = []
    for rowvar in start if partner else tables:
        rows = tuple(
            RowView(r, value_label(rowvar, r.category))
            for r in comparison.rows
            if r.characteristic == rowvar
        )
        views.append(CharacteristicView(dimension_label(rowvar), rows))
    return ComparisonView(
        group,
        peildatum,
        comparison,
        tuple(views),
        tuple(missing),
        # How long they have been clients belongs to the peildatum, not to their start.
        () if partner else _duration(activity_id=activity_id, group=group, peildatum=peildatum),
        partner,
        None
        if partner
        else _income(
            activity_id=activity_id, group=group, peildatum=peildatum, deciles=tables.get(DECILES)
        ),
    )


def _income(
    *,
    activity_id: int,
    group: str,
    peildatum: date,
    deciles: dict[tuple[str, str], Any] | None,
) -> IncomeMeans | None:
    flag = f"ind_{group}"
    found = publication_same(
        activity_id=activity_id, peildatum=peildatum, rowvar=flag, colvar=None, amount=INCOME
    )
    if found is None:
        return None
    [table] = found.content["tables"]
    return income_means({(str(c[flag]), TOTAL): c["value"] for c in table["cells"]}, deciles)


def _start_partner(group: str) -> str | None:
    """The partner file of a group of one partner file's clients (None for other groups)."""
    try:
        indicator = catalogue_load(home=settings.MEEDOEN_HOME).get(group)
    except (CatalogueError, KeyError):
        return None
    partners = sorted(linked_sources([indicator]))
    return partners[0] if len(partners) == 1 else None


def _duration(*, activity_id: int, group: str, peildatum: date) -> tuple[DurationView, ...]:
    """How long the group's households have been clients, from the released table (only for
    a group of a partner file's clients)."""
    try:
        indicator = catalogue_load(home=settings.MEEDOEN_HOME).get(group)
    except (CatalogueError, KeyError):
        return ()
    flag = f"ind_{group}"
    for partner in sorted(linked_sources([indicator])):
        variable = duration_variable(partner)
        found = publication_same(
            activity_id=activity_id,
            peildatum=peildatum,
            rowvar=variable,
            colvar=None,
            where=[[flag, "1"]],
        )
        if found is None:
            continue
        [table] = found.content["tables"]
        cells = {str(c[variable]): _count(c["value"]) for c in table["cells"]}
        total = cells.get(TOTAL)
        return tuple(
            DurationView(
                value_label(variable, band),
                cells.get(band),
                None if cells.get(band) is None or not total else (cells[band] or 0) / total,
            )
            for band in DURATION_BANDS
        )
    return ()


def group_choices() -> list[tuple[str, str]]:
    """The register indicators a group can be (id, name)."""
    try:
        catalogue = catalogue_load(home=settings.MEEDOEN_HOME)
    except CatalogueError:
        return []
    return [(i.id, i.name) for i in catalogue.indicators if i.status == "register"]


#: Short names of characteristics whose values alone do not say what they are, for a
#: segment's name ("opleiding laag", "eerste kind op 21 tot en met 25").
SHORT = {
    "opleidingsniveau": _("education"),
    "leeftijd": _("age"),
    "leeftijd_eerste_kind": _("first child at"),
    "children": _("children:"),
    "migratieachtergrond": _("migration background"),
}


def standout_text(standout: Standout, *, named: bool = False) -> str:
    """What stands out, in words: "Eenoudergezin", "Huishoudens met bijstand",
    "WW-uitkering: nee"; ``named`` (a segment's name): with a short name of the characteristic
    where the value alone does not say it ("Opleiding laag")."""
    variable, category = standout.characteristic, standout.category
    heading = dimension_label(variable)
    flag = variable in FLAGS or variable.startswith("ind_")
    if flag and category == "1":
        return heading
    value = value_label(variable, category)
    if flag:
        return f"{heading}: {value.lower()}"
    if named and variable in SHORT:
        return f"{str(SHORT[variable]).capitalize()} {value.lower()}"
    return value


@dataclass(frozen=True)
class SegmentColumn:
    number: str
    households: int | None  # as released (None: withheld)
    name: str  # what stands out most, in words


@dataclass(frozen=True)
class ProfileRowView:
    heading: str
    cells: tuple[tuple[str, ...], ...]  # per segment: what stands out, with its share


@dataclass(frozen=True)
class SegmentsView:
    run: SegmentRun
    group_households: int | None
    segments: tuple[SegmentColumn, ...]
    rows: tuple[ProfileRowView, ...]
    fits: tuple[dict[str, Any], ...]
    missing: tuple[str, ...]  # characteristics without a released table


#: Headings of the profile table's rows.
PROFILE_HEADINGS = {
    "benefit": _("Benefit"),
    "income": _("Income"),
    "education": _("Education"),
    "housing": _("Housing"),
    "household": _("Household"),
    "children": _("Children"),
    "care": _("Care"),
    "further": _("And further"),
}


def segment_run_latest(*, activity_id: int, group: str, peildatum: date) -> SegmentRun | None:
    """The newest finished segmentation of ``group`` at ``peildatum``."""
    return (
        SegmentRun.objects.filter(
            activity_id=activity_id, group=group, peildatum=peildatum, status=RunStatus.DONE
        )
        .exclude(store_run="")
        .order_by("-finished_at", "-id")
        .first()
    )


def segments_read(*, activity_id: int, group: str, peildatum: date) -> SegmentsView | None:
    """The profile table of the newest segmentation of ``group`` at ``peildatum`` from its
    released tables; None when there is none."""
    run = segment_run_latest(activity_id=activity_id, group=group, peildatum=peildatum)
    if run is None:
        return None
    colvar, flag = segment_variable(run.store_run), f"ind_{group}"
    where = [[flag, "1"]]
    counts: dict[str, dict[tuple[str, str], int | None]] = {}
    population: dict[str, dict[str, float | None]] = {}
    missing = []
    for rowvar in characteristics_of(group):
        found = publication_same(
            activity_id=activity_id, peildatum=peildatum, rowvar=rowvar, colvar=colvar, where=where
        )
        if found is None:
            missing.append(dimension_label(rowvar))
            continue
        [table] = found.content["tables"]
        counts[rowvar] = {
            (str(c[rowvar]), str(c[colvar])): _count(c["value"]) for c in table["cells"]
        }
        compared = publication_same(
            activity_id=activity_id, peildatum=peildatum, rowvar=rowvar, colvar=flag
        )
        if compared is not None:
            [whole] = compared.content["tables"]
            cells = {(str(c[rowvar]), str(c[flag])): _count(c["value"]) for c in whole["cells"]}
            total = cells.get((TOTAL, TOTAL))
            population[rowvar] = {
                row: (None if n is None or not total else n / total)
                for (row, column), n in cells.items()
                if column == TOTAL and row != TOTAL
            }
    k = int(run.summary.get("k", 0) or 0)
    numbers = tuple(str(n) for n in range(1, k + 1))
    profile = segment_profile(counts, segments=numbers, population=population)
    group_totals = [t.get((TOTAL, TOTAL)) for t in counts.values()]
    segments = tuple(
        SegmentColumn(
            number,
            profile.households[number],
            " · ".join(standout_text(s, named=True) for s in profile.standing_out(number)[:2])
            or str(_("Nothing stands out")),
        )
        for number in numbers
    )
    rows = []
    for key, variables in PROFILE_ROWS:
        cells = tuple(
            tuple(
                f"{standout_text(s)} ({getal(100 * s.share, 0)}%)"
                for variable in variables
                for s in profile.cells.get((variable, number), ())
            )
            for number in numbers
        )
        rows.append(ProfileRowView(str(PROFILE_HEADINGS[key]), cells))
    return SegmentsView(
        run=run,
        group_households=next((t for t in group_totals if t is not None), None),
        segments=segments,
        rows=tuple(rows),
        fits=tuple(run.summary.get("fits", [])),
        missing=tuple(missing),
    )


def segment_run_detail(*, run_id: int) -> tuple[RunState, SegmentRun]:
    """One segmentation: its state (progress, outcome) and what it is about
    (ObjectDoesNotExist when there is none)."""
    run = SegmentRun.objects.get(pk=run_id)
    return RunState(**run_state_fields(run)), run


def segment_run_unfinished(*, activity_id: int) -> SegmentRun | None:
    """A segmentation of the activity that is queued or running (and not stale)."""
    return run_busy(SegmentRun, activity_id=activity_id)
