"""Published tables in the web app (``/publicaties/``): the tables analysts published with
``meedoen table``, for every role that reads figures of the municipality.

A publication holds only aggregates that passed disclosure control (a withheld cell is ``x``,
never 0), so every role except the resident may read it; the resident's pages are about the
resident's own data. Publishing is ``meedoen table``.

The privacy officer sees every release (the list has pages, each one reachable), withdrawn ones
marked with who withdrew them and why, and withdraws a release on its page (POST). For everyone
else a withdrawn release does not exist: the list leaves it out and its page answers 404."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from meedoen.accounts.roles import Role
from meedoen.activities.actors import Actor
from meedoen.activities.enforcement import ActivityNotApproved
from meedoen.audits.trace import TraceContext
from meedoen.publications.exports import publication_csv, publication_xlsx
from meedoen.publications.forms import TableBuilderForm, WithdrawForm
from meedoen.publications.selectors import (
    builder_activities,
    builder_options,
    publication_detail,
    publication_page,
)
from meedoen.publications.services import (
    BUILDERS,
    TooManyCells,
    publication_withdraw,
    table_build,
)
from meedoen.web.access import actor_for, role_required

#: Who may read published tables: everyone signed in except residents.
READERS = tuple(role for role in Role if role != Role.RESIDENT)

#: Publications per page of the list, newest first (``?pagina=N`` for the others).
PER_PAGE = 50

MODE_LABELS = {
    "suppression": gettext_lazy("Suppression"),
    "rounding": gettext_lazy("Controlled rounding"),
    "estimate": gettext_lazy("Minimum number of participants"),
}


def _officer(request: HttpRequest) -> bool:
    return getattr(request.user, "role", None) == Role.PRIVACY_OFFICER


@require_GET
@role_required(*READERS)
def publications(request: HttpRequest) -> HttpResponse:
    """Every published table, newest first, a page at a time (``?pagina=N``); for the privacy
    officer withdrawn ones too."""
    officer = _officer(request)
    page = publication_page(number=request.GET.get("pagina"), per_page=PER_PAGE, withdrawn=officer)
    return render(
        request,
        "publications/list.html",
        {
            "publications": [(item, MODE_LABELS.get(item.mode, item.mode)) for item in page.items],
            "page": page,
            "officer": officer,
            "builder": getattr(request.user, "role", None) in BUILDERS,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*READERS)
def publication(request: HttpRequest, publication_id: int) -> HttpResponse:
    """One published table with what its numbers and its x's mean; the privacy officer
    withdraws it here (POST, with a reason)."""
    officer = _officer(request)
    form = None
    if request.method == "POST":
        if not officer:
            raise PermissionDenied
        form = WithdrawForm(request.POST)
        if form.is_valid():
            try:
                publication_withdraw(
                    publication_id=publication_id,
                    actor=Actor(name=request.user.get_username(), user=request.user),  # type: ignore[arg-type]
                    reason=form.cleaned_data["reason"],
                    trace=TraceContext.start(request.headers.get("traceparent")),
                    channel="web",
                    client=request.META.get("REMOTE_ADDR", ""),
                )
            except ObjectDoesNotExist as exc:
                raise Http404(str(exc)) from exc
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("Table %(id)s is withdrawn: it is no longer shown to anyone else.")
                    % {"id": publication_id},
                )
                return redirect("publications:detail", publication_id=publication_id)
    try:
        detail = publication_detail(publication_id=publication_id, withdrawn=officer)
    except ObjectDoesNotExist as exc:
        raise Http404(f"there is no publication {publication_id}") from exc
    if officer and form is None and detail.withdrawn_at is None:
        form = WithdrawForm()
    return render(
        request,
        "publications/detail.html",
        {
            "publication": detail,
            "mode_label": MODE_LABELS.get(detail.mode, detail.mode),
            "officer": officer,
            "form": form,
        },
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
@role_required(*READERS)
def publication_download(request: HttpRequest, publication_id: int, kind: str) -> HttpResponse:
    """A published table as a file: ``csv`` (Dutch CSV) or ``xlsx`` (Excel); what the page
    shows, ``x`` included (:mod:`meedoen.publications.exports`)."""
    try:
        detail = publication_detail(publication_id=publication_id, withdrawn=_officer(request))
    except ObjectDoesNotExist as exc:
        raise Http404(f"there is no publication {publication_id}") from exc
    if kind == "csv":
        response = HttpResponse(
            publication_csv(detail=detail), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(publication_xlsx(detail=detail), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="meedoen-tabel-{detail.id}.{kind}"'
    return response


@require_http_methods(["GET", "POST"])
@role_required(*BUILDERS)
def table_new(request: HttpRequest) -> HttpResponse:
    """The table builder: a table of households by up to three variables, protected and
    audited like every release, then shown on its publication page (POST). ``?activiteit=N``
    chooses the processing activity when there is more than one."""
    activities, default = builder_activities()
    ids = {activity for activity, _label in activities}
    asked = request.POST.get("activiteit") or request.GET.get("activiteit")
    activity_id = int(asked) if asked and asked.isdigit() and int(asked) in ids else default
    options = builder_options(activity_id=activity_id) if activity_id is not None else None
    form = None
    refusal: tuple[str, str] | None = None
    if options is not None and options.peildata:
        form = TableBuilderForm(
            request.POST if request.method == "POST" else None,
            peildata=options.peildata,
            variables=options.variables,
            filters=options.filters,
        )
    elif request.method == "POST":
        raise Http404("there are no households to make a table of")
    if request.method == "POST" and form is not None and form.is_valid():
        assert activity_id is not None
        try:
            published = table_build(
                activity_id=activity_id,
                variables=form.cleaned_data["variables"],
                where=form.cleaned_data["where"],
                peildatum=date.fromisoformat(form.cleaned_data["peildatum"]),
                actor=actor_for(request.user),
                trace=TraceContext.start(request.headers.get("traceparent")),
                client=request.META.get("REMOTE_ADDR", ""),
            )
        except TooManyCells as exc:
            params = exc.params or {}
            refusal = (
                _(
                    "This table would have %(cells)s numbers; the table builder makes at most "
                    "%(max)s. Choose fewer variables, wijk instead of buurt, or a filter."
                )
                % {"cells": params.get("cells"), "max": params.get("max")},
                "",
            )
        except (ValidationError, ActivityNotApproved) as exc:
            detail = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            refusal = (
                _(
                    "This table cannot be published: its numbers could not be protected well "
                    "enough, or the data it needs is not there. Choose other variables or a "
                    "filter; the message below says what stopped it."
                ),
                detail,
            )
        else:
            messages.success(
                request,
                _("Your table is made and protected. Numbers shown as x are withheld."),
            )
            return redirect("publications:detail", publication_id=published.publication_id)
    return render(
        request,
        "publications/builder.html",
        {
            "form": form,
            "refusal": refusal,
            "activities": activities,
            "activity_id": activity_id,
        },
    )
