"""accounts.invitations, the service under the portal's and the CLI's invitations: the rules
no page shows on its own (mail failure, partner status, duplicates, expiry noticed once)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from factories import ACTOR

from headstart.apps.accounts import invitations
from headstart.apps.accounts.models import Invitation, User
from headstart.apps.audit.models import AuditEvent
from headstart.apps.partners.services import set_status
from headstart.errors import Conflict, Forbidden, Invalid, NotFound

pytestmark = pytest.mark.django_db

PASSWORD = "seven orange lanterns drift"


def token_in_last_mail() -> str:
    return mail.outbox[-1].body.split("/invitations/")[1].split("/")[0]


def test_an_invitation_whose_mail_cannot_be_sent_is_revoked_and_says_so(make_partner, settings):
    partner, admin, _ = make_partner("Example AV")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    with pytest.raises(Invalid, match="could not be sent"):
        invitations.invite("new@example-av.example", role="analyst", partner=partner, inviter=admin, actor=ACTOR)
    invitation = Invitation.objects.get()
    assert invitations.state(invitation) == "revoked"
    assert AuditEvent.objects.filter(action="invitation.revoke", details__reason="the mail could not be sent").exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    invitations.invite("new@example-av.example", role="analyst", partner=partner, inviter=admin, actor=ACTOR)
    assert len(mail.outbox) == 1  # a new invitation can be sent at once


def test_a_second_pending_invitation_of_the_same_address_is_refused(make_partner):
    partner, admin, _ = make_partner("Example AV")
    invitations.invite("new@example-av.example", role="analyst", partner=partner, inviter=admin, actor=ACTOR)
    with pytest.raises(Conflict, match="pending invitation"):
        invitations.invite("NEW@example-av.example", role="admin", partner=partner, inviter=admin, actor=ACTOR)


def test_an_expired_invitation_does_not_block_a_new_one_and_its_expiry_is_audited_once(make_partner):
    partner, admin, _ = make_partner("Example AV")
    invitations.invite("new@example-av.example", role="analyst", partner=partner, inviter=admin, actor=ACTOR)
    Invitation.objects.update(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert list(invitations.visible(admin)) == []
    assert list(invitations.visible(admin)) == []
    invitations.invite("new@example-av.example", role="analyst", partner=partner, inviter=admin, actor=ACTOR)
    assert AuditEvent.objects.filter(action="invitation.expire").count() == 1
    assert [invitations.state(i) for i in Invitation.objects.order_by("pk")] == ["expired", "pending"]


def test_a_partner_suspended_after_the_invitation_gains_no_user(make_partner):
    partner, admin, _ = make_partner("Example AV")
    invitations.invite("new@example-av.example", role="analyst", partner=partner, inviter=admin, actor=ACTOR)
    token = token_in_last_mail()
    set_status(partner, "suspended", reason="audit of its handling", actor=ACTOR)
    with pytest.raises(Invalid, match="suspended"):
        invitations.accept(token, PASSWORD)
    assert not User.objects.filter(email="new@example-av.example").exists()
    with pytest.raises(Invalid, match="cannot gain users"):
        invitations.invite("other@example-av.example", role="analyst", partner=partner, actor=ACTOR)


def test_who_may_invite_whom(make_partner, staff_user):
    partner, admin, analyst = make_partner("Example AV")
    other, _, _ = make_partner("Contoso EDR")
    with pytest.raises(Forbidden):
        invitations.invite("boss@example.example", role="staff", inviter=admin, actor=ACTOR)
    with pytest.raises(NotFound):
        invitations.invite("spy@example.example", role="analyst", partner=other, inviter=admin, actor=ACTOR)
    with pytest.raises(Forbidden):
        invitations.invite("friend@example.example", role="analyst", partner=partner, inviter=analyst, actor=ACTOR)
    invitations.invite("colleague@vendor.example", role="staff", inviter=staff_user, actor=ACTOR)
    invitations.invite("lead@contoso.example", role="admin", partner=other, inviter=staff_user, actor=ACTOR)
    assert sorted(Invitation.objects.values_list("email", flat=True)) == ["colleague@vendor.example",
                                                                         "lead@contoso.example"]


def test_the_link_is_stored_only_as_its_hash(make_partner, stored_text):
    partner, admin, _ = make_partner("Example AV")
    invitations.invite("new@example-av.example", role="analyst", partner=partner, inviter=admin, actor=ACTOR)
    assert token_in_last_mail() not in stored_text()
