"""`headstart seed`: every demo user it makes can sign in with the credentials it prints once."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from headstart.apps.accounts.models import User

pytestmark = pytest.mark.django_db


def test_seeded_partner_admins_and_analysts_sign_in_with_the_printed_password(program, run_cli):
    result = run_cli("seed", "--json")

    assert result.code == 0, result.err
    shown = json.loads(result.out)
    analysts = shown["partner_analysts"]["emails"]
    assert "analyst@example-av.example" in analysts and len(analysts) == 4
    partner_users = User.objects.filter(partner__isnull=False)
    assert all(u.has_usable_password() for u in partner_users) and partner_users.count() == 8
    for email in ("analyst@example-av.example", "admin@contoso-edr.example"):
        signed_in = Client().post("/login/", {"username": email, "password": shown["partner_analysts"]["password"]})
        assert signed_in.status_code == 302 and signed_in.url == "/", email
