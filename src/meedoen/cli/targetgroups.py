"""``meedoen compare`` and ``meedoen segment``: a group of households beside all households, and its
segments (issue 19)."""

from __future__ import annotations

from datetime import date
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
    progress_bar,
    run_service,
    workspace_django,
)
from meedoen.cli.governance import ByOption

ActivityOption = Annotated[int, typer.Option(help="Id of the approved processing activity.")]
GroupOption = Annotated[
    str,
    typer.Option(
        help="The register indicator that defines the group, e.g. voedselbank (households with a "
        "client of the food bank)."
    ),
]
PeildatumOption = Annotated[str, typer.Option(help="Reference date of a household build.")]


def _peildatum(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"--peildatum must be a date YYYY-MM-DD, not {value!r}", code=EXIT_REJECTED)


def _percent(value: float | None) -> str:
    return "x" if value is None else f"{100 * value:.1f}%"


def compare(
    activity: ActivityOption,
    group: GroupOption,
    peildatum: PeildatumOption,
    at_start: Annotated[
        bool,
        typer.Option(
            "--at-start",
            help="Describe a partner file's clients' households as they were when they became "
            "clients (the latest build at most 12 months before), beside all households at the "
            "peildatum.",
        ),
    ] = False,
    by: ByOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Compare the group's households with all households on the same characteristics.

    For each characteristic (household type, children, education, migration background,
    housing, housing benefit, WW, AO, and the indicators bijstand, debt help, early signals,
    youth care, Wmo support and stacking) the table "characteristic x group" is released like
    meedoen table (or read again when it was released before); the shares in the group and in
    all households, the difference with a 95% interval and the ratio are computed from the
    released numbers only, and what stands out is marked after Holm's correction. Relatively
    more often is not "only". Exit 2 when the group's total itself was withheld.

    With --at-start (a group of one partner file's clients, as the food-bank study did) each
    client's household is taken as it was at the start of the client's first record: at the
    latest household build on or before that month, at most 12 months earlier (build one
    peildatum per year or quarter of the period); those tables are released too, one per
    characteristic, and compared with all households at the peildatum as two independent
    samples. Clients who started before the first build, or more than 12 months after the
    latest build before their start, are not counted (the output says how many were)."""
    day = _peildatum(peildatum)
    workspace_django(home)
    from meedoen.targetgroups.services import group_compare

    actor = cli_actor(by)
    trace = cli_trace()
    with progress_bar(quiet=as_json) as bar:
        task = bar.add_task("Releasing the comparison tables", total=None)

        def progress(name: str, done: int, total: int) -> None:
            bar.update(task, description=name or "done", completed=done, total=total)

        result = run_service(
            lambda: group_compare(
                activity_id=activity,
                group=group,
                peildatum=day,
                actor=actor,
                trace=trace,
                channel="cli",
                progress=progress,
                at_start=at_start,
            )
        )
    comparison = result.comparison
    rows = (
        []
        if comparison is None
        else [
            {
                "characteristic": r.characteristic,
                "category": r.category,
                "group": r.group,
                "population": r.population,
                "group_share": r.group_share,
                "population_share": r.population_share,
                "difference": r.difference,
                "lower": r.lower,
                "upper": r.upper,
                "ratio": r.ratio,
                "p_value": r.p_value,
                "stands_out": r.stands_out,
            }
            for r in comparison.rows
        ]
    )
    parts = [
        {
            "characteristic": p.characteristic,
            "publication": p.publication_id,
            "status": p.status,
            "reason": p.reason or None,
            "at_start": p.at_start,
        }
        for p in result.parts
    ]
    payload = {
        "activity": activity,
        "group": group,
        "peildatum": day.isoformat(),
        "group_households": comparison.group_households if comparison else None,
        "population_households": comparison.population_households if comparison else None,
        "rows": rows,
        "duration": result.duration,
        "income_mean": None
        if result.income is None
        else {"group": result.income.group, "population": result.income.population},
        "at_start": result.at_start,
        "start_coverage": result.coverage,
        "tables": parts,
    }
    if as_json:
        emit_json(payload)
    else:
        shown = Table("characteristic", "category", "group", "all", "difference (95%)", "ratio", "")
        for r in comparison.rows if comparison else ():
            interval = (
                ""
                if r.lower is None or r.upper is None
                else f" ({100 * r.lower:+.1f} to {100 * r.upper:+.1f})"
            )
            shown.add_row(
                Text(r.characteristic),
                Text(r.category),
                Text(_percent(r.group_share)),
                Text(_percent(r.population_share)),
                Text("x" if r.difference is None else f"{100 * r.difference:+.1f}{interval}"),
                Text("" if r.ratio is None else f"{r.ratio:.2f}"),
                Text("stands out" if r.stands_out else ""),
            )
        console.print(shown)
        refused = [p for p in result.parts if p.status == "refused"]
        for part in refused:
            at = f" (at the start of {part.at_start})" if part.at_start else ""
            console.print(f"Not released: {part.characteristic}{at}: {part.reason}")
        if result.income is not None:
            group_mean, all_mean = result.income.group, result.income.population
            console.print(
                "Mean disposable income (households with a known income): "
                f"group {'x' if group_mean is None else f'{group_mean:,.0f}'}, "
                f"all {'x' if all_mean is None else f'{all_mean:,.0f}'} euro."
            )
        if result.coverage is not None:
            console.print(
                f"At their start: {result.coverage['counted']} of {result.coverage['clients']} "
                f"linked clients of {result.at_start} who started by {day} had a household at a "
                "build at most 12 months before (the others are not counted)."
            )
        if comparison:
            console.print(
                f"{comparison.group_households} households in the group, "
                f"{comparison.population_households} in all; {len(comparison.standing_out)} "
                "differences stand out (relatively more or less often, not 'only')."
            )
    if comparison is None:
        fail(
            "the group's own total was withheld in every table: it is too small to compare",
            code=EXIT_REJECTED,
        )


def segment(
    activity: ActivityOption,
    group: GroupOption,
    peildatum: PeildatumOption,
    k: Annotated[
        str,
        typer.Option(
            "--k",
            help="Number of segments, or auto: the lowest BIC of 1 to 8 segments among those "
            "whose every segment reaches the activity's minimum frequency.",
        ),
    ] = "auto",
    seed: Annotated[int, typer.Option(help="Seed of the random starts (same seed, same run).")] = 1,
    by: ByOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Segment the group's households and release their profile table.

    First the comparison of meedoen compare (its tables released or read again). Then latent
    class models (StepMix) are fitted to the group's households on the same characteristics
    plus income and the reference person's age, inside the activity's store: every household's
    segment goes to segment.membership, the run to segment.run (analysts only, never
    published). Per k: BIC, ICL and the stability (mean adjusted Rand index over bootstrap
    fits). Last, the tables "characteristic x segment" of the group's households are released
    like meedoen table; the profile table (/doelgroepen/) is made from them. A segment that
    stands out on something has it relatively more often, not only."""
    day = _peildatum(peildatum)
    if k != "auto" and not k.isdigit():
        fail(f"--k must be a number or auto, not {k!r}", code=EXIT_REJECTED)
    workspace_django(home)
    from meedoen.targetgroups.services import segment_execute, segment_request

    actor = cli_actor(by)
    trace = cli_trace()
    run = run_service(
        lambda: segment_request(
            activity_id=activity,
            group=group,
            peildatum=day,
            k=None if k == "auto" else int(k),
            seed=seed,
            actor=actor,
            trace=trace,
            channel="cli",
        )
    )
    with progress_bar(quiet=as_json) as bar:
        task = bar.add_task("Segmenting", total=None)

        def progress(name: str, done: int, total: int) -> None:
            bar.update(task, description=name or "done", completed=done, total=total)

        result = run_service(
            lambda: segment_execute(run_id=run.pk, actor=actor, trace=trace, progress=progress)
        )
    summary = result.run.summary
    payload = {
        "activity": activity,
        "group": group,
        "peildatum": day.isoformat(),
        "run": result.run.pk,
        "store_run": result.run.store_run,
        "k": summary["k"],
        "chosen_by": summary["chosen_by"],
        "min_size": summary["min_size"],
        "variables": summary["variables"],
        "left_out": summary["left_out"],
        "fits": summary["fits"],
        "tables": summary["tables"],
    }
    if as_json:
        emit_json(payload)
        return
    shown = Table("k", "BIC", "ICL", "stability (ARI)", "")
    for fit in summary["fits"]:
        shown.add_row(
            Text(str(fit["k"])),
            Text(f"{fit['bic']:.1f}"),
            Text(f"{fit['icl']:.1f}"),
            Text("" if fit["stability"] is None else f"{fit['stability']:.3f}"),
            Text("chosen" if fit["k"] == summary["k"] else ""),
        )
    console.print(shown)
    for variable, why in summary["left_out"].items():
        console.print(f"Left out: {variable}: {why}")
    refused = [p for p in result.parts if p.status == "refused"]
    for part in refused:
        console.print(f"Not released: {part.characteristic}: {part.reason}")
    console.print(
        f"{summary['k']} segments ({summary['chosen_by']}); membership in the activity's store "
        f"(segment.membership, run {result.run.store_run}); the profile table is on /doelgroepen/."
    )
