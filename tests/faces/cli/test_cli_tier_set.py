"""`headstart tier set`: the same service as the portal's tiers page (partners.update_tier)."""

from __future__ import annotations

import json

import pytest

from headstart.apps.audit.models import AuditEvent
from headstart.apps.partners.models import Tier

pytestmark = pytest.mark.django_db


def test_tier_set_changes_the_window_and_entitlements_and_is_audited(program, run_cli):
    result = run_cli("tier", "set", "entry", "--lead-time", "36h", "--entitles", "writeup,guidance", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert (data["name"], data["lead_time"], data["entitlements"]) == ("entry", "36h", ["writeup", "guidance"])
    event = AuditEvent.objects.get(action="tier.update")
    assert (event.object_id, event.details["lead_time"], event.actor.startswith("cli:")) == ("entry", "36h", True)


def test_tier_set_refuses_bad_input_and_changes_nothing(program, run_cli):
    before = list(Tier.objects.order_by("name").values_list("name", "lead_time", "entitlements"))
    for argv, message in ((("tier", "set", "entry"), "--lead-time, --entitles or both"),
                          (("tier", "set", "nobody", "--lead-time", "36h"), "nobody"),
                          (("tier", "set", "entry", "--lead-time", "0h"), "lead time"),
                          (("tier", "set", "entry", "--entitles", "everything"), "everything")):
        result = run_cli(*argv)
        assert result.code != 0 and message in result.err, (argv, result.err)
    assert list(Tier.objects.order_by("name").values_list("name", "lead_time", "entitlements")) == before
    assert not AuditEvent.objects.filter(action="tier.update").exists()
