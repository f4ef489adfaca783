from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "headstart.apps.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Connect the receivers that cancel and create notifications as partners and advisories change.
        from headstart.apps.notifications import receivers  # noqa: F401
