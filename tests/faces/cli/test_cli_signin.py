"""headstart signin lockouts|unlock|reset-factors: staff help a user who cannot sign in.

Lockouts are made through the real sign-in page (five wrong passwords); the CLI runs in-process
on the same database."""

from __future__ import annotations

import json

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from mfa_helpers import enrol_totp, sign_in_fully, sign_in_with_password

from headstart.apps.accounts.services import set_password
from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.services import Actor

pytestmark = pytest.mark.django_db

ACTOR = Actor(name="test:staff")
PASSWORD = "correct horse battery staple 42"
IP = "198.51.100.7"


@pytest.fixture
def analyst(make_partner):  # type: ignore[no-untyped-def]
    user = make_partner("Example AV")[2]
    set_password(user.email, PASSWORD, actor=ACTOR)
    user.refresh_from_db()
    return user


def lock_out(email: str) -> None:
    for _ in range(5):
        sign_in_with_password(Client(REMOTE_ADDR=IP), email, "wrong horse battery staple 43")


def test_lockouts_lists_the_locked_address_and_unlock_lets_it_sign_in_again(analyst, run_cli):
    lock_out(analyst.email)
    assert sign_in_with_password(Client(REMOTE_ADDR=IP), analyst.email, PASSWORD).status_code == 429
    listed = run_cli("signin", "lockouts", "--json")
    assert listed.code == 0
    [row] = json.loads(listed.out)
    # Five wrong passwords, and the right one refused during the lockout counts too.
    assert (row["email"], row["ip"], row["failures"]) == (analyst.email, IP, 6)
    unlocked = run_cli("signin", "unlock", analyst.email.upper())
    assert unlocked.code == 0 and "may sign in again now" in unlocked.out
    assert json.loads(run_cli("signin", "lockouts", "--json").out) == []
    assert sign_in_with_password(Client(REMOTE_ADDR=IP), analyst.email, PASSWORD).status_code == 302
    event = AuditEvent.objects.filter(action="auth.unlock").get()
    assert event.object_id == analyst.email and event.actor.startswith("cli")


def test_unlocking_an_address_that_is_not_locked_says_so(analyst, run_cli):
    result = run_cli("signin", "unlock", analyst.email)
    assert result.code == 0 and "was not locked out" in result.out


def test_reset_factors_removes_them_ends_the_sessions_and_the_user_enrols_again(analyst, run_cli):
    client = Client()
    sign_in_fully(client, analyst, PASSWORD)
    assert client.get("/").status_code == 200
    result = run_cli("signin", "reset-factors", analyst.email, "--reason", "phone lost; identity checked by call")
    assert result.code == 0, result.err
    assert not Authenticator.objects.filter(user=analyst).exists()
    assert client.get("/")["Location"].startswith("/login/")  # that session has ended
    again = Client()
    assert sign_in_with_password(again, analyst.email, PASSWORD)["Location"] == "/"
    assert again.get("/")["Location"] == "/accounts/2fa/"  # enrol first
    event = AuditEvent.objects.filter(action="auth.mfa_reset").get()
    assert event.details["reason"] == "phone lost; identity checked by call" and event.details["authenticators"] == 2


def test_reset_factors_needs_a_reason_and_a_known_user(analyst, run_cli):
    enrol_totp(analyst)
    blank = run_cli("signin", "reset-factors", analyst.email, "--reason", " ")
    assert blank.code != 0 and "reason" in blank.err
    assert Authenticator.objects.filter(user=analyst).count() == 2
    unknown = run_cli("signin", "reset-factors", "nobody@nowhere.example", "--reason", "lost")
    assert unknown.code != 0 and "unknown user" in unknown.err


def test_unlock_ends_a_lock_of_the_second_step_too(analyst, run_cli):
    from mfa_helpers import totp

    secret, _codes = enrol_totp(analyst)
    wrong = "000000" if totp(secret) != "000000" else "111111"
    for _ in range(5):
        client = Client()
        sign_in_with_password(client, analyst.email, PASSWORD)
        client.post("/accounts/2fa/authenticate/", {"code": wrong})
    assert run_cli("signin", "unlock", analyst.email).code == 0
    client = Client()
    sign_in_with_password(client, analyst.email, PASSWORD)
    assert client.post("/accounts/2fa/authenticate/", {"code": totp(secret)}).status_code == 302
