from django.contrib import admin

from headstart.apps.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only and written only by the service layer."""

    list_display = ("seq", "at", "actor", "partner", "action", "object_type", "object_id", "ip")
    list_filter = ("action", "partner")
    search_fields = ("actor", "object_id", "action")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
