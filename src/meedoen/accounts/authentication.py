"""``Authorization: Token <token>`` on the JSON API: a personal API token instead of a session."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from meedoen.accounts.throttle import locked_message


class PersonalTokenAuthentication(BaseAuthentication):
    """Signs the request in as the token's user, through ``authenticate`` (so django-axes
    counts wrong tokens per address and locks it after too many; every failure is logged).
    Requests with a token need no CSRF token: no cookie is involved."""

    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Give the token as: Authorization: Token <token>.")
            )
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from None
        django_request = request._request
        user = authenticate(django_request, token=token)
        if user is None:
            if getattr(django_request, "axes_locked_out", False):
                raise exceptions.AuthenticationFailed(locked_message(django_request))
            raise exceptions.AuthenticationFailed(
                _("The token is not valid: unknown, expired or revoked.")
            )
        return (user, None)

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
