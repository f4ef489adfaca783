"""A partner's test of its own detection rules for an advisory, and its ready mark."""

from __future__ import annotations

from django.db import models

from headstart.apps.accounts.models import User
from headstart.apps.advisories.models import Advisory
from headstart.apps.partners.models import Partner


class ReadinessTest(models.Model):
    """One upload: what the rules detected and missed among the partner's PoC copies, the benign
    files they matched, whether they match other partners' copies too, and the ready mark."""

    advisory = models.ForeignKey(Advisory, on_delete=models.PROTECT, related_name="readiness_tests")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="readiness_tests")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    rules_sha256 = models.CharField(max_length=64)
    rules_bytes = models.PositiveIntegerField()
    note = models.TextField(blank=True)
    ready = models.BooleanField(default=False)
    result = models.JSONField(default=dict)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["advisory", "partner", "created_at"])]

    def __str__(self) -> str:
        return f"readiness {self.partner} {self.advisory}"

    @property
    def audit_id(self) -> str:
        return f"{self.advisory.ident}/{self.partner.name}/{self.pk}"
