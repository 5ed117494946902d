"""Branding per installation: the organisation's name, its logo and its NL Design System theme.

Set by the administrator (docs/admin/configuration.md, docs/admin/branding.md):

- ``MEEDOEN_ORGANISATION``: the name shown beside "meedoen" in every page's header and title
  (e.g. "Gemeente Enschede"); empty: none (the demo).
- ``MEEDOEN_LOGO``: an SVG or PNG file on the server, shown in the header instead of meedoen's
  own logo; served at ``/huisstijl/logo/``.
- ``MEEDOEN_THEME_CSS``: a style sheet with the organisation's design tokens (the NL Design
  System's ``--basis-…``/``--utrecht-…`` custom properties on ``.meedoen-theme``), loaded after
  the built-in theme; served at ``/huisstijl/thema.css``.

Both files are read from the server's disk, never from another origin (the pages load nothing
from elsewhere), and a system check reports a configured file that cannot be served.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.core.checks import CheckMessage, Error, register
from django.http import FileResponse, HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

#: The logo files a browser shows, by suffix.
LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}
DEFAULT_LOGO = "meedoen/img/logo.svg"
CACHE = "public, max-age=3600"
#: The logo opened on its own is a document (an SVG can hold script): it may run and load
#: nothing, whatever the file holds.
LOGO_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def branding(request: HttpRequest) -> dict[str, Any]:
    """Context processor: what the layout shows of the installation's branding."""
    return {
        "organisation": settings.MEEDOEN_ORGANISATION,
        "logo_url": reverse("web:logo") if settings.MEEDOEN_LOGO else static(DEFAULT_LOGO),
        "theme_url": reverse("web:theme") if settings.MEEDOEN_THEME_CSS else "",
    }


@require_GET
@login_not_required  # the sign-in page shows it too
def logo(request: HttpRequest) -> HttpResponse:
    """The installation's logo (meedoen's own when none is configured)."""
    path = Path(settings.MEEDOEN_LOGO) if settings.MEEDOEN_LOGO else _default_logo()
    response = FileResponse(path.open("rb"), content_type=LOGO_TYPES[path.suffix.lower()])
    response["Cache-Control"] = CACHE
    response["Content-Security-Policy"] = LOGO_POLICY
    return response


@require_GET
@login_not_required
def theme(request: HttpRequest) -> HttpResponse:
    """The installation's theme style sheet (empty when none is configured)."""
    if not settings.MEEDOEN_THEME_CSS:
        response = HttpResponse("/* no theme of the installation */\n", content_type="text/css")
    else:
        path = Path(settings.MEEDOEN_THEME_CSS)
        response = FileResponse(path.open("rb"), content_type="text/css; charset=utf-8")
    response["Cache-Control"] = CACHE
    return response


def _default_logo() -> Path:
    found = finders.find(DEFAULT_LOGO)
    assert found, DEFAULT_LOGO
    return Path(str(found))


@register()
def branding_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """A configured logo or theme that cannot be served is an error at start-up."""
    errors: list[CheckMessage] = []
    for name, value, suffixes in (
        ("MEEDOEN_LOGO", settings.MEEDOEN_LOGO, set(LOGO_TYPES)),
        ("MEEDOEN_THEME_CSS", settings.MEEDOEN_THEME_CSS, {".css"}),
    ):
        if not value:
            continue
        path = Path(value)
        if path.suffix.lower() not in suffixes:
            errors.append(
                Error(
                    f"{name}={value}: use a {' or '.join(sorted(suffixes))} file",
                    id="meedoen.E101",
                )
            )
        elif not path.is_file():
            errors.append(
                Error(f"{name}={value}: there is no such file on this server", id="meedoen.E102")
            )
    return errors
