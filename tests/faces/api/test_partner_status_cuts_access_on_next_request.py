"""Suspension and expulsion cut a partner's access on the very next request.

Tokens and live sessions (API and portal) are checked against the partner's status on
every request; nothing is cached. Suspension and expulsion also revoke the partner's API
tokens for good: lifting a suspension restores sign-in, not the old tokens. Expulsion is final.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from headstart.apps.accounts.models import ApiToken
from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.services import Actor
from headstart.apps.partners.services import set_status
from headstart.errors import Invalid

pytestmark = pytest.mark.django_db

ACTOR = Actor(name="test:staff")
STATUS_CHANGES = [("suspended", "unpaid fees"), ("expelled", "leaked HS-2026-0001")]


@pytest.fixture
def partner_with_open_advisory(make_partner, make_advisory):  # type: ignore[no-untyped-def]
    partner, admin, analyst = make_partner("Example AV", "advanced")
    advisory = make_advisory(patch_in=dt.timedelta(hours=12))
    return partner, admin, analyst, advisory


@pytest.mark.parametrize("status, reason", STATUS_CHANGES)
def test_api_token_stops_working_on_the_next_request(partner_with_open_advisory, token_for, status, reason):
    partner, _admin, analyst, advisory = partner_with_open_advisory
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(analyst)}")
    assert client.get(f"/api/v1/advisories/{advisory.ident}").status_code == 200
    set_status(partner, status, reason=reason, actor=ACTOR)
    for url in ("/api/v1/me", "/api/v1/advisories", f"/api/v1/advisories/{advisory.ident}"):
        response = client.get(url)
        assert response.status_code == 401, url
        assert advisory.title not in response.content.decode()


@pytest.mark.parametrize("status, reason", STATUS_CHANGES)
def test_live_api_session_is_cut_on_the_next_request(partner_with_open_advisory, status, reason):
    partner, _admin, analyst, advisory = partner_with_open_advisory
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    assert client.get("/api/v1/advisories").json()[0]["id"] == advisory.ident
    set_status(partner, status, reason=reason, actor=ACTOR)
    assert client.get("/api/v1/advisories").status_code == 401
    assert client.get(f"/api/v1/advisories/{advisory.ident}").status_code == 401


@pytest.mark.parametrize("status, reason", STATUS_CHANGES)
def test_live_portal_session_is_cut_on_the_next_request(partner_with_open_advisory, status, reason):
    partner, _admin, analyst, advisory = partner_with_open_advisory
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    page = client.get(f"/advisories/{advisory.ident}/")
    assert page.status_code == 200 and advisory.title in page.content.decode()
    set_status(partner, status, reason=reason, actor=ACTOR)
    page = client.get(f"/advisories/{advisory.ident}/")
    assert page.status_code == 302 and page["Location"].startswith("/login/")
    # The session itself is gone, not just hidden: the next page asks for a sign-in too.
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302


def test_reinstating_a_suspended_partner_does_not_revive_its_tokens(partner_with_open_advisory, token_for):
    partner, _admin, analyst, advisory = partner_with_open_advisory
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(analyst)}")
    set_status(partner, "suspended", reason="unpaid fees", actor=ACTOR)
    assert client.get("/api/v1/advisories").status_code == 401
    revoked = AuditEvent.objects.get(action="token.revoke", object_id=analyst.email)
    assert (revoked.actor, revoked.details["reason"]) == (ACTOR.name, "partner-suspended")
    set_status(partner, "active", reason="fees paid", actor=ACTOR)
    # The old token stays revoked for good; the partner's users get new ones.
    assert client.get("/api/v1/advisories").status_code == 401
    assert ApiToken.objects.get(user=analyst).revoked_at is not None
    fresh = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(analyst)}")
    assert [a["id"] for a in fresh.get("/api/v1/advisories").json()] == [advisory.ident]


def test_a_suspended_partners_user_can_sign_in_again_after_reinstatement(partner_with_open_advisory):
    partner, _admin, analyst, _advisory = partner_with_open_advisory
    set_status(partner, "suspended", reason="unpaid fees", actor=ACTOR)
    client = Client()
    client.force_login(analyst)
    assert client.get("/").status_code == 302
    set_status(partner, "active", reason="fees paid", actor=ACTOR)
    analyst.refresh_from_db()  # a sign-in reads the user as stored: the suspension moved its session epoch
    client.force_login(analyst)
    assert client.get("/").status_code == 200


def test_expelled_partner_cannot_be_reinstated(partner_with_open_advisory, token_for, staff_user):
    partner, _admin, analyst, _advisory = partner_with_open_advisory
    token = token_for(analyst)
    set_status(partner, "expelled", reason="leaked HS-2026-0001", actor=ACTOR)
    with pytest.raises(Invalid, match="expelled; it cannot become active"):
        set_status(partner, "active", reason="appeal", actor=ACTOR)
    staff = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(staff_user)}")
    response = staff.post("/api/v1/partners/Example AV/reinstate", data={"reason": "appeal"},
                          content_type="application/json")
    assert response.status_code == 400 and "cannot become active" in response.json()["detail"]
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/me").status_code == 401


def test_expelled_partner_cannot_be_suspended_either(partner_with_open_advisory):
    partner, *_ = partner_with_open_advisory
    set_status(partner, "expelled", reason="leak", actor=ACTOR)
    with pytest.raises(Invalid):
        set_status(partner, "suspended", reason="second thoughts", actor=ACTOR)


def test_no_new_token_is_issued_to_a_suspended_partners_user(partner_with_open_advisory, token_for):
    partner, _admin, analyst, _advisory = partner_with_open_advisory
    set_status(partner, "suspended", reason="unpaid fees", actor=ACTOR)
    with pytest.raises(Invalid, match="may not act"):
        token_for(analyst)


def test_every_status_change_is_kept_with_reason_time_and_author(partner_with_open_advisory, token_for, staff_user):
    partner, *_ = partner_with_open_advisory
    set_status(partner, "suspended", reason="unpaid fees", actor=ACTOR)
    set_status(partner, "active", reason="fees paid", actor=ACTOR)
    set_status(partner, "expelled", reason="leak", actor=ACTOR, investigation_ref="INV-7")
    staff = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(staff_user)}")
    history = staff.get("/api/v1/partners/Example AV").json()["history"]
    assert [(h["old_status"], h["new_status"], h["reason"], h["by"], h["investigation"]) for h in history] == [
        ("", "active", "added", "test:staff", ""),
        ("active", "suspended", "unpaid fees", "test:staff", ""),
        ("suspended", "active", "fees paid", "test:staff", ""),
        ("active", "expelled", "leak", "test:staff", "INV-7"),
    ]
    assert all(h["at"] for h in history)


def test_staff_suspension_through_the_api_cuts_the_partner_at_once(partner_with_open_advisory, token_for, staff_user):
    _partner, _admin, analyst, _advisory = partner_with_open_advisory
    partner_client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(analyst)}")
    staff = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(staff_user)}")
    response = staff.post("/api/v1/partners/Example AV/suspend", data={"reason": "audit"},
                          content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "suspended"
    assert partner_client.get("/api/v1/me").status_code == 401
