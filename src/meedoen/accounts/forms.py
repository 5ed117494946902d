from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from meedoen.accounts.throttle import locked_message


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
