"""The dashboard's map (issue 18): a choropleth of one indicator's released figures per buurt
(or per wijk), drawn on the server as SVG from the outlines of ``gebied`` — no map service, no
script. Four classes of equal width between the lowest and the highest shown figure; an area
whose figure is withheld (``x``) is grey and says so. The figures are the card's own, so the
wijk table beside the map is its text alternative.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from meedoen.areas.models import Area
from meedoen.dashboards.selectors import Card, Figure
from meedoen.web.templatetags.nl import getal

#: Fill colours, light to dark (shades of the NL Design System's blue), and for a withheld area.
COLOURS = ("#deebf7", "#9ecae1", "#4292c6", "#08306b")
WITHHELD = "#d9d9d9"
WIDTH = 600


@dataclass(frozen=True)
class Shape:
    code: str
    name: str
    path: str  # SVG path data
    colour: str
    figure: Figure


@dataclass(frozen=True)
class Band:
    colour: str
    low: str
    high: str


@dataclass(frozen=True)
class MapView:
    card: Card
    level: str  # buurt or wijk
    width: int
    height: int
    shapes: tuple[Shape, ...]
    bands: tuple[Band, ...]
    withheld: bool  # some area is withheld (the legend shows the grey)


def indicator_map(*, card: Card) -> MapView | None:
    """The map of a released register indicator; None without outlines for its areas."""
    figures = card.buurten or card.areas
    if not card.released or not figures:
        return None
    level = "buurt" if card.buurten else "wijk"
    outlines = dict(
        Area.objects.filter(code__in=[f.code for f in figures])
        .exclude(geometry="")
        .values_list("code", "geometry")
    )
    rings_of = {code: _rings(text) for code, text in outlines.items()}
    rings_of = {code: rings for code, rings in rings_of.items() if rings}
    if not rings_of:
        return None
    points = [p for rings in rings_of.values() for ring in rings for p in ring]
    wgs84 = all(abs(x) <= 180 and abs(y) <= 90 for x, y in points)
    scale_x = math.cos(math.radians(sum(y for _, y in points) / len(points))) if wgs84 else 1.0
    xs = [x * scale_x for x, _ in points]
    ys = [y for _, y in points]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    factor = (WIDTH - 20) / span
    height = int((max(ys) - min(ys)) * factor) + 20
    values = [f.value for f in figures if f.value is not None and f.code in rings_of]
    low, high = (min(values), max(values)) if values else (0.0, 0.0)
    step = (high - low) / len(COLOURS) or 1.0
    shapes = []
    for figure in figures:
        rings = rings_of.get(figure.code)
        if not rings:
            continue
        path = " ".join(
            "M"
            + " L".join(
                f"{10 + (x * scale_x - min(xs)) * factor:.1f},{10 + (max(ys) - y) * factor:.1f}"
                for x, y in ring
            )
            + " Z"
            for ring in rings
        )
        if figure.value is None:
            colour = WITHHELD
        else:
            colour = COLOURS[min(int((figure.value - low) / step), len(COLOURS) - 1)]
        shapes.append(Shape(figure.code, figure.name, path, colour, figure))
    bands = tuple(
        Band(colour, _text(low + n * step), _text(low + (n + 1) * step))
        for n, colour in enumerate(COLOURS)
    )
    return MapView(
        card,
        level,
        WIDTH,
        height,
        tuple(shapes),
        bands if values else (),
        any(s.figure.value is None for s in shapes),
    )


def _rings(text: str) -> list[list[tuple[float, float]]]:
    """The outer rings of a GeoJSON Polygon or MultiPolygon (holes are left out)."""
    try:
        shape = json.loads(text)
        if shape["type"] == "Polygon":
            polygons = [shape["coordinates"]]
        elif shape["type"] == "MultiPolygon":
            polygons = shape["coordinates"]
        else:
            return []
        return [[(float(p[0]), float(p[1])) for p in polygon[0]] for polygon in polygons]
    except (ValueError, KeyError, IndexError, TypeError):
        return []


def _text(value: float) -> str:
    return str(getal(value, 1))
