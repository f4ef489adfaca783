from django.contrib import admin
from django.http import HttpRequest

from headstart.apps.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only and written only by the service layer."""

    list_display = ("seq", "at", "actor", "partner", "action", "object_type", "object_id", "ip")
    list_filter = ("action", "partner")
    search_fields = ("actor", "object_id", "action")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
