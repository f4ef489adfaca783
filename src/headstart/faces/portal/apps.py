from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "headstart.faces.portal"
    label = "portal"
    verbose_name = "Partner portal"
