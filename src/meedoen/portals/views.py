from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from meedoen.accounts.roles import Role
from meedoen.portals.selectors import start_page_for


@require_safe
def start(request: HttpRequest) -> HttpResponse:
    """The start page of the signed-in user's role."""
    user = request.user
    if user.role not in Role.values:  # type: ignore[union-attr]
        raise PermissionDenied
    if user.role == Role.RESIDENT:  # type: ignore[union-attr]
        return redirect("residents:mine")  # the resident's start is their own data
    page = start_page_for(user=user)  # type: ignore[arg-type]
    return render(
        request,
        [f"portals/start_{page.role}.html", "portals/start_base.html"],
        {"page": page, **page.context},
    )
