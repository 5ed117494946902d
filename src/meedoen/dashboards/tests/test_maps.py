"""The dashboard's map (issue 18): the released figures per buurt drawn from the outlines of
gebied, in four classes of equal width, a withheld buurt grey; no map without outlines."""

from __future__ import annotations

import pytest

from meedoen.areas.models import Area
from meedoen.dashboards.maps import COLOURS, WITHHELD, indicator_map
from meedoen.dashboards.selectors import dashboard_read
from meedoen.dashboards.tests.test_selectors import card, release

pytestmark = pytest.mark.django_db


def square(x: int) -> str:
    return (
        '{"type": "Polygon", "coordinates": '
        f"[[[{x}, 0], [{x + 10}, 0], [{x + 10}, 10], [{x}, 10], [{x}, 0]]]}}"
    )


def test_a_choropleth_of_the_released_figures_with_the_withheld_grey() -> None:
    values = {("Totaal", "Totaal"): 400, ("Totaal", "1"): 40}
    for n, (total, yes) in enumerate(((100, 10), (100, 20), (100, None), (100, 50))):
        values[(f"WK07840{n}", "Totaal")] = total
        values[(f"WK07840{n}", "1")] = yes
        Area.objects.create(code=f"WK07840{n}", name=f"W{n}", level="wijk", geometry=square(10 * n))
    release("bijstand", values)
    shown = indicator_map(card=card(dashboard_read(), "bijstand"))
    assert shown is not None and shown.level == "wijk" and len(shown.shapes) == 4
    colours = {s.code: s.colour for s in shown.shapes}
    assert colours == {
        "WK078400": COLOURS[0],  # 10%: the lowest class
        "WK078401": COLOURS[1],  # 20%: 10 + 40/4 = 20 starts the second class
        "WK078402": WITHHELD,
        "WK078403": COLOURS[3],  # 50%: the highest
    }
    assert shown.withheld and [b.low for b in shown.bands][:2] == ["10,0", "20,0"]
    assert shown.shapes[0].path.startswith("M10.0,")


def test_no_map_without_outlines() -> None:
    release("bijstand", {("Totaal", "Totaal"): 100, ("Totaal", "1"): 5, ("WK078400", "Totaal"): 100,
                         ("WK078400", "1"): 5})  # fmt: skip
    Area.objects.create(code="WK078400", name="Rijen", level="wijk")
    assert indicator_map(card=card(dashboard_read(), "bijstand")) is None
