"""docs/indicators/catalogue.md is generated from the catalogue and committed: it may not drift;
the format page names every column a condition may use."""

from __future__ import annotations

from meedoen_data.indicators.catalogue import COLUMNS, DIMENSIONS, PANEL_ITEMS
from meedoen_data.indicators.docs import write_docs
from tests.helpers import REPO


def test_the_committed_catalogue_page_matches_the_catalogue(tmp_path) -> None:
    page = write_docs(tmp_path)
    committed = REPO / "docs" / "indicators" / page.name
    assert committed.read_text(encoding="utf-8") == page.read_text(encoding="utf-8"), (
        "docs/indicators is out of date: run scripts/gen-indicator-docs"
    )


def test_the_format_page_names_every_column_dimension_and_panel_item() -> None:
    text = (REPO / "docs" / "indicators.md").read_text(encoding="utf-8")
    for name in (*COLUMNS, *DIMENSIONS, *PANEL_ITEMS):
        if name.startswith("wmo_"):
            continue  # written as wmo_01 … wmo_18
        assert f"`{name}`" in text, name
