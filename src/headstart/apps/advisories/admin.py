from django.contrib import admin

from headstart.apps.admin_readonly import ReadOnlyModelAdmin, ReadOnlyTabularInline
from headstart.apps.advisories.models import Advisory, Artifact


class ArtifactInline(ReadOnlyTabularInline):
    model = Artifact
    fields = ("kind", "name", "version", "sha256", "size", "unmarked_reason", "created_at")


@admin.register(Advisory)
class AdvisoryAdmin(ReadOnlyModelAdmin):
    """Read-only: `headstart advisory ...` and the API create, schedule and change advisories,
    so the embargo (patch_at) and the status change only with their audit events."""

    list_display = ("ident", "title", "status", "patch_at", "cvss_severity")
    list_filter = ("status",)
    search_fields = ("ident", "title", "cve")
    date_hierarchy = "patch_at"
    inlines = [ArtifactInline]
