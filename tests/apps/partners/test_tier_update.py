"""Changing a tier's window and entitlements (partners.services.update_tier): checked as when a
tier is added, audited with the old and new values, and nothing written when refused."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import ACTOR, database_state

from headstart.apps.audit.models import AuditEvent
from headstart.apps.partners.models import Tier
from headstart.apps.partners.services import update_tier
from headstart.errors import Invalid, NotFound

pytestmark = pytest.mark.django_db


def test_a_tiers_window_and_entitlements_change_with_one_event(program):
    before = Tier.objects.get(name="entry")
    tier = update_tier("entry", lead_time=dt.timedelta(hours=36), entitlements=["guidance", "writeup"], actor=ACTOR)
    assert Tier.objects.get(name="entry").lead_time == dt.timedelta(hours=36)
    assert tier.entitlements == ["writeup", "guidance"]
    event = AuditEvent.objects.get(action="tier.update")
    assert event.object_id == "entry" and event.details["lead_time"] == "36h"
    assert event.details["old_entitlements"] == before.entitlements


def test_an_unchanged_tier_writes_no_event(program):
    tier = Tier.objects.get(name="entry")
    update_tier("entry", lead_time=tier.lead_time, entitlements=tier.entitlements, actor=ACTOR)
    assert not AuditEvent.objects.filter(action="tier.update").exists()


@pytest.mark.parametrize(("lead", "entitlements", "message"), [
    (dt.timedelta(0), ["writeup"], "lead time must be positive"),
    (dt.timedelta(days=366), ["writeup"], "at most 365 days"),
    (dt.timedelta(hours=1), [], "at least one entitlement"),
    (dt.timedelta(hours=1), ["everything"], "unknown entitlement"),
])
def test_a_bad_window_or_entitlement_is_refused_and_nothing_changes(program, lead, entitlements, message):
    before = database_state()
    with pytest.raises(Invalid, match=message):
        update_tier("entry", lead_time=lead, entitlements=entitlements, actor=ACTOR)
    assert database_state() == before


def test_an_unknown_tier_is_not_found(program):
    with pytest.raises(NotFound, match="unknown tier 'gold'"):
        update_tier("gold", lead_time=dt.timedelta(hours=1), actor=ACTOR)
