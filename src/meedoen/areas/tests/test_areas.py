"""The web database's copy of the areas: replaced, all of it, by an intake that loaded
``gebied`` (whichever way it came in: command line, upload, demo, linkage all log through
``intake_log``), left alone by one that did not (ADR 0019)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from meedoen.activities.actors import Actor
from meedoen.areas.models import Area
from meedoen.areas.selectors import area_names
from meedoen.audits.trace import TraceContext
from meedoen.intakes.services import intake_log
from meedoen_data.intake import ingest_directory
from meedoen_data.workspace import workspace_init

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(tmp_path: Path, settings) -> Path:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    settings.MEEDOEN_HOME = home
    settings.WORKSPACE = workspace_init(home=home).workspace
    return home


def ingest(home: Path, folder: Path, files: dict[str, str]) -> None:
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    report = ingest_directory(home=home, directory=folder, user="test")
    intake_log(
        report=report,
        actor=Actor("test"),
        trace=TraceContext.start(),
        channel="cli",
        started=datetime.now(UTC),
    )


def test_an_intake_of_gebied_replaces_the_names_and_another_leaves_them(home, tmp_path) -> None:
    header = "code,naam,niveau,bovenliggend\n"
    ingest(
        home,
        tmp_path / "first",
        {"gebied.csv": header + "WK078400,Rijen,wijk,\nWK078401,Gilze,wijk,\n"},
    )
    assert area_names(codes=["WK078400", "WK078401", "WK078499"]) == {
        "WK078400": "Rijen",
        "WK078401": "Gilze",
    }
    ingest(home, tmp_path / "second", {"gebied.csv": header + "WK078400,Rijen-Centrum,wijk,\n"})
    assert list(Area.objects.values_list("code", "name")) == [("WK078400", "Rijen-Centrum")]
    panel = "respondent_id,wijkcode,weging,leeftijdsklasse\nR1,WK078400,1,18-34\n"
    ingest(home, tmp_path / "third", {"inwonerspanel.csv": panel})
    assert Area.objects.count() == 1
    assert area_names(codes=[]) == {}
