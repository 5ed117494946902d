"""Reads of target-group comparisons (issue 19): the group beside all households from the
comparison tables that were released (``meedoen compare``), never from person-level data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.utils.translation import gettext

from meedoen.publications.selectors import dimension_label, publication_same
from meedoen.web.labels import value_label
from meedoen.web.templatetags.nl import getal
from meedoen_data.indicators import CatalogueError, catalogue_load
from meedoen_data.targetgroup import Comparison, ShareRow, shares_compare

TOTAL = "Totaal"
#: Characteristics of the household table the group is compared on (all their categories).
HOUSEHOLD = (
    "household_type",
    "children",
    "opleidingsniveau",
    "migratieachtergrond",
    "woningbezit",
    "huurtoeslag",
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
class ComparisonView:
    group: str
    peildatum: date
    comparison: Comparison
    characteristics: tuple[CharacteristicView, ...]
    missing: tuple[str, ...]  # characteristics without a released table (their labels)


def comparison_read(*, activity_id: int, group: str, peildatum: date) -> ComparisonView | None:
    """The comparison of ``group`` at ``peildatum`` from the released tables; None when none
    was released (``meedoen compare`` releases them)."""
    colvar = f"ind_{group}"
    tables: dict[str, dict[tuple[str, str], Any]] = {}
    missing = []
    for rowvar in characteristics_of(group):
        found = publication_same(
            activity_id=activity_id, peildatum=peildatum, rowvar=rowvar, colvar=colvar
        )
        if found is None:
            missing.append(dimension_label(rowvar))
            continue
        [table] = found.content["tables"]
        tables[rowvar] = {(str(c[rowvar]), str(c[colvar])): c["value"] for c in table["cells"]}
    comparison = comparison_of(tables)
    if comparison is None:
        return None
    views = []
    for rowvar in tables:
        rows = tuple(
            RowView(r, value_label(rowvar, r.category))
            for r in comparison.rows
            if r.characteristic == rowvar
        )
        views.append(CharacteristicView(dimension_label(rowvar), rows))
    return ComparisonView(group, peildatum, comparison, tuple(views), tuple(missing))


def group_choices() -> list[tuple[str, str]]:
    """The register indicators a group can be (id, name)."""
    try:
        catalogue = catalogue_load(home=settings.MEEDOEN_HOME)
    except CatalogueError:
        return []
    return [(i.id, i.name) for i in catalogue.indicators if i.status == "register"]
