"""The invitation record: who invited whom, into which partner and role, until when.

Kept apart from models.py (which imports it, so Django registers it with the accounts app);
it names the user and partner models by label, so it imports nothing of this app."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Invitation(models.Model):
    """An e-mailed link that lets its holder create one account by setting a password.

    Only the SHA-256 of the link's token is stored. The link works once, until ``expires_at``,
    and not after it is revoked; ``user`` is the account created when it was accepted."""

    email = models.EmailField("e-mail address")
    role = models.CharField(max_length=16)  # accounts.models.Role: staff, admin or analyst
    partner = models.ForeignKey("partners.Partner", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="invitations")
    digest = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="invitations_sent")
    invited_by_name = models.CharField(max_length=320, help_text="the audit log's name of who invited")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Set when the expiry is first noticed (and audited); an invitation past expires_at is dead either way.
    expired_at = models.DateTimeField(null=True, blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="invitation")

    class Meta:
        app_label = "accounts"
        constraints = [  # noqa: RUF012 - a declaration Django reads (as in models.py)
            models.CheckConstraint(
                name="invited_staff_have_no_partner_and_members_have_one",
                condition=(models.Q(role="staff", partner__isnull=True)
                           | (models.Q(role__in=["admin", "analyst"]) & models.Q(partner__isnull=False))),
            )
        ]

    def __str__(self) -> str:
        return f"invitation of {self.email}"

    @property
    def audit_id(self) -> str:
        return str(self.pk)
