"""The audit log page (``/logboek/``): the newest processing records, filtered, with who acted,
a check of the hash chains and of the signed checkpoints, the newest checkpoint to download and
keep, and a check against a kept one. For the privacy officer and the administrator only.

Looking at the log is itself logged: every page view, chain check and download writes an access
record (``audit.read``, ``audit.verify``, ``audit.checkpoint_download``) before anything is
shown."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods

from meedoen.accounts.roles import Role
from meedoen.activities.actors import Actor
from meedoen.audits.chain_checks import (
    ChainCheckState,
    chain_check_detail,
    chain_check_start,
    chain_check_start_background,
)
from meedoen.audits.forms import AuditFilterForm, KeptCheckpointForm, PersonLookupForm
from meedoen.audits.models import ChainCheck
from meedoen.audits.selectors import (
    VaultBusy,
    audit_checkpoint_download,
    audit_checkpoint_newest,
    audit_checkpoint_separation,
    audit_log_page,
    audit_person,
    audit_person_document,
    chain_label,
)
from meedoen.audits.services import (
    AUDIT_CHECKPOINT_DOWNLOAD,
    AUDIT_PERSON_EXPORT,
    AUDIT_PERSON_LOOKUP,
    AUDIT_READ,
    AUDIT_VERIFY,
    audit_log_viewed,
    audit_person_looked_up,
    chain_ends,
)
from meedoen.audits.trace import TraceContext
from meedoen.web.access import role_required
from meedoen.web.runs import run_progress, run_status_response, run_step_label

#: Who may read the audit log.
READERS = (Role.ADMINISTRATOR, Role.PRIVACY_OFFICER)

#: Records shown at most, newest first.
LIMIT = 100
VAULT_BUSY = gettext_noop(
    "The identity vault is in use (an intake is running), so records about many persons cannot "
    "be searched now. Try again in a moment."
)


@require_http_methods(["GET", "POST"])
@role_required(*READERS)
def log(request: HttpRequest) -> HttpResponse:
    """GET shows the (filtered) records. POST starts a check of the chains and the checkpoints
    (with the kept checkpoint when one is uploaded) in the background and opens its page; the
    filter stays in the address (the forms post to it)."""
    verifying = request.method == "POST"
    trace = TraceContext.start(request.headers.get("traceparent"))
    with_kept = verifying and request.POST.get("check") == "kept"
    kept_form = KeptCheckpointForm(request.POST, request.FILES) if with_kept else None
    if verifying and (kept_form is None or kept_form.is_valid()):
        audit_log_viewed(
            user=request.user, operation=AUDIT_VERIFY, trace=trace, client=_client(request)
        )
        kept = kept_form.kept() if kept_form is not None else []
        check, new = chain_check_start(
            user_name=request.user.get_username(),
            trace=trace,
            kept_name=kept[0][0] if kept else "",
        )
        if new:  # not one still going
            chain_check_start_background(run_id=check.pk, kept=kept)
        return redirect("audits:check", run_id=check.pk)
    audit_log_viewed(user=request.user, operation=AUDIT_READ, trace=trace, client=_client(request))
    form = AuditFilterForm(request.GET)
    try:
        page = audit_log_page(**form.filters(), limit=LIMIT) if form.is_valid() else None
        if page is not None and page.person is not None:
            # The person's names came from the vault: logged.
            _looked_up(request, page.person, operation=AUDIT_PERSON_LOOKUP, detail="/logboek/")
    except VaultBusy:
        page = None
        form.add_error("betrokkene", _(VAULT_BUSY))
    newest = audit_checkpoint_newest()
    ends = chain_ends()
    return render(
        request,
        "audits/log.html",
        {
            "form": form,
            "page": page,
            "upload": kept_form or KeptCheckpointForm(),
            "separation": audit_checkpoint_separation(),
            "newest": newest,
            "newest_chains": [
                (chain_label(chain), state, ends.get(chain, 0) - state.position)
                for chain, state in sorted(newest.chains.items(), reverse=True)
            ]
            if newest
            else [],
        },
    )


def _client(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _check_or_404(run_id: int) -> ChainCheckState:
    try:
        return chain_check_detail(run_id=run_id)
    except ChainCheck.DoesNotExist as exc:
        raise Http404(f"there is no chain check {run_id}") from exc


def _check_progress(check: ChainCheckState) -> dict[str, Any]:
    return run_progress(
        check.run,
        step_label=run_step_label("chain_check_step"),
        first_step=_("Reading the log"),
        counted=True,
    )


@require_GET
@role_required(*READERS)
def check(request: HttpRequest, run_id: int) -> HttpResponse:
    """One check of the log: its progress while it runs, then its outcome (logged as a look
    at the log, ``audit.read``)."""
    found = _check_or_404(run_id)
    audit_log_viewed(
        user=request.user,
        operation=AUDIT_READ,
        trace=TraceContext.start(request.headers.get("traceparent")),
        client=_client(request),
    )
    outcome = found.outcome
    return render(
        request,
        "audits/check.html",
        {
            "check": found,
            "run": found.run,
            "progress": _check_progress(found),
            "verification": outcome,
            "reports": [(chain_label(c["chain"]), c) for c in outcome["chains"]] if outcome else [],
            "truncations": [(chain_label(t["chain"]), t) for t in outcome["truncations"]]
            if outcome
            else [],
            "checkpoint_problems": outcome["checkpoint_problems"] if outcome else [],
        },
    )


@require_GET
@role_required(*READERS)
def check_status(request: HttpRequest, run_id: int) -> HttpResponse:
    """The progress of one check as JSON: its page polls it while the check runs (not logged:
    it shows nothing of the log)."""
    return run_status_response(_check_progress(_check_or_404(run_id)))


@require_GET
@role_required(*READERS)
def checkpoint_download(request: HttpRequest) -> HttpResponse:
    """The newest signed checkpoint and where both chains end now, as a JSON file for the
    privacy officer to keep outside meedoen (and to upload on this page later)."""
    audit_log_viewed(
        user=request.user,
        operation=AUDIT_CHECKPOINT_DOWNLOAD,
        trace=TraceContext.start(request.headers.get("traceparent")),
        client=request.META.get("REMOTE_ADDR", ""),
    )
    document = audit_checkpoint_download(user_name=request.user.get_username())
    name = f"meedoen-controlepunt-{timezone.localtime():%Y%m%d-%H%M%S}.json"
    response = HttpResponse(
        json.dumps(document, indent=2, ensure_ascii=False) + "\n",
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_http_methods(["GET", "POST"])
@role_required(*READERS)
def person_lookup(request: HttpRequest) -> HttpResponse:
    """Search the log for a person by BSN (an access request, a complaint). POST only carries
    the BSN, so it never appears in an address or a server log; the vault turns it into the
    person's pseudonyms (logged: ``audit.person_lookup``) and the log page shows their records
    under the BRP pseudonym."""
    form = PersonLookupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            person = audit_person(bsn=form.cleaned_data["bsn"])
        except VaultBusy:
            form.add_error("bsn", _(VAULT_BUSY))
        else:
            assert person is not None  # a valid BSN always names a person
            if not person.pseudonyms:
                form.add_error("bsn", _("Nothing was loaded yet: no pseudonym to search under."))
            else:
                _looked_up(request, person, operation=AUDIT_PERSON_LOOKUP, detail="BSN, /logboek/")
                name = person.pseudonyms.get("pseudonym-brp") or min(person.pseudonyms.values())
                return redirect(f"{reverse('audits:log')}?{urlencode({'betrokkene': name})}")
    return render(request, "audits/person_lookup.html", {"form": form})


@require_GET
@role_required(*READERS)
def person_export(request: HttpRequest) -> HttpResponse:
    """Every record about the person a pseudonym names, as a file in the shape of the Logboek
    Dataverwerkingen standard (as ``meedoen audit export``); logged (``audit.person_export``)."""
    form = AuditFilterForm(request.GET)
    subject = form.cleaned_data["betrokkene"] if form.is_valid() else ""
    try:
        person = audit_person(data_subject_id=subject) if subject else None
    except VaultBusy:
        return HttpResponse(_(VAULT_BUSY), status=503, content_type="text/plain; charset=utf-8")
    if person is None:
        raise Http404(_("This pseudonym names no person the identity vault knows."))
    _looked_up(request, person, operation=AUDIT_PERSON_EXPORT, detail="/logboek/export/")
    document = audit_person_document(person=person)
    name = f"meedoen-logboek-betrokkene-{timezone.localtime():%Y%m%d-%H%M%S}.json"
    response = HttpResponse(
        json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n",
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _looked_up(request: HttpRequest, person: Any, *, operation: str, detail: str) -> None:
    audit_person_looked_up(
        trace=TraceContext.start(request.headers.get("traceparent")),
        actor=Actor(name=request.user.get_username(), user=request.user),  # type: ignore[arg-type]
        channel="web",
        client=request.META.get("REMOTE_ADDR", ""),
        pseudonyms=person.pseudonyms,
        operation=operation,
        started=datetime.now(UTC),
        detail=detail,
    )
