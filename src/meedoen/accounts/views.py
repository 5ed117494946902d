import base64
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods
from django_otp import login as otp_login

from meedoen.accounts.forms import (
    LoginForm,
    PasswordSetForm,
    SecondFactorCodeForm,
    UserCreateForm,
    UserRoleForm,
    UserTeamForm,
)
from meedoen.accounts.models import User
from meedoen.accounts.roles import Role
from meedoen.accounts.selectors import (
    second_factor_device,
    second_factor_needed,
    second_factor_pending,
    user_by_id,
    users_all,
)
from meedoen.accounts.services import (
    SecondFactorWait,
    second_factor_check,
    second_factor_confirm,
    second_factor_remove,
    second_factor_start,
    user_active_set,
    user_create,
    user_password_reset_link,
    user_password_set,
    user_role_change,
    user_team_set,
)
from meedoen.web.access import role_required


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default): a link or image cannot sign a user out."""


@method_decorator(login_not_required, name="dispatch")
class PasswordSetView(auth_views.PasswordResetConfirmView):
    """The page behind a one-time link (``user_password_reset_link``): Django checks the token,
    keeps it in the session and moves to ``…/instellen/`` so that the token never leaves in a
    Referer; the new password is set by ``user_password_set`` (logged in the account's name).
    A deactivated account's link does not work."""

    http_method_names = ["get", "post", "head", "options"]  # FormView would take a PUT too
    template_name = "registration/password_set.html"
    form_class = PasswordSetForm
    reset_url_token = "instellen"  # noqa: S105 (a path segment, not a secret)
    success_url = reverse_lazy("accounts:password_set_done")

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:  # type: ignore[no-untyped-def]
        # Django checks the link before the method: answer other methods with 405 first.
        if (request.method or "").lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def get_user(self, uidb64: str) -> User | None:
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form: PasswordSetForm) -> HttpResponse:
        try:
            user_password_set(
                user=self.user,
                password=form.cleaned_data["new_password"],
                client=self.request.META.get("REMOTE_ADDR", ""),
            )
        except ValidationError as exc:  # the account signs in with DigiD only
            form.add_error(None, exc)
            return self.form_invalid(form)
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        return redirect(self.success_url)


def _wait_message(wait: SecondFactorWait) -> str:
    return ngettext(
        "Several wrong codes: wait %(seconds)d second, then enter the code your app shows.",
        "Several wrong codes: wait %(seconds)d seconds, then enter the code your app shows.",
        wait.seconds,
    ) % {"seconds": wait.seconds}


def _next(request: HttpRequest) -> str:
    """Where to go after the code: the page asked for, if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    """After the password: the code of the account's authenticator app, then on to ``next``.
    Without an authenticator the account page sets one up first."""
    user = request.user
    device = second_factor_device(user=user)  # type: ignore[arg-type]
    if device is None:
        return redirect("accounts:me")
    if user.is_verified():  # type: ignore[union-attr]
        return redirect(_next(request))
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            found = second_factor_check(
                user=user,  # type: ignore[arg-type]
                code=form.cleaned_data["code"],
                client=request.META.get("REMOTE_ADDR", ""),
            )
        except SecondFactorWait as wait:
            form.add_error("code", _wait_message(wait))
            found = None
        else:
            if found is None:
                form.add_error(
                    "code",
                    _(
                        "This code is not right, or was used already. Enter the code your app "
                        "shows now; after several wrong codes you wait a little longer each time."
                    ),
                )
        if found is not None:
            otp_login(request, found)
            return redirect(_next(request))
    return render(
        request, "registration/second_factor.html", {"form": form, "next": _next(request)}
    )


@require_http_methods(["GET", "POST"])
def me(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own account: name, role and the second factor — set it up with
    an authenticator app (a QR code, then a code from the app to confirm)."""
    user = request.user
    confirmed = second_factor_device(user=user)  # type: ignore[arg-type]
    pending = None if confirmed else second_factor_pending(user=user)  # type: ignore[arg-type]
    form = SecondFactorCodeForm()
    action = request.POST.get("action") if request.method == "POST" else None
    if action is not None and confirmed is not None:
        # Only the administrator replaces a confirmed authenticator: whoever knows just the
        # password cannot swap in their own.
        return HttpResponseBadRequest(_("Unknown action."))
    if action == "start":
        second_factor_start(user=user)  # type: ignore[arg-type]
        target = request.POST.get("next")
        return redirect(
            reverse("accounts:me") + ("?" + urlencode({"next": target}) if target else "")
        )
    if action == "confirm" and pending is not None:
        form = SecondFactorCodeForm(request.POST)
        if form.is_valid():
            try:
                device = second_factor_confirm(
                    user=user,  # type: ignore[arg-type]
                    code=form.cleaned_data["code"],
                    client=request.META.get("REMOTE_ADDR", ""),
                )
            except SecondFactorWait as wait:
                form.add_error("code", _wait_message(wait))
            else:
                if device is None:
                    form.add_error(
                        "code", _("This code is not right. Enter the code your app shows now.")
                    )
                else:
                    otp_login(request, device)
                    messages.success(
                        request,
                        _(
                            "The second factor is on: from now on you sign in with a code "
                            "from the app."
                        ),
                    )
                    return redirect(_next(request) if request.POST.get("next") else "accounts:me")
    elif action is not None:
        return HttpResponseBadRequest(_("Unknown action."))
    context = {
        "confirmed": confirmed,
        "pending": pending,
        "form": form,
        "required": second_factor_needed(user=user),  # type: ignore[arg-type]
        "next": request.POST.get("next") or request.GET.get("next") or "",
    }
    if pending is not None:
        context["qr"] = mark_safe(  # noqa: S308 (segno's own SVG of our own URL, no user input)
            segno.make(pending.config_url, error="m").svg_inline(
                scale=5, title=_("QR code for your authenticator app"), svgclass="meedoen-qr"
            )
        )
        secret = base64.b32encode(pending.bin_key).decode()
        context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    response = render(request, "accounts/me.html", context)
    add_never_cache_headers(response)
    return response


@require_GET
@login_not_required
def password_set_done(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/password_set_done.html")


# -- Accounts, for the administrator ------------------------------------------------------------


@require_GET
@role_required(Role.ADMINISTRATOR)
def users(request: HttpRequest) -> HttpResponse:
    """Every account with its role and whether it may sign in."""
    return render(request, "accounts/users.html", {"users": users_all()})


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
def user_new(request: HttpRequest) -> HttpResponse:
    """A new account, logged as ``account.create`` in the administrator's name."""
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_create(
                **form.cleaned_data,
                by=request.user.get_username(),
                by_role=Role.ADMINISTRATOR,
                channel="web",
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Account %(username)s made.") % {"username": user.username})
            return redirect("accounts:user", user_id=user.pk)
    return render(request, "accounts/user_new.html", {"form": form})


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    """One account: another role (``account.role``), deactivate or activate it again, a
    one-time link for a new password (``account.reset_link``)."""
    try:
        account = user_by_id(user_id=user_id)
    except User.DoesNotExist:
        raise Http404("no such account") from None
    me = request.user.get_username()
    client = request.META.get("REMOTE_ADDR", "")
    role_form = UserRoleForm(initial={"role": account.role})
    team_form = UserTeamForm(initial={"team": account.team})
    error = ""
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "role" and account.username == me:
        # An administrator who gave their own account the analyst's or the privacy officer's
        # role would read or decide in their own name: another administrator does it.
        error = _("You cannot change the role of your own account: ask another administrator.")
    elif action == "role":
        role_form = UserRoleForm(request.POST)
        if role_form.is_valid():
            try:
                user_role_change(
                    username=account.username,
                    role=role_form.cleaned_data["role"],
                    by=me,
                    by_role=Role.ADMINISTRATOR,
                    channel="web",
                    client=client,
                )
            except ValidationError as exc:  # a resident's account bound through DigiD
                error = exc.messages[0]
            else:
                messages.success(request, _("The role is changed."))
                return redirect("accounts:user", user_id=account.pk)
    elif action == "team":
        team_form = UserTeamForm(request.POST)
        if team_form.is_valid():
            try:
                user_team_set(
                    username=account.username,
                    team=team_form.cleaned_data["team"],
                    by=me,
                    by_role=Role.ADMINISTRATOR,
                    channel="web",
                    client=client,
                )
            except ValidationError as exc:
                team_form.add_error("team", exc.messages[0])
            else:
                messages.success(request, _("The team is changed."))
                return redirect("accounts:user", user_id=account.pk)
    elif action in {"deactivate", "activate"}:
        try:
            user_active_set(
                username=account.username,
                active=action == "activate",
                by=me,
                by_role=Role.ADMINISTRATOR,
                client=client,
            )
        except ValidationError:
            error = _("You cannot deactivate your own account: ask another administrator.")
        else:
            messages.success(
                request,
                _("The account is active again.")
                if action == "activate"
                else _("The account is deactivated: it can no longer sign in."),
            )
            return redirect("accounts:user", user_id=account.pk)
    elif action == "reset_link":
        try:
            path = user_password_reset_link(
                username=account.username, by=me, by_role=Role.ADMINISTRATOR, client=client
            )
        except ValidationError as exc:
            error = (
                exc.messages[0]
                if exc.code == "digid_only"
                else _("A deactivated account gets no link: activate it first.")
            )
        else:
            # Shown once, in this answer only: not stored, not in a message, not cached.
            response = render(
                request,
                "accounts/user_detail.html",
                {
                    "account": account,
                    "role_form": role_form,
                    "me": me,
                    "reset_link": request.build_absolute_uri(path),
                    "reset_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
                },
            )
            add_never_cache_headers(response)
            return response
    elif action == "second_factor_off":
        try:
            second_factor_remove(
                username=account.username, by=me, by_role=Role.ADMINISTRATOR, client=client
            )
        except ValidationError:
            error = _("You cannot remove your own second factor: ask another administrator.")
        else:
            messages.success(
                request,
                _("The second factor is removed: the account sets up a new one when it signs in."),
            )
            return redirect("accounts:user", user_id=account.pk)
    elif action is not None:
        return HttpResponseBadRequest(_("Unknown action."))
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": account,
            "role_form": role_form,
            "team_form": team_form,
            "error": error,
            "me": me,
            "second_factor": second_factor_device(user=account),
        },
    )


def _form_errors(form: UserCreateForm, exc: ValidationError) -> None:
    """A refused account's reasons on the form: the password's on its field."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error("password", exc)
