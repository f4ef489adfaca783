"""Every account signs in with a password and a second factor (TOTP, security key, recovery code).

Through Django's test Client against the real pages: /login/, allauth's second step
(/accounts/2fa/authenticate/) and enrolment (/accounts/2fa/...). Codes are computed from the
secret (RFC 6238, tests/mfa_helpers.py), never bypassed."""

from __future__ import annotations

import json
import re

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from mfa_helpers import enrol_totp, secret_from_enrolment_page, sign_in, sign_in_with_password, totp

from headstart.apps.accounts.services import set_password
from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.services import Actor, verify

pytestmark = pytest.mark.django_db

ACTOR = Actor(name="test:staff")
PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def analyst(make_partner, make_advisory):  # type: ignore[no-untyped-def]
    user = make_partner("Example AV")[2]
    set_password(user.email, PASSWORD, actor=ACTOR)
    make_advisory()
    user.refresh_from_db()  # the password as stored
    return user


@pytest.fixture
def staff(staff_user):  # type: ignore[no-untyped-def]
    set_password(staff_user.email, PASSWORD, actor=ACTOR)
    staff_user.refresh_from_db()
    return staff_user


def no_inline_script(html: str) -> bool:
    """Every script is a file (src) or data (JSON), as the CSP (script-src 'self') requires."""
    tags = re.findall(r"<script\b[^>]*>", html)
    return all("src=" in tag or 'type="application/json"' in tag for tag in tags)


def actions_since(seq: int) -> list[str]:
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq").values_list("action", flat=True))


def last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


@pytest.mark.parametrize("path", ["/", "/nda/", "/advisories/HS-2026-0001/", "/admin/", "/accounts/password/change/"])
def test_a_user_with_a_password_only_is_sent_to_enrol_from_every_page(analyst, path):
    client = Client()
    assert sign_in_with_password(client, analyst.email, PASSWORD).status_code == 302
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/"


def test_a_user_with_a_password_only_gets_401_from_the_session_api(analyst):
    client = Client()
    sign_in_with_password(client, analyst.email, PASSWORD)
    assert client.get("/api/v1/advisories").status_code == 401


def test_an_enrolled_user_with_a_password_only_is_not_signed_in(analyst):
    _secret, _codes = enrol_totp(analyst)
    client = Client()
    response = sign_in_with_password(client, analyst.email, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    for path in ("/", "/admin/", "/api/v1/advisories"):
        assert client.get(path).status_code in (302, 401)
    assert "_auth_user_id" not in client.session


def test_first_sign_in_enrols_totp_and_shows_the_recovery_codes_once(analyst, django_capture_on_commit_callbacks):
    client = Client()
    sign_in_with_password(client, analyst.email, PASSWORD)
    assert client.get("/").status_code == 302
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    html = page.content.decode()
    assert no_inline_script(html) and "otpauth://totp/" in html
    secret = secret_from_enrolment_page(html)
    first = last_seq()
    # allauth signals a change of second factor (audited) once it is committed.
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post("/accounts/2fa/totp/activate/", {"code": totp(secret)})
    assert done.status_code == 302 and done["Location"] == "/accounts/2fa/recovery-codes/"
    codes_response = client.get("/accounts/2fa/recovery-codes/")
    assert codes_response.status_code == 200, codes_response.get("Location")
    codes_page = codes_response.content.decode()
    assert "shown only" in codes_page
    codes = Authenticator.objects.get(user=analyst, type="recovery_codes").wrap().get_unused_codes()
    assert all(code in codes_page for code in codes)
    # Shown once: the next visit lists how many are left, not the codes.
    again = client.get("/accounts/2fa/recovery-codes/").content.decode()
    assert not any(code in again for code in codes)
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/advisories").status_code == 200
    assert "auth.mfa_added" in actions_since(first)


def test_a_wrong_enrolment_code_enrols_nothing(analyst):
    client = Client()
    sign_in_with_password(client, analyst.email, PASSWORD)
    client.get("/accounts/2fa/totp/activate/")
    page = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert page.status_code == 200 and "That code is not right" in page.content.decode()
    assert not Authenticator.objects.filter(user=analyst).exists()
    assert client.get("/").status_code == 302


def test_sign_in_with_a_totp_code_computed_from_the_secret(analyst):
    secret, _codes = enrol_totp(analyst)
    client = Client()
    first = last_seq()
    response = sign_in(client, analyst.email, PASSWORD, secret)
    assert response.status_code == 302 and response["Location"] == "/"
    assert actions_since(first) == ["auth.mfa_passed", "auth.login"]
    login = AuditEvent.objects.get(seq__gt=first, action="auth.login")
    assert (login.object_id, login.details["second_factor"], login.details["path"]) == (
        analyst.email, "totp", "/accounts/2fa/authenticate/")
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/advisories").status_code == 200


def test_a_wrong_code_is_refused_in_the_page_and_audited(analyst):
    secret, _codes = enrol_totp(analyst)
    client = Client()
    sign_in_with_password(client, analyst.email, PASSWORD)
    first = last_seq()
    wrong = "000000" if totp(secret) != "000000" else "111111"
    page = client.post("/accounts/2fa/authenticate/", {"code": wrong})
    assert page.status_code == 200 and "That code is not right" in page.content.decode()
    assert "_auth_user_id" not in client.session
    assert actions_since(first) == ["auth.mfa_failed"]
    event = AuditEvent.objects.get(seq__gt=first)
    assert wrong not in json.dumps(event.details) and event.object_id == analyst.email


def test_a_replayed_totp_code_is_refused_and_audited(analyst):
    secret, _codes = enrol_totp(analyst)
    code = totp(secret)
    assert sign_in(Client(), analyst.email, PASSWORD, secret).status_code == 302
    replay = Client()
    sign_in_with_password(replay, analyst.email, PASSWORD)
    first = last_seq()
    page = replay.post("/accounts/2fa/authenticate/", {"code": code})
    assert page.status_code == 200 and "has been used already" in page.content.decode()
    assert "_auth_user_id" not in replay.session
    assert actions_since(first) == ["auth.mfa_replayed"]


def test_a_recovery_code_signs_in_once(analyst):
    _secret, codes = enrol_totp(analyst)
    client = Client()
    sign_in_with_password(client, analyst.email, PASSWORD)
    assert client.post("/accounts/2fa/authenticate/", {"code": codes[0]}).status_code == 302
    assert client.get("/").status_code == 200
    again = Client()
    sign_in_with_password(again, analyst.email, PASSWORD)
    page = again.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert page.status_code == 200 and "_auth_user_id" not in again.session
    assert again.post("/accounts/2fa/authenticate/", {"code": codes[1]}).status_code == 302


def test_the_admin_sign_in_form_is_not_a_way_around_the_second_factor(staff):
    enrol_totp(staff)
    client = Client()
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    posted = client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})
    assert posted.status_code == 302 and "_auth_user_id" not in client.session


def test_a_session_signed_in_without_the_second_factor_is_signed_out(staff, client):
    """Any other login() (here Django's own, as a plug-in might call it) does not pass the rule."""
    from django.test.client import ClientMixin

    enrol_totp(staff)
    ClientMixin.force_login(client, staff)  # Django's own, not the tests' (conftest.py)
    first = last_seq()
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session
    assert "auth.mfa_missing" in actions_since(first)


def test_the_last_second_factor_cannot_be_removed(analyst):
    secret, _codes = enrol_totp(analyst)
    client = Client()
    sign_in(client, analyst.email, PASSWORD, secret)
    assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302
    page = client.post("/accounts/2fa/totp/deactivate/", {})
    assert page.status_code == 200 and "This is your only second factor" in page.content.decode()
    assert Authenticator.objects.filter(user=analyst, type="totp").exists()


def test_with_a_security_key_as_well_the_app_may_be_removed_and_that_is_audited(analyst,
                                                                               django_capture_on_commit_callbacks):
    secret, _codes = enrol_totp(analyst)
    # A key's record as allauth keeps it (its credential is not read when another factor goes).
    Authenticator.objects.create(user=analyst, type=Authenticator.Type.WEBAUTHN,
                                 data={"name": "Master key", "credential": {}})
    client = Client()
    sign_in(client, analyst.email, PASSWORD, secret)
    assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302
    first = last_seq()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/2fa/totp/deactivate/", {})
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=analyst, type="totp").exists()
    event = AuditEvent.objects.get(seq__gt=first, action="auth.mfa_removed")
    assert (event.object_id, event.details["kind"]) == (analyst.email, "totp")
    assert secret not in json.dumps(event.details)


def test_regenerating_recovery_codes_is_audited(analyst, django_capture_on_commit_callbacks):
    secret, codes = enrol_totp(analyst)
    client = Client()
    sign_in(client, analyst.email, PASSWORD, secret)
    # A change of second factor asks for the password again first.
    assert client.post("/accounts/2fa/recovery-codes/generate/", {})["Location"].startswith("/accounts/reauthenticate/")
    assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302
    first = last_seq()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/2fa/recovery-codes/generate/", {})
    assert response.status_code == 302
    assert actions_since(first) == ["auth.mfa_recovery_codes_regenerated"]
    fresh = Authenticator.objects.get(user=analyst, type="recovery_codes").wrap().get_unused_codes()
    assert not set(fresh) & set(codes)
    assert verify().ok


def test_api_tokens_are_unaffected_by_the_second_factor(analyst):
    from headstart.apps.accounts.services import create_token

    _record, token = create_token(analyst, actor=ACTOR)
    assert Client().get("/api/v1/advisories", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def test_staff_sign_in_through_to_the_admin(staff):
    secret, _codes = enrol_totp(staff)
    client = Client()
    form = client.get("/login/?next=/admin/").content.decode()
    assert 'name="next" value="/admin/"' in form
    response = sign_in(client, staff.email, PASSWORD, secret, next_url="/admin/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


SIGNED_IN_PAGES = ["/accounts/2fa/", "/accounts/2fa/webauthn/", "/accounts/2fa/webauthn/add/",
                   "/accounts/2fa/recovery-codes/generate/", "/accounts/2fa/totp/deactivate/",
                   "/accounts/reauthenticate/", "/accounts/2fa/reauthenticate/", "/accounts/password/change/",
                   "/logout/"]
ANONYMOUS_PAGES = ["/login/", "/accounts/password/reset/", "/accounts/password/reset/done/",
                   "/accounts/password/reset/key/done/"]


def test_every_sign_in_page_opens_in_the_portal_layout_without_inline_script(analyst):
    secret, _codes = enrol_totp(analyst)
    for path in ANONYMOUS_PAGES:
        response = Client().get(path)
        html = response.content.decode()
        assert response.status_code == 200 and "Headstart" in html and no_inline_script(html), path
    client = Client()
    sign_in(client, analyst.email, PASSWORD, secret)
    assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302
    for path in SIGNED_IN_PAGES:
        response = client.get(path)
        html = response.content.decode()
        assert response.status_code == 200 and "Headstart" in html and no_inline_script(html), path
    # Pages Headstart does not offer: no self sign-up, no e-mail management.
    for path in ("/accounts/signup/", "/accounts/email/", "/accounts/login/code/"):
        assert client.get(path).status_code == 404, path


def test_the_totp_secret_and_the_recovery_codes_are_not_in_the_database_in_clear(analyst, stored_text):
    secret, codes = enrol_totp(analyst)
    stored = stored_text()
    assert secret not in stored and not any(code in stored for code in codes)
    totp_data = Authenticator.objects.get(user=analyst, type="totp").data
    codes_data = Authenticator.objects.get(user=analyst, type="recovery_codes").data
    assert totp_data["secret"].startswith("hs1:") and codes_data["seed"].startswith("hs1:")
    # ...and still work: the adapter opens them again.
    assert sign_in(Client(), analyst.email, PASSWORD, secret).status_code == 302


def test_five_wrong_codes_lock_the_second_step_even_for_the_right_code(analyst):
    secret, _codes = enrol_totp(analyst)
    wrong = "000000" if totp(secret) != "000000" else "111111"
    for attempt in range(5):
        # From a new browser each time, and so from a fresh sign-in: the count is the user's.
        client = Client(REMOTE_ADDR=f"198.51.100.{attempt}")
        sign_in_with_password(client, analyst.email, PASSWORD)
        assert "That code is not right" in client.post("/accounts/2fa/authenticate/", {"code": wrong}).content.decode()
    client = Client()
    sign_in_with_password(client, analyst.email, PASSWORD)
    first = last_seq()
    page = client.post("/accounts/2fa/authenticate/", {"code": totp(secret)})
    assert page.status_code == 200 and "Too many wrong codes" in page.content.decode()
    assert "_auth_user_id" not in client.session
    assert actions_since(first) == ["auth.mfa_lockout"]
