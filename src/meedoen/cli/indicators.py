"""``meedoen indicator list``: the indicator catalogue (docs/indicators.md); ``meedoen indicator
discover``: surprising indicators of debt help at group level (docs/users/analyst.md)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from meedoen.cli.common import (
    EXIT_REJECTED,
    HomeOption,
    JsonOption,
    cli_actor,
    cli_trace,
    console,
    emit_json,
    fail,
    run_service,
    workspace_django,
)
from meedoen.cli.governance import ByOption

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


@indicator_app.command("discover")
def indicator_discover(
    activity: Annotated[int, typer.Option(help="Id of the approved analysis activity.")],
    outcome: Annotated[
        str, typer.Option(help="What follows the signals: schuldhulp_12m.")
    ] = "schuldhulp_12m",
    by: ByOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Which signal patterns and characteristics are followed more often by debt help.

    Group level only, on the activity's pseudonymised households (signals linked with meedoen
    signals link, households built with meedoen build): per candidate the lift with its interval
    on the earlier months, checked again on the later months it never saw, and whether it
    mainly singles out households with a migration background. Cells under the activity's
    minimum frequency are withheld. Its use is to propose or retire triage rules; a person
    decides. Needs an analyst and an approved analysis activity with the debt-help task."""
    workspace_django(home)
    from meedoen.earlysignals.analysis import indicators_discover
    from meedoen_data.signals.discover import month_text

    actor = cli_actor(by)
    trace = cli_trace()
    found = run_service(
        lambda: indicators_discover(activity_id=activity, outcome=outcome, actor=actor, trace=trace)
    )
    rows = [
        {
            "features": list(c.features),
            "label": c.label,
            "validated": c.validated,
            "train": asdict(c.train),
            "holdout": None if c.holdout is None else asdict(c.holdout),
            "fairness": None if c.fairness is None else asdict(c.fairness),
        }
        for c in found.candidates
    ]
    summary = {
        "activity": activity,
        "outcome": found.outcome,
        "households": found.units,
        "with_outcome": found.events,
        "base_rate": round(found.base_rate, 4),
        "train_months": [month_text(m) for m in found.train_months],
        "holdout_months": [month_text(m) for m in found.holdout_months],
        "tested": found.tested,
        "withheld": found.withheld,
        "min_frequency": found.min_frequency,
        "candidates": rows,
    }
    if as_json:
        emit_json(summary)
        return
    console.print(
        f"{found.units} households (rounded to 5) with a first signal in "
        f"{summary['train_months'][0]} .. {summary['holdout_months'][1]}; "
        f"{found.base_rate:.1%} started debt help within 12 months. Trained on "
        f"{' .. '.join(summary['train_months'])}, checked on "
        f"{' .. '.join(summary['holdout_months'])}; {found.tested} candidates tested, "
        f"{found.withheld} withheld (a cell under {found.min_frequency})."
    )
    shown = Table("candidate", "households", "rate", "lift (train)", "lift (hold-out)", "check")
    for c in found.candidates[:20]:
        held = c.holdout
        check = "validated" if c.validated else "not validated"
        if c.fairness is not None and c.fairness.warning:
            check += "; mainly singles out a group: look again"
        shown.add_row(
            Text(c.label),
            Text(str(c.train.n)),
            Text(f"{c.train.rate:.0%} vs {c.train.rest_rate:.0%}"),
            Text(f"{c.train.lift:.1f} ({c.train.low:.1f}-{c.train.high:.1f})"),
            Text("-" if held is None else f"{held.lift:.1f} ({held.low:.1f}-{held.high:.1f})"),
            Text(check),
        )
    console.print(shown)
    console.print(
        "Group level only: use these to propose or retire triage rules (a person decides); "
        "never to score a household."
    )
