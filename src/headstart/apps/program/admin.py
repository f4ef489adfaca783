from django.contrib import admin

from headstart.apps.program.models import Program


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("name", "marking_key_id", "signing_fingerprint", "created_at")
    readonly_fields = ("marking_key_id", "signing_fingerprint", "signing_certificate", "created_at")
