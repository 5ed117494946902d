"""Who may open a page and who acts: the checks every view shares.

``@role_required(Role.ANALYST, …)`` answers 403 to every other role (signing in is
``LoginRequiredMiddleware``'s job); ``actor_for(request.user)`` is the acting user as the
services take it. Feature apps use these and never import each other's views (the import-linter
contracts in pyproject.toml)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from meedoen.accounts.roles import Role
from meedoen.activities.actors import Actor

View = Callable[..., HttpResponse]


def role_required(*roles: Role) -> Callable[[View], View]:
    """403 for every other role (login itself is LoginRequiredMiddleware's job)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if getattr(request.user, "role", None) not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def actor_for(user: Any) -> Actor:
    return Actor(name=user.username, user=user)
