"""Invitations in the portal: who may invite whom, the mail, the link's page, dead links.

The mail goes through Django's mail API (the locmem backend in tests: mail.outbox); the link in
it opens a page where the invitee sets a password and is sent to sign in."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from people_helpers import post, signed_in

from headstart.apps.accounts.models import Invitation, User
from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.services import verify

pytestmark = pytest.mark.django_db

PASSWORD = "seven orange lanterns drift"


def link_in_last_mail() -> str:
    found = re.search(r"http://\S+/invitations/(\S+)/", mail.outbox[-1].body)
    assert found, mail.outbox[-1].body
    return "/invitations/" + found.group(1) + "/"


def opened(url: str) -> Client:
    """A browser that opened the link's page (and so holds the CSRF cookie its form needs)."""
    visitor = Client(enforce_csrf_checks=True)
    visitor.get(url)
    return visitor


def test_a_partner_admin_invites_an_analyst_who_sets_a_password_and_is_sent_to_sign_in(make_partner):
    partner, admin, _ = make_partner("Example AV")
    response = post(signed_in(admin), "/team/invite/", {"email": "New.Analyst@Example-AV.example", "role": "analyst"})
    assert response.status_code == 302 and response["Location"] == "/team/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.analyst@example-av.example"]
    assert "admin@example-av.example invites you" in message.body and "an analyst of Example AV" in message.body
    url = link_in_last_mail()
    assert Invitation.objects.get().digest not in message.body  # the mail holds the token, the database its hash

    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(url)
    assert page.status_code == 200 and "new.analyst@example-av.example" in page.content.decode()
    assert page["Referrer-Policy"] == "same-origin"  # the token in the address stays on this site
    accepted = post(visitor, url, {"password1": PASSWORD, "password2": PASSWORD})
    assert accepted.status_code == 302 and accepted["Location"] == "/login/"

    user = User.objects.get(email="new.analyst@example-av.example")
    assert (user.role, user.partner, user.check_password(PASSWORD)) == ("analyst", partner, True)
    assert "_auth_user_id" not in visitor.session  # not signed in: the sign-in (second factor) comes next
    actions = list(AuditEvent.objects.filter(action__startswith="invitation.").values_list("action", flat=True))
    assert actions == ["invitation.create", "invitation.accept"]
    assert AuditEvent.objects.filter(action="user.add", object_id=user.email).exists()
    assert verify().ok


def test_the_invitation_link_works_once(make_partner):
    _, admin, _ = make_partner("Example AV")
    post(signed_in(admin), "/team/invite/", {"email": "once@example-av.example", "role": "analyst"})
    url = link_in_last_mail()
    again = opened(url)  # a second window, opened while the link still worked
    assert post(opened(url), url, {"password1": PASSWORD, "password2": PASSWORD}).status_code == 302
    page = again.get(url)
    assert page.status_code == 410 and "already been used" in page.content.decode()
    before = User.objects.get(email="once@example-av.example").password
    refused = post(again, url, {"password1": "another long passphrase 9", "password2": "another long passphrase 9"})
    assert refused.status_code == 410
    assert User.objects.get(email="once@example-av.example").password == before
    assert AuditEvent.objects.filter(action="invitation.refused", details__reason="accepted").count() == 1


def test_an_expired_link_shows_a_clear_page_changes_nothing_and_the_expiry_is_audited(make_partner):
    _, admin, _ = make_partner("Example AV")
    post(signed_in(admin), "/team/invite/", {"email": "late@example-av.example", "role": "analyst"})
    url = link_in_last_mail()
    visitor = opened(url)
    Invitation.objects.update(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    page = visitor.get(url)
    assert page.status_code == 410 and "has expired" in page.content.decode()
    assert post(visitor, url, {"password1": PASSWORD, "password2": PASSWORD}).status_code == 410
    assert not User.objects.filter(email="late@example-av.example").exists()
    assert AuditEvent.objects.filter(action="invitation.expire").count() == 1
    assert AuditEvent.objects.filter(action="invitation.refused", details__reason="expired").count() == 1


def test_a_revoked_link_shows_a_clear_page_and_creates_no_account(make_partner):
    _, admin, _ = make_partner("Example AV")
    client = signed_in(admin)
    post(client, "/team/invite/", {"email": "gone@example-av.example", "role": "admin"})
    url = link_in_last_mail()
    invitation = Invitation.objects.get()
    visitor = opened(url)
    assert "gone@example-av.example" in client.get("/team/").content.decode()
    assert post(client, f"/team/invitations/{invitation.pk}/revoke").status_code == 302
    assert "has been revoked" in visitor.get(url).content.decode()
    assert post(visitor, url, {"password1": PASSWORD, "password2": PASSWORD}).status_code == 410
    assert not User.objects.filter(email="gone@example-av.example").exists()
    assert AuditEvent.objects.filter(action="invitation.revoke", object_id=str(invitation.pk)).exists()


def test_an_unknown_link_is_not_found_and_changes_nothing(program):
    response = Client().get("/invitations/hsi_not-a-real-token/")
    assert response.status_code == 404 and "not valid" in response.content.decode()
    assert Client().post("/invitations/hsi_not-a-real-token/", {"password1": PASSWORD,
                                                               "password2": PASSWORD}).status_code == 404


def test_a_weak_or_mistyped_password_is_refused_in_the_page_and_the_link_still_works(make_partner):
    _, admin, _ = make_partner("Example AV")
    post(signed_in(admin), "/team/invite/", {"email": "weak@example-av.example", "role": "analyst"})
    url = link_in_last_mail()
    visitor = Client(enforce_csrf_checks=True)
    visitor.get(url)
    weak = post(visitor, url, {"password1": "password", "password2": "password"})
    assert weak.status_code == 400 and "password rejected" in weak.content.decode()
    differ = post(visitor, url, {"password1": PASSWORD, "password2": PASSWORD + "x"})
    assert differ.status_code == 400 and "differ" in differ.content.decode()
    assert not User.objects.filter(email="weak@example-av.example").exists()
    assert post(visitor, url, {"password1": PASSWORD, "password2": PASSWORD}).status_code == 302


def test_a_partner_admin_cannot_invite_staff_or_into_another_partner(make_partner):
    _, admin, _ = make_partner("Example AV")
    other, _, _ = make_partner("Contoso EDR")
    client = signed_in(admin)
    assert post(client, "/team/invite/", {"email": "boss@example.example", "role": "staff"}).status_code == 403
    # A partner field sent anyway is ignored: a partner admin invites into its own partner only.
    post(client, "/team/invite/", {"email": "spy@example.example", "role": "admin", "partner": str(other.pk)})
    assert Invitation.objects.get(email="spy@example.example").partner.name == "Example AV"
    assert not Invitation.objects.filter(role="staff").exists()


def test_an_analyst_may_not_invite(make_partner):
    _, _, analyst = make_partner("Example AV")
    client = signed_in(analyst)
    assert client.get("/team/invite/").status_code == 403
    assert post(client, "/team/invite/", {"email": "x@example-av.example", "role": "analyst"}).status_code == 403
    assert not Invitation.objects.exists() and not mail.outbox


def test_staff_invite_staff_who_become_staff(staff_user):
    post(signed_in(staff_user), "/team/invite/", {"email": "colleague@vendor.example", "role": "staff"})
    assert "as PSIRT staff" in mail.outbox[-1].body
    url = link_in_last_mail()
    assert post(opened(url), url, {"password1": PASSWORD, "password2": PASSWORD}).status_code == 302
    colleague = User.objects.get(email="colleague@vendor.example")
    assert colleague.is_psirt and colleague.partner is None


def test_staff_invite_into_a_partner_they_choose(staff_user, make_partner):
    partner, _, _ = make_partner("Example AV")
    response = post(signed_in(staff_user), "/team/invite/",
                    {"email": "lead@example-av.example", "role": "admin", "partner": str(partner.pk)})
    assert response.status_code == 302
    assert (Invitation.objects.get().partner, Invitation.objects.get().role) == (partner, "admin")


def test_inviting_an_existing_user_or_a_bad_address_says_why_and_sends_nothing(make_partner):
    _, admin, analyst = make_partner("Example AV")
    client = signed_in(admin)
    taken = post(client, "/team/invite/", {"email": analyst.email, "role": "analyst"})
    assert taken.status_code == 409 and "already has an account" in taken.content.decode()
    bad = post(client, "/team/invite/", {"email": "not an address", "role": "analyst"})
    assert bad.status_code == 400 and "not a valid e-mail address" in bad.content.decode()
    assert not mail.outbox and not Invitation.objects.exists()


def test_another_partners_admin_cannot_revoke_an_invitation(make_partner):
    _, admin, _ = make_partner("Example AV")
    _, intruder, _ = make_partner("Contoso EDR")
    post(signed_in(admin), "/team/invite/", {"email": "mine@example-av.example", "role": "analyst"})
    invitation = Invitation.objects.get()
    client = signed_in(intruder)
    assert post(client, f"/team/invitations/{invitation.pk}/revoke").status_code == 404
    assert "mine@example-av.example" not in client.get("/team/").content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_inviting_without_the_csrf_token_is_refused(make_partner):
    _, admin, _ = make_partner("Example AV")
    client = signed_in(admin)
    response = client.post("/team/invite/", {"email": "csrf@example-av.example", "role": "analyst"})
    assert response.status_code == 403
    assert not Invitation.objects.exists() and not mail.outbox
