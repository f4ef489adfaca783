"""The program itself: one row. Its secrets are not here (see keys.py); only their fingerprints."""

from __future__ import annotations

from django.db import models


class Program(models.Model):
    name = models.CharField(max_length=200)
    marking_key_id = models.CharField(max_length=64, help_text="fingerprint of the marking key (not the key)")
    signing_fingerprint = models.CharField(max_length=64)
    signing_certificate = models.TextField(help_text="the program's public OpenPGP certificate")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    @classmethod
    def get(cls) -> Program:
        program = cls.objects.filter(pk=1).first()
        if program is None:
            raise Program.DoesNotExist("the program is not set up yet: run `headstart init`")
        return program
