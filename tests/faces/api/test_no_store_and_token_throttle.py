"""Confidential responses carry Cache-Control: no-store; refused tokens are throttled per IP.

Through Django's test Client: every API response (successes and errors alike) and every page
shown to a signed-in user says no-store. After
HEADSTART_TOKEN_REFUSAL_LIMIT refused tokens from one IP address, every bearer token from
there gets 429 (with Retry-After) for a while, while other addresses are served."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ATTACKER, PARTNER = "198.51.100.7", "203.0.113.9"


@pytest.fixture
def world(make_partner, make_advisory):  # type: ignore[no-untyped-def]
    analyst = make_partner("Example AV")[2]
    return analyst, make_advisory()


def no_store(response) -> bool:  # type: ignore[no-untyped-def]
    return "no-store" in response.get("Cache-Control", "")


def test_every_api_response_says_no_store(world, token_for):
    analyst, advisory = world
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(analyst)}")
    for url in ("/api/v1/me", "/api/v1/advisories", f"/api/v1/advisories/{advisory.ident}",
                f"/api/v1/advisories/{advisory.ident}/artifacts", "/api/v1/advisories/HS-1999-0001"):
        response = client.get(url)
        assert no_store(response), (url, response.status_code)
    refused = Client().get("/api/v1/advisories")
    assert refused.status_code == 401 and no_store(refused)


def test_every_portal_page_for_a_signed_in_user_says_no_store(world):
    analyst, advisory = world
    client = Client()
    client.force_login(analyst)
    for url in ("/", f"/advisories/{advisory.ident}/", "/nda/", "/advisories/HS-1999-0001/"):
        response = client.get(url)
        assert no_store(response), (url, response.status_code)


def test_refused_tokens_from_one_ip_get_429_for_a_while(world, token_for, settings):
    analyst, _ = world
    settings.HEADSTART_TOKEN_REFUSAL_LIMIT = 5
    good = token_for(analyst)
    attacker = Client(REMOTE_ADDR=ATTACKER)
    codes = [attacker.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer hs_guess{n}").status_code for n in range(8)]
    assert codes == [401] * 5 + [429] * 3
    throttled = attacker.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {good}")
    assert throttled.status_code == 429 and int(throttled["Retry-After"]) == settings.HEADSTART_TOKEN_REFUSAL_MINUTES * 60
    assert "too many refused tokens" in throttled.json()["detail"]
    # Another address with the same good token is served.
    assert Client(REMOTE_ADDR=PARTNER, HTTP_AUTHORIZATION=f"Bearer {good}").get("/api/v1/me").status_code == 200


def test_a_few_refusals_do_not_throttle_a_good_token(world, token_for):
    analyst, _ = world
    good = token_for(analyst)
    client = Client(REMOTE_ADDR=PARTNER)
    for n in range(3):
        assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer hs_typo{n}").status_code == 401
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {good}").status_code == 200
