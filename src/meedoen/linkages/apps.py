from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinkagesConfig(AppConfig):
    name = "meedoen.linkages"
    verbose_name = _("Partner-file linkage")
    default_auto_field = "django.db.models.BigAutoField"
