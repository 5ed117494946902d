from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetgroupsConfig(AppConfig):
    name = "meedoen.targetgroups"
    verbose_name = _("target groups")
    default_auto_field = "django.db.models.BigAutoField"
