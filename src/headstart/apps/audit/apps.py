from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "headstart.apps.audit"
    label = "audit"
    verbose_name = "Audit log"
