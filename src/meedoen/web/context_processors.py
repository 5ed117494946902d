"""What every page's layout needs: the menu of the signed-in user's role and its section."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from meedoen.web.navigation import menu_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    role = getattr(user, "role", "")
    if user is None or not user.is_authenticated or not role:
        return {"menu": []}
    if getattr(request, "second_factor_pending", False):  # SecondFactorMiddleware
        return {"menu": []}
    menu = menu_for(role=role, path=request.path)
    section = next((item for item in menu if item.active), None)
    return {"menu": menu, "menu_section": section}
