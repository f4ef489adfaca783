"""The append-only, hash-chained audit log.

Each event carries a hash of the previous event's hash and of its own content, so any
edit, deletion or reordering breaks the chain. Since the audit key exists that hash is an
HMAC under a key kept outside the database (chain.py, keys.py), so it cannot be recomputed
by someone who can only write to the database; signed checkpoints of the head, kept outside
the database, catch a rewrite by someone who holds the key too. A one-row head records the last sequence
number and hash: writers lock it, which serialises appends (no forks) and lets
`audit verify` notice a truncated tail. Database triggers (see migration 0002) refuse
UPDATE and DELETE on events as a second line of defence.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models


class AuditEvent(models.Model):
    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.CharField(max_length=320, help_text="e-mail of the user, or 'cli' / 'system'")
    partner = models.CharField(max_length=200, blank=True, help_text="partner the actor belongs to, if any")
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=200, blank=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    chain = models.PositiveSmallIntegerField(help_text="chain format: 1 unkeyed SHA-256 (before the audit key), "
                                                       "2 HMAC-SHA256 under the audit key")

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("audit events are append-only")


class AuditHead(models.Model):
    """Exactly one row (id=1): the tip of the chain."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
