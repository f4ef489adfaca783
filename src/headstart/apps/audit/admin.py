from django.contrib import admin

from headstart.apps.admin_readonly import ReadOnlyModelAdmin
from headstart.apps.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
    """Read-only: the log is append-only and written only by the service layer."""

    list_display = ("seq", "at", "actor", "partner", "action", "object_type", "object_id", "ip")
    list_filter = ("action", "partner")
    search_fields = ("actor", "object_id", "action")
