"""The audit log page (``/logboek/``): the newest processing records, filtered, with who acted,
and a check of the hash chains. For the privacy officer and the administrator only.

Looking at the log is itself logged: every page view and every chain check writes an access
record (``audit.read``, ``audit.verify``) before anything is shown."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from meedoen.accounts.roles import Role
from meedoen.activities.views import role_required
from meedoen.audits.forms import AuditFilterForm
from meedoen.audits.selectors import audit_log_page, audit_verify, chain_label
from meedoen.audits.services import AUDIT_READ, AUDIT_VERIFY, audit_log_viewed
from meedoen.audits.trace import TraceContext

#: Who may read the audit log.
READERS = (Role.ADMINISTRATOR, Role.PRIVACY_OFFICER)

#: Records shown at most, newest first.
LIMIT = 100


@require_http_methods(["GET", "POST"])
@role_required(*READERS)
def log(request: HttpRequest) -> HttpResponse:
    """GET shows the (filtered) records; POST also checks the chains. The check only reads, so
    its result is rendered directly; the filter stays in the address (the form posts to it)."""
    verifying = request.method == "POST"
    audit_log_viewed(
        user=request.user,
        operation=AUDIT_VERIFY if verifying else AUDIT_READ,
        trace=TraceContext.start(request.headers.get("traceparent")),
        client=request.META.get("REMOTE_ADDR", ""),
    )
    form = AuditFilterForm(request.GET)
    page = audit_log_page(**form.filters(), limit=LIMIT) if form.is_valid() else None
    reports = [(chain_label(r.chain), r) for r in audit_verify()] if verifying else []
    return render(
        request,
        "audits/log.html",
        {
            "form": form,
            "page": page,
            "reports": reports,
            "intact": all(report.intact for _, report in reports),
        },
    )
