"""``meedoen synth``: write a synthetic municipality in the source data contract."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from meedoen.cli.common import EXIT_REJECTED, JsonOption, console, emit_json, fail, progress_bar


class OutputFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"


def synth(
    out: Annotated[Path, typer.Option(help="Folder to write the source files to.")],
    gemeente: Annotated[str, typer.Option(help="CBS municipality code.")] = "GM0784",
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same files.")] = 1,
    persons: Annotated[
        int | None,
        typer.Option(
            help="Number of residents. Default: the municipality's size (GM0784: "
            "about 11,300 households).",
            min=50,
        ),
    ] = None,
    peildatum: Annotated[
        str, typer.Option(help="Reference date YYYY-MM-DD; all data lie before it.")
    ] = "2025-01-01",
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="csv (UTF-8, comma) or parquet.")
    ] = OutputFormat.csv,
    with_truth: Annotated[
        bool, typer.Option("--with-truth", help="Also write truth/ (true households, links).")
    ] = False,
    no_planted_indicator: Annotated[
        bool,
        typer.Option(
            "--no-planted-indicator",
            help="Write the planted small water signals without their effect (no extra debt "
            "help after them).",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Write a synthetic municipality in the source data contract (no real person in it)."""
    from meedoen_data.synth import synth_municipality

    try:
        reference = date.fromisoformat(peildatum)
    except ValueError:
        fail(f"--peildatum {peildatum!r} is not a date YYYY-MM-DD", code=EXIT_REJECTED)
    if out.exists() and any(out.iterdir()):
        fail(f"{out} is not empty; choose a new folder", code=EXIT_REJECTED)
    with progress_bar(quiet=as_json) as bar:
        task = bar.add_task("Generating (chunks of 100,000 households)", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            report = synth_municipality(
                gemeente=gemeente,
                out=out,
                seed=seed,
                persons=persons,
                peildatum=reference,
                fmt=output_format.value,
                with_truth=with_truth,
                plant_indicator=not no_planted_indicator,
                progress=progress,
            )
        except ValueError as exc:
            fail(str(exc), code=EXIT_REJECTED)
    summary = {
        "out": str(out),
        "gemeente": gemeente,
        "households": report.plan.households,
        "persons": report.plan.persons,
        "rows": report.rows,
        "files": [str(path) for path in report.files],
    }
    if as_json:
        emit_json(summary)
        return
    console.print(f"Wrote {gemeente} ({report.plan.households:,} households) to [bold]{out}[/]")
    for name, rows in report.rows.items():
        console.print(f"  {name:<22} {rows:>12,} rows")
