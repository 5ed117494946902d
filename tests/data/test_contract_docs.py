"""docs/sources/ is generated from the contract and committed: it may not drift."""

from __future__ import annotations

from meedoen_data.contract import SPECS
from meedoen_data.contract_docs import write_docs
from tests.helpers import REPO


def test_committed_pages_match_the_contract(tmp_path) -> None:
    for page in write_docs(tmp_path):
        committed = REPO / "docs" / "sources" / page.name
        assert committed.is_file(), "docs/sources is out of date: run scripts/gen-contract-docs"
        assert committed.read_text(encoding="utf-8") == page.read_text(encoding="utf-8"), (
            "docs/sources is out of date: run scripts/gen-contract-docs"
        )


def test_every_table_and_column_is_documented() -> None:
    for name, spec in SPECS.items():
        text = (REPO / "docs" / "sources" / f"{name}.md").read_text(encoding="utf-8")
        for column in spec.columns:
            assert f"`{column.name}`" in text, (name, column.name)
