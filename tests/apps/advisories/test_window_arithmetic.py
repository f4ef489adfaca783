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


def test_a_custom_tier_opens_exactly_its_own_lead_time_before_patch(make_partner, make_advisory):
    from headstart.apps.audit.services import Actor
    from headstart.apps.partners.services import add_tier

    add_tier("early-warning", dt.timedelta(minutes=90), ["writeup"], actor=Actor("test:staff"))
    partner, _, _ = make_partner("Early Co", "early-warning")
    advisory = make_advisory(patch_in=dt.timedelta(hours=5))
    opens = advisory.patch_at - dt.timedelta(minutes=90)
    assert window_opens_at(advisory, partner.tier) == opens
    assert not open_advisories_for_partner(partner, now=opens - SECOND).exists()
    assert open_advisories_for_partner(partner, now=opens).exists()


@pytest.mark.parametrize("tier", ["entry", "advanced"])
def test_advisory_turns_public_exactly_at_patch_time_and_stays_open(make_partner, make_advisory, tier):
    partner, _, _ = make_partner(f"Public {tier}", tier)
    advisory = make_advisory(patch_in=dt.timedelta(hours=10))
    assert advisory.effective_status(advisory.patch_at - SECOND) == "scheduled"
    assert advisory.effective_status(advisory.patch_at) == "public"
    assert advisory.effective_status(advisory.patch_at + SECOND) == "public"
    assert open_advisories_for_partner(partner, now=advisory.patch_at - SECOND).exists()
    assert open_advisories_for_partner(partner, now=advisory.patch_at + SECOND).exists()


def test_a_draft_never_opens_to_partners_even_after_its_patch_time(make_partner, make_advisory):
    partner, _, _ = make_partner("Draft Watcher", "advanced")
    draft = make_advisory(schedule=False, patch_in=dt.timedelta(hours=1))
    for moment in (draft.patch_at - dt.timedelta(hours=2), draft.patch_at, draft.patch_at + dt.timedelta(days=1)):
        assert not open_advisories_for_partner(partner, now=moment).exists()


def test_staff_see_every_advisory_at_any_time(staff_user, make_advisory):
    from headstart.apps.advisories.access import visible_advisories

    scheduled = make_advisory("HS-2026-0001", patch_in=dt.timedelta(days=30))
    draft = make_advisory("HS-2026-0002", schedule=False)
    seen = set(visible_advisories(staff_user, now=scheduled.patch_at - dt.timedelta(days=60)))
    assert seen == {scheduled, draft}


MICROSECOND = dt.timedelta(microseconds=1)


def _lookup_agrees_with_list(user, advisory, now) -> bool:  # type: ignore[no-untyped-def]
    """get_visible_advisory (the download path's single-advisory query) against the list query."""
    from headstart.apps.advisories.access import get_visible_advisory, visible_advisories
    from headstart.errors import NotFound

    listed = visible_advisories(user, now).filter(ident=advisory.ident).exists()
    try:
        found = get_visible_advisory(user, advisory.ident, now) == advisory
    except NotFound:
        found = False
    assert found == listed, (user, now)
    return found


@pytest.mark.parametrize("tier", ["entry", "advanced"])
def test_a_single_advisory_opens_at_the_same_microsecond_as_the_list(make_partner, make_advisory, tier):
    partner, admin, _ = make_partner(f"Lookup {tier}", tier)
    advisory = make_advisory(patch_in=dt.timedelta(hours=100))
    opens = window_opens_at(advisory, partner.tier)
    assert not _lookup_agrees_with_list(admin, advisory, opens - MICROSECOND)
    assert _lookup_agrees_with_list(admin, advisory, opens)
    assert _lookup_agrees_with_list(admin, advisory, opens + MICROSECOND)


def test_a_single_advisory_stays_hidden_wherever_the_list_hides_it(make_partner, make_advisory):
    from headstart.apps.audit.services import Actor
    from headstart.apps.partners.services import publish_nda, set_status

    actor = Actor("test:staff")
    partner, admin, _ = make_partner("Lookup Co", "advanced")
    _, stranger, _ = make_partner("No NDA Co", "advanced", accept=False)
    advisory = make_advisory(patch_in=dt.timedelta(hours=10))
    draft = make_advisory("HS-2026-0009", schedule=False, patch_in=dt.timedelta(hours=1))
    now = advisory.patch_at - dt.timedelta(hours=1)
    assert _lookup_agrees_with_list(admin, advisory, now)
    assert not _lookup_agrees_with_list(admin, draft, now)
    assert not _lookup_agrees_with_list(stranger, advisory, now)  # no NDA accepted
    publish_nda("Version two of the NDA.", actor=actor)  # the acceptance is no longer of the current NDA
    admin.refresh_from_db()
    assert not _lookup_agrees_with_list(admin, advisory, now)
    for status in ("suspended", "expelled"):
        set_status(partner, status, reason="test", actor=actor)
        admin.refresh_from_db()
        assert not _lookup_agrees_with_list(admin, advisory, now)
