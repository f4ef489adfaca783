from django.contrib import admin

from headstart.apps.admin_readonly import ReadOnlyModelAdmin
from headstart.apps.program.models import Program


@admin.register(Program)
class ProgramAdmin(ReadOnlyModelAdmin):
    """Read-only: `headstart init` makes the program and its keys (only fingerprints are stored)."""

    list_display = ("name", "marking_key_id", "signing_fingerprint", "created_at")
