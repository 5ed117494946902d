"""Attack: a council member, who may see no person's data, used the signal form as an oracle on
the population register. The first version looked every word up among the vault's surnames, as
the intake gate does, and refused "mevrouw Sastrowardoyo kwam langs" only when someone with that
surname was registered: typing a rare surname told whether such a person lives in the
municipality. Now whether a text is refused for a name does not depend on which surnames the
register holds: the same texts with a registered and an unregistered surname get the same
answer (and a name is still refused)."""

from __future__ import annotations

from pathlib import Path

import pytest

from meedoen_data.intake import ingest_directory
from meedoen_data.intake.text_check import text_identifiers
from meedoen_data.workspace import workspace_init
from tests.intake.conftest import PERSON_HEADER, person_rows


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A vault that knows Anna Maria Jansen0, Jansen1 and Jansen2."""
    home = tmp_path / "home"
    workspace_init(home=home)
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "ingeschrevenpersoon.csv").write_text(
        "\n".join([PERSON_HEADER, *person_rows(3)]), encoding="utf-8"
    )
    ingest_directory(home=home, directory=tmp_path / "d", user="t")
    return home


@pytest.mark.parametrize(
    "template",
    [
        "mevrouw {} kwam langs op het spreekuur",
        "Anna {} vertelde over de huur",
        "J. {} belde over de voedselbank",
        "de heer van der {} miste de bijeenkomst",
        "{} is een naam die wij vaak horen",
    ],
)
def test_the_answer_does_not_depend_on_whether_the_surname_is_registered(
    home: Path, template: str
) -> None:
    registered = text_identifiers(home=home, text=template.format("Jansen0"))
    unknown = text_identifiers(home=home, text=template.format("Wolkenveld"))
    assert registered == unknown


def test_a_name_is_still_refused_and_plain_text_is_not(home: Path) -> None:
    assert "name" in text_identifiers(home=home, text="Anna Jansen0 kan de huur niet betalen")
    assert "name" in text_identifiers(home=home, text="mw. Wolkenveld belde")
    assert text_identifiers(home=home, text="Op het spreekuur ging het vaak over de huur.") == []
    assert text_identifiers(home=home, text="Anna kwam niet, Rijen-Centrum wel.") == []
