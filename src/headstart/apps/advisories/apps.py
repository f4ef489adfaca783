from django.apps import AppConfig


class AdvisoriesConfig(AppConfig):
    name = "headstart.apps.advisories"
    label = "advisories"
    verbose_name = "Advisories and artifacts"
