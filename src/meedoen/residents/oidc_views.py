"""Signing residents in and out through OpenID Connect (DigiD via a broker): ``/mijn/inloggen/``
sends the browser to the provider, ``/mijn/oidc/terug/`` is where it comes back, and
``/mijn/uitloggen/`` signs out here and at the provider. Open without signing in; 404 while
OpenID Connect is not configured. The checks and the audit log are in :mod:`.oidc`."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from meedoen.residents.oidc import (
    BACKEND,
    ID_TOKEN_SESSION_KEY,
    ResidentOIDCBackend,
    id_token_seal,
    id_token_unseal,
    oidc_configured,
    resident_sign_in_refused_log,
)

#: Where a resident lands after signing in, unless they were on their way to another page of
#: the resident portal.
PORTAL_PREFIX = "/mijn/"
#: The session key mozilla-django-oidc keeps the pending sign-ins in (state -> nonce, PKCE).
STATES_SESSION_KEY = "oidc_states"
NEXT_SESSION_KEY = "oidc_login_next"


class _WhenConfigured(View):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Nothing is here until it is configured: 404 (another method: 405 as ever).
        if (request.method or "").lower() in self.http_method_names and not oidc_configured():
            raise Http404
        return super().dispatch(request, *args, **kwargs)


@method_decorator(login_not_required, name="dispatch")
class ResidentSignInView(_WhenConfigured, OIDCAuthenticationRequestView):  # type: ignore[misc]
    """GET: a new sign-in (state, nonce, PKCE in the session), then off to the provider."""


@method_decorator(login_not_required, name="dispatch")
class ResidentCallbackView(_WhenConfigured):
    """GET: the provider's answer. The pending sign-in it names (``state``) is taken from the
    session (once), the backend checks the code's tokens and binds the person; signed in, the
    resident goes to ``/mijn/``. Refused: back to the login page with a message (the reason is
    in the audit log, not on the page)."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        states = request.session.get(STATES_SESSION_KEY)
        states = states if isinstance(states, dict) else {}
        state = request.GET.get("state", "")
        pending = states.pop(state, None) if state else None
        request.session[STATES_SESSION_KEY] = states  # a state works once, also when refused
        request.session.save()
        if request.GET.get("error"):
            error = re.sub(r"[^a-z_]", "", request.GET["error"].lower())[:40]
            return self._refused(f"the provider answered with error {error or '(unreadable)'}")
        if pending is None or not request.GET.get("code"):
            return self._refused("the answer names no sign-in started in this browser (state)")
        # Read the session afresh once the provider answered (as mozilla-django-oidc does), so a
        # slow token request does not overwrite what another tab changed meanwhile.
        request.session = request.session.__class__(request.session.session_key)
        backend = ResidentOIDCBackend()
        user = backend.authenticate(
            request, nonce=pending.get("nonce"), code_verifier=pending.get("code_verifier")
        )
        if user is None:  # the backend logged why
            return self._failed()
        following = request.session.get(NEXT_SESSION_KEY) or ""
        auth.login(request, user, backend=BACKEND)
        request.session[ID_TOKEN_SESSION_KEY] = id_token_seal(id_token=backend.id_token)
        request.session.pop(NEXT_SESSION_KEY, None)
        if isinstance(following, str) and following.startswith(PORTAL_PREFIX):
            return HttpResponseRedirect(following)  # checked when the sign-in started
        return redirect("residents:mine")

    def _refused(self, reason: str) -> HttpResponse:
        resident_sign_in_refused_log(request=self.request, reason=reason)
        return self._failed()

    def _failed(self) -> HttpResponse:
        messages.error(
            self.request,
            _(
                "Signing in with DigiD did not succeed. Please try again. If it keeps failing, "
                "contact the municipality."
            ),
        )
        return redirect("accounts:login")


@method_decorator(login_not_required, name="dispatch")
class ResidentSignOutView(_WhenConfigured):
    """POST: signs out here and, when the provider has an end-session endpoint and this
    session signed in through it, sends the browser there (``id_token_hint``,
    ``post_logout_redirect_uri`` = the login page) to end the session at the provider too."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        id_token = id_token_unseal(sealed=str(request.session.get(ID_TOKEN_SESSION_KEY) or ""))
        auth.logout(request)
        endpoint = settings.OIDC_OP_END_SESSION_ENDPOINT
        if not endpoint or not id_token:
            return redirect(settings.LOGOUT_REDIRECT_URL)
        query = urlencode(
            {
                "id_token_hint": id_token,
                "post_logout_redirect_uri": request.build_absolute_uri(
                    reverse(settings.LOGOUT_REDIRECT_URL)
                ),
                "client_id": settings.OIDC_RP_CLIENT_ID,
            }
        )
        return HttpResponseRedirect(endpoint + ("&" if "?" in endpoint else "?") + query)
