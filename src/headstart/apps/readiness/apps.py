from django.apps import AppConfig


class ReadinessConfig(AppConfig):
    name = "headstart.apps.readiness"
    label = "readiness"
    default_auto_field = "django.db.models.BigAutoField"
