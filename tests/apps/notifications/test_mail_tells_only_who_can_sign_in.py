"""A mail tells its reader to sign in only if that reader can: a user without a usable password
(an API-token user, or one whose password was never set) is pointed to the API instead, and
told how to get a password."""

from __future__ import annotations

import pytest
from factories import ACTOR

from headstart.apps.accounts.services import set_password

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def window_open_mails(make_partner, make_advisory, run_worker, mailbox):  # type: ignore[no-untyped-def]
    _, admin, analyst = make_partner("Acme")
    set_password(admin.email, PASSWORD, actor=ACTOR)  # the analyst has none
    make_advisory("HS-2026-0042")
    run_worker()
    mails = {m.to[0]: m.body for m in mailbox.messages if "window is open" in m.subject}
    assert set(mails) == {"security@acme.example", admin.email, analyst.email}
    return mails


def test_a_user_without_a_password_is_not_told_to_sign_in(window_open_mails):
    body = window_open_mails["analyst@acme.example"]

    assert "sign in to read it" not in body.lower()
    assert "no portal password" in body
    assert "http://127.0.0.1:8000/api/v1/advisories/HS-2026-0042/package" in body


def test_a_user_with_a_password_and_the_contact_address_are_told_to_sign_in(window_open_mails):
    for address in ("admin@acme.example", "security@acme.example"):
        body = window_open_mails[address]
        assert "Sign in to read it" in body
        assert "http://127.0.0.1:8000/advisories/HS-2026-0042/" in body
        assert "no portal password" not in body
