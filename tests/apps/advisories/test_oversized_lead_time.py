"""A tier lead time stored before lead times were limited (3,000,000 days, written straight into
the database) means a window open since ever: reads, the API and the worker keep working."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail

from headstart.apps.advisories.access import EARLIEST, open_advisories_for_partner, window_opens_at
from headstart.apps.partners.models import Tier

pytestmark = pytest.mark.django_db

OVERSIZED = dt.timedelta(days=3_000_000)


@pytest.fixture
def oversized_tier(program):  # type: ignore[no-untyped-def]
    # The services and the admin refuse such a lead time; only an older database holds one.
    Tier.objects.filter(name="advanced").update(lead_time=OVERSIZED)
    return Tier.objects.get(name="advanced")


@pytest.fixture(autouse=True)
def keep_the_test_transaction(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The worker's stale-connection housekeeping must not end the test's transaction."""
    from django_tasks_db.management.commands import db_worker

    from headstart.apps.notifications import runner

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    monkeypatch.setattr(runner, "close_old_connections", lambda: None)


def test_a_window_reaching_before_the_earliest_date_has_been_open_since_ever(oversized_tier, make_advisory):
    advisory = make_advisory(patch_in=dt.timedelta(days=300))

    assert window_opens_at(advisory, oversized_tier) == EARLIEST


def test_partner_of_an_oversized_tier_reads_its_open_advisories(oversized_tier, make_partner, make_advisory):
    partner, _, _ = make_partner("Acme", "advanced")
    make_advisory(patch_in=dt.timedelta(days=300))

    assert [a.ident for a in open_advisories_for_partner(partner)] == ["HS-2026-0001"]


def test_api_answers_a_partner_of_an_oversized_tier(oversized_tier, make_partner, make_advisory, api_client):
    _, admin, _ = make_partner("Acme", "advanced")
    make_advisory(patch_in=dt.timedelta(days=300))
    client = api_client(admin)

    listed = client.get("/api/v1/advisories")
    shown = client.get("/api/v1/advisories/HS-2026-0001")

    assert listed.status_code == 200 and [a["id"] for a in listed.json()] == ["HS-2026-0001"]
    assert shown.status_code == 200 and shown.json()["window_opens_at"].startswith("0001-01-01")


def test_staff_see_the_tier_and_the_advisory_windows(oversized_tier, make_advisory, staff_user, api_client, run_cli):
    make_advisory(patch_in=dt.timedelta(days=300))

    tiers = api_client(staff_user).get("/api/v1/tiers")
    shown = run_cli("advisory", "show", "HS-2026-0001", "--json")

    assert tiers.status_code == 200
    assert {t["name"]: t["lead_time"] for t in tiers.json()}["advanced"] == f"{3_000_000 * 24}h"
    assert shown.code == 0, shown.err
    assert json.loads(shown.out)["windows"]["advanced"].startswith("0001-01-01")


def test_worker_once_notifies_partners_of_an_oversized_tier(oversized_tier, make_partner, make_advisory, run_cli):
    make_partner("Acme", "advanced")
    make_partner("Entry Co", "entry")
    make_advisory(patch_in=dt.timedelta(days=300))

    result = run_cli("worker", "--once", "--json")

    assert result.code == 0, result.err
    assert {m.to[0] for m in mail.outbox} == {"security@acme.example", "admin@acme.example", "analyst@acme.example"}
