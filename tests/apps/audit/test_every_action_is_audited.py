"""Every staff action and every partner read of confidential data writes one audit event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from headstart.apps.accounts.services import add_user, create_token, get_user
from headstart.apps.advisories.services import ArtifactInput, create_advisory, get_advisory, schedule_advisory
from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.services import Actor, verify
from headstart.apps.partners.services import (
    PartnerInput,
    accept_nda,
    add_partner,
    add_tier,
    get_partner,
    import_partners,
    publish_nda,
    set_status,
    update_tier,
)
from headstart.errors import Conflict

pytestmark = pytest.mark.django_db

ACTOR = Actor(name="psirt@vendor.example", ip="192.0.2.10")


def _advisory() -> Any:
    return create_advisory("HS-2026-0042", title="Audited", patch_at=timezone.now() + dt.timedelta(days=2),
                           artifacts=[ArtifactInput("writeup", "w.md", b"w")], actor=ACTOR)


# (action, what it does, the object id it records); each runs after the ones before it.
STAFF_ACTIONS: list[tuple[str, Callable[[], Any], str]] = [
    ("tier.add", lambda: add_tier("gold", dt.timedelta(hours=48), ["writeup"], actor=ACTOR), "gold"),
    ("tier.update", lambda: update_tier("gold", lead_time=dt.timedelta(hours=36), actor=ACTOR), "gold"),
    ("partner.add", lambda: add_partner(PartnerInput("Example AV", "gold"), actor=ACTOR), "Example AV"),
    ("partner.import", lambda: import_partners("name,tier\nOther IPS,entry\n", actor=ACTOR), "*"),
    ("user.add", lambda: add_user("admin@example-av.example", actor=ACTOR, partner=get_partner("Example AV"),
                                  role="admin"), "admin@example-av.example"),
    ("token.create", lambda: create_token(get_user("admin@example-av.example"), actor=ACTOR),
     "admin@example-av.example"),
    ("nda.publish", lambda: publish_nda("NDA version 2\n", actor=ACTOR), "2"),
    ("nda.accept", lambda: accept_nda(get_partner("Example AV"), get_user("admin@example-av.example"), actor=ACTOR),
     "2"),
    ("partner.suspend", lambda: set_status(get_partner("Example AV"), "suspended", reason="r", actor=ACTOR),
     "Example AV"),
    ("partner.reinstate", lambda: set_status(get_partner("Example AV"), "active", reason="r", actor=ACTOR),
     "Example AV"),
    ("partner.expel", lambda: set_status(get_partner("Other IPS"), "expelled", reason="r", actor=ACTOR),
     "Other IPS"),
    ("advisory.create", _advisory, "HS-2026-0042"),
    ("advisory.schedule", lambda: schedule_advisory(get_advisory("HS-2026-0042"), actor=ACTOR), "HS-2026-0042"),
]


def test_init_is_audited(program):
    event = AuditEvent.objects.get(action="program.init")
    assert event.seq == 1 and event.object_id == "Test program"
    assert event.details["marking_key_id"] == program.marking_key_id


def test_every_staff_action_writes_its_event_with_actor_and_address(program):
    for action, perform, object_id in STAFF_ACTIONS:
        last = AuditEvent.objects.order_by("-seq").first().seq
        perform()
        new = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq"))
        assert new, f"{action} wrote no audit event"
        # The action's own event; a suspension writes its tokens' revocations after it.
        event = next((e for e in new if e.action == action), new[-1])
        assert (event.action, event.object_id, event.actor, event.ip) == (action, object_id, ACTOR.name, ACTOR.ip)
    assert verify().ok


def test_every_partner_of_an_import_is_named_in_the_import_event(program):
    import_partners("name,tier\nA Co,entry\nB Co,entry\n", actor=ACTOR)
    event = AuditEvent.objects.get(action="partner.import")
    assert {p["partner"]: p["tier"] for p in event.details["partners"]} == {"A Co": "entry", "B Co": "entry"}


def test_a_refused_change_leaves_no_event(program):
    count = AuditEvent.objects.count()
    with pytest.raises(Conflict):
        add_tier("entry", dt.timedelta(hours=1), ["writeup"], actor=ACTOR)
    assert AuditEvent.objects.count() == count


@pytest.fixture
def reader(make_partner, make_advisory, token_for):  # type: ignore[no-untyped-def]
    _partner, _admin, analyst = make_partner("Example AV", "advanced")
    advisory = make_advisory(patch_in=dt.timedelta(hours=12))
    return analyst, advisory, Client(HTTP_AUTHORIZATION=f"Bearer {token_for(analyst)}", REMOTE_ADDR="198.51.100.4")


@pytest.mark.parametrize("path, action", [
    ("/api/v1/advisories", "advisory.list"),
    ("/api/v1/advisories/HS-2026-0001", "advisory.view"),
    ("/api/v1/advisories/HS-2026-0001/artifacts", "advisory.view"),
])
def test_every_partner_read_through_the_api_writes_an_event(reader, path, action):
    analyst, advisory, client = reader
    count = AuditEvent.objects.count()
    assert client.get(path).status_code == 200
    assert AuditEvent.objects.count() == count + 1
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.actor, event.partner, event.ip) == (action, analyst.email, "Example AV",
                                                                  "198.51.100.4")
    if action == "advisory.view":
        assert event.object_id == advisory.ident
        assert sorted(event.details["artifacts"]) == sorted(a.audit_id for a in advisory.artifacts.all())


def test_a_list_read_records_which_advisories_were_shown(reader):
    _analyst, advisory, client = reader
    client.get("/api/v1/advisories")
    assert AuditEvent.objects.order_by("-seq").first().details["advisories"] == [advisory.ident]


@pytest.mark.parametrize("path, action", [("/", "advisory.list"), ("/advisories/HS-2026-0001/", "advisory.view")])
def test_every_partner_read_through_the_portal_writes_an_event(reader, path, action):
    analyst, _advisory, _client = reader
    client = Client(REMOTE_ADDR="198.51.100.5")
    client.force_login(analyst)
    count = AuditEvent.objects.count()
    assert client.get(path).status_code == 200
    assert AuditEvent.objects.count() == count + 1
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.actor, event.ip) == (action, analyst.email, "198.51.100.5")


def test_a_refused_read_is_logged_as_such(reader):
    analyst, _advisory, client = reader
    assert client.get("/api/v1/advisories/HS-2026-0999").status_code == 404
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.object_id, event.actor) == ("advisory.view.refused", "HS-2026-0999", analyst.email)


def test_staff_actions_through_the_api_record_the_staff_member_and_address(staff_user, token_for):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(staff_user)}", REMOTE_ADDR="192.0.2.77")
    response = client.post("/api/v1/tiers", data={"name": "gold", "lead_time": "48h", "entitlements": ["writeup"]},
                           content_type="application/json")
    assert response.status_code == 201
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.actor, event.ip, event.object_id) == ("tier.add", staff_user.email, "192.0.2.77",
                                                                      "gold")
