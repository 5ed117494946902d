from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "meedoen.web"
    verbose_name = _("Shared web layer")

    def ready(self) -> None:
        from meedoen.web import branding  # noqa: F401 - registers the branding's system check
