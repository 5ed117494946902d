from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    """Django's login form with autocomplete hints (WCAG 1.3.5, identify input purpose)."""

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
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
