from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from meedoen.accounts.forms import LoginForm, PasswordSetForm, UserCreateForm, UserRoleForm
from meedoen.accounts.models import User
from meedoen.accounts.roles import Role
from meedoen.accounts.selectors import user_by_id, users_all
from meedoen.accounts.services import (
    user_active_set,
    user_create,
    user_password_reset_link,
    user_password_set,
    user_role_change,
)
from meedoen.activities.views import role_required


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
        user_password_set(
            user=self.user,
            password=form.cleaned_data["new_password"],
            client=self.request.META.get("REMOTE_ADDR", ""),
        )
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        return redirect(self.success_url)


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
    error = ""
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "role" and account.username == me:
        # An administrator who gave their own account the analyst's or the privacy officer's
        # role would read or decide in their own name: another administrator does it.
        error = _("You cannot change the role of your own account: ask another administrator.")
    elif action == "role":
        role_form = UserRoleForm(request.POST)
        if role_form.is_valid():
            user_role_change(
                username=account.username,
                role=role_form.cleaned_data["role"],
                by=me,
                by_role=Role.ADMINISTRATOR,
                channel="web",
                client=client,
            )
            messages.success(request, _("The role is changed."))
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
        except ValidationError:
            error = _("A deactivated account gets no link: activate it first.")
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
    elif action is not None:
        return HttpResponseBadRequest(_("Unknown action."))
    return render(
        request,
        "accounts/user_detail.html",
        {"account": account, "role_form": role_form, "error": error, "me": me},
    )


def _form_errors(form: UserCreateForm, exc: ValidationError) -> None:
    """A refused account's reasons on the form: the password's on its field."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error("password", exc)
