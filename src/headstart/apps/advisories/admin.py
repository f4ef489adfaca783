from django.contrib import admin

from headstart.apps.advisories.models import Advisory, Artifact


class ArtifactInline(admin.TabularInline):
    model = Artifact
    extra = 0
    readonly_fields = ("kind", "name", "version", "sha256", "size", "created_at")
    exclude = ("file",)
    can_delete = False


@admin.register(Advisory)
class AdvisoryAdmin(admin.ModelAdmin):
    list_display = ("ident", "title", "status", "patch_at", "cvss_severity")
    list_filter = ("status",)
    search_fields = ("ident", "title", "cve")
    readonly_fields = ("cvss_score", "cvss_severity", "status")
    inlines = [ArtifactInline]
