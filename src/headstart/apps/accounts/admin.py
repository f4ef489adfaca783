from django.contrib import admin
from django.contrib.auth.models import Group

from headstart.apps.accounts.models import ApiToken, User
from headstart.apps.admin_readonly import ReadOnlyModelAdmin

# Headstart authorises by role, not by Django groups: nothing to look at there.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(ReadOnlyModelAdmin):
    """Read-only, and no password forms: `headstart user add | passwd` set users and passwords.

    The password hash is never shown."""

    ordering = ("email",)
    list_display = ("email", "role", "partner", "is_active", "last_login")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("email", "partner__name")
    fields = ("email", "role", "partner", "is_active", "is_staff", "is_superuser", "last_login", "date_joined")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyModelAdmin):
    """Read-only: `headstart token create | revoke` issue and revoke tokens. The digest is never shown."""

    list_display = ("prefix", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("prefix", "user__email")
    fields = ("user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "prefix", "created_at", "last_used_at", "revoked_at")
