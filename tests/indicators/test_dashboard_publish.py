"""`meedoen dashboard publish` on the demo municipality (issue 18): every register indicator
released as a disclosure-controlled table, safe to run again, refused for other roles; and an
attack on everything released for the peildatum together — dashboard tables and a table of
`meedoen table` — narrows no unsafe hidden cell below its protection level."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from meedoen_data.disclosure.audit import publication_audit
from meedoen_data.disclosure.household import household_table
from meedoen_data.disclosure.publish import rules_from_json
from meedoen_data.disclosure.rules import primary_cells
from meedoen_data.disclosure.series import release_cells
from meedoen_data.indicators import catalogue_load
from tests.helpers import meedoen_as, meedoen_json, passwords

PEILDATUM = "2025-01-01"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("dashboard") / "home"
    result = meedoen_json("demo", "--no-serve", "--home", str(home))
    return {
        "home": str(home),
        "activity": str(result["activity"]["id"]),
        "passwords": passwords(result),
    }


def publish(demo: dict[str, Any], username: str = "analyst") -> Any:
    return meedoen_as(
        username,
        demo["passwords"][username],
        "dashboard",
        "publish",
        "--activity",
        demo["activity"],
        "--peildatum",
        PEILDATUM,
        "--home",
        demo["home"],
        "--json",
    )


@pytest.fixture(scope="module")
def released(demo: dict[str, Any]) -> dict[str, Any]:
    # A table of meedoen table first: the dashboard's tables share its cells (households per
    # wijk) and must be protected together with it.
    first = meedoen_as(
        "analyst",
        demo["passwords"]["analyst"],
        "table",
        "wijkcode",
        "household_type",
        "--activity",
        demo["activity"],
        "--home",
        demo["home"],
        "--format",
        "json",
    )
    assert first.returncode == 0, first.stderr
    result = publish(demo)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_every_register_indicator_is_released_or_refused_with_a_reason(
    released: dict[str, Any],
) -> None:
    rows = {r["indicator"]: r for r in released["indicators"]}
    with_data = [i.id for i in catalogue_load().indicators if i.has_data]
    assert sorted(rows) == sorted(with_data)
    # The resident panel: every meedoen item per wijk (the demo's wijken have enough answers).
    panel = [r for r in rows.values() if r["indicator"].startswith("panel_")]
    assert len(panel) == 6 and all(r["status"] == "published" and r["hidden"] == 0 for r in panel)
    published = [r for r in rows.values() if r["status"] == "published"]
    assert len(published) >= 12
    assert all(r["publication"] and r["level"] in ("buurt", "wijk") for r in published)
    assert rows["bijstand"]["level"] == "buurt" and rows["voedselbank"]["level"] == "wijk"
    # The demo's activity does not cover the early signals: refused, saying why.
    assert rows["vroegsignalen"]["status"] == "refused"
    assert "does not cover signalen" in rows["vroegsignalen"]["reason"]
    assert all(r["reason"] for r in rows.values() if r["status"] == "refused")


def test_running_it_again_releases_nothing_new(demo: dict[str, Any], released: Any) -> None:
    again = publish(demo)
    assert again.returncode == 0, again.stderr
    before = {r["indicator"]: r for r in released["indicators"]}
    for row in json.loads(again.stdout)["indicators"]:
        if before[row["indicator"]]["status"] == "refused":
            assert row["status"] == "refused"
        else:
            assert row["status"] == "unchanged"
            assert row["publication"] == before[row["indicator"]]["publication"]


def test_only_analysts_release(demo: dict[str, Any]) -> None:
    refused = publish(demo, "policy_maker")
    assert refused.returncode == 2 and "analyst" in refused.stderr.lower()


def test_an_attack_on_everything_released_for_the_peildatum_finds_no_unsafe_cell(
    demo: dict[str, Any], released: Any
) -> None:
    """All releases of the peildatum at once, as an attacker holds them: one linear programme
    over every table, cells with the same meaning (households per wijk) one unknown."""
    home = Path(demo["home"])
    with sqlite3.connect(home / "web.sqlite3") as db:
        stored = db.execute(
            "SELECT id, definition, content FROM publications_publication "
            "WHERE withdrawn_at IS NULL"
        ).fetchall()
    indicators = catalogue_load().indicators
    tables, hidden, unsafe = [], {}, {}
    rules = None
    for pk, definition, content in stored:
        d, c = json.loads(definition), json.loads(content)
        if d.get("peildatum") != PEILDATUM or d.get("amount"):  # not the panel's estimates
            continue
        table = household_table(
            home=home,
            activity_id=int(d["activity"]),
            rowvar=d["rowvar"],
            colvar=d["colvar"],
            where=[tuple(p) for p in d["where"]],
            peildatum=date.fromisoformat(d["peildatum"]),
            indicators=indicators,
        ).table
        table = replace(table, name=str(pk))
        cells = release_cells(c["tables"][0]["cells"], [dim.name for dim in table.dimensions])
        hidden[str(pk)] = {key for key, cell in cells.items() if cell["value"] is None}
        rules = rules_from_json(c["rules"])
        unsafe[str(pk)] = set(primary_cells(table, rules))
        tables.append(table)
    assert len(tables) >= 13 and rules is not None
    assert all(unsafe[name] <= hidden[name] for name in unsafe)
    audit = publication_audit(tables, hidden, unsafe, rules)
    assert audit.linear_programmes > 0
    assert audit.safe, audit.exposures[:3]


def test_a_broken_catalogue_addition_stops_indicator_tables_only(
    demo: dict[str, Any], released: Any
) -> None:
    """An installation's catalogue file with a mistake refuses tables of indicators, naming the
    file, and leaves every other table alone."""
    addition = Path(demo["home"]) / "indicators" / "kapot.toml"
    addition.parent.mkdir(exist_ok=True)
    addition.write_text('versie = 1\n[[indicator]]\nid = "x"\n', encoding="utf-8")
    try:
        common = ("--activity", demo["activity"], "--home", demo["home"], "--format", "json")
        plain = meedoen_as(
            "analyst", demo["passwords"]["analyst"], "table", "wijkcode", "size", *common
        )
        assert plain.returncode == 0, plain.stderr
        indicator = meedoen_as(
            "analyst", demo["passwords"]["analyst"], "table", "wijkcode", "ind_ww", *common
        )
        assert indicator.returncode == 2 and "kapot.toml" in indicator.stderr
    finally:
        addition.unlink()
