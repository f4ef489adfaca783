from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from headstart.apps.accounts.models import ApiToken, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "role", "partner", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("email",)
    fieldsets = ((None, {"fields": ("email", "password", "role", "partner", "is_active", "is_staff", "is_superuser")}),)
    add_fieldsets = ((None, {"fields": ("email", "role", "partner", "password1", "password2")}),)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "prefix", "digest", "created_at", "last_used_at")
