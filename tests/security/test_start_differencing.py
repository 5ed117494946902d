"""Attack on tables "at the start" (`meedoen compare --at-start`, issue 19), tried by an analyst:
release the food bank's clients at their start by age for the peildatum 2024-07-01 and again for
2024-08-01. Neither is a household build, so each is its own family for disclosure control, and
on the demo the two differed by exactly one household — the client who started in August 2024 —
whose age band (45 to 59) the difference of the two tables showed. Now a table at the start is
counted only up to a peildatum that households were built for: refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from meedoen_data.disclosure.household import TableError, household_table
from tests.helpers import demo_copy, meedoen_as, passwords


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("start") / "home"
    result = demo_copy(home)
    password = passwords(result)["analyst"]
    built = meedoen_as(
        "analyst",
        password,
        *("build", "--activity", str(result["activity"]["id"]), "--peildatum", "2024-01-01"),
        *("--home", str(home), "--json"),
    )
    assert built.returncode == 0, built.stderr
    return {"home": home, "activity": result["activity"]["id"]}


@pytest.mark.parametrize("peildatum", [date(2024, 7, 1), date(2024, 8, 1)])
def test_a_table_at_the_start_between_builds_is_refused(
    demo: dict[str, Any], peildatum: date
) -> None:
    with pytest.raises(TableError, match="not one: choose one of 2024-01-01, 2025-01-01"):
        household_table(
            home=Path(demo["home"]),
            activity_id=demo["activity"],
            rowvar="leeftijd",
            at_start="voedselbank",
            peildatum=peildatum,
        )


def test_at_a_build_it_is_made(demo: dict[str, Any]) -> None:
    made = household_table(
        home=Path(demo["home"]),
        activity_id=demo["activity"],
        rowvar="leeftijd",
        at_start="voedselbank",
        peildatum=date(2025, 1, 1),
    )
    assert made.households > 0
