from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakesConfig(AppConfig):
    name = "meedoen.intakes"
    verbose_name = _("Intake")
