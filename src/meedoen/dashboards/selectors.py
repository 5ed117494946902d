"""Reads of the dashboard (``/dashboard/``): the catalogue's indicators with the figures that
were released for them (issue 18).

Only released, disclosure-controlled tables are read (``meedoen dashboard publish``): an
indicator's figure for an area is the ``1`` cell of its table divided by the ``Totaal`` cell
(less the households whose value is unknown), shown only when every cell it needs was
published — an ``x`` otherwise. Nothing here reads person-level data.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Count, Max
from django.utils.translation import gettext

from meedoen.areas.models import Area
from meedoen.dashboards.models import Signal
from meedoen.publications.models import Publication
from meedoen.web.templatetags.nl import getal
from meedoen_data.indicators import DIMENSIONS, Catalogue, Indicator, catalogue_load
from meedoen_data.indicators.flags import UNKNOWN, indicator_variable
from meedoen_data.indicators.references import Reference, ReferenceFileError, references_load

TOTAL = "Totaal"


@dataclass(frozen=True)
class Figure:
    """One area's figure: ``value`` (a percentage, or per 1,000) or hidden (``x``)."""

    code: str  # the area's code; "Totaal" for the gemeente
    name: str  # the area's name, "" when unknown
    value: float | None
    numerator: int | float | None
    denominator: int | float | None  # households; respondents for a panel estimate
    lower: float | None = None  # a panel estimate's 95% interval
    upper: float | None = None

    @property
    def hidden(self) -> bool:
        return self.value is None

    @property
    def text(self) -> str:
        if self.value is None:
            return "x"
        return str(getal(self.value, 1))  # rounded half up (number_format truncates)

    @property
    def interval(self) -> str:
        if self.lower is None or self.upper is None:
            return ""
        return gettext("%(low)s to %(high)s") % {
            "low": getal(self.lower, 1),
            "high": getal(self.upper, 1),
        }


@dataclass(frozen=True)
class Point:
    peildatum: date
    figure: Figure


@dataclass(frozen=True)
class Card:
    indicator: Indicator
    publication_id: int | None = None
    level: str = ""  # the finest level released: buurt or wijk
    total: Figure | None = None
    areas: tuple[Figure, ...] = ()  # the wijken
    buurten: tuple[Figure, ...] = ()  # where it was released per buurt
    #: The gemeente's figure at every peildatum with a release, oldest first.
    trend: tuple[Point, ...] = ()
    #: The same indicator elsewhere (region, province, Nederland), for comparison.
    references: tuple[Reference, ...] = ()

    @property
    def released(self) -> bool:
        return self.publication_id is not None

    @property
    def sparkline(self) -> str:
        """SVG polyline points (120 x 32) of the trend's shown values; "" with fewer than two."""
        shown = [
            (n, p.figure.value) for n, p in enumerate(self.trend) if p.figure.value is not None
        ]
        if len(shown) < 2 or len(self.trend) < 2:
            return ""
        low = min(v for _, v in shown)
        high = max(v for _, v in shown)
        span = (high - low) or 1.0
        step = 116 / (len(self.trend) - 1)
        return " ".join(f"{2 + n * step:.1f},{30 - 28 * (v - low) / span:.1f}" for n, v in shown)


@dataclass(frozen=True)
class Group:
    key: str
    name: str
    cards: tuple[Card, ...]


@dataclass(frozen=True)
class Dashboard:
    peildatum: date | None
    peildata: tuple[date, ...]  # every peildatum with released indicators, newest first
    groups: tuple[Group, ...]
    counts: dict[str, int] = field(default_factory=dict)  # released, with_data, gaps, total
    #: Why the reference figures could not be read ("" when they could).
    reference_error: str = ""


def dashboard_read(*, peildatum: date | None = None) -> Dashboard:
    """The dashboard for ``peildatum`` (default: the newest with released indicators)."""
    catalogue = catalogue_load(home=settings.MEEDOEN_HOME)
    by_variable = {indicator_variable(i.id): i for i in catalogue.indicators}
    releases: dict[tuple[str, str], Publication] = {}
    panel: dict[str, Publication] = {}
    for publication in Publication.objects.filter(withdrawn_at__isnull=True).order_by(
        "created_at", "pk"
    ):
        d = publication.definition or {}
        colvar = str(d.get("colvar") or "")
        if colvar in by_variable and not d.get("amount") and d.get("peildatum"):
            releases[(colvar, str(d["peildatum"]))] = publication  # the newest wins
        elif d.get("panel_item"):
            panel[str(d.get("indicator"))] = publication  # the newest wins
    peildata = tuple(sorted({date.fromisoformat(day) for _, day in releases}, reverse=True))
    compared, reference_error = _references(catalogue)
    chosen = peildatum if peildatum in peildata else (peildata[0] if peildata else None)
    groups = []
    for key, indicators in catalogue.by_dimension().items():
        cards = []
        for indicator in indicators:
            elsewhere = {"references": tuple(compared.get(indicator.id, ()))}
            if indicator.status == "panel":
                estimate = panel.get(indicator.id)
                card = _panel_card(indicator, estimate) if estimate else Card(indicator)
                cards.append(replace(card, **elsewhere))
                continue
            variable = indicator_variable(indicator.id)
            found = releases.get((variable, str(chosen)))
            if found is None:
                cards.append(Card(indicator, **elsewhere))
                continue
            trend = tuple(
                Point(day, _card(indicator, releases[(variable, str(day))]).total or _empty())
                for day in sorted(peildata)
                if (variable, str(day)) in releases and day <= (chosen or day)
            )
            cards.append(replace(_card(indicator, found), trend=trend, **elsewhere))
        groups.append(Group(key, DIMENSIONS[key], tuple(cards)))
    cards_all = [c for g in groups for c in g.cards]
    counts = {
        "total": len(cards_all),
        "released": sum(c.released for c in cards_all),
        "with_data": sum(c.indicator.has_data for c in cards_all),
        "gaps": sum(not c.indicator.has_data for c in cards_all),
    }
    return Dashboard(chosen, peildata, tuple(groups), counts, reference_error)


#: Reference figures shown beside the local one: the nearest area first.
LEVEL_ORDER = {"gemeente": 0, "regio": 1, "provincie": 2, "nederland": 3}


def _references(catalogue: Catalogue) -> tuple[dict[str, list[Reference]], str]:
    """The reference figures per indicator (newest period first within an area level), or the
    reason they could not be read: a broken file is named on the page, not silently skipped."""
    try:
        found = references_load(catalogue=catalogue, home=settings.MEEDOEN_HOME)
    except ReferenceFileError as exc:
        return {}, str(exc)
    by_indicator: dict[str, list[Reference]] = {}
    for reference in sorted(found, key=lambda r: r.period, reverse=True):
        by_indicator.setdefault(reference.indicator, []).append(reference)
    for references in by_indicator.values():
        references.sort(key=lambda r: LEVEL_ORDER[r.level])
    return by_indicator, ""


def _card(indicator: Indicator, publication: Publication) -> Card:
    content: dict[str, Any] = publication.content or {}
    definition: dict[str, Any] = publication.definition or {}
    rowvar = str(definition.get("rowvar"))
    colvar = str(definition.get("colvar"))
    names = {str(k): str(v) for k, v in (content.get("areas") or {}).items()}
    [table] = content.get("tables") or [{}]
    cells = {
        (str(c.get(rowvar)), str(c.get(colvar))): c.get("value") for c in table.get("cells") or []
    }
    rows = dict.fromkeys(str(c.get(rowvar)) for c in table.get("cells") or [])
    wijken = [code for code in rows if code.startswith("WK")]
    buurten = [code for code in rows if code.startswith("BU")]
    return Card(
        indicator,
        publication.pk,
        "buurt" if rowvar == "buurtcode" else "wijk",
        _figure(TOTAL, names, cells, indicator.scale),
        tuple(_figure(code, names, cells, indicator.scale) for code in wijken),
        tuple(_figure(code, names, cells, indicator.scale) for code in buurten),
    )


def _empty() -> Figure:
    return Figure(TOTAL, "", None, None, None)


def _panel_card(indicator: Indicator, publication: Publication) -> Card:
    """A panel indicator: the weighted mean (0-10) with its interval and respondents."""
    content: dict[str, Any] = publication.content or {}
    names = {str(k): str(v) for k, v in (content.get("areas") or {}).items()}
    [table] = content.get("tables") or [{}]
    figures = [
        Figure(
            code=str(c.get("wijkcode")),
            name=names.get(str(c.get("wijkcode")), ""),
            value=c.get("value"),
            numerator=None,
            denominator=c.get("respondents"),
            lower=c.get("lower"),
            upper=c.get("upper"),
        )
        for c in table.get("cells") or []
    ]
    total = next((f for f in figures if f.code == TOTAL), None)
    areas = tuple(f for f in figures if f.code != TOTAL)
    return Card(indicator, publication.pk, "wijk", total, areas)


def _figure(
    row: str, names: dict[str, str], cells: dict[tuple[str, str], Any], scale: int
) -> Figure:
    yes, total = cells.get((row, "1")), cells.get((row, TOTAL))
    unknown = cells.get((row, UNKNOWN), 0) if (row, UNKNOWN) in cells else 0
    name = names.get(row, "")
    if yes is None or total is None or unknown is None:
        return Figure(row, name, None, yes, total)
    denominator = total - unknown
    value = scale * yes / denominator if denominator else None
    return Figure(row, name, value, yes, denominator)


@dataclass(frozen=True)
class SignalView:
    signal: Any  # meedoen.dashboards.models.Signal
    indicator: str  # its name
    area: str  # "Rijen (WK078400)", or "" for the whole municipality
    figure: Figure | None  # the indicator's released figure there, if any


def signals_read(*, board: Dashboard, indicator: str | None = None) -> list[SignalView]:
    """The council's signals, newest first, each with the figure of its indicator (for its wijk,
    else the gemeente) on the dashboard's peildatum."""
    cards = {c.indicator.id: c for g in board.groups for c in g.cards}
    signals = Signal.objects.all()
    if indicator is not None:
        signals = signals.filter(indicator=indicator)
    signals = list(signals)
    codes = {s.wijkcode for s in signals if s.wijkcode}
    names = dict(Area.objects.filter(code__in=codes).values_list("code", "name"))
    out = []
    for signal in signals:
        card = cards.get(signal.indicator)
        figure = None
        if card is not None and card.released:
            by_wijk = {f.code: f for f in card.areas}
            figure = by_wijk.get(signal.wijkcode) if signal.wijkcode else card.total
        code = signal.wijkcode
        area = f"{names[code]} ({code})" if code in names else code
        name = card.indicator.name if card else signal.indicator
        out.append(SignalView(signal, name, area, figure))
    return out


@dataclass(frozen=True)
class WijkRow:
    card: Card
    wijk: Figure | None  # None: not released per wijk
    gemeente: Figure | None
    reference: Reference | None  # the nearest figure elsewhere


@dataclass(frozen=True)
class WijkView:
    code: str
    name: str
    rows: tuple[WijkRow, ...]


def wijk_read(*, board: Dashboard, code: str) -> WijkView:
    """One wijk's figures beside the gemeente's and the nearest reference figure, for every
    indicator released on the board; ObjectDoesNotExist for a code that is no wijk."""
    name = Area.objects.filter(code=code, level=Area.Level.WIJK).values_list("name", flat=True)
    known = next(iter(name), None)
    rows = []
    for group in board.groups:
        for card in group.cards:
            if not card.released:
                continue
            figure = next((f for f in card.areas if f.code == code), None)
            if figure is not None and known is None:
                known = figure.name
            rows.append(
                WijkRow(card, figure, card.total, card.references[0] if card.references else None)
            )
    if known is None:
        raise Area.DoesNotExist(f"there is no wijk {code}")
    return WijkView(code, known, tuple(rows))


def dashboard_version() -> str:
    """Changes whenever what the dashboard shows may change: a release, a withdrawal, a signal,
    new area names, the catalogue or a reference file. The pages keep their rendered figures
    under it (the views' cache)."""
    releases = Publication.objects.aggregate(
        n=Count("pk"), last=Max("pk"), at=Max("created_at"), withdrawn=Max("withdrawn_at")
    )
    signals = Signal.objects.aggregate(n=Count("pk"), last=Max("pk"), at=Max("recorded_at"))
    areas = list(Area.objects.order_by("code").values_list("code", "name"))
    home = settings.MEEDOEN_HOME
    files = [
        path
        for folder in (home / "indicators", home / "referenties")
        if folder.is_dir()
        for path in sorted(folder.iterdir())
    ]
    stamps = [(str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files]
    text = repr((str(home), releases, signals, areas, stamps))
    return hashlib.sha256(text.encode()).hexdigest()[:32]
