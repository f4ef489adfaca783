from django.contrib import admin

from headstart.apps.admin_readonly import ReadOnlyModelAdmin
from headstart.apps.delivery.models import Commitment, Copy, Delivery


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyModelAdmin):
    """Read-only: scheduling and delivery make commitments; a later version never replaces one."""

    list_display = ("__str__", "advisory", "version", "digest", "created_at")
    list_filter = ("advisory",)
    search_fields = ("advisory__ident", "digest")


@admin.register(Copy)
class CopyAdmin(ReadOnlyModelAdmin):
    """Read-only: the digest of each partner's copy, recorded at its first delivery."""

    list_display = ("partner", "artifact", "file_name", "sha256", "size", "first_delivered_at")
    list_filter = ("partner",)
    search_fields = ("partner__name", "file_name", "sha256", "artifact__advisory__ident")
    list_select_related = ("partner", "artifact__advisory")


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyModelAdmin):
    """Read-only: every route by which a copy left the program (download, portal, export) and who took it."""

    list_display = ("copy", "route", "by", "at", "audit_seq")
    list_filter = ("route",)
    search_fields = ("by", "copy__partner__name", "copy__file_name", "copy__sha256")
    list_select_related = ("copy__partner",)
