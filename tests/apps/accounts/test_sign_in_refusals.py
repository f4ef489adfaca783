"""A user who may not act is told why at sign-in and gets no session; a sign-in post without
its CSRF token changes nothing.

Through Django's test Client against the real sign-in page."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from mfa_helpers import enrol_totp, fresh_recovery_code, sign_in_with_password, totp

from headstart.apps.accounts.services import set_password
from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.services import Actor
from headstart.apps.partners.services import set_status

pytestmark = pytest.mark.django_db

ACTOR = Actor(name="test:staff")
PASSWORD = "correct horse battery staple 42"
WRONG = "wrong horse battery staple 43"


@pytest.fixture
def partner_and_analyst(make_partner):  # type: ignore[no-untyped-def]
    partner, _admin, analyst = make_partner("Example AV")
    set_password(analyst.email, PASSWORD, actor=ACTOR)
    analyst.refresh_from_db()
    return partner, analyst


@pytest.mark.parametrize("status, words", [("suspended", "is suspended from the program"),
                                           ("expelled", "has been expelled from the program")])
def test_a_suspended_or_expelled_partners_user_is_told_why_and_gets_no_session(partner_and_analyst, status, words):
    partner, analyst = partner_and_analyst
    enrol_totp(analyst)
    set_status(partner, status, reason="leak investigation 7", actor=ACTOR)
    client = Client()
    first = AuditEvent.objects.order_by("-seq").first().seq
    response = sign_in_with_password(client, analyst.email, PASSWORD)
    page = " ".join(response.content.decode().split())
    assert response.status_code == 403 and "Example AV" in page and words in page
    assert "leak investigation 7" not in page  # staff's reason is theirs
    assert "_auth_user_id" not in client.session
    # No second step either: the sign-in was cleared.
    assert client.get("/accounts/2fa/authenticate/").status_code == 302
    assert client.get("/").status_code == 302
    event = AuditEvent.objects.get(seq__gt=first, action="auth.login_refused")
    assert (event.object_id, event.details["reason"]) == (analyst.email, f"partner-{status}")


def test_a_wrong_password_for_a_suspended_partners_user_says_nothing_of_the_partner(partner_and_analyst):
    partner, analyst = partner_and_analyst
    set_status(partner, "suspended", reason="unpaid fees", actor=ACTOR)
    response = sign_in_with_password(Client(), analyst.email, WRONG)
    page = response.content.decode()
    assert response.status_code == 200 and "did not match" in page and "suspended" not in page


def test_a_sign_in_post_without_its_csrf_token_is_refused_and_signs_nobody_in(partner_and_analyst):
    _partner, analyst = partner_and_analyst
    client = Client(enforce_csrf_checks=True)
    response = sign_in_with_password(client, analyst.email, PASSWORD)
    assert response.status_code == 403 and "_auth_user_id" not in client.session
    assert not AuditEvent.objects.filter(action="auth.login").exists()


def test_a_second_factor_post_without_its_csrf_token_changes_nothing(partner_and_analyst):
    _partner, analyst = partner_and_analyst
    code = fresh_recovery_code(analyst)
    client = Client(enforce_csrf_checks=True)
    page = client.get("/login/")
    token = page.cookies["csrftoken"].value
    first = client.post("/login/", {"username": analyst.email, "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert first["Location"] == "/accounts/2fa/authenticate/"
    refused = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert refused.status_code == 403 and "_auth_user_id" not in client.session
    unused = Authenticator.objects.get(user=analyst, type="recovery_codes").wrap().get_unused_codes()
    assert code in unused


def test_enrolling_without_the_csrf_token_enrols_nothing(partner_and_analyst):
    _partner, analyst = partner_and_analyst
    client = Client(enforce_csrf_checks=True)
    token = client.get("/login/").cookies["csrftoken"].value
    client.post("/login/", {"username": analyst.email, "password": PASSWORD, "csrfmiddlewaretoken": token})
    page = client.get("/accounts/2fa/totp/activate/").content.decode()
    from mfa_helpers import secret_from_enrolment_page

    refused = client.post("/accounts/2fa/totp/activate/", {"code": totp(secret_from_enrolment_page(page))})
    assert refused.status_code == 403
    assert not Authenticator.objects.filter(user=analyst).exists()
