from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from meedoen.accounts.roles import Role
from meedoen.accounts.throttle import locked_message
from meedoen.web.forms import TEXTBOX, UtrechtForm

SELECT = "utrecht-select utrecht-select--html-select"


class LoginForm(AuthenticationForm):
    """Django's login form with autocomplete hints (WCAG 1.3.5, identify input purpose), and a
    clear message when django-axes has locked the user name on this address."""

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.locked = False
        # No autofocus: keyboard and screen-reader users start at the skip link and the header.
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "class": "utrecht-textbox utrecht-textbox--html-input"}
        )
        self.fields["password"].widget.attrs.update(
            {
                "autocomplete": "current-password",
                "class": "utrecht-textbox utrecht-textbox--html-input utrecht-textbox--password",
            }
        )

    def clean(self):  # type: ignore[no-untyped-def]
        try:
            return super().clean()
        except ValidationError:
            if getattr(self.request, "axes_locked_out", False):
                self.locked = True
                raise ValidationError(locked_message(self.request), code="locked") from None
            raise


class UserCreateForm(UtrechtForm):
    """A new account, as ``meedoen user add`` makes it; ``cleaned_data`` holds the arguments of
    :func:`meedoen.accounts.services.user_create` (but who acts)."""

    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        help_text=_("What the person signs in with, e.g. a.jansen."),
        widget=forms.TextInput(
            attrs={"class": TEXTBOX, "autocomplete": "off", "autocapitalize": "none"}
        ),
    )
    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        widget=forms.TextInput(attrs={"class": TEXTBOX, "autocomplete": "off"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        widget=forms.TextInput(attrs={"class": TEXTBOX, "autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Role.choices,
        help_text=_("One role per account; a person with two tasks gets two accounts."),
        widget=forms.Select(attrs={"class": SELECT}),
    )
    password = forms.CharField(
        label=_("First password"),
        strip=False,
        help_text=_(
            "At least 12 characters, not common, not only digits, not like the user name. Give "
            "it to the person in a safe way; they keep it to themselves."
        ),
        widget=forms.PasswordInput(
            attrs={"class": f"{TEXTBOX} utrecht-textbox--password", "autocomplete": "new-password"}
        ),
    )


class UserRoleForm(UtrechtForm):
    """Another role for an account."""

    role = forms.ChoiceField(
        label=_("Role"), choices=Role.choices, widget=forms.Select(attrs={"class": SELECT})
    )


class UserTeamForm(UtrechtForm):
    """The team of a case worker or team lead."""

    team = forms.CharField(
        label=_("Team"),
        required=False,
        max_length=40,
        help_text=_("A short code, e.g. wijkteam-noord; empty: no team."),
        widget=forms.TextInput(attrs={"class": TEXTBOX, "autocomplete": "off"}),
    )


PASSWORD_HELP = _("At least 12 characters, not common, not only digits, not like the user name.")


class PasswordSetForm(UtrechtForm):
    """A new password, twice, for the holder of a one-time link; checked by the configured
    validators against ``user`` (the view passes the link's account)."""

    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        help_text=PASSWORD_HELP,
        widget=forms.PasswordInput(
            attrs={"class": f"{TEXTBOX} utrecht-textbox--password", "autocomplete": "new-password"}
        ),
    )
    new_password_again = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(
            attrs={"class": f"{TEXTBOX} utrecht-textbox--password", "autocomplete": "new-password"}
        ),
    )

    def __init__(self, user, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_new_password(self) -> str:
        password: str = self.cleaned_data["new_password"]
        validate_password(password, user=self.user)
        return password

    def clean(self):  # type: ignore[no-untyped-def]
        cleaned = super().clean()
        first, again = cleaned.get("new_password"), cleaned.get("new_password_again")
        if first and again and first != again:
            self.add_error("new_password_again", _("The two passwords differ."))
        return cleaned


class SecondFactorCodeForm(UtrechtForm):
    """The six digits an authenticator app shows."""

    code = forms.CharField(
        label=_("Code"),
        max_length=8,
        help_text=_("The six digits your authenticator app shows now for meedoen."),
        widget=forms.TextInput(
            attrs={
                "class": f"{TEXTBOX} meedoen-textbox--code",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]*",
                "spellcheck": "false",
            }
        ),
    )
