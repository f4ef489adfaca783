"""`headstart user list` and `headstart user passwd`, run in-process through the real CLI.

A password set with `passwd` passes Django's validators, is audited, signs in on the portal,
and never appears on the terminal, in the log, in the audit event or in the database."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.test import Client

from headstart.apps.accounts.models import User
from headstart.apps.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def users(make_partner, staff_user):  # type: ignore[no-untyped-def]
    _, admin, analyst = make_partner("Example AV")
    return staff_user, admin, analyst


def test_user_list_shows_every_user_with_role_and_partner(users, run_cli):
    staff, admin, analyst = users
    result = run_cli("user", "list", "--json")
    assert result.code == 0
    rows = {r["email"]: r for r in json.loads(result.out)}
    assert set(rows) == {staff.email, admin.email, analyst.email}
    assert (rows[analyst.email]["role"], rows[analyst.email]["partner"]) == ("analyst", "Example AV")
    assert (rows[staff.email]["role"], rows[staff.email]["partner"]) == ("staff", None)
    assert rows[analyst.email]["password_set"] is False and rows[analyst.email]["active"] is True
    text = run_cli("user", "list")
    assert text.code == 0 and "PARTNER" in text.out and analyst.email in text.out


def test_user_passwd_sets_a_password_that_signs_in_and_is_audited_without_it(users, run_cli, monkeypatch, caplog,
                                                                             stored_text):
    _, _, analyst = users
    earlier = Client()
    earlier.force_login(analyst)
    assert earlier.get("/").status_code == 200
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    result = run_cli("user", "passwd", analyst.email.upper(), "--password-stdin", "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out) == {"email": analyst.email, "password_set": True}
    assert User.objects.get(pk=analyst.pk).check_password(PASSWORD)
    event = AuditEvent.objects.get(action="user.passwd")
    assert event.object_id == analyst.email and event.actor.startswith("cli:")
    everywhere = [result.out, result.err, caplog.text, stored_text(),
                  *(json.dumps(e.details) for e in AuditEvent.objects.all())]
    assert not any(PASSWORD in text for text in everywhere)
    assert earlier.get("/").status_code == 302  # the session of the old password has ended
    signed_in = Client().post("/login/", {"username": analyst.email, "password": PASSWORD})
    # The password is right: the second factor comes next (the analyst enrolled one when signed in earlier).
    assert signed_in.status_code == 302 and signed_in["Location"] == "/accounts/2fa/authenticate/"


@pytest.mark.parametrize("password, message", [("Tr0ub4dor", "too short"), ("password1234", "too common"),
                                               ("12345678901234", "entirely numeric"), ("", "no password")])
def test_user_passwd_applies_the_password_rules_and_changes_nothing(users, run_cli, monkeypatch, snapshot,
                                                                   password, message):
    _, _, analyst = users
    before = snapshot()
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    result = run_cli("user", "passwd", analyst.email, "--password-stdin")
    assert result.code == 1 and message in result.err and result.out == ""
    assert not password or password not in result.err
    assert snapshot() == before


def test_user_passwd_names_an_unknown_user_and_needs_a_password_source(users, run_cli, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    unknown = run_cli("user", "passwd", "nobody@nowhere.example", "--password-stdin")
    assert unknown.code == 1 and "unknown user" in unknown.err
    no_source = run_cli("user", "passwd", users[2].email)
    assert no_source.code == 1 and "--password-stdin" in no_source.err
