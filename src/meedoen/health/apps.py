from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "meedoen.health"
    verbose_name = "Health"
