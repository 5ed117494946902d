"""`meedoen table` on the demo municipality: every cell and margin, suppressed cells marked
(never 0), the audit's figures, series, rounding, refusals, the audit log, and no way around
the publication functions."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import demo_copy, meedoen_as, meedoen_json, passwords

SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("table") / "home"
    result = demo_copy(Path(home))
    return {
        "home": str(home),
        "activity": str(result["activity"]["id"]),
        "analyst": passwords(result)["analyst"],
    }


def table(demo: dict[str, Any], *args: str) -> Any:
    """`meedoen table ARGS` as the demo analyst (signed in with her password)."""
    return meedoen_as(
        "analyst",
        demo["analyst"],
        "table",
        *args,
        "--activity",
        demo["activity"],
        "--home",
        demo["home"],
    )


def test_json_lists_every_cell_with_margins_and_flags(demo: dict[str, Any]) -> None:
    result = table(demo, "buurtcode", "household_type", "--format", "json")
    assert result.returncode == 0, result.stderr
    content = json.loads(result.stdout)
    [published] = content["tables"]
    cells = published["cells"]
    buurten = {c["buurtcode"] for c in cells if c["buurtcode"].startswith("BU")}
    wijken = {c["buurtcode"] for c in cells if c["buurtcode"].startswith("WK")}
    types = {c["household_type"] for c in cells}
    assert len(buurten) == 20 and len(wijken) == 4 and "Totaal" in types
    assert len(cells) == (20 + 4 + 1) * len(types)
    grand = next(c for c in cells if c["buurtcode"] == "Totaal" and c["household_type"] == "Totaal")
    assert grand["value"] > 10_000 and grand["suppressed"] is None
    hidden = [c for c in cells if c["value"] is None]
    assert hidden and {c["suppressed"] for c in hidden} == {"primary", "secondary"}
    assert all(c["suppressed"] is None for c in cells if c["value"] is not None)
    summary = content["summary"]
    assert summary["primary"] == sum(c["suppressed"] == "primary" for c in cells)
    assert summary["audited_cells"] == len(hidden)
    # Shown cells are real: every shown value is at least the threshold or 0.
    assert all(c["value"] == 0 or c["value"] >= 10 for c in cells if c["value"] is not None)


def test_csv_marks_suppressed_cells_with_x(demo: dict[str, Any]) -> None:
    result = table(demo, "wijkcode", "household_type")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["wijkcode", "household_type", "households"]
    values = [r["households"] for r in rows]
    assert "x" in values and "" not in values
    assert all(v == "x" or re.fullmatch(r"\d+", v) for v in values)


def test_filters_sums_rounding_and_a_series(demo: dict[str, Any]) -> None:
    single = table(demo, "buurtcode", "--where", "household_type=eenouder", "--format", "json")
    assert single.returncode == 0, single.stderr
    again = table(demo, "buurtcode", "--where", "household_type=eenouder", "--format", "json")
    assert again.returncode == 0, again.stderr
    first, second = json.loads(single.stdout), json.loads(again.stdout)
    assert second["publication"] == first["publication"] + 1
    # What the first release published stays published in the second (a series).
    shown = {
        c["buurtcode"]: c["value"] for c in first["tables"][0]["cells"] if c["value"] is not None
    }
    later = {c["buurtcode"]: c["value"] for c in second["tables"][0]["cells"]}
    assert all(later[code] == value for code, value in shown.items())
    # A stricter rule cannot take back what the series already published.
    stricter = table(
        demo, "buurtcode", "--where", "household_type=eenouder", "--min-frequency", "40"
    )
    assert stricter.returncode == 2 and "already published it" in stricter.stderr
    income = table(demo, "wijkcode", "--sum", "besteedbaar_inkomen", "--format", "json")
    assert income.returncode == 0, income.stderr
    assert json.loads(income.stdout)["tables"][0]["measure"] == "besteedbaar_inkomen"
    mixed = table(demo, "buurtcode", "--where", "household_type=eenouder", "--rounding")
    assert mixed.returncode == 2 and "would let anyone combine the two" in mixed.stderr
    # Rounding on households of another peildatum (tables of one peildatum keep one mode).
    build = meedoen_as(
        "analyst", demo["analyst"], "build", "--peildatum", "2024-01-01", "--activity",
        demo["activity"], "--home", demo["home"],
    )  # fmt: skip
    assert build.returncode == 0, build.stderr
    rounded = table(
        demo, "wijkcode", "ao", "--rounding", "--peildatum", "2024-01-01", "--format", "json"
    )
    assert rounded.returncode == 0, rounded.stderr
    content = json.loads(rounded.stdout)
    assert content["mode"] == "rounding"
    assert all(c["value"] % 5 == 0 for c in content["tables"][0]["cells"])
    text = table(demo, "wijkcode", "--format", "text")
    assert text.returncode == 0 and "Totaal" in text.stdout, text.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bsn"], "unknown variable 'bsn'"),
        (["wijkcode", "--where", "naam=Jansen"], "cannot filter on 'naam'"),
        (["wijkcode", "--where", "wijkcode"], "--where must be COLUMN=VALUE"),
        (["wijkcode", "--sum", "bsn"], "unknown amount 'bsn'"),
        (["wijkcode", "--min-frequency", "0"], "min_frequency must be at least 1"),
        (["wijkcode", "--format", "xlsx"], "--format must be one of"),
        (["wijkcode", "--peildatum", "2030-01-01"], "no households at 2030-01-01"),
    ],
)
def test_bad_requests_are_refused(demo: dict[str, Any], args: list[str], message: str) -> None:
    result = table(demo, *args)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert result.stdout == ""


def test_publishing_is_logged_under_the_activity(demo: dict[str, Any]) -> None:
    assert table(demo, "wijkcode").returncode == 0
    records = meedoen_json("audit", "list", "--activity", demo["activity"], "--home", demo["home"])
    assert any(r["name"] == "table.publish" for r in records), [r["name"] for r in records][:10]


def test_no_code_outside_the_disclosure_module_makes_or_writes_a_release() -> None:
    """The writers only take a sealed Release (tests/disclosure/test_suppression.py); here:
    nothing else in the code base builds published cells or touches the seal."""
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.parent.name == "disclosure" and path.parent.parent.name == "meedoen_data":
            continue
        text = path.read_text(encoding="utf-8")
        for marker in ("PublishedCell(", "PublishedTable(", "_sealed(", "publish import _"):
            if marker in text:
                offenders.append(f"{path.relative_to(SRC)}: {marker}")
    assert offenders == []


def test_a_table_linked_to_an_earlier_one_is_protected_with_it(demo: dict[str, Any]) -> None:
    """wijk x household_type, then wijk x children on the same households: the second release
    is protected and audited together with the first, whose hidden cells stay hidden."""
    first = table(demo, "wijkcode", "household_type", "--format", "json")
    second = table(demo, "wijkcode", "children", "--format", "json")
    assert first.returncode == 0 and second.returncode == 0, second.stderr
    summary = json.loads(second.stdout)["summary"]
    assert summary["linked_releases"] >= 1

    def margin(release: Any, column: str) -> dict[str, Any]:
        cells = json.loads(release.stdout)["tables"][0]["cells"]
        return {c["wijkcode"]: c["value"] for c in cells if c[column] == "Totaal"}

    # The shared margin (households per wijk) is the same, or hidden, in both releases.
    assert margin(first, "household_type") == margin(second, "children")
