"""Pages of the layout itself: the refusal of a form whose CSRF token does not match."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's CSRF refusal in the app's layout and in Dutch, saying what to do next (the
    reason is for the log, not the page: Django logs it under django.security.csrf)."""
    return render(request, "403_csrf.html", status=403)
