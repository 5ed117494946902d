from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EarlySignalsConfig(AppConfig):
    name = "meedoen.earlysignals"
    label = "earlysignals"
    verbose_name = _("Early signals")
    default_auto_field = "django.db.models.BigAutoField"
