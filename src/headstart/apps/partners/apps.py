from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "headstart.apps.partners"
    label = "partners"
    verbose_name = "Partners, tiers and NDA"
