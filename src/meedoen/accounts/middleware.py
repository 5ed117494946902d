"""The second sign-in factor, enforced for every page (settings: MEEDOEN_SECOND_FACTOR)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from meedoen.accounts.selectors import second_factor_device, second_factor_required

#: What a signed-in session may open before it entered a code: the code page, signing out, the
#: language switch, and the account page only while the account has no authenticator yet (to
#: set one up; whoever knows only the password cannot swap in their own).
BEFORE_THE_CODE = frozenset({"accounts:second_factor", "accounts:logout", "set_language"})


class SecondFactorMiddleware:
    """A signed-in session of an account that needs a second factor
    (``second_factor_needed``) and has not entered a code is sent to the code page, or to its
    account page to set one up first; the JSON API answers 403. Sessions only: a personal API
    token is its own credential (it was made with the password and, where needed, a code)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not user.is_verified():  # type: ignore[union-attr]
            device = second_factor_device(user=user)  # type: ignore[arg-type]
            if device is not None or second_factor_required(role=user.role):  # type: ignore[union-attr]
                blocked = self._blocked(request, has_device=device is not None)
                if blocked is not None:
                    return blocked
        return self.get_response(request)

    @staticmethod
    def _blocked(request: HttpRequest, *, has_device: bool) -> HttpResponse | None:
        """For a session that still owes its code: the answer, unless the page is one it may
        open (None)."""
        # The pages it may open show no menu: every item would lead back to the code.
        request.second_factor_pending = True  # type: ignore[attr-defined]
        try:
            name = resolve(request.path_info).view_name
        except Resolver404:
            name = ""
        if name in BEFORE_THE_CODE or (name == "accounts:me" and not has_device):
            return None
        if request.path_info.startswith("/api/"):
            message = _("Enter the code of your second factor on the sign-in page first.")
            return JsonResponse({"detail": message}, status=403)
        response = redirect("accounts:second_factor" if has_device else "accounts:me")
        response["Location"] += "?" + urlencode({"next": request.get_full_path()})
        return response
