"""Advisories (one vulnerability's package) and their artifacts (original files)."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Exists, Subquery
from django.utils import timezone

from headstart.apps.partners.models import NdaAcceptance, NdaVersion, Partner, PartnerStatus


class AdvisoryStatus(models.TextChoices):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLIC = "public"
    WITHDRAWN = "withdrawn"


class AdvisoryQuerySet(models.QuerySet["Advisory"]):
    def open_to(self, partner: Partner, now: dt.datetime) -> AdvisoryQuerySet:
        """The embargo, applied in the query: the scheduled advisories whose window has opened
        for the partner's tier (patch_at - lead_time <= now), while the partner is active and
        has accepted the newest NDA. Every face reads a partner's advisories through this."""
        if partner.status != PartnerStatus.ACTIVE:
            return self.none()
        newest_nda = NdaVersion.objects.order_by("-version").values("pk")[:1]
        accepted = NdaAcceptance.objects.filter(partner=partner.pk, nda=Subquery(newest_nda))
        scheduled = self.filter(Exists(accepted), status=AdvisoryStatus.SCHEDULED)
        try:
            return scheduled.filter(patch_at__lte=now + partner.tier.lead_time)
        except OverflowError:  # a lead time reaching past the last representable date: every window is open
            return scheduled


class Advisory(models.Model):
    ident = models.CharField("identifier", max_length=40, unique=True)
    title = models.CharField(max_length=300)
    cve = models.CharField(max_length=32, blank=True)
    cvss_vector = models.CharField(max_length=200, blank=True)
    cvss_score = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    cvss_severity = models.CharField(max_length=16, blank=True)
    products = models.JSONField(default=list, blank=True)
    patch_at = models.DateTimeField(help_text="public release time")
    status = models.CharField(max_length=16, choices=AdvisoryStatus.choices, default=AdvisoryStatus.SCHEDULED)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AdvisoryQuerySet.as_manager()

    class Meta:
        ordering = ["patch_at", "ident"]
        verbose_name_plural = "advisories"

    def __str__(self) -> str:
        return self.ident

    @property
    def audit_id(self) -> str:
        return self.ident

    def effective_status(self, now: dt.datetime | None = None) -> str:
        """Public follows from time, not from a job having run."""
        now = now or timezone.now()
        if self.status == AdvisoryStatus.SCHEDULED and now >= self.patch_at:
            return AdvisoryStatus.PUBLIC
        return self.status


class ArtifactKind(models.TextChoices):
    WRITEUP = "writeup"
    GUIDANCE = "guidance"
    POC_SOURCE = "poc-source"
    POC_BINARY = "poc-binary"
    TRIGGER_SPEC = "trigger-spec"


def artifact_path(instance: Artifact, filename: str) -> str:
    return f"originals/{instance.advisory.ident}/{instance.sha256}"


class Artifact(models.Model):
    advisory = models.ForeignKey(Advisory, on_delete=models.PROTECT, related_name="artifacts")
    kind = models.CharField(max_length=16, choices=ArtifactKind.choices)
    name = models.CharField(max_length=200, help_text="file name partners see")
    version = models.PositiveIntegerField(default=1)
    file = models.FileField(upload_to=artifact_path, max_length=300)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    unmarked_reason = models.TextField(blank=True, help_text="why staff let this artifact go out without marks")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["advisory", "kind", "name", "version"]
        constraints = [models.UniqueConstraint(fields=["advisory", "name", "version"], name="one_artifact_version")]

    def __str__(self) -> str:
        return f"{self.advisory.ident}/{self.name} v{self.version}"

    @property
    def audit_id(self) -> str:
        return f"{self.advisory.ident}/{self.name}/v{self.version}"
