from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalsConfig(AppConfig):
    name = "meedoen.portals"
    verbose_name = _("Start pages")
