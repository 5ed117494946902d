"""The debt worker reviews the early signals the linkage was unsure about (status ``pending``).

A signal without a BSN is linked by the linkage engine (:func:`~meedoen.earlysignals.services.
signals_link`); when it is unsure, the signal waits for review and is on no household of the
work list. A debt worker, under the same approved operational activity as the work list, opens
such a signal by its *review token* (issued per linkage run, kept in the activity's linkage
file in the identity zone) and sees what the partner sent beside up to three persons of the
register; then decides per person: the same person, or not this person.

- :func:`signal_review_case` reads the signal and its candidates; one processing record per
  person shown, by BRP pseudonym (``signals.review.read``), as the work list logs them.
- :func:`signal_review_decide` stores the decision in the linkage file (reused at every later
  linkage while the partner sends the signal with the same details), then refreshes the work
  list at once, so an accepted signal is on its household right away; logged
  (``signals.review.decide``) for the person decided about.

Only signals the list of signals not on a household shows can be opened: pending, of the
latest linkage, dated in the open window. Any other token is ObjectDoesNotExist (the pages
answer 404) before anything about a person is read. A person with a secrecy indication in the
BRP is shown without an address, and without how the addresses compare.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

import duckdb
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils.translation import gettext_lazy as _

from meedoen.accounts.roles import Role
from meedoen.activities.actors import Actor, require_role
from meedoen.activities.selectors import ActivityState
from meedoen.audits.trace import TraceContext
from meedoen.earlysignals.models import SignalHousehold
from meedoen.earlysignals.selectors import signals_date, signals_since
from meedoen.earlysignals.services import (
    RefreshReport,
    _activity,
    _log,
    _operational,
    _read,
    _refresh,
)
from meedoen_data.keystore import KeyStoreError
from meedoen_data.linkage import LinkError
from meedoen_data.linkage.review import (
    DECISIONS,
    REVIEW_TOKEN,
    Candidate,
    ReviewNotFound,
    review_case,
    review_decide,
)
from meedoen_data.linkage.signals import SOURCE
from meedoen_data.signals.worklist import UnlinkedSignal

REVIEW_READ = "signals.review.read"
REVIEW_DECIDE = "signals.review.decide"

#: A decision names a candidate by its rank: 1 (the best) up to this many.
CANDIDATES = 3
#: The comparison a secrecy indication hides (with the address itself).
ADDRESS = "address"
#: The address fields of a register person.
ADDRESS_FIELDS = ("postcode", "huisnummer", "huisnummertoevoeging")


@dataclass(frozen=True)
class SignalCandidate:
    """A register person beside the signal, without BSN or pseudonym: named by its rank."""

    rank: int
    probability: float
    fields: dict[str, str]  # names, birth date, current address ("" where hidden)
    comparisons: dict[str, dict[str, object]]  # per comparison its level and weight
    address_hidden: bool  # a secrecy indication in the BRP


@dataclass(frozen=True)
class SignalReview:
    activity: ActivityState
    signal: UnlinkedSignal  # partner, date, reason, best probability
    amount: Decimal | None
    record: dict[str, str]  # names, birth date ("" when not sent) and address as sent
    candidates: list[SignalCandidate]
    linked: bool  # linked provisionally (still on no household: it awaits review)
    on: date


@dataclass(frozen=True)
class SignalDecision:
    activity: ActivityState
    signal: UnlinkedSignal
    status: str  # after the decision: accepted, pending (other candidates left) or rejected
    #: The work-list household the signal is on now (accepted), None otherwise.
    household: SignalHousehold | None
    refresh: RefreshReport | None
    #: Why the work list could not be refreshed now (the decision is stored regardless).
    problem: str


def _gone() -> ObjectDoesNotExist:
    return ObjectDoesNotExist("no signal awaits review with this review code")


def _pending(*, activity_id: int, token: str, on: date) -> UnlinkedSignal:
    """The signal of the list of signals not on a household with this review token: awaiting
    review in the latest linkage and open on ``on``; ObjectDoesNotExist otherwise."""
    if not REVIEW_TOKEN.fullmatch(token or ""):
        raise _gone()
    since = signals_since(on=on)
    read = _read(activity_id=activity_id, on=on)
    for signal in read.unlinked:
        if signal.review_token == token and signal.status == "pending":
            if signal.signal_date < since:
                break
            return signal
    raise _gone()


def _refusal(exc: Exception) -> ValidationError | ObjectDoesNotExist:
    if isinstance(exc, ReviewNotFound):
        return _gone()
    if isinstance(exc, duckdb.Error):
        return ValidationError(
            _(
                "the activity's linkage file is in use (a linkage is running?); try again when "
                "it has finished"
            ),
            code="busy",
        )
    return ValidationError(
        str(exc).splitlines()[0] if str(exc) else type(exc).__name__, code="unavailable"
    )


def _amount(value: str) -> Decimal | None:
    try:
        return Decimal(value) if value else None
    except InvalidOperation:
        return None


def _shown(candidate: Candidate) -> SignalCandidate:
    """A candidate as the page may show it: no pseudonyms; no address of a secret person."""
    fields = dict(candidate.fields)
    comparisons = dict(candidate.comparisons)
    if candidate.secret:
        fields.update(dict.fromkeys(ADDRESS_FIELDS, ""))
        comparisons.pop(ADDRESS, None)
    return SignalCandidate(
        rank=candidate.rank,
        probability=candidate.probability,
        fields=fields,
        comparisons=comparisons,
        address_hidden=candidate.secret,
    )


def signal_review_case(
    *,
    actor: Actor,
    activity_id: int | None,
    token: str,
    trace: TraceContext,
    via: str,
    client: str = "",
) -> SignalReview:
    """A signal awaiting review beside its candidates (names, birth dates, current addresses
    from the vault); one processing record per candidate shown. Debt workers under an approved
    activity only (PermissionDenied otherwise); ObjectDoesNotExist for a token of no signal
    awaiting review; ValidationError when the identity zone cannot be read now."""
    require_role(actor, Role.DEBT_WORKER)
    state = _operational(activity_id=_activity(activity_id), trace=trace)
    started = datetime.now(UTC)
    on = signals_date()
    signal = _pending(activity_id=state.id, token=token, on=on)
    try:
        case = review_case(
            home=settings.MEEDOEN_HOME, activity_id=state.id, source=SOURCE, token=token
        )
    except (LinkError, KeyStoreError, duckdb.Error) as exc:
        raise _refusal(exc) from None
    record = dict(case.record)
    amount = _amount(record.pop("bedrag", ""))
    candidates = sorted(case.candidates, key=lambda c: c.rank)[:CANDIDATES]
    _log(
        actor=actor,
        trace=trace,
        via=via,
        client=client,
        operation=REVIEW_READ,
        activity_id=state.id,
        subjects=[c.brp_id for c in candidates if c.brp_id],
        started=started,
        detail=f"signal {signal.signaalid}: {len(candidates)} candidates shown",
    )
    return SignalReview(
        activity=state,
        signal=signal,
        amount=amount,
        record=record,
        candidates=[_shown(c) for c in candidates],
        linked=case.linked,
        on=on,
    )


def signal_review_decide(
    *,
    actor: Actor,
    activity_id: int | None,
    token: str,
    rank: int | None,
    decision: str,
    trace: TraceContext,
    via: str,
    client: str = "",
) -> SignalDecision:
    """Store a debt worker's decision on candidate ``rank`` of a signal awaiting review
    (``accepted``: the same person; ``rejected``: not this person), then refresh the work list:
    an accepted signal is on its household at once; a signal whose every candidate is rejected
    stays off the list ("rejected in review"). The decision is reused at every later linkage
    while the partner sends the signal with the same details. Logged for the person decided
    about; refusals as :func:`signal_review_case`, ValidationError for a decision or rank that
    is not one."""
    require_role(actor, Role.DEBT_WORKER)
    state = _operational(activity_id=_activity(activity_id), trace=trace)
    started = datetime.now(UTC)
    if decision not in DECISIONS or rank is None or not 1 <= rank <= CANDIDATES:
        raise ValidationError(
            _("Choose a person and a decision with one of the buttons."), code="decision"
        )
    on = signals_date()
    signal = _pending(activity_id=state.id, token=token, on=on)
    try:
        outcome = review_decide(
            home=settings.MEEDOEN_HOME,
            activity_id=state.id,
            source=SOURCE,
            token=token,
            rank=rank,
            decision=decision,
            decided_by=actor.name,
        )
    except ReviewNotFound:
        raise _gone() from None
    except LinkError:  # the decision was checked above: the rank names no candidate
        raise ValidationError(
            _("This person is not (or no longer) a candidate for the signal."), code="rank"
        ) from None
    except (KeyStoreError, duckdb.Error) as exc:
        raise _refusal(exc) from None
    refresh: RefreshReport | None = None
    household: SignalHousehold | None = None
    problem = ""
    try:
        refresh = _refresh(
            activity_id=state.id, actor=actor, read=_read(activity_id=state.id, on=on), on=on
        )
    except ValidationError as exc:
        problem = " ".join(exc.messages)
    if refresh is not None and outcome.status == "accepted":
        household = next(  # (a JSON lookup SQLite lacks: the open households are few)
            (
                row
                for row in SignalHousehold.objects.filter(activity_id=state.id, open_signals__gt=0)
                if signal.signaalid in row.signal_ids
            ),
            None,
        )
    _log(
        actor=actor,
        trace=trace,
        via=via,
        client=client,
        operation=REVIEW_DECIDE,
        activity_id=state.id,
        subjects=outcome.brp_subjects,
        started=started,
        detail=(
            f"signal {signal.signaalid}: candidate {rank} {decision} -> {outcome.status}; "
            + (
                f"work list refreshed, household {household.pk if household else 'none'}"
                if refresh is not None
                else f"work list not refreshed: {problem}"
            )
        ),
    )
    return SignalDecision(
        activity=state,
        signal=signal,
        status=outcome.status,
        household=household,
        refresh=refresh,
        problem=problem,
    )


__all__ = [
    "REVIEW_DECIDE",
    "REVIEW_READ",
    "SignalCandidate",
    "SignalDecision",
    "SignalReview",
    "signal_review_case",
    "signal_review_decide",
]
