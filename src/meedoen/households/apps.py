from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HouseholdsConfig(AppConfig):
    name = "meedoen.households"
    verbose_name = _("households")
    default_auto_field = "django.db.models.BigAutoField"
