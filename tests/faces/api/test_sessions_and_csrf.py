"""Browsers use their session and must send the CSRF token; anonymous callers get 401."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_partner):  # type: ignore[no-untyped-def]
    return make_partner("Example AV", accept=False)[1]


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_a_session_get_needs_no_csrf_token(admin):
    assert signed_in(admin).get("/api/v1/me").json()["email"] == admin.email


def test_a_session_post_without_csrf_token_is_refused(admin):
    response = signed_in(admin).post("/api/v1/nda/accept")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert signed_in(admin).get("/api/v1/me").json()["nda_accepted"] is False


def test_a_session_post_with_the_csrf_token_is_accepted(admin):
    client = signed_in(admin)
    client.get("/login/")  # any page with a form sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post("/api/v1/nda/accept", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200 and response.json()["user"] == admin.email


@pytest.mark.parametrize("method, url", [("get", "/api/v1/me"), ("get", "/api/v1/advisories"),
                                         ("post", "/api/v1/nda/accept"), ("post", "/api/v1/partners")])
def test_anonymous_callers_get_401_with_a_json_detail(program, method, url):
    response = getattr(Client(enforce_csrf_checks=True), method)(url)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_a_script_with_a_revoked_or_wrong_token_gets_401_on_post_too(program):
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION="Bearer hs_revoked")
    assert client.post("/api/v1/nda/accept").status_code == 401


def test_a_bearer_token_needs_no_csrf_token(admin, token_for):
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {token_for(admin)}")
    assert client.post("/api/v1/nda/accept").status_code == 200
