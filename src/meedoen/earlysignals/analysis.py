"""Early signals in an *analysis* activity (debt-help task), pseudonymised, at group level:
:func:`signals_link_analysis` links the signals and publishes the links into the activity's
store (``meedoen signals link`` on an analysis activity); :func:`indicators_discover` finds
which patterns are followed more often by debt help (``meedoen indicator discover``). Both by an
analyst, both logged per person. The result proposes or retires triage rules — a person
decides; nothing here scores a household.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import ValidationError

from meedoen.accounts.roles import Role
from meedoen.activities.actors import Actor, require_role
from meedoen.activities.enforcement import (
    activity_authorize,
    activity_log,
    activity_store_open,
    activity_store_use,
)
from meedoen.audits.trace import TraceContext
from meedoen_data.linkage.link import LinkError, LinkReport
from meedoen_data.linkage.signals import link_signals
from meedoen_data.signals.discover import OUTCOMES, Discovery, DiscoveryError, discover, units_read

#: What discovery reads: the register (households), the signals and debt help.
REQUIRED_SOURCES = ("brp", "signalen", "schulden")


#: What linking the signals under an analysis reads: the register and the signals.
LINK_SOURCES = ("brp", "signalen")


def signals_link_analysis(
    *,
    activity_id: int,
    actor: Actor,
    trace: TraceContext,
    channel: str = "cli",
    client: str = "",
    progress: Callable[[str, int, int], None] | None = None,
) -> LinkReport:
    """Link the delivered signals to persons (as for the work list) and publish the links,
    pseudonymised with the activity's key, into its store (``link.record``, source
    ``vroegsignaal``; ``record_id`` is the store's ``vroegsignaal.signaalid``), with each
    person's household at the nearest household build. An analyst; logged as ``signals.link``
    for every person linked."""
    require_role(actor, Role.ANALYST)
    with ExitStack() as use:
        use.enter_context(activity_store_use(activity_id=activity_id))
        activity_authorize(activity_id=activity_id, sources=LINK_SOURCES, trace=trace)
        activity_store_open(
            activity_id=activity_id, actor=actor, trace=trace, channel=channel, client=client
        )
        started = datetime.now(UTC)
        try:
            report = link_signals(
                home=settings.MEEDOEN_HOME, activity_id=activity_id, publish=True, progress=progress
            )
        except LinkError as exc:
            raise ValidationError(str(exc), code="link") from None
        activity_authorize(activity_id=activity_id, trace=trace)  # not revoked meanwhile
        activity_log(
            trace=trace,
            actor=actor,
            channel=channel,
            client=client,
            operation="signals.link",
            activity_id=activity_id,
            subjects=report.subjects,
            started=started,
            detail=(
                f"{report.records} signals, {report.linked} linked "
                f"({', '.join(f'{k} {v}' for k, v in sorted(report.by_status.items()))}), "
                f"households at {report.household_peildatum or 'no household build'}"
            ),
        )
    return report


def indicators_discover(
    *,
    activity_id: int,
    outcome: str,
    actor: Actor,
    trace: TraceContext,
    channel: str = "cli",
    client: str = "",
) -> Discovery:
    """Candidate indicators of ``outcome`` among the households of the activity's store that
    received signals, validated on a hold-out period (see :mod:`meedoen_data.signals.discover`);
    the activity's minimum frequency is the disclosure floor of every reported cell."""
    require_role(actor, Role.ANALYST)
    if outcome not in OUTCOMES:
        raise ValidationError(
            f"unknown outcome {outcome!r}; choose {', '.join(OUTCOMES)}", code="unknown_outcome"
        )
    with ExitStack() as use:
        use.enter_context(activity_store_use(activity_id=activity_id))
        state = activity_authorize(activity_id=activity_id, sources=REQUIRED_SOURCES, trace=trace)
        activity_store_open(
            activity_id=activity_id, actor=actor, trace=trace, channel=channel, client=client
        )
        started = datetime.now(UTC)
        try:
            units = units_read(home=settings.MEEDOEN_HOME, activity_id=activity_id)
            found = discover(units, outcome=outcome, min_frequency=state.floor.min_frequency)
        except DiscoveryError as exc:
            raise ValidationError(str(exc), code="discovery") from None
        activity_authorize(activity_id=activity_id, trace=trace)  # not revoked meanwhile
        activity_log(
            trace=trace,
            actor=actor,
            channel=channel,
            client=client,
            operation="indicators.discover",
            activity_id=activity_id,
            subjects=units.subjects,
            started=started,
            detail=(
                f"outcome {outcome}: {found.units} households, {found.tested} candidates "
                f"tested, {len(found.validated)} validated on the hold-out period"
            ),
        )
    return found
