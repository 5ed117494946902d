from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "meedoen.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Audit records of failed sign-ins and lockouts (after axes's own receivers: "axes"
        # comes before this app in INSTALLED_APPS).
        from meedoen.accounts import throttle  # noqa: F401
