"""Pages of objection and correction requests: the resident's (``/mijn/verzoeken/…``, role
resident) and the privacy officer's queue (``/verzoeken/…``, role privacy officer). Thin: every
read, check and log is in :mod:`meedoen.residents.requests`. Every other role gets 403; a
resident gets 404 for a request that is not theirs."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from meedoen.accounts.roles import Role
from meedoen.audits.trace import TraceContext
from meedoen.residents.forms import DecisionForm, SubjectRequestForm
from meedoen.residents.models import SubjectRequest
from meedoen.residents.requests import (
    SHOW_ALL,
    SHOW_CHOICES,
    SHOW_DECIDED,
    SHOW_OPEN,
    objection_activities,
    request_decide,
    request_for_officer,
    request_of,
    request_queue,
    request_submit,
    requests_of,
    requests_overdue_count,
)
from meedoen.residents.services import Acting, ResidentRefused, resident_person
from meedoen.web.access import actor_for, role_required


def _person(request: HttpRequest) -> str:
    try:
        return resident_person(user=request.user)
    except ResidentRefused:
        raise PermissionDenied from None


def _client(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _messages(exc: ValidationError) -> list[str]:
    return [str(message) for message in exc.messages]


# -- The resident --------------------------------------------------------------------------------


@require_safe
@role_required(Role.RESIDENT)
def resident_requests(request: HttpRequest) -> HttpResponse:
    return render(
        request, "residents/requests.html", {"requests": requests_of(person=_person(request))}
    )


@require_safe
@role_required(Role.RESIDENT)
def resident_request(request: HttpRequest, request_id: int) -> HttpResponse:
    try:
        view = request_of(person=_person(request), request_id=request_id)
    except SubjectRequest.DoesNotExist:
        raise Http404 from None
    return render(request, "residents/requests_detail.html", {"item": view})


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.RESIDENT)
def resident_request_new(request: HttpRequest) -> HttpResponse:
    _person(request)  # an account bound to a resident, or 403
    activities = objection_activities()
    form = SubjectRequestForm(
        request.POST if request.method == "POST" else None,
        activities=[(choice.id, choice.name) for choice in activities],
        initial={"kind": request.GET.get("soort", "")},
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            created = request_submit(
                acting=Acting(request.user, channel="web", client=_client(request)),
                kind=data["kind"],
                reason=data["reason"],
                activity_id=data.get("activity"),
                what=data.get("what") or "",
                source=data.get("source") or "",
            )
        except ValidationError as exc:
            code = "activity" if exc.code == "duplicate" else str(exc.code)
            form.add_error(code if code in form.fields else None, exc)
        else:
            messages.success(
                request,
                _("We have received your request. You will get an answer by %(deadline)s.")
                % {"deadline": date_format(created.deadline, "j F Y")},
            )
            return redirect("residents:requests")
    return render(request, "residents/requests_new.html", {"form": form, "activities": activities})


# -- The privacy officer -------------------------------------------------------------------------


@require_safe
@role_required(Role.PRIVACY_OFFICER)
def officer_requests(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("toon", SHOW_OPEN)
    if show not in SHOW_CHOICES:
        show = SHOW_OPEN
    filters = [(SHOW_OPEN, _("Open")), (SHOW_DECIDED, _("Decided")), (SHOW_ALL, _("All"))]
    return render(
        request,
        "residents/officer_requests.html",
        {
            "requests": request_queue(show=show),
            "show": show,
            "filters": filters,
            "overdue": requests_overdue_count(),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.PRIVACY_OFFICER)
def officer_request(request: HttpRequest, request_id: int) -> HttpResponse:
    try:
        view = request_for_officer(
            request_id=request_id,
            actor=actor_for(request.user),
            trace=TraceContext.start(request.headers.get("traceparent")),
            client=_client(request),
        )
    except SubjectRequest.DoesNotExist:
        raise Http404 from None
    form = DecisionForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        if form.is_valid():
            try:
                decided = request_decide(
                    actor=actor_for(request.user),
                    request_id=request_id,
                    upheld=form.cleaned_data["decision"] == SubjectRequest.State.UPHELD,
                    motivation=form.cleaned_data["motivation"],
                    trace=TraceContext.start(request.headers.get("traceparent")),
                    channel="web",
                    client=_client(request),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("Request %(id)s is %(state)s.")
                    % {"id": decided.pk, "state": decided.get_state_display()},
                )
                return redirect("residents:officer_requests")
        status = 400
    return render(
        request,
        "residents/officer_requests_detail.html",
        {"item": view, "form": form},
        status=status,
    )
