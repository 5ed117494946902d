"""``meedoen link``: a partner file through the intake gate, then linked to the register under an
approved activity; and the clerical review of the records it was unsure about.

The command line runs a linkage in the foreground; the web app runs it in a background thread
(:func:`link_start_background`) and shows the progress from the run's row. Every step that
touches person-level data is logged: the intake per record loaded, the store refresh per
person, the linkage per person linked, every review page per candidate shown and every decision.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from meedoen.accounts.roles import Role
from meedoen.activities.actors import Actor, require_role
from meedoen.activities.enforcement import (
    ActivityNotApproved,
    activity_authorize,
    activity_log,
    activity_store_open,
    activity_store_use,
    activity_store_watch,
    record_subject_type,
    subject_type,
)
from meedoen.activities.selectors import reviewer_is_granted
from meedoen.audits.services import activity_uri, audit_action
from meedoen.audits.trace import TraceContext
from meedoen.intakes.services import intake_log
from meedoen.linkages.models import LinkRun
from meedoen.utils.runs import (
    RunStatus,
    run_begin,
    run_busy,
    run_finish,
    run_in_background,
    run_progress,
    run_refusal,
    run_status_word,
)
from meedoen_data.activity_store import ActivityStoreError
from meedoen_data.intake import ingest_partner_file
from meedoen_data.keystore import KeyStoreError
from meedoen_data.linkage import LinkError, LinkReport, link_partner
from meedoen_data.linkage.clk import ClkError, secret_parse
from meedoen_data.linkage.link import REVIEW_HIGH, REVIEW_LOW, Encoded
from meedoen_data.linkage.model import ENGINES
from meedoen_data.linkage.review import (
    ReviewCase,
    ReviewItem,
    ReviewNotFound,
    ReviewOutcome,
    review_case,
    review_decide,
    review_items,
)
from meedoen_data.workspace import WorkspaceError

#: A partner source's name, as in its pseudonym domain ``partner-NAME``.
SOURCE_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # = activities.forms.PARTNER_NAME
ANALYSTS = (Role.ANALYST,)


def link_sources(source: str) -> tuple[str, str]:
    """The activity's sources a linkage of ``source`` needs."""
    return ("brp", f"partner-{source}")


def link_request(
    *,
    activity_id: int,
    source: str,
    file_name: str,
    actor: Actor,
    trace: TraceContext,
    channel: str,
    engine: str = "duckdb",
) -> LinkRun:
    """Check who asks, the activity and the arguments; then record a queued run."""
    require_role(actor, *ANALYSTS)
    if engine not in ENGINES:
        raise ValidationError(
            _("unknown engine %(engine)s: choose %(engines)s"),
            code="unknown_engine",
            params={"engine": repr(engine), "engines": " or ".join(ENGINES)},
        )
    if len(source) > 64 or not SOURCE_NAME.fullmatch(source):
        raise ValidationError(
            _(
                "the source name %(source)s must be lower-case letters, digits and hyphens, "
                "e.g. voedselbank"
            ),
            code="source_name",
            params={"source": repr(source)},
        )
    activity_authorize(activity_id=activity_id, sources=link_sources(source), trace=trace)
    busy = run_busy(LinkRun, activity_id=activity_id)
    if busy is not None:
        raise ValidationError(
            _(
                "linkage %(run)s for activity %(id)s is still %(status)s; wait until it has "
                "finished"
            ),
            code="busy",
            params={"run": busy.pk, "id": activity_id, "status": run_status_word(busy.status)},
        )
    return LinkRun.objects.create(
        activity_id=activity_id,
        source=source,
        file_name=file_name[:255],
        engine=engine,
        requested_by=actor.name,
        channel=channel,
        trace_id=trace.trace_id,
    )


def _summary(report: LinkReport) -> dict[str, object]:
    choice = report.threshold
    return {
        "run_id": report.run_id,
        "source": report.source,
        "mode": report.mode,
        "engine": report.engine,
        "file_date": report.file_date.isoformat(),
        "household_peildatum": (
            report.household_peildatum.isoformat() if report.household_peildatum else None
        ),
        "records": report.records,
        "register": report.register,
        "pairs_scored": report.pairs_scored,
        "linked": report.linked,
        "by_status": report.by_status,
        "unmatched_by_reason": report.unmatched_by_reason,
        "persons_with_several_records": report.persons_with_several_records,
        "households": report.households,
        "threshold": choice.threshold if choice else None,
        "estimated_precision": round(choice.precision, 6) if choice else None,
        "estimated_recall": round(choice.recall, 6) if choice else None,
        "curve": choice.curve if choice else [],
        "review_band": [report.review_low, report.review_high],
        "seconds": round(report.seconds, 2),
    }


def link_execute(
    *,
    run_id: int,
    path: Path,
    actor: Actor,
    trace: TraceContext,
    client: str = "",
    file_date: date | None = None,
    threshold: float | None = None,
    review_band: tuple[float, float] = (REVIEW_LOW, REVIEW_HIGH),
    model_from: str | None = None,
    secret: bytes | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> LinkReport:
    """Run a queued linkage: the file through the intake gate, the activity's store brought up
    to date, the linkage, and the log of every person linked.

    With ``secret`` the file holds Bloom-filter encodings made by ``meedoen encode`` with that
    shared secret: it does not go through the intake (it holds no identifiers in clear) and is
    linked on its encodings."""
    run = run_begin(LinkRun, run_id=run_id)
    # A revocation stops the linkage at its next step and deletes the store when it has let go.
    report_progress = activity_store_watch(run.activity_id, run_progress(LinkRun, run_id, progress))
    use = ExitStack()

    home = settings.MEEDOEN_HOME
    try:
        use.enter_context(activity_store_use(activity_id=run.activity_id))
        activity_authorize(
            activity_id=run.activity_id, sources=link_sources(run.source), trace=trace
        )
        if secret is None:
            _intake(run, path, actor, trace, report_progress)
        activity_store_open(
            activity_id=run.activity_id,
            actor=actor,
            trace=trace,
            channel=run.channel,
            client=client,
            progress=lambda table, done, total: report_progress(f"store: {table}", done, total),
        )
        started = datetime.now(UTC)
        report = link_partner(
            home=home,
            activity_id=run.activity_id,
            source=run.source,
            encoded=None if secret is None else Encoded(path, secret),
            file_date=file_date,
            threshold=threshold,
            review_band=review_band,
            model_from=model_from,
            engine=run.engine,
            progress=report_progress,
        )
        activity_authorize(activity_id=run.activity_id, trace=trace)  # not revoked meanwhile
        activity_log(
            trace=trace,
            actor=actor,
            channel=run.channel,
            client=client,
            operation="partner.link",
            activity_id=run.activity_id,
            subjects=report.subjects,
            records=report.records_read,  # the partner's records read, linked or not
            started=started,
            detail=(
                f"{run.source} ({path.name}, {report.mode}, {report.engine}): "
                f"{report.records} records, "
                f"{report.linked} "
                f"linked, threshold {report.threshold.threshold if report.threshold else '-'}"
            ),
        )
    except (LinkError, ActivityStoreError, WorkspaceError, FileNotFoundError, duckdb.Error) as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        run_finish(LinkRun, run_id, RunStatus.FAILED, message=message)
        raise ValidationError(message) from None
    except BaseException as exc:
        run_finish(LinkRun, run_id, RunStatus.FAILED, message=run_refusal(exc))
        raise
    finally:
        use.close()
    run_finish(LinkRun, run_id, RunStatus.DONE, summary=_summary(report))
    return report


def _intake(
    run: LinkRun,
    path: Path,
    actor: Actor,
    trace: TraceContext,
    progress: Callable[[str, int, int], None],
) -> None:
    """The partner file through the intake gate as source ``run.source`` (logged per record);
    a rejected file stops the linkage with the gate's message."""
    started = datetime.now(UTC)
    intake = ingest_partner_file(
        home=settings.MEEDOEN_HOME,
        path=path,
        source=run.source,
        user=actor.name,
        progress=lambda file, stage, done, total: progress(f"intake: {stage}", 0, 4),
    )
    intake_log(report=intake, actor=actor, trace=trace, channel=run.channel, started=started)
    delivered = intake.files[0]
    if delivered.status == "rejected":
        problems = "; ".join(
            f"row {e['row']}, {e['column']}: {e['reason']}" for e in delivered.errors[:5]
        )
        raise ValidationError(delivered.message + (f" ({problems})" if problems else ""))


def link_secret(*, content: bytes, name: str) -> bytes:
    """The shared secret of an encoded partner file, from the content of the key file that
    ``meedoen encode --new-secret`` wrote; a malformed file is refused with the reason."""
    try:
        return secret_parse(content, name=name)
    except ClkError as exc:
        raise ValidationError(str(exc)) from None


def link_start_background(
    *,
    run_id: int,
    path: Path,
    actor: Actor,
    trace: TraceContext,
    client: str,
    secret: bytes | None = None,
) -> None:
    """Run the linkage in a thread of this process (the web app); the uploaded file is removed
    when it is done, whatever the outcome. ``secret`` (encoded mode) is only held in memory."""
    run_in_background(
        f"meedoen-link-{run_id}",
        lambda: link_execute(
            run_id=run_id, path=path, actor=actor, trace=trace, client=client, secret=secret
        ),
        cleanup=lambda: path.unlink(missing_ok=True),
    )


def _review_refusal(exc: Exception) -> ValidationError | ObjectDoesNotExist:
    """A review's refusal: ObjectDoesNotExist when no record awaiting review has the token
    (pages answer 404), else ValidationError with the reason."""
    if isinstance(exc, ReviewNotFound):
        return ObjectDoesNotExist(str(exc))
    if isinstance(exc, duckdb.Error):
        return ValidationError(
            _(
                "the activity's linkage file is in use (a linkage is running?); try again when "
                "it has finished"
            ),
            code="busy",
        )
    return ValidationError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)


def _reviewer_check(*, activity_id: int, actor: Actor) -> None:
    """Only an analyst to whom the privacy officer granted the review of this activity."""
    require_role(actor, Role.ANALYST)
    if not reviewer_is_granted(activity_id=activity_id, user=actor.user):
        raise PermissionDenied(
            f"{actor.name} may not review the links of activity {activity_id}: the privacy "
            "officer grants that per activity (meedoen activity reviewer grant)"
        )


def _review_authorize(
    *, activity_id: int, actor: Actor, trace: TraceContext, source: str = ""
) -> None:
    """A reviewer of the activity (PermissionDenied otherwise), on an activity that is approved
    now (ValidationError with the reason otherwise: the pages show it)."""
    _reviewer_check(activity_id=activity_id, actor=actor)
    try:
        activity_authorize(
            activity_id=activity_id, sources=link_sources(source) if source else (), trace=trace
        )
    except ActivityNotApproved as exc:
        raise ValidationError(str(exc)) from None


def review_queue(*, activity_id: int, actor: Actor, trace: TraceContext) -> list[ReviewItem]:
    """Records awaiting review, by review token (probabilities and reasons only, no names: not
    logged). Reviewers of the activity only."""
    with activity_store_use(activity_id=activity_id):  # a revocation waits for the read
        _review_authorize(activity_id=activity_id, actor=actor, trace=trace)
        try:
            return review_items(home=settings.MEEDOEN_HOME, activity_id=activity_id)
        except (LinkError, KeyStoreError, duckdb.Error) as exc:
            raise _review_refusal(exc) from None


def review_read(
    *,
    activity_id: int,
    source: str,
    token: str,
    actor: Actor,
    trace: TraceContext,
    channel: str,
    client: str = "",
) -> ReviewCase:
    """One record awaiting review and its candidates side by side: names, birth dates,
    addresses from the vault. Reviewers of the activity only; logged per data subject shown:
    every candidate, the person the record is linked to, and the partner's record itself."""
    with activity_store_use(activity_id=activity_id):  # a revocation waits for the read
        _review_authorize(activity_id=activity_id, actor=actor, trace=trace, source=source)
        started = datetime.now(UTC)
        try:
            case = review_case(
                home=settings.MEEDOEN_HOME, activity_id=activity_id, source=source, token=token
            )
        except (LinkError, KeyStoreError, duckdb.Error) as exc:
            raise _review_refusal(exc) from None
    persons = {c.person_id for c in case.candidates}
    if case.person_id is not None:
        persons.add(case.person_id)
    audit_action(
        trace=trace,
        user_name=actor.name,
        user_role=actor.role,
        channel=channel,
        client=client,
        operation="partner.review.read",
        activity=activity_uri(activity_id),
        subjects={
            subject_type(activity_id): sorted(persons),
            record_subject_type(activity_id): [case.record_id],
        },
        started=started,
        detail=f"{source} record {case.record_id}: {len(case.candidates)} candidates shown",
    )
    return case


def review_submit(
    *,
    activity_id: int,
    source: str,
    token: str,
    rank: int,
    decision: str,
    actor: Actor,
    trace: TraceContext,
    channel: str,
    client: str = "",
) -> ReviewOutcome:
    """Store a reviewer's decision on candidate ``rank`` of a record awaiting review (reused at
    the next delivery) and log it."""
    with activity_store_use(activity_id=activity_id):  # a revocation waits for the decision
        _review_authorize(activity_id=activity_id, actor=actor, trace=trace, source=source)
        started = datetime.now(UTC)
        try:
            outcome = review_decide(
                home=settings.MEEDOEN_HOME,
                activity_id=activity_id,
                source=source,
                token=token,
                rank=rank,
                decision=decision,
                decided_by=actor.name,
            )
        except (LinkError, KeyStoreError, duckdb.Error) as exc:
            raise _review_refusal(exc) from None
    activity_log(
        trace=trace,
        actor=actor,
        channel=channel,
        client=client,
        operation="partner.review.decide",
        activity_id=activity_id,
        subjects=outcome.subjects,
        started=started,
        detail=f"{source}: candidate {rank} {decision} -> {outcome.status}",
    )
    return outcome
