from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "headstart.apps.delivery"
    label = "delivery"
    verbose_name = "Marked copies and packages"
