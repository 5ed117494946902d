"""Authentication with a personal API token (see :class:`meedoen.accounts.models.ApiToken`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.http import HttpRequest

from meedoen.accounts.models import User


class PersonalTokenBackend(BaseBackend):
    """``authenticate(request, token=…)``, optionally with ``username=…`` (the command line's
    ``--by``): the user whose usable token it is, else None (a failure axes counts).

    Listed after axes's backend, so a locked user name and address cannot try tokens either."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        token: str | None = None,
        username: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not token:
            return None
        from meedoen.accounts.services import token_user

        user = token_user(token=token)
        if user is None or (username is not None and user.username != username):
            return None
        return user

    def get_user(self, user_id: int) -> User | None:
        return User.objects.filter(pk=user_id, is_active=True).first()
