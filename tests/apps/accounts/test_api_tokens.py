"""API tokens are random, stored only as a SHA-256, shown once, and refused once revoked."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.test import Client
from django.utils import timezone

from headstart.apps.accounts.models import ApiToken
from headstart.apps.accounts.tokens import user_for_token
from headstart.apps.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(make_partner):  # type: ignore[no-untyped-def]
    return make_partner("Example AV")[2]


def test_the_token_text_is_stored_nowhere_only_its_digest(analyst, token_for, stored_text):
    token = token_for(analyst)
    record = ApiToken.objects.get(user=analyst)
    assert record.digest == hashlib.sha256(token.encode()).hexdigest()
    assert token.startswith(record.prefix) and len(record.prefix) < len(token) // 3
    everything = stored_text()
    assert token not in everything
    assert token[len(record.prefix):] not in everything


def test_token_create_shows_the_token_once_and_a_second_call_makes_another(analyst, run_cli, stored_text):
    first = json.loads(run_cli("token", "create", analyst.email, "--json").out)["token"]
    second = run_cli("token", "create", analyst.email)
    assert second.code == 0 and "shown once" in second.out
    second_token = second.out.split()[0]
    assert first != second_token and len(first) > 40
    assert first not in stored_text() and second_token not in stored_text()
    assert user_for_token(first) == analyst and user_for_token(second_token) == analyst
    assert AuditEvent.objects.filter(action="token.create", object_id=analyst.email).count() == 2
    assert all(first not in str(e.details) for e in AuditEvent.objects.all())


def test_a_token_works_until_it_is_revoked(analyst, token_for):
    token = token_for(analyst)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/v1/me").json()["email"] == analyst.email
    assert ApiToken.objects.get(user=analyst).last_used_at is not None
    ApiToken.objects.filter(user=analyst).update(revoked_at=timezone.now())
    assert client.get("/api/v1/me").status_code == 401
    assert client.post("/api/v1/nda/accept").status_code == 401


def test_a_deactivated_users_token_is_refused(analyst, token_for):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(analyst)}")
    analyst.is_active = False
    analyst.save(update_fields=["is_active"])
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("header", ["Bearer hs_not-a-real-token", "Bearer ", "Bearer " + "hs_" + "a" * 300,
                                    "Token hs_whatever", "hs_whatever"])
def test_unknown_or_malformed_tokens_are_refused(analyst, header):
    response = Client(HTTP_AUTHORIZATION=header).get("/api/v1/me")
    assert response.status_code == 401 and response.json() == {"detail": "Unauthorized"}


def test_a_token_of_one_user_never_acts_as_another(make_partner, token_for):
    _, example_admin, _ = make_partner("Example AV")
    _, other_admin, _ = make_partner("Other IPS")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token_for(example_admin)}").get("/api/v1/me").json()["partner"] == \
        "Example AV"
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token_for(other_admin)}").get("/api/v1/me").json()["partner"] == \
        "Other IPS"
