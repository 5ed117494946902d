"""The debt worker's pages (``/vroegsignalen/``): the work list of households with early-warning
signals, a household with its signals, residents and outreach, and the signals that are not on
a household. Thin: every check and every log is in the services. Any other role gets 403, and
so does a debt worker without an approved activity for debt help. The monitor
(``/vroegsignalen/monitor/``, disclosure-controlled figures) is for debt workers and policy
makers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from meedoen.accounts.roles import Role
from meedoen.audits.trace import TraceContext
from meedoen.earlysignals.forms import AssignForm, ContactForm, FilterForm
from meedoen.earlysignals.models import AFGEROND
from meedoen.earlysignals.monitor import (
    HIDDEN,
    NATIONAL,
    NO_WIJK,
    OUTCOME_LABELS,
    OUTCOMES,
    monitor_view,
    month_label,
    month_short,
    period_parse,
)
from meedoen.earlysignals.review import (
    SignalCandidate,
    signal_review_case,
    signal_review_decide,
)
from meedoen.earlysignals.selectors import (
    Filters,
    debt_workers,
    household_wijken,
    signals_date,
    wijk_labels,
)
from meedoen.earlysignals.services import (
    UnlinkedSignal,
    contact_register,
    household_assign,
    household_view,
    unlinked_read,
    worklist_read,
)
from meedoen.earlysignals.summary import RESIDENT_ROLES, UNLINKED_STATUSES, unlinked_reason
from meedoen.web import labels
from meedoen.web.access import actor_for, role_required
from meedoen.web.templatetags.nl import procent

#: The query parameters the list's pages keep when paging.
FILTERS = ("activiteit", "wijk", "prioriteit", "partner", "status", "mijn")


def _trace(request: HttpRequest) -> TraceContext:
    return TraceContext.start(request.headers.get("traceparent"))


def _client(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _messages(exc: ValidationError) -> list[str]:
    return list(exc.messages)


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None


@require_GET
@role_required(Role.DEBT_WORKER)
def worklist(request: HttpRequest) -> HttpResponse:
    view = worklist_read(
        actor=actor_for(request.user),
        activity_id=_number(request.GET.get("activiteit")),
        filters=Filters.parse(request.GET.dict()),
        page=request.GET.get("pagina"),
        trace=_trace(request),
        via="web",
        client=_client(request),
    )
    codes = sorted(
        set(household_wijken(activity_id=view.activity.id)) | {r.household.wijk for r in view.rows}
    )
    wijken = wijk_labels(codes=[c for c in codes if c])
    form = FilterForm(
        request.GET or None,
        activities=[(a.id, f"{a.id}. {a.name}") for a in view.activities],
        wijken=sorted(wijken.items(), key=lambda item: item[1]),
    )
    if form.is_bound:
        form.is_valid()  # the selects show what was chosen; an unknown value means "all"
    kept = {k: request.GET[k] for k in FILTERS if request.GET.get(k)}
    return render(
        request,
        "earlysignals/worklist.html",
        {
            "view": view,
            "rows": view.rows,
            "page": view.page,
            "form": form,
            "wijken": wijken,
            "filtered": bool(set(kept) - {"activiteit"}),
            "param": f"{urlencode(kept)}&pagina" if kept else "pagina",
        },
    )


def _household_page(
    request: HttpRequest,
    household_id: int,
    *,
    assign: AssignForm | None = None,
    contact: ContactForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user: Any = request.user
    try:
        view = household_view(
            actor=actor_for(user),
            household_id=household_id,
            trace=_trace(request),
            via="web",
            client=_client(request),
        )
    except ObjectDoesNotExist:
        raise Http404 from None
    except ValidationError as exc:
        return render(
            request,
            "earlysignals/household.html",
            {"error": " ".join(_messages(exc)), "household_id": household_id},
            status=status,
        )
    workers = [(w.username, w.get_full_name() or w.username) for w in debt_workers()]
    row = view.household
    assign = assign or AssignForm(
        workers=workers, initial={"worker": row.assigned_to.username if row.assigned_to else ""}
    )
    contact = contact or ContactForm(initial={"date": signals_date()})
    wijk = wijk_labels(codes=[row.wijk]).get(row.wijk, "") if row.wijk else ""
    return render(
        request,
        "earlysignals/household.html",
        {
            "view": view,
            "household": row,
            "wijk": wijk,
            "residents": [
                (r, RESIDENT_ROLES.get(r.member.role, r.member.role)) for r in view.residents
            ],
            "assign_form": assign,
            "contact_form": contact,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.DEBT_WORKER)
def household(request: HttpRequest, household_id: int) -> HttpResponse:
    """The household; its POSTs assign it (``action=assign``) or register an outreach
    (``action=contact``)."""
    if request.method == "GET":
        return _household_page(request, household_id)
    user: Any = request.user
    action = request.POST.get("action")
    workers = [(w.username, w.get_full_name() or w.username) for w in debt_workers()]
    if action == "assign":
        assign = AssignForm(request.POST, workers=workers)
        if assign.is_valid():
            try:
                row = household_assign(
                    actor=actor_for(user),
                    household_id=household_id,
                    worker=assign.cleaned_data["worker"],
                    trace=_trace(request),
                    via="web",
                    client=_client(request),
                )
            except ObjectDoesNotExist:
                raise Http404 from None
            except ValidationError as exc:
                for message in _messages(exc):
                    assign.add_error("worker", message)
            else:
                messages.success(
                    request,
                    _("The household is assigned to %(name)s.")
                    % {"name": row.assigned_to.get_full_name() or row.assigned_to.username}
                    if row.assigned_to
                    else _("The household is assigned to nobody."),
                )
                return redirect("earlysignals:household", household_id=household_id)
        return _household_page(request, household_id, assign=assign, status=400)
    contact = ContactForm(request.POST)
    if action == "contact" and contact.is_valid():
        data = contact.cleaned_data
        try:
            registered = contact_register(
                actor=actor_for(user),
                household_id=household_id,
                channel=data["channel"],
                result=data["result"],
                follow_up=data["follow_up"],
                on=data["date"],
                trace=_trace(request),
                via="web",
                client=_client(request),
            )
        except ObjectDoesNotExist:
            raise Http404 from None
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.message_dict.items():
                    for message in errors:
                        contact.add_error(name if name in contact.fields else None, message)
            else:
                for message in _messages(exc):
                    contact.add_error(None, message)
        else:
            row = registered.household
            if row.status == AFGEROND:
                messages.success(
                    request,
                    _(
                        "The outreach is registered. The household is concluded and leaves the "
                        "work list until a newer signal arrives."
                    ),
                )
                return redirect(reverse("earlysignals:worklist"))
            messages.success(request, _("The outreach is registered."))
            return redirect("earlysignals:household", household_id=household_id)
    return _household_page(request, household_id, contact=contact, status=400)


@require_GET
@role_required(Role.DEBT_WORKER)
def unlinked(request: HttpRequest) -> HttpResponse:
    try:
        view = unlinked_read(
            actor=actor_for(request.user),
            activity_id=_number(request.GET.get("activiteit")),
            trace=_trace(request),
        )
    except ValidationError as exc:
        return render(request, "earlysignals/unlinked.html", {"error": " ".join(_messages(exc))})
    rows = [(s, UNLINKED_STATUSES.get(s.status, s.status), _why(s)) for s in view.signals]
    return render(request, "earlysignals/unlinked.html", {"view": view, "rows": rows})


def _why(signal: UnlinkedSignal) -> str:
    """Why a signal is on no household; a signal linked provisionally (its probability between
    the threshold and the upper bound of the review band) has no reason of its own."""
    if not signal.reason and signal.status == "pending":
        return unlinked_reason("below the review band's upper bound")
    return unlinked_reason(signal.reason)


# -- a signal awaiting review ---------------------------------------------------------------

#: The comparisons of the linkage model in the order the review page shows them.
COMPARISONS = ("surname", "first_name", "birth_date", "address")
#: From this weight (log2 of the Bayes factor) on a comparison is strong evidence.
STRONG = 5.0


def _postcode(value: str) -> str:
    value = value.replace(" ", "").upper()
    return f"{value[:4]} {value[4:]}" if len(value) == 6 and value[:4].isdigit() else value


def _address(fields: dict[str, str]) -> str:
    """5121 AB 12, 5121 AB 12A (a house letter), 5121 AB 12-2 (an addition)."""
    number, addition = fields.get("huisnummer", ""), fields.get("huisnummertoevoeging", "")
    if number and addition:
        number += addition if len(addition) == 1 and addition.isalpha() else f"-{addition}"
    return " ".join(p for p in (_postcode(fields.get("postcode", "")), number) if p)


def _surname(fields: dict[str, str]) -> str:
    return " ".join(p for p in (fields.get("voorvoegsel"), fields.get("geslachtsnaam")) if p)


def _evidence(weight: float | None) -> tuple[str, str]:
    """Whether a comparison counts for or against the same person, in words (and a code for
    the page's marks)."""
    if weight is None or abs(weight) < 0.005:
        return "neutral", _("counts neither way")
    if weight >= STRONG:
        return "for", _("strong evidence for")
    if weight > 0:
        return "for", _("evidence for")
    if weight <= -STRONG:
        return "against", _("strong evidence against")
    return "against", _("evidence against")


def _percent(probability: float) -> str:
    """The probability as a percentage; never "100,0%": the linkage was unsure."""
    if probability >= 0.9995:
        return _("more than %(percent)s") % {"percent": procent(0.999)}
    return str(procent(probability))


def _likelihood(probability: float) -> str:
    if probability >= 0.95:
        return _("very likely the same person")
    if probability >= 0.8:
        return _("likely the same person")
    if probability >= 0.5:
        return _("possibly the same person")
    return _("probably not the same person")


def _compared(candidate: SignalCandidate, name: str) -> dict[str, str] | None:
    """One comparison of a candidate as the page says it; None when it is hidden (the address
    of a person with a secrecy indication) or was not made."""
    value = candidate.comparisons.get(name)
    if not isinstance(value, dict):
        return None
    weight = value.get("weight")
    direction, words = _evidence(None if weight is None else float(str(weight)))
    level = str(value.get("level") or "")
    return {"level": labels.label("link_level", level), "direction": direction, "words": words}


def _review_page(request: HttpRequest, token: str, activity_id: int | None) -> HttpResponse:
    try:
        view = signal_review_case(
            actor=actor_for(request.user),
            activity_id=activity_id,
            token=token,
            trace=_trace(request),
            via="web",
            client=_client(request),
        )
    except ObjectDoesNotExist:
        raise Http404 from None
    except ValidationError as exc:
        query = f"?activiteit={activity_id}" if activity_id else ""
        return render(
            request,
            "earlysignals/review.html",
            {"error": " ".join(_messages(exc)), "query": query},
        )
    record, candidates = view.record, view.candidates
    rows = [
        ("surname", _("Surname"), _surname(record), [_surname(c.fields) for c in candidates]),
        (
            "given",
            _("Given names"),
            record.get("voornamen", ""),
            [c.fields.get("voornamen", "") for c in candidates],
        ),
        (
            "born",
            _("Birth date"),
            record.get("datumgeboorte", ""),
            [c.fields.get("datumgeboorte", "") for c in candidates],
        ),
        (
            "address",
            _("Address"),
            _address(record),
            [None if c.address_hidden else _address(c.fields) for c in candidates],
        ),
    ]
    made = {n for c in candidates for n in c.comparisons}
    if any(c.address_hidden for c in candidates):
        made.add("address")
    names = [n for n in COMPARISONS if n in made] + sorted(made - set(COMPARISONS))
    comparisons = [
        (
            labels.label("link_comparison", name),
            [
                "hidden" if c.address_hidden and name == "address" else _compared(c, name)
                for c in candidates
            ],
        )
        for name in names
    ]
    return render(
        request,
        "earlysignals/review.html",
        {
            "view": view,
            "signal": view.signal,
            "token": token,
            "reason": _why(view.signal),
            "rows": rows,
            "likelihoods": [
                (_percent(c.probability), _likelihood(c.probability)) for c in candidates
            ],
            "comparisons": comparisons,
            "candidates": candidates,
            "query": f"?activiteit={view.activity.id}",
        },
    )


def _review_decide(request: HttpRequest, token: str, activity_id: int | None) -> HttpResponse:
    """The decision on one candidate, then back to the signals not on a household."""
    back = reverse("earlysignals:review", kwargs={"token": token})
    if activity_id:
        back += f"?activiteit={activity_id}"
    try:
        done = signal_review_decide(
            actor=actor_for(request.user),
            activity_id=activity_id,
            token=token,
            rank=_number(request.POST.get("rank")),
            decision=request.POST.get("decision", ""),
            trace=_trace(request),
            via="web",
            client=_client(request),
        )
    except ObjectDoesNotExist:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(
            request,
            _("The decision could not be processed: %(reason)s")
            % {"reason": " ".join(_messages(exc))},
        )
        return redirect(back)
    values = {"signal": done.signal.signaalid}
    if done.status == "accepted":
        text = (
            _("Signal %(signal)s is linked to the person you chose and is on the work list now.")
            if done.household is not None
            else _("Signal %(signal)s is linked to the person you chose.")
        )
    elif done.status == "pending":
        text = _(
            "This person is taken out; signal %(signal)s still awaits review of its other "
            "candidates."
        )
    else:
        text = _("Every candidate is rejected: signal %(signal)s stays off the work list.")
    messages.success(request, text % values)
    if done.problem:
        messages.warning(
            request,
            _(
                "Your decision is stored, but the work list could not be refreshed now: "
                "%(reason)s It is refreshed at the next linkage."
            )
            % {"reason": done.problem},
        )
    return redirect(f"{reverse('earlysignals:unlinked')}?activiteit={done.activity.id}")


@require_http_methods(["GET", "POST"])
@role_required(Role.DEBT_WORKER)
def review(request: HttpRequest, token: str) -> HttpResponse:
    """A signal awaiting review beside the persons of the register it may be about (GET: read
    from the vault, logged per person shown); a decision on one of them, named by its rank
    (POST), then back to the signals not on a household. 404 for a token of no signal awaiting
    review; 403 for other roles and without an approved activity."""
    activity_id = _number(request.GET.get("activiteit"))
    if request.method == "POST":
        return _review_decide(request, token, activity_id)
    return _review_page(request, token, activity_id)


#: The monitor's chart of signals per month (SVG units): the width per month, the height of the
#: highest bar and where the bars stand.
STEP, HIGHEST, BASE = 36, 100, 118


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    height: int
    month: str  # "dec"
    text: str  # the number written above the bar, x when not published


def _chart(months: list[Any]) -> list[Bar]:
    """A bar per month, oldest first (the table beside it holds the same numbers)."""
    widest = max((m.gemeente.signals.value or 0 for m in months), default=0)
    bars = []
    for number, month in enumerate(months):
        value = month.gemeente.signals.value
        height = round(HIGHEST * value / widest) if value and widest else 0
        text = HIDDEN if value is None else formats.number_format(value, force_grouping=True)
        bars.append(Bar(8 + number * STEP, BASE - height, height, month_short(month.month), text))
    return bars


@require_GET
@role_required(Role.DEBT_WORKER, Role.POLICY_MAKER)
def monitor(request: HttpRequest) -> HttpResponse:
    """The monitor of early signalling: figures per month, partner and wijk for a period of
    months, every one disclosure-controlled (``x`` when not published)."""
    try:
        view = monitor_view(
            actor=actor_for(request.user),
            activity_id=_number(request.GET.get("activiteit")),
            period_from=period_parse(request.GET.get("van")),
            period_to=period_parse(request.GET.get("tot")),
            trace=_trace(request),
        )
    except ValidationError as exc:
        return render(request, "earlysignals/monitor.html", {"error": " ".join(_messages(exc))})
    result = view.monitor
    return render(
        request,
        "earlysignals/monitor.html",
        {
            "view": view,
            "monitor": result,
            "months": list(reversed(result.months)),  # newest first, as the choice of months
            "chart": _chart(result.months),
            "chart_width": 16 + STEP * len(result.months),
            "choices": [(m, month_label(m)) for m in view.months],
            "partners": [(p, result.total.partner(p)) for p in result.partners],
            "outcomes": [
                (o, OUTCOME_LABELS[o], result.total.outcome(o), NATIONAL[o]) for o in OUTCOMES
            ],
            "hidden_marker": HIDDEN,
            "no_wijk": NO_WIJK,
        },
    )
