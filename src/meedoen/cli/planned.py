"""Commands of DESIGN.md whose capability is still being built.

They are registered with their final arguments so that ``--help`` documents the interface now;
running one says plainly which issue brings it and exits 1.
"""

from __future__ import annotations

from typing import Annotated, NoReturn

import typer

from meedoen.cli.common import HomeOption, fail

ActivityOption = Annotated[
    str, typer.Option("--activity", help="Id of the approved processing activity.")
]


def _not_yet(capability: str, issue: int) -> NoReturn:
    fail(f"{capability} is not available yet (issue #{issue} builds it).")


def table(
    rowvar: Annotated[str, typer.Argument(help="Row variable, e.g. wijkcode.")],
    activity: ActivityOption,
    colvar: Annotated[str | None, typer.Argument(help="Column variable.")] = None,
    where: Annotated[str | None, typer.Option(help="Filter, e.g. household_type=eenouder.")] = None,
    output_format: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
    home: HomeOption = None,
) -> None:
    """Publish a disclosure-controlled table; suppressed cells are marked, never zero."""
    _not_yet("Disclosure-controlled tables", 8)
