"""``meedoen compare`` and ``meedoen segment`` (issue 19): a group of households beside all
households of the municipality, on the same characteristics, from released tables only; and the
group's segments with their profile.

The group is a register indicator of the catalogue — "households with a client of the food
bank" (a linked partner file), or any group an installation defines (docs/indicators.md). For
each characteristic the table "characteristic x the group's flag" is released through
:func:`~meedoen.publications.services.table_publish` — the privacy officer's floors, primary and
secondary suppression, the audit against every earlier release of the peildatum — or, when it
was released before with the same definition, read again. The comparison
(:func:`meedoen_data.targetgroup.shares_compare`) is computed from the released cells only: a
withheld count gives a withheld row. Re-running is safe.

A segmentation (:func:`segment_request`, :func:`segment_execute`) fits latent class models to the
group's households inside the activity's store (:mod:`meedoen_data.targetgroup.segment`), keeps
every household's segment there (never published), and releases the tables "characteristic x
segment" of the group's households through the same disclosure control; the profile table is made
from those released cells (:func:`meedoen.targetgroups.selectors.segments_read`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from meedoen.activities.actors import Actor, require_role
from meedoen.activities.enforcement import activity_authorize, activity_log, activity_store_use
from meedoen.audits.trace import TraceContext
from meedoen.publications.models import Publication
from meedoen.publications.selectors import publication_same
from meedoen.publications.services import PUBLISHERS, table_publish
from meedoen.targetgroups.models import SegmentRun
from meedoen.targetgroups.selectors import (
    DECILES,
    INCOME,
    INDICATORS,
    TOTAL,
    IncomeMeans,
    characteristics_of,
    comparison_at_start,
    comparison_of,
    duration_variable,
    income_means,
    segment_variable,
)
from meedoen.utils.runs import (
    RunStatus,
    run_begin,
    run_busy,
    run_finish,
    run_in_background,
    run_progress,
    run_refusal,
)
from meedoen_data.activity_store import ActivityStoreError
from meedoen_data.disclosure.household import DURATION_BANDS, TableError, start_coverage
from meedoen_data.indicators import CatalogueError, Indicator, catalogue_load
from meedoen_data.indicators.flags import linked_sources
from meedoen_data.targetgroup import Comparison
from meedoen_data.targetgroup.segment import (
    SegmentError,
    group_frame,
    segment_subjects,
    segments_fit,
    segments_write,
)


@dataclass(frozen=True)
class Part:
    characteristic: str
    publication_id: int | None
    status: str  # published, unchanged or refused
    reason: str = ""
    at_start: str | None = None  # the partner file of a table of its clients at their start


@dataclass(frozen=True)
class GroupComparison:
    group: str
    peildatum: date
    comparison: Comparison | None  # None when the group's own total was withheld
    parts: tuple[Part, ...]
    #: For a group of a partner file's clients: households per duration as client (< 6
    #: months, 6-12, 12 or more) as released (None: withheld); empty for other groups.
    duration: dict[str, int | None]
    #: The partner file when the group was described at the start of its client records (the
    #: population at the peildatum), else None; with how many linked clients started by the
    #: peildatum and how many of them had a household at a build before their start.
    at_start: str | None = None
    coverage: dict[str, int] | None = None
    #: The mean disposable income of the group's and of all households at the peildatum
    #: (among those with a known income), from released sums and counts; not at the start.
    income: IncomeMeans | None = None


def group_compare(
    *,
    activity_id: int,
    group: str,
    peildatum: date,
    actor: Actor,
    trace: TraceContext,
    channel: str,
    progress: Callable[[str, int, int], None] | None = None,
    at_start: bool = False,
) -> GroupComparison:
    """Release the comparison tables of ``group`` (a register indicator) at ``peildatum`` and
    compare the group with all households. Analysts only (PermissionDenied).

    Besides, the sum of the disposable income of the group and of all households (a magnitude
    table by the group's flag) gives the mean income of each (:func:`income_means`).

    ``at_start`` (a group of one partner file's clients): describe the clients' households as
    they were when they became clients instead (ADR 0023); the population stays the
    households at the peildatum."""
    require_role(actor, *PUBLISHERS)
    indicator = _group_indicator(group)
    start_partner = _start_partner(indicator) if at_start else None
    colvar = f"ind_{group}"
    parts, tables = _tables_release(
        activity_id=activity_id,
        peildatum=peildatum,
        rowvars=characteristics_of(group),
        colvar=colvar,
        where=(),
        actor=actor,
        trace=trace,
        channel=channel,
        progress=progress,
    )
    done, sums = _tables_release(
        activity_id=activity_id,
        peildatum=peildatum,
        rowvars=[colvar],
        colvar=None,
        where=(),
        actor=actor,
        trace=trace,
        channel=channel,
        progress=None,
        amount=INCOME,
    )
    parts += done
    income = income_means(sums.get(colvar, {}), tables.get(DECILES))
    duration: dict[str, int | None] = {}
    for partner in sorted(linked_sources([indicator])):
        # How long the group's households have been clients: one table among the group only.
        done, cells = _tables_release(
            activity_id=activity_id,
            peildatum=peildatum,
            rowvars=[duration_variable(partner)],
            colvar=None,
            where=((colvar, "1"),),
            actor=actor,
            trace=trace,
            channel=channel,
            progress=None,
        )
        parts += done
        for (band, _), value in cells.get(duration_variable(partner), {}).items():
            if band in DURATION_BANDS:
                duration[band] = None if value is None else int(value)
    if start_partner is None:
        return GroupComparison(
            group, peildatum, comparison_of(tables), tuple(parts), duration, income=income
        )
    # The group at its start: one table per characteristic of the clients' households when
    # they became clients, beside the population's column of the tables above.
    started, start_tables = _tables_release(
        activity_id=activity_id,
        peildatum=peildatum,
        rowvars=characteristics_of(group),
        colvar=None,
        where=(),
        actor=actor,
        trace=trace,
        channel=channel,
        progress=progress,
        at_start=start_partner,
    )
    try:
        coverage = start_coverage(
            home=settings.MEEDOEN_HOME,
            activity_id=activity_id,
            partner=start_partner,
            peildatum=peildatum,
        )
    except (TableError, ActivityStoreError) as exc:
        raise ValidationError(str(exc)) from None
    return GroupComparison(
        group,
        peildatum,
        comparison_at_start(start_tables, tables),
        tuple(parts + started),
        duration,
        start_partner,
        coverage,
    )


def _start_partner(indicator: Indicator) -> str:
    """The partner file whose clients' start a group has: only a group of one file's clients."""
    partners = sorted(linked_sources([indicator]))
    if len(partners) != 1:
        raise ValidationError(
            f"{indicator.id} is not the group of one partner file's clients: only such a group "
            "has a moment its households became clients (compare it at a peildatum instead)"
        )
    return partners[0]


def _group_indicator(group: str) -> Indicator:
    try:
        indicator = catalogue_load(home=settings.MEEDOEN_HOME).get(group)
    except (CatalogueError, KeyError) as exc:
        raise ValidationError(
            f"there is no indicator {group!r} to define the group: choose a register indicator "
            "of meedoen indicator list (e.g. voedselbank), or add one (docs/indicators.md)"
        ) from exc
    if indicator.status != "register":
        raise ValidationError(f"{group} is not a register indicator; a group needs one")
    return indicator


def _tables_release(
    *,
    activity_id: int,
    peildatum: date,
    rowvars: list[str],
    colvar: str | None,
    where: tuple[tuple[str, str], ...],
    actor: Actor,
    trace: TraceContext,
    channel: str,
    progress: Callable[[str, int, int], None] | None,
    at_start: str | None = None,
    amount: str | None = None,
) -> tuple[list[Part], dict[str, dict[tuple[str, str], Any]]]:
    """Release (or read again) the tables "rowvar x colvar" filtered on ``where`` (of a
    partner's clients' households at their start with ``at_start``): what each part did, and
    the released cells (row category, column category) -> value."""
    parts: list[Part] = []
    tables: dict[str, dict[tuple[str, str], Any]] = {}
    for number, rowvar in enumerate(rowvars):
        if progress is not None:
            progress(rowvar, number, len(rowvars))
        earlier = publication_same(
            activity_id=activity_id,
            peildatum=peildatum,
            rowvar=rowvar,
            colvar=colvar,
            where=where,
            at_start=at_start,
            amount=amount,
        )
        publication_id: int | None
        if earlier is not None:
            publication_id, status, content = earlier.pk, "unchanged", earlier.content
        else:
            try:
                published = table_publish(
                    activity_id=activity_id,
                    rowvar=rowvar,
                    colvar=colvar,
                    where=where,
                    peildatum=peildatum,
                    actor=actor,
                    trace=trace,
                    channel=channel,
                    at_start=at_start,
                    amount=amount,
                )
            except ValidationError as exc:
                parts.append(Part(rowvar, None, "refused", "; ".join(exc.messages), at_start))
                continue
            publication_id, status = published.publication_id, "published"
            content = Publication.objects.get(pk=publication_id).content
        parts.append(Part(rowvar, publication_id, status, at_start=at_start))
        [table] = content["tables"]
        tables[rowvar] = {
            (str(c[rowvar]), str(c[colvar]) if colvar else TOTAL): c["value"]
            for c in table["cells"]
        }
    if progress is not None:
        progress("", len(rowvars), len(rowvars))
    return parts, tables


#: Characteristics the segmentation's model takes as numbers instead (the reference person's
#: age, the disposable income): their bands are in the profile, not twice in the model.
NUMBERED = ("leeftijd", "inkomensdeciel")


@dataclass(frozen=True)
class GroupSegments:
    run: SegmentRun
    comparison: GroupComparison
    parts: tuple[Part, ...]  # the tables "characteristic x segment"


def segment_request(
    *,
    activity_id: int,
    group: str,
    peildatum: date,
    k: int | None,
    seed: int,
    actor: Actor,
    trace: TraceContext,
    channel: str,
) -> SegmentRun:
    """Check who asks, the group and the activity; then record a queued segmentation."""
    require_role(actor, *PUBLISHERS)
    _group_indicator(group)
    if k is not None and not 1 <= k <= 20:
        raise ValidationError(f"--k must be between 1 and 20 or auto, not {k}")
    activity_authorize(activity_id=activity_id, sources=("brp",), trace=trace)
    busy = run_busy(SegmentRun, activity_id=activity_id)
    if busy is not None:
        raise ValidationError(
            f"segmentation {busy.pk} of activity {activity_id} is still running; wait for it"
        )
    return SegmentRun.objects.create(
        activity_id=activity_id,
        group=group,
        peildatum=peildatum,
        k=k,
        seed=seed,
        requested_by=actor.name,
        channel=channel,
        trace_id=trace.trace_id,
    )


def segment_execute(
    *,
    run_id: int,
    actor: Actor,
    trace: TraceContext,
    client: str = "",
    progress: Callable[[str, int, int], None] | None = None,
) -> GroupSegments:
    """Compare the group (its tables released or read again), fit its segments inside the
    activity's store, and release the tables "characteristic x segment" of the group. The run's
    row shows the progress and the outcome; a failure is on it too (and raised)."""
    run = run_begin(SegmentRun, run_id=run_id)
    report = run_progress(SegmentRun, run_id, progress)
    home = settings.MEEDOEN_HOME
    try:
        compared = group_compare(
            activity_id=run.activity_id,
            group=run.group,
            peildatum=run.peildatum,
            actor=actor,
            trace=trace,
            channel=run.channel,
            progress=lambda name, done, total: report(f"compare: {name}", done, total),
        )
        catalogue = catalogue_load(home=home)
        with activity_store_use(activity_id=run.activity_id):
            floor = activity_authorize(
                activity_id=run.activity_id, sources=("brp",), trace=trace
            ).floor
            started = datetime.now(UTC)
            frame = group_frame(
                home=home,
                activity_id=run.activity_id,
                group=catalogue.get(run.group),
                peildatum=run.peildatum,
                # Age and income enter as numbers (NUMERIC), not again as their bands.
                categorical=[
                    v
                    for v in characteristics_of(run.group)
                    if not v.startswith("ind_") and v not in NUMBERED
                ]
                + [f"ind_{i}" for i in INDICATORS if i != run.group],
                indicators=[catalogue.get(i) for i in INDICATORS if i != run.group],
            )
            segmentation = segments_fit(
                frame,
                k=run.k,
                seed=run.seed,
                min_size=floor.min_frequency,
                progress=lambda name, done, total: report(f"segments: {name}", done, total),
            )
            store_run = segments_write(
                home=home,
                activity_id=run.activity_id,
                frame=frame,
                segmentation=segmentation,
                group=run.group,
                peildatum=run.peildatum,
            )
            SegmentRun.objects.filter(pk=run_id).update(store_run=store_run)
            activity_log(
                trace=trace,
                actor=actor,
                channel=run.channel,
                client=client,
                operation="segment.run",
                activity_id=run.activity_id,
                subjects=segment_subjects(home=home, activity_id=run.activity_id, run_id=store_run),
                started=started,
                detail=(
                    f"segmentation {run_id} (store run {store_run}) of group {run.group} at "
                    f"{run.peildatum}: {segmentation.k} segments ({segmentation.chosen_by}), "
                    f"{len(frame.household_ids)} households"
                ),
            )
        parts, _tables = _tables_release(
            activity_id=run.activity_id,
            peildatum=run.peildatum,
            rowvars=[
                p.characteristic
                for p in compared.parts
                if p.status != "refused" and p.characteristic in characteristics_of(run.group)
            ],
            colvar=segment_variable(store_run),
            where=((f"ind_{run.group}", "1"),),
            actor=actor,
            trace=trace,
            channel=run.channel,
            progress=lambda name, done, total: report(f"profile: {name}", done, total),
        )
    except (SegmentError, ActivityStoreError, CatalogueError, KeyError) as exc:
        run_finish(SegmentRun, run_id, RunStatus.FAILED, message=str(exc).splitlines()[0])
        raise ValidationError(str(exc).splitlines()[0]) from None
    except BaseException as exc:
        run_finish(SegmentRun, run_id, RunStatus.FAILED, message=run_refusal(exc))
        raise
    summary: dict[str, object] = {
        "k": segmentation.k,
        "chosen_by": segmentation.chosen_by,
        "min_size": segmentation.min_size,
        "variables": list(frame.variables),
        "left_out": frame.left_out,
        # The model's figures per k; the sizes stay out (counts are published only released).
        "fits": [
            {
                "k": f.k,
                "bic": round(f.bic, 1),
                "icl": round(f.icl, 1),
                "stability": None
                if f.stability is None or f.stability != f.stability
                else round(f.stability, 3),
            }
            for f in segmentation.fits
        ],
        "tables": [
            {
                "characteristic": p.characteristic,
                "publication": p.publication_id,
                "status": p.status,
            }
            for p in parts
        ],
    }
    run_finish(SegmentRun, run_id, RunStatus.DONE, summary=summary)
    run.refresh_from_db()
    return GroupSegments(run, compared, tuple(parts))


def segment_start_background(
    *, run_id: int, actor: Actor, trace: TraceContext, client: str
) -> None:
    """Run the segmentation in a thread of this process (the web app); its row shows the
    progress."""
    run_in_background(
        f"meedoen-segment-{run_id}",
        lambda: segment_execute(run_id=run_id, actor=actor, trace=trace, client=client),
    )
