"""Panel indicators (issue 18): the weighted mean of an item per wijk and for the gemeente with
its 95% interval, an area with fewer than 30 answers withheld, and a second wijk withheld when
one alone would be, so that it cannot be worked out from the gemeente and the others."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pytest

from meedoen_data.activity_store import store_path
from meedoen_data.disclosure.panel import SECONDARY, TOO_FEW, PanelError, panel_estimates
from meedoen_data.workspace import Workspace, workspace_init

ITEM = "meedoen_contact_met_anderen"


def panel(tmp_path: Path, rows: list[tuple[str, str | None, float | None, int | None]]) -> Path:
    home = tmp_path / "home"
    workspace_init(home=home)
    path = store_path(Workspace(home), 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA source")
    con.execute(
        f"CREATE TABLE source.inwonerspanel (respondent_id VARCHAR, wijkcode VARCHAR, "
        f"weging DOUBLE, {ITEM} INTEGER)"
    )
    if rows:
        con.executemany("INSERT INTO source.inwonerspanel VALUES (?, ?, ?, ?)", rows)
    con.close()
    return home


def test_weighted_means_with_their_interval_and_too_few_answers_withheld(tmp_path: Path) -> None:
    rows = [(f"A{i}", "WK078400", 1.0 if i % 2 else 3.0, 6 if i % 2 else 8) for i in range(40)]
    rows += [(f"B{i}", "WK078401", None, 5) for i in range(35)]
    rows += [(f"C{i}", "WK078402", 1.0, 9) for i in range(12)]  # too few
    rows += [(f"E{i}", "WK078404", 1.0, 2) for i in range(10)]  # too few (two hidden: enough)
    rows += [(f"D{i}", "WK078403", 1.0, None) for i in range(50)]  # no answer to this item
    estimates = {
        e.area: e for e in panel_estimates(home=panel(tmp_path, rows), activity_id=1, item=ITEM)
    }
    a = estimates["WK078400"]
    assert a.respondents == 40 and a.mean == pytest.approx((20 * 6 + 20 * 3 * 8) / 80)
    w = [1.0 if i % 2 else 3.0 for i in range(40)]
    x = [6 if i % 2 else 8 for i in range(40)]
    variance = sum(wi * wi * (xi - a.mean) ** 2 for wi, xi in zip(w, x, strict=True)) / 80**2
    assert a.lower == pytest.approx(a.mean - 1.96 * math.sqrt(variance))
    assert estimates["WK078401"].mean == pytest.approx(5.0) and estimates["WK078401"].upper == 5.0
    assert estimates["WK078402"].mean is None and estimates["WK078402"].withheld == TOO_FEW
    assert "WK078403" not in estimates  # nobody answered
    total = estimates["Totaal"]
    assert estimates["WK078404"].withheld == TOO_FEW
    assert total.respondents == 97 and total.mean is not None


def test_a_second_wijk_is_withheld_when_one_alone_would_be(tmp_path: Path) -> None:
    """Gemeente 8.0 of 100 answers, wijk B 8.5 of 50 and C 7.0 of 35: the hidden wijk A
    (15 answers) would follow from them; the smallest shown wijk (C) is withheld too."""
    rows = [(f"A{i}", "WK078400", 1.0, 8) for i in range(15)]
    rows += [(f"B{i}", "WK078401", 1.0, 9 if i % 2 else 8) for i in range(50)]
    rows += [(f"C{i}", "WK078402", 1.0, 7) for i in range(35)]
    estimates = {
        e.area: e for e in panel_estimates(home=panel(tmp_path, rows), activity_id=1, item=ITEM)
    }
    assert estimates["WK078400"].withheld == TOO_FEW
    assert estimates["WK078402"].withheld == SECONDARY and estimates["WK078402"].mean is None
    assert estimates["WK078401"].mean is not None and estimates["Totaal"].mean is not None


def test_an_unknown_item_is_refused(tmp_path: Path) -> None:
    home = panel(tmp_path, [])
    with pytest.raises(PanelError, match="unknown panel item"):
        panel_estimates(home=home, activity_id=1, item="weging; DROP TABLE x")
