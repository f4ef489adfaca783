"""Questions to the PSIRT about an advisory: one thread per advisory and partner.

A thread is seen by its partner's users and by staff only (services.py applies access.py's
rule first). It is open while its last message is the partner's: staff have not answered yet.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Thread(models.Model):
    advisory = models.ForeignKey("advisories.Advisory", on_delete=models.PROTECT, related_name="question_threads")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="question_threads")
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now)
    awaiting_staff = models.BooleanField(default=True, help_text="the last message is the partner's: not answered yet")

    class Meta:
        ordering = ["-last_message_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["advisory", "partner"], name="one_question_thread_per_partner")]
        indexes = [models.Index(fields=["awaiting_staff", "last_message_at"], name="question_thread_open")]

    def __str__(self) -> str:
        return f"{self.advisory_id} questions of partner {self.partner_id}"

    @property
    def audit_id(self) -> str:
        return f"{self.advisory.ident}/questions/{self.partner.uid}"


class Message(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    author_name = models.CharField(max_length=320, help_text="the author's e-mail address when it wrote")
    from_staff = models.BooleanField(default=False)
    body = models.TextField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"message {self.pk} by {self.author_name}"
