"""Sign-in is throttled (django-axes) and every sign-in event is in the audit chain.

Through Django's test Client against the real sign-in page (/login/; the admin's own form
sends there):
after 5 failures for one e-mail address from one IP address, that pair is locked out for 15
minutes, even with the right password; every sign-in, failure, sign-out and lockout is an
audit event with the client's address and never the password."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from headstart.apps.accounts.services import set_password
from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.services import Actor, verify

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple 42"
WRONG = "wrong horse battery staple 43"
ATTACKER, OTHER = "198.51.100.7", "203.0.113.9"


@pytest.fixture
def analyst(make_partner):  # type: ignore[no-untyped-def]
    user = make_partner("Example AV")[2]
    set_password(user.email, PASSWORD, actor=Actor(name="test:staff"))
    return user


@pytest.fixture
def staff(staff_user):  # type: ignore[no-untyped-def]
    set_password(staff_user.email, PASSWORD, actor=Actor(name="test:staff"))
    return staff_user


def sign_in(page: str, email: str, password: str, ip: str = ATTACKER, client: Client | None = None):  # type: ignore[no-untyped-def]
    client = client or Client(REMOTE_ADDR=ip)
    return client.post(page, {"username": email, "password": password, "next": "/"})


def test_twenty_wrong_passwords_then_the_right_one_is_refused(staff):
    for _ in range(20):
        assert sign_in("/login/", staff.email, WRONG).status_code in (200, 429)
    locked = sign_in("/login/", staff.email, PASSWORD)
    assert locked.status_code == 429 and "_auth_user_id" not in locked.client.session
    assert "Sign-in locked" in locked.content.decode()


def test_the_lockout_starts_at_the_fifth_failure_and_counts_the_address_as_stored(analyst):
    for attempt in range(4):
        assert sign_in("/login/", analyst.email if attempt % 2 else analyst.email.upper(), WRONG).status_code == 200
    assert sign_in("/login/", f" {analyst.email.upper()} ", WRONG).status_code == 429
    assert sign_in("/login/", analyst.email, PASSWORD).status_code == 429


def test_the_lockout_is_per_address_and_ip_and_ends_after_fifteen_minutes(analyst, staff):
    for _ in range(5):
        sign_in("/login/", analyst.email, WRONG)
    assert sign_in("/login/", analyst.email, PASSWORD).status_code == 429
    # Another address from the same IP, and the same address from another IP, still sign in.
    assert sign_in("/login/", staff.email, PASSWORD).status_code == 302
    assert sign_in("/login/", analyst.email, PASSWORD, ip=OTHER).status_code == 302
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert sign_in("/login/", analyst.email, PASSWORD).status_code == 302


def test_every_sign_in_event_is_audited_with_the_address_and_never_the_password(analyst, stored_text):
    first = AuditEvent.objects.order_by("-seq").first().seq
    client = Client(REMOTE_ADDR=OTHER)
    assert sign_in("/login/", analyst.email, PASSWORD, client=client).status_code == 302
    assert client.post("/logout/").status_code == 302
    assert sign_in("/login/", analyst.email, WRONG, ip=ATTACKER).status_code == 200
    for _ in range(4):
        sign_in("/login/", analyst.email, WRONG, ip=ATTACKER)
    events = list(AuditEvent.objects.filter(seq__gt=first).order_by("seq"))
    summary = [(e.action, e.actor, e.ip) for e in events]
    assert summary[:3] == [("auth.login", analyst.email, OTHER), ("auth.logout", analyst.email, OTHER),
                           ("auth.login_failed", analyst.email, ATTACKER)]
    assert [a for a, _, _ in summary].count("auth.login_failed") == 5
    assert ("auth.lockout", analyst.email, ATTACKER) in summary
    assert all(e.details.get("path") in ("/login/", "/logout/") for e in events)
    assert events[0].partner == "Example AV"
    texts = [stored_text(), *(json.dumps(e.details) for e in events)]
    assert not any(PASSWORD in t or WRONG in t for t in texts)
    assert verify().ok


def test_the_admin_sign_in_form_sends_to_the_sign_in_page_and_checks_nothing(staff):
    first = AuditEvent.objects.order_by("-seq").first().seq
    response = sign_in("/admin/login/", staff.email, WRONG)
    assert response.status_code == 302 and response["Location"] == "/login/?next=/admin/"
    assert not AuditEvent.objects.filter(seq__gt=first).exists()
    assert not AccessAttempt.objects.exists()
