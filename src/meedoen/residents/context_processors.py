"""Template context of the resident portal."""

from __future__ import annotations

from django.http import HttpRequest

from meedoen.residents.oidc import oidc_configured


def resident_sign_in(request: HttpRequest) -> dict[str, bool]:
    """``resident_sign_in``: whether residents can sign in with DigiD (OpenID Connect is
    configured), so the login page offers it."""
    return {"resident_sign_in": oidc_configured()}
