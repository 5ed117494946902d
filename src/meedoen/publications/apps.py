from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationsConfig(AppConfig):
    name = "meedoen.publications"
    verbose_name = _("publications")
    default_auto_field = "django.db.models.BigAutoField"
