"""Setting the program up once: keys, the program row, default tiers and NDA version 1."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.template.loader import render_to_string

from headstart.apps.audit.services import Actor, record, seal_legacy_chain
from headstart.apps.partners.models import NdaVersion, Tier
from headstart.apps.partners.services import add_tier, publish_nda
from headstart.apps.program import keys
from headstart.apps.program.models import Program
from headstart.crypto import openpgp
from headstart.errors import Invalid

DEFAULT_TIERS = (
    ("entry", timedelta(hours=24), ["writeup", "guidance"]),
    ("advanced", timedelta(hours=72), ["writeup", "guidance", "poc", "trigger-spec"]),
)


@dataclass(frozen=True)
class InitResult:
    program: Program
    created: bool
    created_tiers: list[str]
    nda_version: int | None


def initialise(name: str, *, actor: Actor) -> InitResult:
    """Idempotent: creates what is missing, never replaces a key or the program."""
    name = (name or "").strip()
    if not name:
        raise Invalid("the program needs a name")
    marking, _secret, certificate = keys.ensure_keys(name)
    key_id = keys.marking_key_id(marking)
    with transaction.atomic():
        # A home from before the audit key: authenticate the switch to keyed events (audit.chain).
        seal_legacy_chain(actor)
        program = Program.objects.filter(pk=1).first()
        created = program is None
        if program is None:
            program = Program.objects.create(pk=1, name=name, marking_key_id=key_id,
                                             signing_fingerprint=openpgp.fingerprint(certificate),
                                             signing_certificate=certificate)
            record(actor, "program.init", program, object_id=name, marking_key_id=key_id,
                   signing_fingerprint=program.signing_fingerprint)
        elif program.marking_key_id != key_id:
            raise Invalid("the marking key does not match this program's database (wrong HEADSTART_HOME or "
                          "HEADSTART_MARKING_KEY?); refusing to continue")
        tiers = []
        if not Tier.objects.exists():
            for tier_name, lead, entitlements in DEFAULT_TIERS:
                add_tier(tier_name, lead, entitlements, actor=actor)
                tiers.append(tier_name)
        nda_version = None
        if not NdaVersion.objects.exists():
            nda_version = publish_nda(render_to_string("program/nda_v1.txt", {"program": name}), actor=actor).version
    return InitResult(program, created, tiers, nda_version)


def check_program_keys() -> Program:
    """The program, after checking the marking key on hand is the one it was set up with."""
    program = Program.get()
    if keys.marking_key_id(keys.marking_key()) != program.marking_key_id:
        raise Invalid("the marking key does not match this program (wrong HEADSTART_MARKING_KEY?)")
    return program
