"""A partner's test of its own detection rules for an advisory, and its ready mark."""

from __future__ import annotations

from django.db import models

from headstart.apps.accounts.models import User
from headstart.apps.advisories.models import Advisory
from headstart.apps.partners.models import Partner


class Engine(models.TextChoices):
    YARA = "yara", "YARA (yara-x)"
    CLAMAV = "clamav", "ClamAV (clamscan)"
    OWN = "own", "own engine (no rules tested)"


class Status(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ReadinessTest(models.Model):
    """One upload, tested by a worker job: what the rules detected and missed among the partner's
    PoC copies, the benign files they matched, whether they match other partners' copies too, and
    the ready mark. A row with engine "own" is a ready confirmation without rules."""

    advisory = models.ForeignKey(Advisory, on_delete=models.PROTECT, related_name="readiness_tests")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="readiness_tests")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    engine = models.CharField(max_length=16, choices=Engine.choices, default=Engine.YARA)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    # The uploaded rules, kept for the job (the web process never compiles or runs them).
    rules = models.BinaryField(default=b"")
    rules_name = models.CharField(max_length=200, blank=True)
    rules_sha256 = models.CharField(max_length=64)
    rules_bytes = models.PositiveIntegerField()
    note = models.TextField(blank=True)
    # Asked for with the upload; cleared when the test fails: only a finished test marks ready.
    ready = models.BooleanField(default=False)
    result = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["advisory", "partner", "created_at"])]

    def __str__(self) -> str:
        return f"readiness {self.partner} {self.advisory}"

    @property
    def audit_id(self) -> str:
        return f"{self.advisory.ident}/{self.partner.name}/{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (Status.DONE, Status.FAILED)
