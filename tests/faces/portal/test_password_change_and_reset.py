"""Password change (signed in) and reset by an e-mailed link, through the real pages.

The mail goes through Django's locmem backend (the console backend in development); the link is
read from the mail. Django's password validators apply; an expired or used link gets a page that
says so; every step is audited, never with the password or the link's key."""

from __future__ import annotations

import json
import re

import pytest
from django.core import mail
from django.test import Client
from mfa_helpers import sign_in_fully

from headstart.apps.accounts.services import set_password
from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.services import Actor, verify

pytestmark = pytest.mark.django_db

ACTOR = Actor(name="test:staff")
PASSWORD = "correct horse battery staple 42"
NEW = "a brand new passphrase for headstart 7"


@pytest.fixture
def analyst(make_partner):  # type: ignore[no-untyped-def]
    user = make_partner("Example AV")[2]
    set_password(user.email, PASSWORD, actor=ACTOR)
    user.refresh_from_db()
    return user


def last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def reset_link(client: Client, email: str) -> str:
    mail.outbox.clear()
    response = client.post("/accounts/password/reset/", {"email": email})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/done/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [email]
    match = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    return match.group(1)


def test_a_password_reset_by_mail_sets_a_new_password_that_still_needs_the_second_factor(analyst):
    client = Client()
    first = last_seq()
    link = reset_link(client, analyst.email)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and "password1" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0] if form.redirect_chain else link,
                       {"password1": NEW, "password2": NEW})
    assert done.status_code == 302
    analyst.refresh_from_db()
    assert analyst.check_password(NEW)
    assert "_auth_user_id" not in client.session  # signing in still asks for the second factor
    assert sign_in_fully(Client(), analyst, NEW).status_code == 302
    actions = list(AuditEvent.objects.filter(seq__gt=first).values_list("action", flat=True))
    assert actions[:2] == ["auth.password_reset_requested", "auth.password_reset"]
    key = link.rstrip("/").rsplit("/", 1)[1]
    texts = [json.dumps(e.details) + e.object_id for e in AuditEvent.objects.filter(seq__gt=first)]
    assert not any(NEW in t or key in t for t in texts)
    assert verify().ok


def test_a_used_reset_link_gets_a_clear_page_and_changes_nothing(analyst):
    client = Client()
    link = reset_link(client, analyst.email)
    form = client.get(link, follow=True)
    target = form.redirect_chain[-1][0] if form.redirect_chain else link
    assert client.post(target, {"password1": NEW, "password2": NEW}).status_code == 302
    again = Client().get(link, follow=True)
    page = again.content.decode()
    assert again.status_code == 200 and "no longer valid" in page and "password1" not in page
    analyst.refresh_from_db()
    assert analyst.check_password(NEW)


def test_an_expired_reset_link_gets_a_clear_page(analyst, settings):
    link = reset_link(Client(), analyst.email)
    # Django's token carries the second it was made and is refused once it is older than
    # PASSWORD_RESET_TIMEOUT seconds; below zero, it is refused at once rather than after a wait.
    settings.PASSWORD_RESET_TIMEOUT = -1
    page = Client().get(link, follow=True).content.decode()
    assert "no longer valid" in page and "password1" not in page
    analyst.refresh_from_db()
    assert analyst.check_password(PASSWORD)


def test_a_reset_link_made_before_a_sign_in_is_no_longer_valid(analyst):
    link = reset_link(Client(), analyst.email)
    sign_in_fully(Client(), analyst, PASSWORD)  # the token signs the last sign-in time as well
    page = Client().get(link, follow=True).content.decode()
    assert "no longer valid" in page and "password1" not in page


def test_a_weak_new_password_is_refused_by_the_validators(analyst):
    client = Client()
    link = reset_link(client, analyst.email)
    form = client.get(link, follow=True)
    target = form.redirect_chain[-1][0] if form.redirect_chain else link
    page = client.post(target, {"password1": "password1234", "password2": "password1234"})
    assert page.status_code == 200 and "too common" in page.content.decode()
    analyst.refresh_from_db()
    assert analyst.check_password(PASSWORD)


def test_a_reset_for_an_unknown_address_says_the_same_mails_nothing_and_is_audited(program):
    client = Client()
    first = last_seq()
    response = client.post("/accounts/password/reset/", {"email": "nobody@nowhere.example"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/done/"
    assert mail.outbox == []
    event = AuditEvent.objects.get(seq__gt=first)
    assert (event.action, event.object_id, event.details["known"]) == (
        "auth.password_reset_requested", "nobody@nowhere.example", False)


def test_a_signed_in_user_changes_the_password_with_the_old_one(analyst):
    client = Client()
    sign_in_fully(client, analyst, PASSWORD)
    first = last_seq()
    wrong = client.post("/accounts/password/change/", {"oldpassword": "not it at all 123", "password1": NEW,
                                                       "password2": NEW})
    assert wrong.status_code == 200
    analyst.refresh_from_db()
    assert analyst.check_password(PASSWORD)
    done = client.post("/accounts/password/change/", {"oldpassword": PASSWORD, "password1": NEW, "password2": NEW})
    assert done.status_code == 302
    analyst.refresh_from_db()
    assert analyst.check_password(NEW)
    assert list(AuditEvent.objects.filter(seq__gt=first).values_list("action", flat=True)) == ["auth.password_changed"]
    assert client.get("/").status_code == 200  # this session goes on
