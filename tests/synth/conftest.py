"""One synthetic Gilze en Rijen (GM0784, default size, with truth) shared by the synth tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from meedoen_data.synth import SynthReport, synth_municipality

PEILDATUM = date(2025, 1, 1)


@pytest.fixture(scope="session")
def gilze(tmp_path_factory: pytest.TempPathFactory) -> SynthReport:
    out = tmp_path_factory.mktemp("synth") / "GM0784"
    return synth_municipality(gemeente="GM0784", out=out, seed=7, with_truth=True)


@pytest.fixture(scope="session")
def sql(gilze: SynthReport) -> Iterator[Callable[[str], list[tuple[Any, ...]]]]:
    """Run SQL with every table of the generated folder available as a view."""
    con = duckdb.connect()
    for path in sorted(gilze.out.glob("*.csv")) + sorted((gilze.out / "truth").glob("*.csv")):
        name = ("truth_" if path.parent.name == "truth" else "") + path.stem
        con.read_csv(str(path), header=True, sample_size=-1).create_view(name)

    def run(query: str) -> list[tuple[Any, ...]]:
        return con.execute(query).fetchall()

    yield run
    con.close()


def one(sql: Callable[[str], list[tuple[Any, ...]]], query: str) -> Any:
    return sql(query)[0][0]


__all__ = ["PEILDATUM", "Path", "one"]
