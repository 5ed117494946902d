from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "meedoen.audits"
    verbose_name = "Audit log"
