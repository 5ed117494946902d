"""``meedoen link``: a partner file without BSN linked to the register."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

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
from meedoen.cli.households import ENGINES


def link(
    partner_file: Annotated[Path, typer.Argument(help="Partner file (CSV or Parquet).")],
    source: Annotated[str, typer.Option(help="Name of the partner source, e.g. voedselbank.")],
    activity: Annotated[int, typer.Option(help="Id of the approved processing activity.")],
    peildatum: Annotated[
        str | None,
        typer.Option(
            help="Date the file describes, YYYY-MM-DD (addresses and households at that date). "
            "Default: its latest enrolment or leaving date."
        ),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            help="Match probability from which a record is linked. Default: chosen from the "
            "estimated precision and recall.",
            min=0.0,
            max=1.0,
        ),
    ] = None,
    review_band: Annotated[
        str,
        typer.Option(
            help="LOW:HIGH match probabilities of the records that go to clerical review.",
        ),
    ] = "0.1:0.99",
    model_from: Annotated[
        str | None,
        typer.Option(
            help="Reuse the estimated model of this earlier run (its run_id) instead of "
            "training: a reproducible linkage.",
        ),
    ] = None,
    secret_file: Annotated[
        Path | None,
        typer.Option(
            help="The file holds Bloom-filter encodings made by `meedoen encode` with this "
            "shared secret (privacy-preserving mode).",
        ),
    ] = None,
    engine: Annotated[
        str, typer.Option(help="duckdb (this machine) or spark (local mode or a cluster).")
    ] = "duckdb",
    by: ByOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Link a partner file without BSN to the register.

    The file goes through the intake gate as partner source SOURCE (all-or-nothing, bad rows
    quarantined), or with --secret-file is an encoded file of `meedoen encode`; it is linked
    under the activity, which must cover brp and partner-SOURCE.
    Results: schema ``link`` of the activity's tables (view link.partner_link); records the
    model was unsure about wait for review in the web app. Logged per person linked."""
    file_date = None
    if peildatum is not None:
        try:
            file_date = date.fromisoformat(peildatum)
        except ValueError:
            fail(f"--peildatum must be a date YYYY-MM-DD, not {peildatum!r}", code=EXIT_REJECTED)
    if engine not in ENGINES:
        fail(f"--engine must be {' or '.join(ENGINES)}, not {engine!r}", code=EXIT_REJECTED)
    if not partner_file.is_file():
        fail(f"{partner_file} is not a file", code=EXIT_REJECTED)
    try:
        low, high = (float(v) for v in review_band.split(":"))
    except ValueError:
        fail(
            f"--review-band must be LOW:HIGH, e.g. 0.1:0.99, not {review_band!r}",
            code=EXIT_REJECTED,
        )
    secret = None
    if secret_file is not None:
        from meedoen_data.linkage.clk import ClkError, secret_read

        try:
            secret = secret_read(secret_file)
        except (ClkError, OSError) as exc:
            fail(str(exc), code=EXIT_REJECTED)
    workspace_django(home)
    from meedoen.linkages.services import link_execute, link_request

    actor = cli_actor(by)
    trace = cli_trace()
    run = run_service(
        lambda: link_request(
            activity_id=activity,
            source=source,
            file_name=partner_file.name,
            actor=actor,
            trace=trace,
            channel="cli",
            engine=engine,
        )
    )
    with progress_bar(quiet=as_json) as bar:
        task = bar.add_task("Checking the activity", total=None)

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total)

        report = run_service(
            lambda: link_execute(
                run_id=run.pk,
                path=partner_file,
                actor=actor,
                trace=trace,
                file_date=file_date,
                threshold=threshold,
                review_band=(low, high),
                model_from=model_from,
                secret=secret,
                progress=progress,
            )
        )
    from meedoen.linkages.selectors import link_run_detail

    summary = link_run_detail(run_id=run.pk).summary
    if as_json:
        emit_json({"run": run.pk, "activity": activity, **summary})
        return
    choice = report.threshold
    console.print(
        f"Activity {activity}, {source} ({partner_file.name}, date {report.file_date}): "
        f"{report.records:,} records against {report.register:,} register persons, "
        f"{report.linked:,} linked ({report.engine}, {report.seconds:.1f} s, run {run.pk})."
    )
    if choice is not None:
        console.print(
            f"Threshold {choice.threshold}: estimated precision {choice.precision:.4f}, "
            f"estimated recall {choice.recall:.4f} (the model's own estimates; see "
            "docs/linkage.md)."
        )
    status = Table("status", "records", title="Records by status")
    for name, count in sorted(report.by_status.items()):
        status.add_row(name, f"{count:,}")
    console.print(status)
    if report.unmatched_by_reason:
        reasons = Table("why not linked", "records")
        for reason, count in report.unmatched_by_reason.items():
            reasons.add_row(reason, f"{count:,}")
        console.print(reasons)
    if report.household_peildatum is None:
        console.print(
            "No households yet: household_id is empty. Run meedoen build for this activity, "
            "then link again."
        )
    else:
        console.print(f"{report.households:,} households (build of {report.household_peildatum}).")
    pending = report.by_status.get("pending", 0)
    if pending:
        console.print(f"{pending:,} records await review in the web app (/koppelingen/).")
    hint = "SELECT source, review_status, count(*) FROM link.partner_link GROUP BY ALL"
    console.print(f'Query it: meedoen sql --activity {activity} "{hint}"')
