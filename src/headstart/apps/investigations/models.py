"""Investigations: leaked material analysed against the codebooks, and what was found.

The result is kept as the exact JSON text the CLI prints and the report embeds, so the
three can never disagree. Inputs are stored as files under $HEADSTART_HOME (0600), named
by their SHA-256; the rows here say which input was which.
"""

from __future__ import annotations

import json
import re

from django.db import models

_IDENT = re.compile(r"^(?:INV-)?0*(\d{1,12})$", re.IGNORECASE)


class Investigation(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=320)
    advisory_hint = models.CharField(max_length=40, blank=True, help_text="the advisory staff named, if any")
    threshold = models.FloatField()
    advisory = models.CharField(max_length=40, blank=True, help_text="the advisory the material matched best")
    accused = models.JSONField(default=list, help_text="names of the partners accused")
    result_json = models.TextField(help_text="the result, exactly as `headstart investigate --json` prints it")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.ident

    @property
    def ident(self) -> str:
        return format_ident(self.pk)

    @property
    def audit_id(self) -> str:
        return self.ident

    @property
    def result(self) -> dict:
        return json.loads(self.result_json)


class InvestigationInput(models.Model):
    """One input as staff gave it (a file or pasted text), stored with its digest."""

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="inputs")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=400)
    kind = models.CharField(max_length=8, choices=[("file", "file"), ("text", "pasted text")])
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    path = models.CharField(max_length=400, help_text="where the stored input lives, relative to HEADSTART_HOME")

    class Meta:
        ordering = ["investigation", "position"]
        constraints = [models.UniqueConstraint(fields=["investigation", "position"], name="one_input_per_position")]


def format_ident(pk: int) -> str:
    return f"INV-{pk:05d}"


def parse_ident(text: str) -> int | None:
    """The primary key an identifier like INV-00012 (or 12) names, else None."""
    match = _IDENT.match((text or "").strip())
    return int(match.group(1)) if match else None
