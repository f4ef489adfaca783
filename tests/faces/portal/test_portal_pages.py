"""The portal applies the same rules as the API: window, NDA and entitlements."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from headstart.apps.partners.models import NdaAcceptance

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


@pytest.fixture
def advisories(make_advisory):  # type: ignore[no-untyped-def]
    return (make_advisory("HS-2026-0001", patch_in=dt.timedelta(hours=12), trigger_spec=True),
            make_advisory("HS-2026-0002", patch_in=dt.timedelta(hours=100)))


def test_anonymous_visitors_are_sent_to_sign_in(program):
    for url in ("/", "/nda/", "/advisories/HS-2026-0001/"):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_home_lists_only_advisories_whose_window_is_open(make_partner, advisories):
    _, _, analyst = make_partner("Example AV", "advanced")
    page = signed_in(analyst).get("/").content.decode()
    assert "HS-2026-0001" in page and "HS-2026-0002" not in page


def test_an_advisory_outside_the_window_is_not_found(make_partner, advisories):
    _, _, analyst = make_partner("Example AV", "advanced")
    assert signed_in(analyst).get("/advisories/HS-2026-0002/").status_code == 404


def test_an_entry_tier_page_never_names_poc_or_trigger_artifacts(make_partner, advisories):
    _, _, analyst = make_partner("Contoso EDR", "entry")
    page = signed_in(analyst).get("/advisories/HS-2026-0001/").content.decode()
    assert "writeup.md" in page and "guidance.md" in page
    assert "poc.py" not in page and "trigger.yaml" not in page


def test_without_the_nda_the_home_page_asks_the_admin_to_accept(make_partner, advisories):
    _, admin, analyst = make_partner("Example AV", "advanced", accept=False)
    admin_page = signed_in(admin).get("/").content.decode()
    assert "Read and accept the NDA" in admin_page and "HS-2026-0001" not in admin_page
    assert "Ask your partner admin" in signed_in(analyst).get("/").content.decode()


def test_the_admin_accepts_the_nda_in_the_portal_with_the_csrf_token(make_partner, advisories):
    _, admin, _ = make_partner("Example AV", "advanced", accept=False)
    client = signed_in(admin)
    client.get("/nda/")
    assert client.post("/nda/").status_code == 403  # no CSRF token
    response = client.post("/nda/", {"csrfmiddlewaretoken": client.cookies["csrftoken"].value},
                           REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302
    assert "HS-2026-0001" in client.get("/").content.decode()
    acceptance = NdaAcceptance.objects.get(user=admin)
    assert (acceptance.nda.version, acceptance.ip) == (1, "203.0.113.9")


def test_an_analyst_accepting_in_the_portal_is_told_why_not(make_partner, advisories):
    _, _, analyst = make_partner("Example AV", "advanced", accept=False)
    client = signed_in(analyst)
    client.get("/nda/")
    page = client.post("/nda/", {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert page.status_code == 200 and "only a partner admin" in page.content.decode()


def test_pages_carry_the_security_headers(make_partner, advisories):
    _, _, analyst = make_partner("Example AV", "advanced")
    response = signed_in(analyst).get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.production_password_hashing
def test_a_partner_user_signs_in_with_an_argon2_hashed_password(make_partner, advisories):
    from mfa_helpers import enrol_totp, sign_in

    from headstart.apps.accounts.services import add_user
    from headstart.apps.audit.services import Actor

    partner, _, _ = make_partner("Example AV", "advanced")
    user = add_user("reader@example-av.example", actor=Actor("test:staff"), partner=partner, role="analyst",
                    password="correct horse battery staple")
    assert user.password.startswith("argon2")
    client = Client()
    assert client.post("/login/", {"username": user.email, "password": "wrong password here"}).status_code == 200
    secret, _codes = enrol_totp(user)
    response = sign_in(client, user.email, "correct horse battery staple", secret)
    assert response.status_code == 302
    assert "HS-2026-0001" in client.get("/").content.decode()


def test_a_package_downloaded_in_the_portal_is_recorded_by_the_portal_route(make_keyed_partner, sample_advisory):
    from headstart.apps.delivery.models import Delivery, Route

    keyed = make_keyed_partner("Browser AV")
    advisory = sample_advisory()
    response = signed_in(keyed.analyst).get(f"/advisories/{advisory.ident}/package")
    assert response.status_code == 200
    assert {(d.route, d.by) for d in Delivery.objects.filter(copy__partner=keyed.partner)} == {
        (Route.PORTAL, keyed.analyst.email)}
