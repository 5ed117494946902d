import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.middleware.locale import LocaleMiddleware
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _

from meedoen.accounts.roles import Role


class DutchByDefaultLocaleMiddleware(LocaleMiddleware):
    """Dutch unless the user chose otherwise with the language switch (cookie).

    Django's own middleware follows the browser's Accept-Language; a municipal web app is Dutch
    by default, whatever language the workstation's browser happens to be set to."""

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        translation.activate(chosen if chosen in supported else settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()


class SecurityHeadersMiddleware:
    """Adds the headers Django's SecurityMiddleware does not set: Content-Security-Policy and
    Permissions-Policy. Pages load nothing from other origins and run no inline script."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class NoStoreForSignedInMiddleware:
    """``Cache-Control: no-store`` (and ``Pragma: no-cache`` for HTTP/1.0 caches) on every
    response to a signed-in user, and on every JSON API response: pages and JSON with personal
    data must not be kept by the browser, a proxy or the back/forward cache. Static files are
    served by WhiteNoise before this middleware runs, and keep their long cache lifetime."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return response
        user = getattr(request, "user", None)  # DRF copies a token's user onto the request
        if (user is not None and user.is_authenticated) or request.path_info.startswith("/api/"):
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response


class RequestBodyLimitMiddleware:
    """Refuses request bodies before anything parses them: placed right after
    AuthenticationMiddleware, it runs before CsrfViewMiddleware.process_view, which reads
    ``request.POST`` (and so writes a multipart body's files to disk) for every POST.

    - A body larger than ``MAX_REQUEST_BYTES`` (``MEEDOEN_MAX_REQUEST_BYTES``): 413, for anyone.
    - A body larger than ``SMALL_REQUEST_BYTES`` (an upload; a small multipart form stays in
      memory): only from a signed-in analyst (the intake and linkage pages); anyone else gets
      403, and the body is never read (not even by Django's 403 view, which would run the CSRF
      check). Forms and the JSON API send small bodies.

    ``meedoen serve`` also caps bodies in waitress (``max_request_body_size``) and keeps
    waitress's buffer files in the vault's tmp folder; see docs/admin/install.md."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body then either
        if length > settings.MAX_REQUEST_BYTES:
            return HttpResponse(
                _("The request is larger than this server accepts (%(limit)s).")
                % {"limit": filesizeformat(settings.MAX_REQUEST_BYTES)},
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        # A small multipart body (a form posted as multipart/form-data, e.g. by the test client)
        # stays in memory; larger bodies, where uploads are, only from analysts.
        if length > settings.SMALL_REQUEST_BYTES:
            user = request.user
            if not (user.is_authenticated and getattr(user, "role", None) == Role.ANALYST):
                # Answered here, not by raising PermissionDenied: Django's 403 view runs the
                # CSRF check, and that parses the body this middleware refuses to read.
                return HttpResponseForbidden(
                    _("Only signed-in analysts can upload files."),
                    content_type="text/plain; charset=utf-8",
                )
        return self.get_response(request)


#: When the session's user signed in (seconds since the epoch), kept in the session.
SESSION_STARTED = "meedoen_signed_in_at"


class SessionLimitMiddleware:
    """Ends a signed-in session ``SESSION_MAX_SECONDS`` (``MEEDOEN_SESSION_MAX_HOURS``) after
    its first request, however active it was: the user signs in again. (Inactivity ends it
    sooner: the session cookie's age, ``MEEDOEN_SESSION_IDLE_MINUTES``, moved on by every
    request.) The request then goes on as anonymous: LoginRequiredMiddleware sends a page to the
    login page, the API answers 401/403."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED)
            now = time.time()
            if started is None:
                request.session[SESSION_STARTED] = now
            elif now - float(started) > settings.SESSION_MAX_SECONDS:
                logout(request)  # flushes the session; request.user is anonymous now
        return self.get_response(request)
