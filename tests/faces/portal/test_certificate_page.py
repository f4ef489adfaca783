"""My partner's OpenPGP certificate: everyone of the partner sees its fingerprint and expiry;
its admin uploads a new one, checked as `partner add --pgp-cert` checks it."""

from __future__ import annotations

import datetime as dt

import pysequoia
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from people_helpers import signed_in

from headstart.apps.audit.models import AuditEvent
from headstart.apps.partners.certificates import MAX_CERTIFICATE_BYTES
from headstart.apps.partners.models import Partner

pytestmark = pytest.mark.django_db


def new_key(name: str = "Example AV", **kwargs):  # type: ignore[no-untyped-def]
    return pysequoia.Tsk.generate(user_id=f"{name} <sec@example.com>", profile=pysequoia.Profile.RFC4880, **kwargs)


def upload(client, content: bytes, name: str = "cert.asc"):  # type: ignore[no-untyped-def]
    return client.post("/team/certificate/", {"certificate": SimpleUploadedFile(name, content),
                                              "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def test_the_admin_uploads_a_certificate_and_sees_its_fingerprint(make_partner):
    partner, admin, _ = make_partner("Example AV")
    cert = new_key().extract_certificate()
    client = signed_in(admin)
    assert upload(client, str(cert).encode()).status_code == 302
    fingerprint = str(cert.fingerprint).upper()
    partner.refresh_from_db()
    assert partner.pgp_fingerprint == fingerprint
    assert fingerprint in client.get("/team/certificate/").content.decode()
    event = AuditEvent.objects.get(action="partner.certificate")
    assert (event.actor, event.object_id, event.details["pgp_fingerprint"]) == (admin.email, "Example AV", fingerprint)


def test_a_binary_certificate_is_accepted_and_its_expiry_shown(make_partner):
    partner, admin, _ = make_partner("Example AV")
    cert = new_key(validity_seconds=400 * 86400).extract_certificate()
    assert upload(signed_in(admin), bytes(cert), "cert.gpg").status_code == 302
    partner.refresh_from_db()
    assert partner.pgp_expires_at is not None
    page = signed_in(admin).get("/team/certificate/").content.decode()
    assert partner.pgp_expires_at.astimezone(dt.UTC).strftime("%Y-%m-%d") in page


@pytest.mark.parametrize(("content", "message"), [
    (b"not a certificate at all", "not an OpenPGP certificate"),
    (b"", "empty"),
    (b"x" * (MAX_CERTIFICATE_BYTES + 1), "a certificate is at most"),
])
def test_a_bad_file_gets_a_clear_error_and_changes_nothing(make_partner, content, message):
    partner, admin, _ = make_partner("Example AV")
    response = upload(signed_in(admin), content)
    assert response.status_code == 400 and message in response.content.decode()
    assert Partner.objects.get(pk=partner.pk).pgp_fingerprint == ""
    assert not AuditEvent.objects.filter(action="partner.certificate").exists()


def test_a_secret_key_is_refused(make_partner):
    partner, admin, _ = make_partner("Example AV")
    response = upload(signed_in(admin), str(new_key()).encode())
    assert response.status_code == 400 and "this is a secret key" in response.content.decode()
    assert Partner.objects.get(pk=partner.pk).pgp_fingerprint == ""


def test_an_analyst_sees_the_certificate_but_cannot_replace_it(make_partner):
    partner, _, analyst = make_partner("Example AV")
    client = signed_in(analyst)
    page = client.get("/team/certificate/")
    assert page.status_code == 200 and "Only your partner admins replace" in page.content.decode()
    assert upload(client, str(new_key().extract_certificate()).encode()).status_code == 403
    assert Partner.objects.get(pk=partner.pk).pgp_fingerprint == ""


def test_staff_have_no_partner_certificate_page(staff_user):
    assert signed_in(staff_user).get("/team/certificate/").status_code == 404
