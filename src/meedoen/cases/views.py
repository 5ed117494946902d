"""The case worker's pages (``/casussen/``, issue 20): the caseload, opening a case, the family
view, closing and assigning, break-the-glass; and the privacy officer's review of
break-the-glass accesses (``/logboek/doorbraken/``). Thin: every check and every log is in the
services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meedoen.accounts.roles import Role
from meedoen.audits.trace import TraceContext
from meedoen.cases.forms import AssignForm, BreakGlassForm, CaseOpenForm, ReviewForm
from meedoen.cases.referrals import ConsentMissing, foodbank_referral_create
from meedoen.cases.selectors import break_glass_queue, case_activities, case_get, team_workers
from meedoen.cases.services import (
    break_glass,
    break_glass_review,
    case_assign,
    case_close,
    case_open,
    caseload_read,
    family_view,
)
from meedoen.cases.summary import family_page
from meedoen.residents.models import ConsentPurpose
from meedoen.residents.selectors import consent_active
from meedoen.web.access import actor_for, role_required

WORKERS = (Role.CASE_WORKER, Role.TEAM_LEAD)


def _trace(request: HttpRequest) -> TraceContext:
    return TraceContext.start(request.headers.get("traceparent"))


def _client(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _messages(exc: Exception) -> list[str]:
    return list(getattr(exc, "messages", [str(exc)]))


def _activities(role: str) -> list[tuple[int, str]]:
    return [(a.id, f"{a.id}. {a.name}") for a in case_activities(role=role)]


def _workers(request: HttpRequest) -> list[tuple[str, str]] | None:
    user: Any = request.user
    if user.role != Role.TEAM_LEAD:
        return None
    return [(w.username, w.get_full_name() or w.username) for w in team_workers(team=user.team)]


@require_GET
@role_required(*WORKERS)
def caseload(request: HttpRequest) -> HttpResponse:
    rows, problem = caseload_read(
        actor=actor_for(request.user),
        trace=_trace(request),
        channel="web",
        client=_client(request),
    )
    return render(
        request,
        "cases/caseload.html",
        {
            "rows": rows,
            "problem": problem,
            "team_lead": getattr(request.user, "role", "") == Role.TEAM_LEAD,
            "activities": _activities(str(getattr(request.user, "role", ""))),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*WORKERS)
def case_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    activities = _activities(user.role)
    form = CaseOpenForm(request.POST or None, activities=activities, workers=_workers(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = case_open(
                actor=actor_for(user),
                activity_id=data["activity"],
                reason=data["reason"],
                legal_basis=data["legal_basis"],
                bsn=data["bsn"].strip() or None,
                surname=None if data["bsn"].strip() else data["surname"],
                birth_date=None if data["bsn"].strip() else data["birth_date"],
                worker=data.get("worker") or "",
                trace=_trace(request),
                channel="web",
                client=_client(request),
            )
        except (ValidationError, PermissionDenied) as exc:
            for message in _messages(exc):
                form.add_error(None, message)
        else:
            if case.worker_id == user.pk:
                return redirect("cases:family", case_id=case.pk)
            return redirect("cases:caseload")
    return render(request, "cases/new.html", {"form": form, "activities": activities})


@require_GET
@role_required(*WORKERS)
def family(request: HttpRequest, case_id: int) -> HttpResponse:
    try:
        view = family_view(
            actor=actor_for(request.user),
            case_id=case_id,
            trace=_trace(request),
            channel="web",
            client=_client(request),
        )
    except ObjectDoesNotExist:
        raise Http404 from None
    except ValidationError as exc:
        case = case_get(user=request.user, case_id=case_id)  # type: ignore[arg-type]
        return render(
            request, "cases/family.html", {"case": case, "error": " ".join(_messages(exc))}
        )
    return render(
        request,
        "cases/family.html",
        {"case": view.case, **family_page(view), **_foodbank(view.case)},
    )


def _foodbank(case: Any) -> dict[str, Any]:
    """The consent for a referral to the food bank in force, and the case's referrals."""
    return {
        "foodbank_consent": consent_active(
            person=case.person_pseudonym, purpose=ConsentPurpose.FOODBANK_REFERRAL
        ),
        "referrals": list(case.referrals.all()),
    }


@require_POST
@role_required(*WORKERS)
def foodbank(request: HttpRequest, case_id: int) -> HttpResponse:
    """Refer the case's person to the food bank: only with their consent in force."""
    try:
        foodbank_referral_create(
            actor=actor_for(request.user),
            case_id=case_id,
            trace=_trace(request),
            channel="web",
            client=_client(request),
            note=request.POST.get("note", ""),
        )
    except ObjectDoesNotExist:
        raise Http404 from None
    except (ConsentMissing, ValidationError) as exc:  # another's case: PermissionDenied, 403
        for message in _messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("The referral to the food bank was made."))
    return redirect("cases:family", case_id=case_id)


@require_http_methods(["GET", "POST"])
@role_required(*WORKERS)
def case_manage(request: HttpRequest, case_id: int) -> HttpResponse:
    """Close a case (its worker or the team lead); assign it (the team lead)."""
    user: Any = request.user
    try:
        case = case_get(user=user, case_id=case_id)
    except ObjectDoesNotExist:
        raise Http404 from None
    workers = _workers(request)
    form = AssignForm(request.POST or None, workers=workers or []) if workers is not None else None
    error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "close":
                case_close(
                    actor=actor_for(user),
                    case_id=case.pk,
                    trace=_trace(request),
                    channel="web",
                    client=_client(request),
                )
                return redirect("cases:caseload")
            if action == "assign" and form is not None and form.is_valid():
                case_assign(
                    actor=actor_for(user),
                    case_id=case.pk,
                    worker=form.cleaned_data["worker"],
                    trace=_trace(request),
                    channel="web",
                    client=_client(request),
                )
                return redirect("cases:caseload")
        except (ValidationError, PermissionDenied) as exc:
            error = " ".join(_messages(exc))
    return render(request, "cases/manage.html", {"case": case, "form": form, "error": error})


@require_http_methods(["GET", "POST"])
@role_required(Role.CASE_WORKER)
def break_glass_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    activities = _activities(user.role)
    form = BreakGlassForm(request.POST or None, activities=activities)
    if request.method == "POST" and form.is_valid():
        try:
            case = break_glass(
                actor=actor_for(user),
                activity_id=form.cleaned_data["activity"],
                bsn=form.cleaned_data["bsn"],
                reason=form.cleaned_data["reason"],
                trace=_trace(request),
                channel="web",
                client=_client(request),
            )
        except (ValidationError, PermissionDenied) as exc:
            for message in _messages(exc):
                form.add_error(None, message)
        else:
            return redirect("cases:family", case_id=case.pk)
    return render(request, "cases/break_glass.html", {"form": form, "activities": activities})


@require_GET
@role_required(Role.PRIVACY_OFFICER)
def review_queue(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "cases/reviews.html",
        {"reviews": break_glass_queue(), "form": ReviewForm()},
    )


@require_POST
@role_required(Role.PRIVACY_OFFICER)
def review(request: HttpRequest, case_id: int) -> HttpResponse:
    form = ReviewForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            break_glass_review(
                actor=actor_for(request.user),
                case_id=case_id,
                justified=form.cleaned_data["justified"],
                note=form.cleaned_data["note"],
                trace=_trace(request),
                channel="web",
                client=_client(request),
            )
        except ObjectDoesNotExist:
            raise Http404 from None
        except ValidationError as exc:
            error = " ".join(_messages(exc))
        else:
            return redirect("cases:reviews")
    return render(
        request,
        "cases/reviews.html",
        {"reviews": break_glass_queue(), "form": ReviewForm(), "error": error or form.errors},
        status=400,
    )
