"""The analyst's intake page: upload source files, see the report and the history of batches."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from meedoen.accounts.roles import Role
from meedoen.audits.trace import TraceContext
from meedoen.intakes.selectors import intake_history
from meedoen.intakes.services import MAX_FILES, intake_upload

#: Row errors shown per file; the rest are in quarantine (`meedoen quarantine show`).
ERRORS_SHOWN = 10

View = Callable[..., HttpResponse]


def analyst_required(view: View) -> View:
    """403 for every role but the analyst (login itself is LoginRequiredMiddleware's job)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request.user, "role", None) != Role.ANALYST:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@require_http_methods(["GET", "POST"])
@analyst_required
def intake(request: HttpRequest) -> HttpResponse:
    report = None
    errors: list[str] = []
    if request.method == "POST":
        try:
            report = intake_upload(
                user=request.user,  # type: ignore[arg-type]
                files=request.FILES.getlist("files"),
                trace=TraceContext.start(request.headers.get("traceparent")),
            )
        except ValidationError as exc:
            errors = exc.messages
    return render(
        request,
        "intakes/intake.html",
        {
            "report": report,
            "errors": errors,
            "errors_shown": ERRORS_SHOWN,
            "max_files": MAX_FILES,
            "history": intake_history(),
        },
    )
