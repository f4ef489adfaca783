"""The sample advisory, scheduled, and partners holding real OpenPGP keys."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pysequoia
import pytest
import yaml
from django.utils import timezone
from factories import ACTOR

from headstart.apps.advisories.services import ArtifactInput, create_advisory
from headstart.apps.delivery.services import schedule
from headstart.samples import SAMPLE_DIR


@dataclass
class KeyedPartner:
    partner: object
    admin: object
    analyst: object
    secret: object  # pysequoia Tsk

    @property
    def name(self) -> str:
        return self.partner.name  # type: ignore[attr-defined]


def sample_artifacts() -> list[ArtifactInput]:
    meta = yaml.safe_load((SAMPLE_DIR / "advisory.yaml").read_text())
    return [ArtifactInput(a["kind"], a["file"], (SAMPLE_DIR / a["file"]).read_bytes()) for a in meta["artifacts"]]


@pytest.fixture
def make_keyed_partner(make_partner):  # type: ignore[no-untyped-def]
    from headstart.apps.partners.models import Partner
    from headstart.crypto.openpgp import validate_certificate

    def make(name: str, tier: str = "advanced", **kwargs):  # type: ignore[no-untyped-def]
        partner, admin, analyst = make_partner(name, tier, **kwargs)
        secret = pysequoia.Tsk.generate(user_id=f"{name} <sec@example.com>", profile=pysequoia.Profile.RFC4880)
        cert = str(secret.extract_certificate())
        info = validate_certificate(cert)
        Partner.objects.filter(pk=partner.pk).update(pgp_certificate=cert, pgp_fingerprint=info.fingerprint)
        partner.refresh_from_db()
        return KeyedPartner(partner, admin, analyst, secret)

    return make


@pytest.fixture
def sample_advisory(program):  # type: ignore[no-untyped-def]
    def make(patch_in: dt.timedelta = dt.timedelta(hours=48), ident: str = "HS-2026-0001"):  # type: ignore[no-untyped-def]
        advisory = create_advisory(ident, title="Heap overflow in Lumen Viewer's TIM decoder",
                                   patch_at=timezone.now() + patch_in, artifacts=sample_artifacts(), actor=ACTOR,
                                   cve="CVE-2026-99001", cvss="CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H")
        schedule(advisory, actor=ACTOR)
        advisory.refresh_from_db()
        return advisory

    return make
