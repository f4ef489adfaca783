"""API tokens expire, revocation is final, and a suspension or expulsion revokes a partner's tokens.

`headstart token list` and `headstart token revoke` run in-process through the real CLI."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from headstart.apps.accounts.models import ApiToken
from headstart.apps.accounts.tokens import user_for_token
from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.services import Actor, verify
from headstart.apps.partners.services import set_status

pytestmark = pytest.mark.django_db

ACTOR = Actor(name="test:staff")


@pytest.fixture
def example(make_partner):  # type: ignore[no-untyped-def]
    partner, admin, analyst = make_partner("Example AV")
    return partner, admin, analyst


def me(token: str) -> int:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/me").status_code


def test_a_new_token_expires_after_the_configured_days(example, token_for, settings):
    _, _, analyst = example
    token_for(analyst)
    record = ApiToken.objects.get(user=analyst)
    assert record.expires_at - record.created_at == pytest.approx(dt.timedelta(days=90), abs=dt.timedelta(seconds=5))
    settings.HEADSTART_TOKEN_DAYS = 7
    token_for(analyst)
    second = ApiToken.objects.filter(user=analyst).latest("pk")
    assert second.expires_at - second.created_at == pytest.approx(dt.timedelta(days=7), abs=dt.timedelta(seconds=5))


def test_an_expired_token_is_refused_like_a_revoked_one(example, token_for):
    _, _, analyst = example
    token = token_for(analyst)
    assert me(token) == 200
    ApiToken.objects.filter(user=analyst).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert me(token) == 401
    assert user_for_token(token) is None
    refused = AuditEvent.objects.filter(action="token.refused").latest("seq")
    assert (refused.object_id, refused.details["reason"]) == (analyst.email, "expired")


def test_token_list_shows_every_token_without_its_text(example, token_for, run_cli, staff_user):
    _, admin, analyst = example
    first = token_for(analyst)
    token_for(admin)
    ApiToken.objects.filter(user=admin).update(revoked_at=timezone.now())
    result = run_cli("token", "list", "--json")
    assert result.code == 0
    rows = json.loads(result.out)
    assert [(r["user"], r["state"]) for r in rows] == [(analyst.email, "active"), (admin.email, "revoked")]
    assert set(rows[0]) >= {"id", "prefix", "user", "created_at", "last_used_at", "expires_at", "revoked_at"}
    assert rows[0]["prefix"] == first[:10] and first not in result.out
    text = run_cli("token", "list")
    assert text.code == 0 and "EXPIRES" in text.out and analyst.email in text.out and first not in text.out


def test_token_revoke_by_id_is_audited_and_final(example, token_for, run_cli):
    _, admin, analyst = example
    token, other = token_for(analyst), token_for(admin)
    record = ApiToken.objects.get(user=analyst)
    result = run_cli("token", "revoke", str(record.pk), "--json")
    assert result.code == 0 and [t["id"] for t in json.loads(result.out)["revoked"]] == [record.pk]
    assert me(token) == 401 and me(other) == 200
    event = AuditEvent.objects.get(action="token.revoke")
    assert (event.object_id, event.details["token_id"], event.details["prefix"]) == (analyst.email, record.pk,
                                                                                      record.prefix)
    revoked_at = ApiToken.objects.get(pk=record.pk).revoked_at
    again = run_cli("token", "revoke", str(record.pk))
    assert again.code == 0 and "already revoked" in again.out
    assert ApiToken.objects.get(pk=record.pk).revoked_at == revoked_at
    assert AuditEvent.objects.filter(action="token.revoke").count() == 1
    assert verify().ok


def test_token_revoke_by_email_revokes_all_of_that_users_tokens(example, token_for, run_cli):
    _, admin, analyst = example
    tokens = [token_for(analyst), token_for(analyst)]
    other = token_for(admin)
    result = run_cli("token", "revoke", analyst.email.upper())
    assert result.code == 0 and result.out.count("token ") == 2
    assert [me(t) for t in tokens] == [401, 401] and me(other) == 200
    assert AuditEvent.objects.filter(action="token.revoke", object_id=analyst.email).count() == 2


@pytest.mark.parametrize("target, message", [("999999", "unknown token id"), ("nobody@nowhere.example", "unknown user"),
                                             ("hs_abc", "give a token id")])
def test_token_revoke_refuses_what_it_cannot_name_and_changes_nothing(example, token_for, run_cli, snapshot,
                                                                    target, message):
    token_for(example[2])
    before = snapshot()
    result = run_cli("token", "revoke", target)
    assert result.code == 1 and message in result.err and result.out == ""
    assert snapshot() == before


@pytest.mark.parametrize("status", ["suspended", "expelled"])
def test_suspension_and_expulsion_revoke_the_partners_tokens_but_not_others(example, make_partner, token_for,
                                                                           staff_user, status):
    partner, admin, analyst = example
    _, other_admin, _ = make_partner("Other IPS")
    mine, others, staff = token_for(analyst), token_for(other_admin), token_for(staff_user)
    token_for(admin)
    set_status(partner, status, reason="leak", actor=ACTOR)
    assert not ApiToken.objects.filter(user__partner=partner, revoked_at__isnull=True).exists()
    assert me(mine) == 401 and me(others) == 200 and me(staff) == 200
    events = AuditEvent.objects.filter(action="token.revoke")
    assert sorted(e.object_id for e in events) == sorted([admin.email, analyst.email])
    assert {e.details["reason"] for e in events} == {f"partner-{status}"}


def test_the_admin_cannot_unrevoke_a_token(example, token_for, staff_user, run_cli):
    _, _, analyst = example
    token = token_for(analyst)
    record = ApiToken.objects.get(user=analyst)
    assert run_cli("token", "revoke", str(record.pk)).code == 0
    admin = Client()
    admin.force_login(staff_user)
    url = f"/admin/accounts/apitoken/{record.pk}/change/"
    assert admin.get(url).status_code == 200  # staff may look
    response = admin.post(url, {"revoked_at_0": "", "revoked_at_1": "", "expires_at_0": "2099-01-01",
                                "expires_at_1": "00:00:00"})
    assert response.status_code == 403
    assert ApiToken.objects.get(pk=record.pk).revoked_at is not None and me(token) == 401
