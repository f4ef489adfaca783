"""One row per e-mail Headstart means to send: the row, not the task queue, is the record.

The unique (partner, advisory, kind, email) row is what makes "exactly one mail per contact
per window" hold: a sweep that runs twice finds the row and creates nothing, and a send
claims the row (pending -> sending) in its own committed transaction before the mail goes
out, so no crash or restart can send it a second time.
"""

from __future__ import annotations

from django.db import models


class NotificationKind(models.TextChoices):
    WINDOW_OPEN = "window-open", "window opened"
    REMINDER = "reminder", "embargo-end reminder"
    WITHDRAWN = "withdrawn", "advisory withdrawn"


class NotificationStatus(models.TextChoices):
    PENDING = "pending"
    SENDING = "sending"  # claimed; the mail may or may not have left. Never re-sent automatically.
    SENT = "sent"
    CANCELLED = "cancelled"
    FAILED = "failed"  # the mail server refused it during the send; staff decide (admin: send again)


class Notification(models.Model):
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="notifications")
    advisory = models.ForeignKey(
        "advisories.Advisory", on_delete=models.PROTECT, related_name="notifications"
    )
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    email = models.EmailField(help_text="one contact of the partner, lower-case")
    status = models.CharField(
        max_length=16, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    due_at = models.DateTimeField(
        help_text="not sent before: the window opening, the reminder time, the withdrawal, or a retry"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True, help_text="when a worker took it for sending")
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="connection attempts to the mail server")
    task_id = models.CharField(max_length=64, blank=True, help_text="the latest queued send task")
    cancel_reason = models.CharField(max_length=32, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "advisory", "kind", "email"], name="one_notification_per_contact_and_kind"
            )
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="notification_status_due")]

    def __str__(self) -> str:
        return f"{self.kind} {self.advisory_id} -> {self.email} ({self.status})"

    @property
    def audit_id(self) -> str:
        return str(self.pk)
