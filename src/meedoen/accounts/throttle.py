"""Login throttling with django-axes: the back-off, the lockout response, and the audit records.

Axes counts failed sign-ins per user name and address (``AXES_LOCKOUT_PARAMETERS``) on every
channel that signs in through ``django.contrib.auth.authenticate``: the login page, the JSON API
(personal API tokens) and ``--by`` on the command line. This module adds what meedoen needs on
top: a cool-off that doubles with every lockout of the same user and address within a day, a
Dutch message on the login page, and an audit record of every failure and lockout (never the
password or token: Django masks those before the signal is sent)."""

from __future__ import annotations

import logging
import math
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

log = logging.getLogger("meedoen.accounts")

#: Failures older than this no longer make the next lockout longer.
BACKOFF_WINDOW = timedelta(days=1)

#: The channel of a request that signs in: the command line marks its own (see
#: :func:`meedoen.accounts.services.user_authenticate`), the JSON API lives under /api/.
CHANNEL_ATTRIBUTE = "meedoen_channel"
#: Who ran the command line (the operating-system user), for the audit record.
CLIENT_ATTRIBUTE = "meedoen_client"


def channel_of(request: HttpRequest | None) -> str:
    if request is None:
        return "cli"
    marked = getattr(request, CHANNEL_ATTRIBUTE, None)
    if marked:
        return str(marked)
    return "api" if request.path_info.startswith("/api/") else "web"


def client_of(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    marked = getattr(request, CLIENT_ATTRIBUTE, None)
    if marked:
        return str(marked)
    return str(request.META.get("REMOTE_ADDR") or "")


def _username(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    from axes.helpers import get_client_username

    return get_client_username(request) or None


def _address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    if hasattr(request, "axes_ip_address"):
        return request.axes_ip_address  # type: ignore[no-any-return]
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request)


def cool_off(request: HttpRequest | None = None) -> timedelta:
    """``AXES_COOLOFF_TIME``: how long a lockout of this user name and address lasts.

    The first lockout lasts LOGIN_LOCKOUT_MINUTES; every further lockout of the same pair within
    a day and since its last successful sign-in (LOGIN_FAILURE_LIMIT more failures, counted in
    axes's failure log) doubles it, up to LOGIN_LOCKOUT_MAX_HOURS. An attacker who keeps
    guessing waits longer and longer."""
    first = timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    longest = timedelta(hours=settings.LOGIN_LOCKOUT_MAX_HOURS)
    if request is None:
        return first
    from axes.models import AccessFailureLog, AccessLog

    who = {"username": _username(request), "ip_address": _address(request)}
    since = timezone.now() - BACKOFF_WINDOW
    last_success = (
        AccessLog.objects.filter(**who, attempt_time__gte=since)
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    failures = AccessFailureLog.objects.filter(
        **who, attempt_time__gte=last_success or since
    ).count()
    lockouts = max(1, failures // settings.LOGIN_FAILURE_LIMIT)
    # 2 ** 20 lockouts is far beyond any maximum: avoid huge numbers
    return min(first * 2 ** min(lockouts - 1, 20), longest)


def minutes_locked(request: HttpRequest | None) -> int:
    """The cool-off of this request's user name and address, in whole minutes (rounded up)."""
    return max(1, math.ceil(cool_off(request).total_seconds() / 60))


def locked_message(request: HttpRequest | None) -> str:
    minutes = minutes_locked(request)
    return ngettext(
        "Too many failed sign-in attempts. This account is locked on this device for "
        "%(minutes)d minute. Try again later, or ask your administrator if you forgot your "
        "password.",
        "Too many failed sign-in attempts. This account is locked on this device for "
        "%(minutes)d minutes. Try again later, or ask your administrator if you forgot your "
        "password.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the answer to a sign-in refused because of a lockout.

    The login page and the JSON API already answer with the lockout message (the login form
    and the token authentication check for it); axes's middleware only marks it 429 Too Many
    Requests. Anything else gets a short JSON answer."""
    if original_response is not None:
        original_response.status_code = settings.AXES_HTTP_RESPONSE_CODE
        return original_response
    return JsonResponse(
        {"detail": locked_message(request)}, status=settings.AXES_HTTP_RESPONSE_CODE
    )


def _audit(request: HttpRequest | None, username: str | None, operation: str) -> None:
    from meedoen.accounts.models import User
    from meedoen.audits.services import audit_access
    from meedoen.audits.trace import TraceContext

    account = User.objects.filter(username=username).first() if username else None
    audit_access(
        trace=TraceContext.start(),
        # A name that is no account may be a password typed in the wrong field: not logged.
        user_name=account.username if account else "(unknown account)",
        user_role=account.role if account else "",
        channel=channel_of(request),
        client=client_of(request),
        operation=operation,
    )


@receiver(user_login_failed, dispatch_uid="meedoen.accounts.throttle.login_failed")
def login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """Every failed sign-in: one audit access record (``account.login_failed``); the attempt
    that reaches the limit also ``account.locked``. Axes records both in its own tables."""
    username = credentials.get("username")
    if username is None and request is not None:
        username = _username(request)
    channel = channel_of(request)
    _audit(request, username, "account.login_failed")
    failures = getattr(request, "axes_failures_since_start", None)
    log.warning(
        "sign-in failed (%s, %s) for %s%s",
        channel,
        client_of(request) or "-",
        username or "an API token",
        f", failure {failures}" if failures else "",
    )
    if failures == settings.LOGIN_FAILURE_LIMIT:
        _audit(request, username, "account.locked")
        log.warning(
            "sign-in locked (%s, %s) for %s: %d minutes",
            channel,
            client_of(request) or "-",
            username or "an API token",
            minutes_locked(request),
        )


def lockout_reason(request: HttpRequest | None) -> str:
    """The text a refused sign-in shows: the lockout, or that the secret was wrong."""
    if request is not None and getattr(request, "axes_locked_out", False):
        return locked_message(request)
    return _("the password or token is not right")
