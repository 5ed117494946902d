"""Reading published tables (``meedoen table``) for the web app's publication pages.

A publication holds only what passed disclosure control: aggregates, with a withheld cell as
``null`` and its flag (``primary`` or ``secondary``). The detail prepares each table for
display: a grid for a table with two or three dimensions (rows the codes of the first — split by
the third, if any — columns the codes of the second, all in the stored order, so the margins
labelled "Totaal" come first), a list otherwise. A withheld cell is shown as ``x`` — never as 0
or blank — with its flag for an explanation; numbers are formatted in the active language
(thousands separators).

A withdrawn publication is left out for everyone (as if it did not exist) unless the caller asks
for it with ``withdrawn=True`` — only the privacy officer's pages do. The list is read a page at a
time (:func:`publication_page`): every release stays reachable, however many there are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.db.models.fields.json import KT
from django.utils import formats
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from meedoen.activities.floors import DEFAULT_FLOOR, Floor
from meedoen.activities.models import Status
from meedoen.activities.selectors import activity_current, activity_list
from meedoen.areas.selectors import area_names
from meedoen.publications.models import Publication
from meedoen.web.labels import AREAS, label, value_label
from meedoen.web.templatetags.nl import getal
from meedoen_data.disclosure import (
    DURATION_PREFIX,
    SEGMENT_PREFIX,
    VARIABLES,
    household_categories,
)
from meedoen_data.indicators import CatalogueError, catalogue_load

#: What a withheld cell shows, as in the CSV export and CBS tables.
HIDDEN = "x"


@dataclass(frozen=True)
class PublicationItem:
    """One publication in the list."""

    id: int
    #: In the active language, made from the definition (:func:`publication_title`).
    title: str
    description: str
    created_at: datetime
    published_by: str
    mode: str
    activity_id: int = 0
    withdrawn_at: datetime | None = None
    withdrawn_by: str = ""
    withdrawal_reason: str = ""


@dataclass(frozen=True)
class CellView:
    """One cell as shown: ``text`` is the formatted number, or ``x`` when ``hidden``."""

    value: float | int | None
    text: str
    hidden: bool
    #: Why it is withheld: "primary", "secondary" (or None when shown).
    suppressed: str | None


@dataclass(frozen=True)
class RowView:
    """A row: its labels (the row header(s)) and its cells."""

    labels: tuple[str, ...]
    cells: tuple[CellView, ...]


@dataclass(frozen=True)
class TableView:
    """One table ready for a template.

    ``layout`` is "grid" (two dimensions: ``columns`` are the codes of the second one) or
    "list" (one column per dimension, then the measure; ``columns`` is just the measure).
    ``header`` names the columns that hold row labels."""

    name: str
    measure: str
    dimensions: tuple[str, ...]
    layout: str
    header: tuple[str, ...]
    columns: tuple[str, ...]
    rows: tuple[RowView, ...]
    cells: int
    hidden: int


@dataclass(frozen=True)
class PublicationDetail:
    id: int
    #: In the active language, made from the definition (:func:`publication_title`).
    title: str
    description: str
    created_at: datetime
    published_by: str
    mode: str
    #: The rules of the release: min_frequency, dominance, p_percent, zeros, protection.
    rules: dict[str, Any]
    #: What disclosure control reported: cells, primary, secondary, base (rounding), ...
    summary: dict[str, Any]
    peildatum: str | None
    tables: tuple[TableView, ...]
    activity_id: int = 0
    withdrawn_at: datetime | None = None
    withdrawn_by: str = ""
    withdrawal_reason: str = ""

    @property
    def frequency(self) -> bool:
        """Every table counts households (no --sum): dominance and p% do not apply."""
        return all(table.measure == "households" for table in self.tables)


def publication_floor(*, activity_id: int) -> Floor:
    """The privacy officer's floors for publications under an activity (the defaults for an
    activity that does not exist: publishing under it is refused anyway)."""
    try:
        return activity_current(activity_id=activity_id).floor
    except ObjectDoesNotExist:
        return DEFAULT_FLOOR


@dataclass(frozen=True)
class PublicationPage:
    """One page of the list: its publications, where it is, and the page numbers to link to
    (:meth:`~django.core.paginator.Paginator.get_elided_page_range`; None stands for a gap)."""

    items: list[PublicationItem]
    number: int
    pages: int
    #: Publications on all pages together.
    count: int
    numbers: list[int | None]

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None


def publication_list(*, limit: int | None = 100, withdrawn: bool = False) -> list[PublicationItem]:
    """Published tables, newest first (without loading their cells); withdrawn ones only with
    ``withdrawn=True`` (the privacy officer's view); ``limit=None``: all."""
    rows = _rows(withdrawn=withdrawn)
    if limit is not None:
        rows = rows[:limit]
    return [_item(p) for p in rows]


def publication_page(
    *, number: int | str | None, per_page: int, withdrawn: bool = False
) -> PublicationPage:
    """Page ``number`` of the published tables, newest first, ``per_page`` to a page, so that
    every one is reachable; withdrawn ones only with ``withdrawn=True`` (the privacy officer's
    view). A number that is not a page number gives the first page, one past the end the last."""
    paginator = Paginator(_rows(withdrawn=withdrawn), per_page)
    page = paginator.get_page(number)
    return PublicationPage(
        items=[_item(p) for p in page.object_list],
        number=page.number,
        pages=paginator.num_pages,
        count=paginator.count,
        numbers=[
            number if isinstance(number, int) else None
            for number in paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
        ],
    )


def _rows(*, withdrawn: bool) -> QuerySet[Publication]:
    rows = (
        Publication.objects.order_by("-created_at", "-pk")
        .annotate(mode=KT("content__mode"))
        .defer("content")
    )
    if not withdrawn:
        rows = rows.filter(withdrawn_at__isnull=True)
    return rows


def _item(p: Publication) -> PublicationItem:
    return PublicationItem(
        id=p.pk,
        title=publication_title(definition=p.definition or {}, description=p.description),
        description=p.description,
        created_at=p.created_at,
        published_by=p.published_by,
        mode=getattr(p, "mode", None) or "",
        activity_id=p.activity_id,
        withdrawn_at=p.withdrawn_at,
        withdrawn_by=p.withdrawn_by,
        withdrawal_reason=p.withdrawal_reason,
    )


def publication_detail(*, publication_id: int, withdrawn: bool = False) -> PublicationDetail:
    """One publication with its tables prepared for display; Publication.DoesNotExist if none —
    also for a withdrawn one unless ``withdrawn=True`` (the privacy officer's view)."""
    publications = Publication.objects.all()
    if not withdrawn:
        publications = publications.filter(withdrawn_at__isnull=True)
    publication = publications.get(pk=publication_id)
    content: dict[str, Any] = publication.content or {}
    definition: dict[str, Any] = publication.definition or {}
    areas = _areas(content, definition.get("where") or [])
    return PublicationDetail(
        id=publication.pk,
        title=publication_title(
            definition=definition, description=publication.description, areas=areas
        ),
        description=publication.description,
        created_at=publication.created_at,
        published_by=publication.published_by,
        mode=str(content.get("mode", "")),
        rules=dict(content.get("rules") or {}),
        summary=dict(content.get("summary") or {}),
        peildatum=definition.get("peildatum"),
        tables=tuple(_table_view(table, areas) for table in content.get("tables") or []),
        activity_id=publication.activity_id,
        withdrawn_at=publication.withdrawn_at,
        withdrawn_by=publication.withdrawn_by,
        withdrawal_reason=publication.withdrawal_reason,
    )


def publication_title(
    *, definition: Mapping[str, Any], description: str = "", areas: Mapping[str, str] | None = None
) -> str:
    """A release's title in the active language, e.g. "Huishoudens naar wijk en type huishouden op
    1 januari 2025"; ``description`` (the stored English one) when the definition has no
    variables (a release made before definitions were kept)."""
    if definition.get("panel_item"):
        indicator = _indicator_of(f"ind_{definition.get('indicator')}")
        return str(
            _("%(indicator)s by wijk: average mark in the resident panel")
            % {"indicator": indicator or definition.get("panel_item")}
        )
    variables = [
        str(v)
        for v in (definition.get("rowvar"), definition.get("colvar"), definition.get("layervar"))
        if v
    ]
    if not variables:
        return description
    peildatum = definition.get("peildatum")
    try:
        when = formats.date_format(date.fromisoformat(str(peildatum)), "DATE_FORMAT")
    except ValueError:
        when = str(peildatum or "")
    indicator = _indicator_of(variables[-1])
    if indicator is not None and len(variables) == 2:
        # An indicator of the dashboard (docs/indicators.md): its name, by area.
        return str(
            _("%(indicator)s by %(variables)s on %(date)s")
            % {
                "indicator": indicator,
                "variables": dimension_label(variables[0]).lower(),
                "date": when,
            }
        )
    names = [dimension_label(v).lower() for v in variables]
    shown = (
        names[0]
        if len(names) == 1
        else _("%(first)s and %(second)s")
        % {
            "first": ", ".join(names[:-1]),
            "second": names[-1],
        }
    )
    amount = definition.get("amount")
    if amount:
        title = _("%(amount)s (total) by %(variables)s on %(date)s") % {
            "amount": label("dimension", amount),
            "variables": shown,
            "date": when,
        }
    elif definition.get("at_start"):
        title = _(
            "Households of clients of %(partner)s by %(variables)s when they became clients, "
            "started by %(date)s"
        ) % {"partner": definition["at_start"], "variables": shown, "date": when}
    else:
        title = _("Households by %(variables)s on %(date)s") % {"variables": shown, "date": when}
    where = [pair for pair in definition.get("where") or [] if len(pair) == 2]
    if where:
        conditions = ", ".join(
            f"{dimension_label(column).lower()}: {value_label(column, value, areas)}"
            for column, value in where
        )
        title = _("%(title)s, only %(conditions)s") % {"title": title, "conditions": conditions}
    return str(title)


def dimension_label(name: str) -> str:
    """A table variable's heading: its label, or an indicator's name for its flag (``ind_x``;
    ``pop_x``: the indicator's population)."""
    if name.startswith(SEGMENT_PREFIX):
        return str(_("Segment"))
    if name.startswith(DURATION_PREFIX):
        return str(_("Duration as client"))
    indicator = _indicator_of(name)
    if indicator is None:
        return label("dimension", name)
    if name.startswith("pop_"):
        return str(_("Counted for %(indicator)s") % {"indicator": indicator})
    return indicator


def _indicator_of(name: str) -> str | None:
    """The name of the indicator whose flag ``name`` is, if it is one."""
    if not name.startswith(("ind_", "pop_")):
        return None
    try:
        catalogue = catalogue_load(home=settings.MEEDOEN_HOME)
        return catalogue.get(name[4:]).name
    except (CatalogueError, KeyError):
        return None


def _areas(content: Mapping[str, Any], where: Sequence[Sequence[str]]) -> dict[str, str]:
    """The area names a release was published with; for one published before names were kept,
    the names known now."""
    if "areas" in content:
        return {str(k): str(v) for k, v in (content.get("areas") or {}).items()}
    return release_area_names(content=content, where=where)


def release_area_names(
    *, content: Mapping[str, Any], where: Sequence[Sequence[str]] = ()
) -> dict[str, str]:
    """The names known now of the areas in a release's cells and its filter (kept with a
    release when it is published: a later delivery may rename an area)."""
    codes = {
        str(cell.get(name))
        for table in content.get("tables") or []
        for cell in table.get("cells") or []
        for name in AREAS
        if name in cell
    }
    codes |= {str(pair[1]) for pair in where if len(pair) == 2 and pair[0] in AREAS}
    return area_names(codes=codes)


def cell_view(cell: dict[str, Any] | None) -> CellView:
    """A cell as shown; a missing combination is blank (it was not part of the release)."""
    if cell is None:
        return CellView(value=None, text="", hidden=False, suppressed=None)
    value = cell.get("value")
    if value is None:
        return CellView(value=None, text=HIDDEN, hidden=True, suppressed=cell.get("suppressed"))
    return CellView(value=value, text=_number(value), hidden=False, suppressed=None)


def _number(value: float | int) -> str:
    if isinstance(value, float) and not value.is_integer():
        return str(getal(value, 2))  # rounded half up (number_format truncates)
    return number_format(int(value), force_grouping=True)


def _codes(cells: list[dict[str, Any]], dimension: str) -> list[str]:
    """The codes of one dimension in the order the release stores them."""
    return list(dict.fromkeys(str(cell.get(dimension, "")) for cell in cells))


def _table_view(table: dict[str, Any], areas: Mapping[str, str]) -> TableView:
    dimensions = tuple(str(name) for name in table.get("dimensions") or [])
    measure = str(table.get("measure", ""))
    cells: list[dict[str, Any]] = list(table.get("cells") or [])
    hidden = sum(1 for cell in cells if cell.get("value") is None)
    if len(dimensions) in (2, 3):
        # Columns: the second variable; rows: the first (split by the third, if any).
        first, second, *third = dimensions
        columns = _codes(cells, second)
        by_row: dict[tuple[str, ...], dict[str, dict[str, Any]]] = {}
        for cell in cells:
            key = (str(cell.get(first)), *(str(cell.get(t)) for t in third))
            by_row.setdefault(key, {})[str(cell.get(second))] = cell
        rows = tuple(
            RowView(
                labels=(
                    value_label(first, key[0], areas),
                    *(value_label(t, code, areas) for t, code in zip(third, key[1:], strict=True)),
                ),
                cells=tuple(cell_view(found.get(column)) for column in columns),
            )
            for key, found in by_row.items()
        )
        layout = "grid"
        header = (dimension_label(first), *(dimension_label(t) for t in third))
        shown_columns = tuple(value_label(second, column, areas) for column in columns)
    else:
        rows = tuple(
            RowView(
                labels=tuple(value_label(name, cell.get(name, ""), areas) for name in dimensions),
                cells=(cell_view(cell),),
            )
            for cell in cells
        )
        layout = "list"
        header = tuple(dimension_label(name) for name in dimensions)
        shown_columns = (label("dimension", measure),)
    return TableView(
        name=str(table.get("name", "")),
        measure=measure,
        dimensions=dimensions,
        layout=layout,
        header=header,
        columns=shown_columns,
        rows=rows,
        cells=len(cells),
        hidden=hidden,
    )


def publication_count(*, activity_id: int) -> int:
    """Published tables of an activity that are not withdrawn (a revocation withdraws them)."""
    return Publication.objects.filter(activity_id=activity_id, withdrawn_at__isnull=True).count()


@dataclass(frozen=True)
class BuilderOptions:
    """What the table builder offers for one processing activity: its reference dates (ISO
    value, Dutch label; newest first), the variables and the filters (``variable=code``),
    grouped as ``(group label, [(value, label), ...])`` for a select's optgroups."""

    activity_id: int
    peildata: list[tuple[str, str]]
    variables: list[tuple[str, Any]]
    filters: list[tuple[str, Any]]


def builder_activities() -> tuple[list[tuple[int, str]], int | None]:
    """The approved processing activities a table may be built under (they cover the
    population register), as (id, label), and the one to offer first: the dashboard's (the
    activity of the newest released indicator), else the first."""
    choices = [
        (state.id, f"{state.name} ({state.id})")
        for state in activity_list()
        if state.status == Status.APPROVED and not state.operational and "brp" in state.sources
    ]
    ids = {activity for activity, _label in choices}
    newest = (
        Publication.objects.filter(
            withdrawn_at__isnull=True, activity_id__in=ids, definition__colvar__startswith="ind_"
        )
        .order_by("-created_at", "-pk")
        .values_list("activity_id", flat=True)
        .first()
    )
    return choices, newest if newest is not None else (choices[0][0] if choices else None)


def builder_options(*, activity_id: int) -> BuilderOptions:
    """The choices of the table builder for an activity's households (empty when it has
    none yet): only which dates and codes occur, no counts."""
    found = household_categories(home=settings.MEEDOEN_HOME, activity_id=activity_id)
    peildata = [
        (day.isoformat(), formats.date_format(day, "DATE_FORMAT")) for day in found.peildata
    ]
    names = area_names(codes={c for name in AREAS for c in found.categories.get(name, ())})
    try:
        indicators = [
            i
            for i in catalogue_load(home=settings.MEEDOEN_HOME).indicators
            if i.status == "register"
        ]
    except CatalogueError:
        indicators = []  # a broken addition stops indicator variables, not the builder
    household = [(name, dimension_label(name)) for name in VARIABLES if name in found.categories]
    flags = [(f"ind_{i.id}", i.name) for i in indicators]
    variables: list[tuple[str, Any]] = [(_("Households"), household)]
    if flags:
        variables.append((_("Indicators (yes or no)"), flags))
    filters: list[tuple[str, Any]] = [
        (
            dimension_label(name),
            [(f"{name}={code}", value_label(name, code, names)) for code in codes],
        )
        for name, codes in found.categories.items()
        if len(codes) > 1
    ]
    if indicators:
        filters.append(
            (
                _("Indicators"),
                [
                    choice
                    for i in indicators
                    for choice in (
                        (f"ind_{i.id}=1", i.name),
                        (f"pop_{i.id}=1", dimension_label(f"pop_{i.id}")),
                    )
                ],
            )
        )
    return BuilderOptions(activity_id, peildata, variables, filters)


def publication_same(
    *,
    activity_id: int,
    peildatum: date,
    rowvar: str,
    colvar: str | None,
    where: Sequence[Sequence[str]] = (),
    at_start: str | None = None,
    amount: str | None = None,
) -> Publication | None:
    """The newest release (not withdrawn) of the table of households by ``rowvar`` x
    ``colvar`` with filter ``where`` at ``peildatum`` (no third variable; the sum of ``amount``
    instead of the number of households when given; with ``at_start``, of that partner's
    clients' households at their start), if there is one: what a re-run reports as
    unchanged."""
    wanted = [list(pair) for pair in where]
    # Definitions only while looking (a page reads dozens of tables): the content of the one.
    for publication in (
        Publication.objects.filter(activity_id=activity_id, withdrawn_at__isnull=True)
        .order_by("-created_at")
        .only("pk", "definition")
    ):
        d = publication.definition or {}
        if (
            d.get("peildatum") == peildatum.isoformat()
            and d.get("rowvar") == rowvar
            and d.get("colvar") == colvar
            and (d.get("where") or []) == wanted
            and d.get("amount") == amount
            and "layervar" not in d
            and d.get("at_start") == at_start
        ):
            return Publication.objects.get(pk=publication.pk)
    return None
