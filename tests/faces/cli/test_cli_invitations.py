"""`headstart user invite | invitations | revoke-invitation` and `token create --name`, in-process.

The same service as the portal's invitation page (accounts.invitations): the mail carries the
link, the command's output never does, and --json prints one document on standard output."""

from __future__ import annotations

import json

import pytest
from django.core import mail

from headstart.apps.accounts.models import ApiToken, Invitation
from headstart.apps.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_user_invite_mails_a_link_and_prints_the_invitation_without_it(make_partner, run_cli):
    make_partner("Example AV")
    result = run_cli("user", "invite", "New@Example-AV.example", "--partner", "Example AV", "--role", "analyst",
                     "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert (data["email"], data["role"], data["partner"], data["state"]) == (
        "new@example-av.example", "analyst", "Example AV", "pending")
    assert "/invitations/hsi_" in mail.outbox[-1].body
    assert "hsi_" not in result.out
    event = AuditEvent.objects.get(action="invitation.create")
    assert event.actor.startswith("cli:") and event.details["partner_name"] == "Example AV"


def test_user_invite_staff_and_the_invitation_list(program, run_cli):
    assert run_cli("user", "invite", "colleague@vendor.example", "--staff").code == 0
    rows = json.loads(run_cli("user", "invitations", "--json").out)
    assert [(r["email"], r["role"], r["partner"], r["state"]) for r in rows] == [
        ("colleague@vendor.example", "staff", None, "pending")]
    text = run_cli("user", "invitations")
    assert "colleague@vendor.example" in text.out and "STATE" in text.out


def test_user_invite_refuses_bad_input_and_changes_nothing(make_partner, run_cli):
    _, _, analyst = make_partner("Example AV")
    for argv, message in ((("user", "invite", "x@example.example", "--partner", "Example AV"), "--role"),
                          (("user", "invite", analyst.email, "--partner", "Example AV", "--role", "admin"),
                           "already has an account"),
                          (("user", "invite", "x@example.example", "--partner", "Nobody", "--role", "admin"),
                           "unknown partner"),
                          (("user", "invite", "not-an-address", "--staff"), "not a valid e-mail address")):
        result = run_cli(*argv)
        assert result.code != 0 and message in result.err, (argv, result.err)
    assert not Invitation.objects.exists() and not mail.outbox


def test_revoke_invitation_kills_the_link(program, run_cli):
    run_cli("user", "invite", "colleague@vendor.example", "--staff")
    invitation = Invitation.objects.get()
    result = run_cli("user", "revoke-invitation", str(invitation.pk), "--json")
    assert result.code == 0 and json.loads(result.out)["state"] == "revoked"
    again = run_cli("user", "revoke-invitation", str(invitation.pk))
    assert again.code != 0 and "only a pending one can be revoked" in again.err


def test_token_create_takes_a_name_that_token_list_shows(make_partner, run_cli):
    _, _, analyst = make_partner("Example AV")
    created = json.loads(run_cli("token", "create", analyst.email, "--name", "nightly sync", "--json").out)
    assert created["name"] == "nightly sync" and ApiToken.objects.get().name == "nightly sync"
    rows = json.loads(run_cli("token", "list", "--json").out)
    assert rows[0]["name"] == "nightly sync"


def test_partner_certificate_replaces_it_as_the_portal_does(make_partner, run_cli, tmp_path):
    import pysequoia

    partner, _, _ = make_partner("Example AV")
    key = pysequoia.Tsk.generate(user_id="Example AV <sec@example.com>", profile=pysequoia.Profile.RFC4880)
    public, secret = tmp_path / "cert.asc", tmp_path / "secret.asc"
    public.write_text(str(key.extract_certificate()))
    secret.write_text(str(key))
    refused = run_cli("partner", "certificate", "Example AV", str(secret))
    assert refused.code != 0 and "this is a secret key" in refused.err
    result = run_cli("partner", "certificate", "Example AV", str(public), "--json")
    assert result.code == 0, result.err
    fingerprint = str(key.extract_certificate().fingerprint).upper()
    assert json.loads(result.out)["pgp_fingerprint"] == fingerprint
    partner.refresh_from_db()
    assert partner.pgp_fingerprint == fingerprint
    assert AuditEvent.objects.filter(action="partner.certificate").count() == 1
