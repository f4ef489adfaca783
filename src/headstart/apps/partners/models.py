"""Partners, their tiers, their status history, and the NDA they accept."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

# What a tier may be entitled to, and the artifact kinds each entitlement covers.
ENTITLEMENTS: dict[str, tuple[str, ...]] = {
    "writeup": ("writeup",),
    "guidance": ("guidance",),
    "poc": ("poc-source", "poc-binary"),
    "trigger-spec": ("trigger-spec",),
}


class Tier(models.Model):
    name = models.SlugField(max_length=50, unique=True)
    lead_time = models.DurationField(help_text="how long before patch_at the window opens")
    entitlements = models.JSONField(default=list, help_text="subset of writeup, guidance, poc, trigger-spec")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    @property
    def audit_id(self) -> str:
        return self.name

    @property
    def artifact_kinds(self) -> set[str]:
        return {kind for ent in self.entitlements for kind in ENTITLEMENTS.get(ent, ())}


class PartnerStatus(models.TextChoices):
    APPLICANT = "applicant"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    EXPELLED = "expelled"


class Partner(models.Model):
    # A stable identity for the marking codes: renaming a partner never changes its codewords.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=16, choices=PartnerStatus.choices, default=PartnerStatus.ACTIVE)
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="partners")
    email = models.EmailField(blank=True)
    pgp_certificate = models.TextField(blank=True)
    pgp_fingerprint = models.CharField(max_length=64, blank=True)
    pgp_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_id(self) -> str:
        return self.name


class PartnerStatusChange(models.Model):
    """Every status change, with its reason and time; never edited."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="status_history")
    old_status = models.CharField(max_length=16, blank=True)
    new_status = models.CharField(max_length=16, choices=PartnerStatus.choices)
    reason = models.TextField()
    at = models.DateTimeField(auto_now_add=True)
    by = models.CharField(max_length=320)
    investigation_ref = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["at", "pk"]


class NdaVersion(models.Model):
    version = models.PositiveIntegerField(unique=True)
    text = models.TextField()
    sha256 = models.CharField(max_length=64)
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"NDA v{self.version}"

    @property
    def audit_id(self) -> str:
        return str(self.version)


class NdaAcceptance(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="nda_acceptances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="nda_acceptances")
    nda = models.ForeignKey(NdaVersion, on_delete=models.PROTECT, related_name="acceptances")
    accepted_at = models.DateTimeField(auto_now_add=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partner", "nda"], name="one_acceptance_per_partner_and_version")]
