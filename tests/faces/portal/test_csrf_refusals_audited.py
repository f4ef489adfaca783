"""A refused CSRF check is a security event: one audit event (page, method, user, address,
Django's reason; never the body or the cookies), at most one per address a minute, and the same
403 as before; nothing changes. Each test posts from its own address (REMOTE_ADDR), as the
per-minute limit lives in the shared cache."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.services import verify

pytestmark = pytest.mark.django_db

SECRET = "a secret typed into the forged form 1234"


def signed_in(user, ip: str) -> Client:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=ip)
    client.force_login(user)
    client.get("/nda/")  # sets the CSRF cookie
    return client


def refusals():  # type: ignore[no-untyped-def]
    return AuditEvent.objects.filter(action="security.csrf_refused")


def test_a_form_posted_without_its_token_is_refused_audited_and_changes_nothing(make_partner):
    _, admin, _ = make_partner("Example AV", accept=False)
    client = signed_in(admin, "198.51.100.7")
    response = client.post("/nda/", {"note": SECRET})
    assert response.status_code == 403 and "Form expired" in response.content.decode()
    assert admin.partner.nda_acceptances.count() == 0
    event = refusals().get()
    assert (event.actor, event.partner, event.ip, event.object_id) == (admin.email, "Example AV", "198.51.100.7",
                                                                        "/nda/")
    assert event.details == {"path": "/nda/", "method": "POST", "reason": "CSRF token missing."}
    stored = json.dumps(event.details) + event.object_id
    assert SECRET not in stored and client.cookies["csrftoken"].value not in stored
    assert client.cookies["sessionid"].value not in stored
    assert verify().ok


def test_a_second_refusal_from_the_same_address_within_the_minute_writes_nothing(make_partner):
    _, admin, analyst = make_partner("Example AV", accept=False)
    signed_in(admin, "198.51.100.8").post("/nda/")
    again = signed_in(analyst, "198.51.100.8").post("/nda/")
    assert again.status_code == 403 and "Form expired" in again.content.decode()
    assert refusals().count() == 1
    signed_in(analyst, "198.51.100.9").post("/nda/")  # another address is its own count
    assert list(refusals().order_by("seq").values_list("ip", flat=True)) == ["198.51.100.8", "198.51.100.9"]


def test_a_form_with_the_right_token_writes_no_refusal(make_partner):
    _, admin, _ = make_partner("Example AV", accept=False)
    client = signed_in(admin, "198.51.100.10")
    response = client.post("/nda/", {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert response.status_code == 302
    assert admin.partner.nda_acceptances.count() == 1
    assert not refusals().exists()


def test_an_anonymous_sign_in_post_without_its_token_is_audited_without_a_user(program):
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="198.51.100.11")
    response = client.post("/login/", {"login": "someone@example.example", "password": SECRET})
    assert response.status_code == 403
    event = refusals().get()
    assert (event.actor, event.partner, event.ip) == ("anonymous", "", "198.51.100.11")
    assert event.details["reason"] == "CSRF cookie not set."
    assert SECRET not in json.dumps(event.details) and "someone@" not in json.dumps(event.details)


def test_a_session_api_call_without_its_token_is_still_a_json_403_and_audited(make_partner):
    _, admin, _ = make_partner("Example AV", accept=False)
    client = signed_in(admin, "198.51.100.12")
    response = client.post("/api/v1/nda/accept")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    assert admin.partner.nda_acceptances.count() == 0
    event = refusals().get()
    assert (event.actor, event.object_id, event.details["method"]) == (admin.email, "/api/v1/nda/accept", "POST")
