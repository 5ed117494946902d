"""A published table's title and labels in the reader's language, made from its definition:
"Huishoudens naar wijk en type huishouden op 1 januari 2025", areas as "Rijen-Centrum (WK078400)"
with the names the release was published with (ADR 0019), categories and flags by their labels
(issue 17)."""

from __future__ import annotations

import pytest
from django.utils import translation

from meedoen.areas.models import Area
from meedoen.publications.models import Publication
from meedoen.publications.selectors import publication_detail, publication_title

pytestmark = pytest.mark.django_db


def test_titles_are_dutch_sentences_made_from_the_definition() -> None:
    with translation.override("nl"):
        assert (
            publication_title(
                definition={
                    "rowvar": "wijkcode",
                    "colvar": "household_type",
                    "peildatum": "2025-01-01",
                }
            )
            == "Huishoudens naar wijk en type huishouden op 1 januari 2025"
        )
        assert (
            publication_title(
                definition={
                    "rowvar": "buurtcode",
                    "colvar": None,
                    "peildatum": "2025-01-01",
                    "amount": "besteedbaar_inkomen",
                    "where": [["household_type", "eenouder"], ["huurtoeslag", "1"]],
                }
            )
            == "Besteedbaar inkomen (totaal) naar buurt op 1 januari 2025, alleen type huishouden: "
            "Eenoudergezin, huurtoeslag: Ja"
        )
    with translation.override("en"):
        assert (
            publication_title(definition={"rowvar": "opleidingsniveau", "peildatum": "2025-01-01"})
            == "Households by education level on Jan. 1, 2025"
        )
    assert publication_title(definition={}, description="households by x") == "households by x"


def _release(**extra: object) -> Publication:
    cells = [
        {"wijkcode": code, "woningbezit": kind, "value": 10, "suppressed": None}
        for code in ("Totaal", "WK078400", "WK078401")
        for kind in ("Totaal", "koop", "huur_corporatie", "onbekend")
    ]
    content = {
        "mode": "suppression",
        "rules": {},
        "summary": {},
        "tables": [
            {
                "name": "households",
                "dimensions": ["wijkcode", "woningbezit"],
                "measure": "households",
                "cells": cells,
            }
        ],
        **extra,
    }
    return Publication.objects.create(
        activity_id=1,
        definition={"rowvar": "wijkcode", "colvar": "woningbezit", "peildatum": "2025-01-01"},
        series="0" * 64,
        description="households by wijkcode x woningbezit at 2025-01-01",
        content=content,
        published_by="analist",
        channel="cli",
        trace_id="0" * 32,
    )


def test_a_release_shows_the_area_names_it_was_published_with() -> None:
    Area.objects.create(code="WK078400", name="Rijen-Centrum", level="wijk")
    kept = _release(areas={"WK078400": "Rijen"})
    older = _release()  # published before names were kept: the names known now
    with translation.override("nl"):
        shown = publication_detail(publication_id=kept.pk).tables[0]
        assert [row.labels[0] for row in shown.rows] == [
            "Totaal",
            "Rijen (WK078400)",
            "WK078401",
        ]
        assert shown.columns == (
            "Totaal",
            "Koopwoning",
            "Huurwoning van een corporatie",
            "Onbekend",
        )
        now = publication_detail(publication_id=older.pk).tables[0]
        assert now.rows[1].labels == ("Rijen-Centrum (WK078400)",)


def test_an_indicator_of_the_dashboard_is_titled_and_labelled_by_its_name() -> None:
    cells = [
        {"wijkcode": wijk, "ind_jeugdhulp": flag, "value": 20, "suppressed": None}
        for wijk in ("Totaal", "WK078400")
        for flag in ("Totaal", "1", "0")
    ]
    release = Publication.objects.create(
        activity_id=1,
        definition={
            "rowvar": "wijkcode",
            "colvar": "ind_jeugdhulp",
            "where": [["pop_jeugdhulp", "1"]],
            "peildatum": "2025-01-01",
        },
        series="0" * 64,
        description="households by wijkcode x ind_jeugdhulp at 2025-01-01",
        content={
            "mode": "suppression",
            "rules": {},
            "summary": {},
            "tables": [
                {
                    "name": "households",
                    "dimensions": ["wijkcode", "ind_jeugdhulp"],
                    "measure": "households",
                    "cells": cells,
                }
            ],
            "areas": {},
        },
        published_by="analist",
        channel="cli",
        trace_id="0" * 32,
    )
    with translation.override("nl"):
        shown = publication_detail(publication_id=release.pk)
        assert shown.title == "Gezinnen met jeugdhulp naar wijk op 1 januari 2025"
        assert shown.tables[0].header == ("Wijk",)
        assert shown.tables[0].columns == ("Totaal", "Ja", "Nee")
