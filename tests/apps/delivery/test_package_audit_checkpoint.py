"""Each package carries the program's latest signed audit checkpoint when it was made, so
partners hold one outside the program's database; a newer checkpoint leaves prepared packages
valid (signing checkpoints often must not send downloads back to rendering), and preparing
again puts the newest one in."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from package_helpers import open_package

from headstart.apps.accounts.tokens import issue
from headstart.apps.audit.services import Actor
from headstart.apps.delivery import preparing, services
from headstart.apps.delivery.models import PackageFile
from headstart.apps.program import checkpoints
from headstart.apps.program.models import Program

pytestmark = pytest.mark.django_db
ACTOR = Actor(name="test:staff")


def manifest_of(partner, ident: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    _, token = issue(partner.analyst)
    response = Client().get(f"/api/v1/advisories/{ident}/package", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    files, signed = open_package(response.getvalue(), partner.secret, Program.get().signing_certificate)
    assert signed
    return json.loads(files["manifest.json"])


def test_a_package_carries_the_checkpoint_signed_when_packages_were_prepared(make_keyed_partner, sample_advisory):
    partner = make_keyed_partner("Example AV")
    advisory = sample_advisory()
    assert manifest_of(partner, advisory.ident)["audit_checkpoint"] is None  # none signed yet
    result = preparing.prepare_all(advisory, actor=ACTOR)
    kept = checkpoints.kept_checkpoints()
    assert [p.name for p in kept] == [f"{result['audit_checkpoint']}.asc"]
    carried = manifest_of(partner, advisory.ident)["audit_checkpoint"]
    assert carried == kept[0].read_text()
    # What the partner holds is checked like the program's own copy.
    held = checkpoints.read_checkpoint(kept[0], Program.get().signing_certificate)
    assert held.seq == result["audit_checkpoint"] and held.program == Program.get().name


def test_a_newer_checkpoint_leaves_the_prepared_package_served_and_preparing_again_carries_it(
        make_keyed_partner, sample_advisory):
    partner = make_keyed_partner("Example AV")
    advisory = sample_advisory()
    preparing.prepare_all(advisory, actor=ACTOR)
    first, stored = services.prepare_package(advisory, partner.partner, actor=ACTOR)
    again, stored_again = services.prepare_package(advisory, partner.partner, actor=ACTOR)
    assert (again.sha256, stored_again.pk) == (first.sha256, stored.pk)  # deterministic, reused
    prepared_checkpoint = checkpoints.latest_checkpoint()

    checkpoints.write_checkpoint()  # the head moved since (downloads, preparing): a newer checkpoint

    assert manifest_of(partner, advisory.ident)["audit_checkpoint"] == prepared_checkpoint  # no rendering
    assert PackageFile.objects.get(pk=stored.pk).plaintext_sha256 == first.sha256
    newer, stored_newer = services.prepare_package(advisory, partner.partner, actor=ACTOR)  # as prepare does
    assert newer.sha256 != first.sha256 and stored_newer.content_key == stored.content_key
    assert json.loads({e.name: e.content for e in newer.entries}["manifest.json"])["audit_checkpoint"] == \
        checkpoints.latest_checkpoint() != prepared_checkpoint
    assert manifest_of(partner, advisory.ident)["audit_checkpoint"] == checkpoints.latest_checkpoint()
