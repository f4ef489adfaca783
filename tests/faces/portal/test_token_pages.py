"""My API tokens in the portal: created with a name and shown once, listed without the secret,
revoked; the same service and audit events as `headstart token create | revoke`."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from factories import ACTOR
from people_helpers import post, signed_in

from headstart.apps.accounts.models import ApiToken
from headstart.apps.accounts.services import create_token
from headstart.apps.accounts.tokens import digest
from headstart.apps.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_token_is_created_with_its_name_and_its_secret_shown_once(make_partner):
    _, _, analyst = make_partner("Example AV")
    client = signed_in(analyst)
    created = post(client, "/tokens/", {"name": "nightly sync"})
    assert created.status_code == 200
    secret = re.search(r'value="(hs_[^"]+)"', created.content.decode()).group(1)  # type: ignore[union-attr]
    token = ApiToken.objects.get(user=analyst)
    assert (token.name, token.digest) == ("nightly sync", digest(secret))
    listing = client.get("/tokens/").content.decode()
    assert "nightly sync" in listing and token.prefix in listing and secret not in listing
    event = AuditEvent.objects.get(action="token.create")
    assert (event.actor, event.details["name"]) == (analyst.email, "nightly sync")
    assert secret not in str(event.details)
    me = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert me.status_code == 200 and me.json()["email"] == analyst.email


def test_a_token_needs_a_printable_name(make_partner):
    _, _, analyst = make_partner("Example AV")
    client = signed_in(analyst)
    assert post(client, "/tokens/", {"name": "  "}).status_code == 400
    hidden = post(client, "/tokens/", {"name": "ci\u202ebot"})
    assert hidden.status_code == 400 and "invisible or control character" in hidden.content.decode()
    assert not ApiToken.objects.exists()


def test_the_owner_revokes_a_token_and_it_stops_working(make_partner):
    _, _, analyst = make_partner("Example AV")
    token, secret = create_token(analyst, actor=ACTOR, name="laptop")
    client = signed_in(analyst)
    assert post(client, f"/tokens/{token.pk}/revoke").status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert "revoked" in client.get("/tokens/").content.decode()
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    assert AuditEvent.objects.filter(action="token.revoke", actor=analyst.email,
                                     details__reason="revoked by its owner").exists()


def test_no_one_sees_or_revokes_another_users_token(make_partner):
    _, admin, analyst = make_partner("Example AV")
    _, intruder, _ = make_partner("Contoso EDR")
    token, _ = create_token(analyst, actor=ACTOR, name="analyst's script")
    for other in (admin, intruder):
        client = signed_in(other)
        assert "analyst&#x27;s script" not in client.get("/tokens/").content.decode()
        assert post(client, f"/tokens/{token.pk}/revoke").status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_creating_a_token_without_the_csrf_token_is_refused(make_partner):
    _, _, analyst = make_partner("Example AV")
    assert signed_in(analyst).post("/tokens/", {"name": "forged"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_the_token_list_costs_the_same_queries_for_one_token_or_fifteen(make_partner):
    _, _, analyst = make_partner("Example AV")
    create_token(analyst, actor=ACTOR, name="first")
    client = signed_in(analyst)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/tokens/").status_code == 200
        return len(captured)

    one = queries()
    for n in range(14):
        create_token(analyst, actor=ACTOR, name=f"script {n}")
    assert queries() == one
