from django.contrib import admin

from headstart.apps.admin_readonly import ReadOnlyModelAdmin, ReadOnlyTabularInline
from headstart.apps.investigations.models import Investigation, InvestigationInput


class InputInline(ReadOnlyTabularInline):
    model = InvestigationInput
    fields = ("position", "name", "kind", "sha256", "size", "path")


@admin.register(Investigation)
class InvestigationAdmin(ReadOnlyModelAdmin):
    """Read-only: investigations are made by the CLI or API, so they are stored and audited."""

    list_display = ("__str__", "created_at", "created_by", "advisory", "accused")
    search_fields = ("advisory", "advisory_hint", "created_by")
    inlines = [InputInline]
