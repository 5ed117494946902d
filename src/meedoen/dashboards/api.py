"""The JSON API of the indicators: ``GET /api/v1/indicators/`` (issue 18).

The catalogue with, per indicator, its released values per area for a peildatum (the newest by
default, ``?peildatum=YYYY-MM-DD``) — released values only, read as the dashboard reads them:
a withheld value is ``null``. Every role that reads the dashboard (not residents)."""

from __future__ import annotations

from datetime import date
from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from meedoen.dashboards.selectors import Card, Figure, dashboard_read
from meedoen.publications.api import gate


class IndicatorListAPI(APIView):
    http_method_names = ["get", "head", "options"]

    def get(self, request: Request) -> Response:
        gate(request)
        try:
            chosen: date | None = date.fromisoformat(request.query_params.get("peildatum", ""))
        except ValueError:
            chosen = None
        board = dashboard_read(peildatum=chosen)
        return Response(
            {
                "peildatum": board.peildatum,
                "peildata": list(board.peildata),
                "indicators": [_card(card) for group in board.groups for card in group.cards],
            }
        )


def _card(card: Card) -> dict[str, Any]:
    i = card.indicator
    figures = [f for f in (card.total, *card.areas, *card.buurten) if f is not None]
    return {
        "id": i.id,
        "name": i.name,
        "question": i.question,
        "dimension": i.dimension,
        "aspect": i.aspect,
        "status": i.status,
        "unit": i.unit,
        "direction": i.direction,
        "measure": "mean 0-10"
        if i.status == "panel"
        else ("per 1000" if i.scale == 1000 else "percent"),
        "needed": i.needed or None,
        "publication": card.publication_id,
        "values": [_figure(f) for f in figures] if card.released else [],
    }


def _figure(f: Figure) -> dict[str, Any]:
    return {
        "area": f.code,
        "name": f.name or None,
        "value": None if f.value is None else round(f.value, 2),
        "numerator": f.numerator,
        "denominator": f.denominator,
        "lower": f.lower,
        "upper": f.upper,
    }
