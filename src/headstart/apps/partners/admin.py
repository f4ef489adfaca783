from django.contrib import admin
from django.http import HttpRequest

from headstart.apps.partners.models import NdaAcceptance, NdaVersion, Partner, PartnerStatusChange, Tier


class StatusHistoryInline(admin.TabularInline):
    model = PartnerStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("old_status", "new_status", "reason", "at", "by", "investigation_ref")

    def has_add_permission(self, request: HttpRequest, obj: Partner | None = None) -> bool:
        return False


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    """Status changes go through the CLI or API so they are audited and cut access."""

    list_display = ("name", "status", "tier", "email", "pgp_fingerprint")
    list_filter = ("status", "tier")
    search_fields = ("name", "email")
    readonly_fields = ("uid", "status", "pgp_fingerprint", "pgp_expires_at", "pgp_certificate")
    inlines = [StatusHistoryInline]


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = ("name", "lead_time", "entitlements")


@admin.register(NdaVersion)
class NdaVersionAdmin(admin.ModelAdmin):
    list_display = ("version", "sha256", "published_at")
    readonly_fields = ("version", "text", "sha256", "published_at")


@admin.register(NdaAcceptance)
class NdaAcceptanceAdmin(admin.ModelAdmin):
    list_display = ("partner", "user", "nda", "accepted_at", "ip")
    readonly_fields = ("partner", "user", "nda", "accepted_at", "ip")
