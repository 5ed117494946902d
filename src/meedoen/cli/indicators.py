"""``meedoen indicator list``: the indicator catalogue (docs/indicators.md)."""

from __future__ import annotations

import typer
from rich.table import Table
from rich.text import Text

from meedoen.cli.common import EXIT_REJECTED, HomeOption, JsonOption, console, emit_json, fail

indicator_app = typer.Typer(
    help="The indicators of the dashboard: what is measured, from which sources, and the gaps.",
    no_args_is_help=True,
)


@indicator_app.command("list")
def indicator_list(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Every indicator of the catalogue with the installation's additions (HOME/indicators/).

    A catalogue that is not valid is refused (exit 2) with the file, indicator and field."""
    from meedoen_data.indicators import DIMENSIONS, CatalogueError, catalogue_load
    from meedoen_data.workspace import resolve_home

    try:
        catalogue = catalogue_load(home=resolve_home(home))
    except CatalogueError as exc:
        fail(str(exc), code=EXIT_REJECTED)
    rows = [
        {
            "id": i.id,
            "name": i.name,
            "question": i.question,
            "dimension": i.dimension,
            "aspect": i.aspect,
            "status": i.status,
            "unit": i.unit,
            "direction": i.direction,
            "levels": list(i.levels),
            "sources": list(i.sources),
            "legal_basis": i.legal_basis,
            "needed": i.needed or None,
            "origin": i.origin,
        }
        for i in catalogue.indicators
    ]
    if as_json:
        emit_json(rows)
        return
    shown = Table("id", "indicator", "dimension / aspect", "data", "levels")
    for row in rows:
        data = row["status"] if row["status"] != "geen_data" else "no data yet"
        shown.add_row(
            Text(row["id"]),
            Text(row["name"]),
            Text(f"{DIMENSIONS[row['dimension']]} / {row['aspect']}"),
            Text(data),
            Text(", ".join(row["levels"])),
        )
    console.print(shown)
    with_data = sum(1 for row in rows if row["status"] != "geen_data")
    console.print(f"{len(rows)} indicators, {with_data} with data, {len(rows) - with_data} gaps.")
