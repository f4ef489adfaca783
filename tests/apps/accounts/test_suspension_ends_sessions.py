"""Suspension and expulsion end the partner's users' browser sessions for good.

A session left idle through a suspension never made the request that would have signed it out;
it must not work again once the partner is reinstated. Signed in through the real sign-in page
with Django's test Client; the status changes go through the service, as every face does."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from mfa_helpers import sign_in_fully

from headstart.apps.accounts.models import User
from headstart.apps.accounts.services import set_password
from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.services import Actor, verify
from headstart.apps.partners.services import set_status

pytestmark = pytest.mark.django_db

ACTOR = Actor(name="test:staff")
PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def partner_and_analyst(make_partner, make_advisory):  # type: ignore[no-untyped-def]
    partner, _admin, analyst = make_partner("Example AV", "advanced")
    set_password(analyst.email, PASSWORD, actor=ACTOR)
    make_advisory(patch_in=dt.timedelta(hours=12))
    return partner, analyst


def signed_in_client(email: str) -> Client:
    """Signed in through the real pages: the password, then a second factor."""
    client = Client()
    response = sign_in_fully(client, User.objects.get(email=email), PASSWORD)
    assert response.status_code == 302 and "_auth_user_id" in client.session
    return client


def test_idle_session_stays_signed_out_after_reinstatement(partner_and_analyst):
    partner, analyst = partner_and_analyst
    idle = signed_in_client(analyst.email)
    assert idle.get("/advisories/HS-2026-0001/").status_code == 200

    set_status(partner, "suspended", reason="unpaid fees", actor=ACTOR)
    set_status(partner, "active", reason="fees paid", actor=ACTOR)

    page = idle.get("/advisories/HS-2026-0001/")
    assert page.status_code == 302 and page["Location"].startswith("/login/")
    assert "_auth_user_id" not in idle.session
    assert idle.get("/api/v1/advisories").status_code == 401


def test_a_fresh_sign_in_after_reinstatement_works(partner_and_analyst):
    partner, analyst = partner_and_analyst
    set_status(partner, "suspended", reason="unpaid fees", actor=ACTOR)
    set_status(partner, "active", reason="fees paid", actor=ACTOR)

    fresh = signed_in_client(analyst.email)

    assert fresh.get("/advisories/HS-2026-0001/").status_code == 200
    assert fresh.get("/api/v1/advisories").json()[0]["id"] == "HS-2026-0001"


def test_expulsion_ends_the_sessions_of_every_user_of_the_partner(make_partner, make_advisory):
    partner, admin, analyst = make_partner("Example AV", "advanced")
    for user in (admin, analyst):
        set_password(user.email, PASSWORD, actor=ACTOR)
    clients = [signed_in_client(admin.email), signed_in_client(analyst.email)]

    set_status(partner, "expelled", reason="leaked HS-2026-0001", actor=ACTOR)

    for client in clients:
        assert client.get("/").status_code == 302
        assert "_auth_user_id" not in client.session


def test_ending_the_sessions_is_audited_per_user_with_the_reason(partner_and_analyst):
    partner, analyst = partner_and_analyst

    set_status(partner, "suspended", reason="unpaid fees", actor=ACTOR)

    ended = AuditEvent.objects.filter(action="user.sessions_end").order_by("seq")
    assert [(e.object_id, e.actor, e.details["reason"]) for e in ended] == [
        ("admin@example-av.example", ACTOR.name, "partner-suspended"),
        (analyst.email, ACTOR.name, "partner-suspended"),
    ]
    assert verify().ok


def test_sessions_of_other_partners_and_staff_go_on(partner_and_analyst, make_partner, staff_user):
    partner, _analyst = partner_and_analyst
    _other, _other_admin, other_analyst = make_partner("Other IPS", "advanced")
    for user in (other_analyst, staff_user):
        set_password(user.email, PASSWORD, actor=ACTOR)
    other, staff = signed_in_client(other_analyst.email), signed_in_client(staff_user.email)

    set_status(partner, "suspended", reason="unpaid fees", actor=ACTOR)

    assert other.get("/advisories/HS-2026-0001/").status_code == 200
    assert staff.get("/api/v1/partners").status_code == 200
