from django.contrib import admin
from django.http import HttpRequest

from headstart.apps.investigations.models import Investigation, InvestigationInput


class InputInline(admin.TabularInline):
    model = InvestigationInput
    extra = 0
    can_delete = False
    readonly_fields = ("position", "name", "kind", "sha256", "size", "path")

    def has_add_permission(self, request: HttpRequest, obj: Investigation | None = None) -> bool:
        return False


@admin.register(Investigation)
class InvestigationAdmin(admin.ModelAdmin):
    """Read-only: investigations are made by the CLI or API, so they are stored and audited."""

    list_display = ("__str__", "created_at", "created_by", "advisory", "accused")
    readonly_fields = ("created_at", "created_by", "advisory_hint", "threshold", "advisory", "accused", "result_json")
    inlines = [InputInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Investigation | None = None) -> bool:
        return False
