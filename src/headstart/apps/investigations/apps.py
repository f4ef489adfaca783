from django.apps import AppConfig


class InvestigationsConfig(AppConfig):
    name = "headstart.apps.investigations"
    label = "investigations"
    verbose_name = "Leak investigations"
