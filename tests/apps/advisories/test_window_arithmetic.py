"""The window opens at patch_at - lead time, per tier, and is checked at read time."""

from __future__ import annotations

import datetime as dt

import pytest

from headstart.apps.advisories.access import open_advisories_for_partner, window_opens_at

pytestmark = pytest.mark.django_db

SECOND = dt.timedelta(seconds=1)


@pytest.mark.parametrize("tier, lead", [("entry", dt.timedelta(hours=24)), ("advanced", dt.timedelta(hours=72))])
def test_window_opens_exactly_lead_time_before_patch(make_partner, make_advisory, tier, lead):
    partner, _, _ = make_partner(f"Partner {tier}", tier)
    advisory = make_advisory(patch_in=dt.timedelta(hours=100))
    opens = window_opens_at(advisory, partner.tier)
    assert opens == advisory.patch_at - lead
    assert not open_advisories_for_partner(partner, now=opens - SECOND).exists()
    assert open_advisories_for_partner(partner, now=opens).exists()
    assert open_advisories_for_partner(partner, now=opens + SECOND).exists()
    assert open_advisories_for_partner(partner, now=advisory.patch_at + dt.timedelta(days=3)).exists()


def test_entry_tier_waits_while_advanced_tier_already_sees(make_partner, make_advisory):
    entry, _, _ = make_partner("Entry Co", "entry")
    advanced, _, _ = make_partner("Advanced Co", "advanced")
    advisory = make_advisory(patch_in=dt.timedelta(hours=48))
    now = advisory.patch_at - dt.timedelta(hours=48)
    assert open_advisories_for_partner(advanced, now=now).exists()
    assert not open_advisories_for_partner(entry, now=now).exists()
