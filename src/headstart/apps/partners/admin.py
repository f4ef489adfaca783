from django.contrib import admin

from headstart.apps.admin_readonly import ReadOnlyModelAdmin, ReadOnlyTabularInline
from headstart.apps.partners.models import NdaAcceptance, NdaVersion, Partner, PartnerStatusChange, Tier


class StatusHistoryInline(ReadOnlyTabularInline):
    model = PartnerStatusChange
    fields = ("old_status", "new_status", "reason", "at", "by", "investigation_ref")


@admin.register(Partner)
class PartnerAdmin(ReadOnlyModelAdmin):
    """Read-only: partners, their tiers and status changes go through the CLI or API, so they
    are audited and suspending or expelling cuts access."""

    list_display = ("name", "status", "tier", "email", "pgp_fingerprint")
    list_filter = ("status", "tier")
    search_fields = ("name", "email", "pgp_fingerprint")
    fields = ("name", "uid", "status", "tier", "email", "pgp_fingerprint", "pgp_expires_at", "pgp_certificate",
              "created_at")
    inlines = [StatusHistoryInline]


@admin.register(Tier)
class TierAdmin(ReadOnlyModelAdmin):
    """Read-only: `headstart tier add` sets a tier's lead time and entitlements."""

    list_display = ("name", "lead_time", "entitlements")
    search_fields = ("name",)


@admin.register(NdaVersion)
class NdaVersionAdmin(ReadOnlyModelAdmin):
    list_display = ("version", "sha256", "published_at")


@admin.register(NdaAcceptance)
class NdaAcceptanceAdmin(ReadOnlyModelAdmin):
    list_display = ("partner", "user", "nda", "accepted_at", "ip")
    list_filter = ("nda",)
    search_fields = ("partner__name", "user__email")
