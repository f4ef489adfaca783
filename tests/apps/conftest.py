"""Factories shared by the Django-side tests (layer 3 and the faces)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

import pytest
from django.utils import timezone

from headstart.apps.audit.services import Actor

ACTOR = Actor(name="test:staff")


@pytest.fixture
def program(db):  # type: ignore[no-untyped-def]
    from headstart.apps.program.services import initialise

    return initialise("Test program", actor=ACTOR).program


@pytest.fixture
def make_partner(program) -> Callable:  # type: ignore[no-untyped-def]
    from headstart.apps.accounts.services import add_user
    from headstart.apps.partners.services import PartnerInput, accept_nda, add_partner

    def make(name: str, tier: str = "advanced", *, accept: bool = True, status: str = "active"):  # type: ignore[no-untyped-def]
        partner = add_partner(PartnerInput(name, tier, f"security@{name.lower().replace(' ', '-')}.example"),
                              actor=ACTOR, status=status)
        slug = name.lower().replace(" ", "-")
        admin = add_user(f"admin@{slug}.example", actor=ACTOR, partner=partner, role="admin")
        analyst = add_user(f"analyst@{slug}.example", actor=ACTOR, partner=partner, role="analyst")
        if accept:
            accept_nda(partner, admin, actor=ACTOR)
        return partner, admin, analyst

    return make


@pytest.fixture
def staff_user(program):  # type: ignore[no-untyped-def]
    from headstart.apps.accounts.services import add_user

    return add_user("psirt@vendor.example", actor=ACTOR, staff=True)


@pytest.fixture
def make_advisory(program) -> Callable:  # type: ignore[no-untyped-def]
    from headstart.apps.advisories.services import ArtifactInput, create_advisory, schedule_advisory

    def make(ident: str = "HS-2026-0001", *, patch_in: dt.timedelta = dt.timedelta(hours=48),
             schedule: bool = True, poc: bool = True):  # type: ignore[no-untyped-def]
        items = [ArtifactInput("writeup", "writeup.md", b"# Write-up\n\nThe parser overflows.\n"),
                 ArtifactInput("guidance", "guidance.md", b"# Guidance\n\nWatch event 1000.\n")]
        if poc:
            items.append(ArtifactInput("poc-source", "poc.py", b"print('poc')\n"))
        advisory = create_advisory(ident, title=f"Test advisory {ident}", patch_at=timezone.now() + patch_in,
                                   artifacts=items, actor=ACTOR, cvss="CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H")
        if schedule:
            advisory = schedule_advisory(advisory, actor=ACTOR)
        return advisory

    return make
