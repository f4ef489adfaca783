"""Every bad input of the API: a 4xx with a one-line JSON {"detail": ...}, and nothing changed."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from headstart.apps.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

SIZE_LIMIT = 1024
FUTURE_ISO = (timezone.now() + dt.timedelta(days=3)).isoformat()


@pytest.fixture
def staff_api(make_partner, make_advisory, staff_user, api_client):  # type: ignore[no-untyped-def]
    make_partner("Example AV", "advanced")
    make_advisory("HS-2026-0001")
    return api_client(staff_user)


def partner(**fields: Any) -> dict[str, Any]:
    return {"data": json.dumps({"name": "New Co", "tier": "entry", **fields}), "content_type": "application/json"}


def tier(**fields: Any) -> dict[str, Any]:
    body = {"name": "gold", "lead_time": "48h", "entitlements": ["writeup"], **fields}
    return {"data": json.dumps(body), "content_type": "application/json"}


def advisory(*, writeup: bytes = b"# Write-up\n", **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"id": "HS-2026-0002", "title": "New overflow", "patch_at": FUTURE_ISO, **fields}
    data["writeup"] = SimpleUploadedFile("writeup.md", writeup)
    return {"data": data}


def reason(text: str) -> dict[str, Any]:
    return {"data": json.dumps({"reason": text}), "content_type": "application/json"}


CASES = [
    # (case, URL, body maker, status, what the detail says)
    ("unknown tier", "/partners", lambda pgp: partner(tier="platinum"), 404, "unknown tier 'platinum'"),
    ("duplicate partner", "/partners", lambda pgp: partner(name="Example AV"), 409, "already exists"),
    ("malformed e-mail", "/partners", lambda pgp: partner(email="nobody"), 400, "not a valid e-mail address"),
    ("expired certificate", "/partners", lambda pgp: partner(pgp_cert=pgp.expired_certificate), 400,
     "expired on 2020-01-02"),
    ("secret key as certificate", "/partners", lambda pgp: partner(pgp_cert=pgp.secret_key), 400,
     "this is a secret key"),
    ("secret key after some text", "/partners", lambda pgp: partner(pgp_cert="Our key:\n\n" + pgp.secret_key), 400,
     "this is a secret key"),
    ("secret key after a certificate", "/partners", lambda pgp: partner(pgp_cert=pgp.certificate + pgp.secret_key),
     400, "this is a secret key"),
    ("partner name with a bidi override", "/partners", lambda pgp: partner(name="New Co\u202egnp.exe"), 400,
     "U+202E"),
    ("partner name with a control character", "/partners", lambda pgp: partner(name="New\x1b[2JCo"), 400, "U+001B"),
    ("certificate without encryption key", "/partners", lambda pgp: partner(pgp_cert=pgp.sign_only_certificate),
     400, "no usable encryption key"),
    ("garbage certificate", "/partners", lambda pgp: partner(pgp_cert="garbage"), 400, "not an OpenPGP certificate"),
    ("duplicate tier", "/tiers", lambda pgp: tier(name="entry"), 409, "already exists"),
    ("malformed lead time", "/tiers", lambda pgp: tier(lead_time="soon"), 400, "is not a duration"),
    ("lead time over a year", "/tiers", lambda pgp: tier(lead_time="3000000d"), 400,
     "longer than the limit of 365 days"),
    ("unknown entitlement", "/tiers", lambda pgp: tier(entitlements=["exploits"]), 400, "unknown entitlement"),
    ("invalid CVSS vector", "/advisories", lambda pgp: advisory(cvss="CVSS:3.1/AV:X"), 400, "invalid CVSS vector"),
    ("patch time in the past", "/advisories", lambda pgp: advisory(patch_at="2020-01-01T00:00:00Z"), 400,
     "is in the past"),
    ("patch time without a time zone", "/advisories", lambda pgp: advisory(patch_at="2099-01-01T00:00:00"), 400,
     "has no time zone"),
    ("oversized artifact", "/advisories", lambda pgp: advisory(writeup=b"w" * (SIZE_LIMIT + 1)), 400,
     f"is {SIZE_LIMIT + 1} bytes; the limit is {SIZE_LIMIT} bytes"),
    ("title with a bidi override", "/advisories", lambda pgp: advisory(title="Fixed \u202edexif"), 400, "U+202E"),
    ("title with a byte order mark", "/advisories", lambda pgp: advisory(title="\ufeffNew overflow"), 400, "U+FEFF"),
    ("trigger specification not UTF-8", "/advisories",
     lambda pgp: advisory(trigger_spec=SimpleUploadedFile("t.yaml", b"meta: {id: x}\ndoc: \xff\n")), 400,
     "trigger specification t.yaml: the specification is not UTF-8 text"),
    ("trigger specification nested deep", "/advisories",
     lambda pgp: advisory(trigger_spec=SimpleUploadedFile("t.yaml", b"seq: " + b"[" * 500 + b"]" * 500)), 400,
     "nested more than 64 levels deep"),
    ("empty artifact", "/advisories", lambda pgp: advisory(writeup=b""), 400, "is empty"),
    ("duplicate advisory", "/advisories", lambda pgp: advisory(id="HS-2026-0001"), 409, "already exists"),
    ("unknown advisory (schedule)", "/advisories/HS-2099-0001/schedule", lambda pgp: {}, 404,
     "unknown advisory 'HS-2099-0001'"),
    ("unknown partner", "/partners/Nobody Inc/suspend", lambda pgp: reason("x"), 404, "unknown partner 'Nobody Inc'"),
    ("status change without a reason", "/partners/Example AV/suspend", lambda pgp: reason(" "), 400,
     "a reason is required"),
]


@pytest.mark.parametrize("url, body, status, says", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_bad_input_gets_a_4xx_with_a_one_line_detail_and_changes_nothing(staff_api, snapshot, settings, pgp,
                                                                          url, body, status, says):
    settings.HEADSTART_MAX_ARTIFACT_BYTES = SIZE_LIMIT
    before = snapshot()
    response = staff_api.post("/api/v1" + url, **body(pgp))
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["detail"]
    assert says in detail and "\n" not in detail
    assert snapshot() == before


def test_a_malformed_request_body_is_refused_with_a_json_detail(staff_api, snapshot):
    before = snapshot()
    for body in ('{"name": "New Co"', '{"name": "New Co"}', '["New Co", "entry"]'):
        response = staff_api.post("/api/v1/partners", data=body, content_type="application/json")
        assert 400 <= response.status_code < 500
        assert response.json()["detail"]
    assert snapshot() == before


def test_an_unknown_advisory_is_not_found_and_only_the_refusal_is_logged(staff_api, snapshot):
    before = snapshot()
    for url in ("/api/v1/advisories/HS-2099-0001", "/api/v1/advisories/HS-2099-0001/artifacts"):
        response = staff_api.get(url)
        assert response.status_code == 404
        assert response.json() == {"detail": "unknown advisory 'HS-2099-0001'"}
    after = snapshot()
    # Probing for advisories is evidence too: the only change is the refusals in the audit log.
    refusals = AuditEvent.objects.filter(action="advisory.view.refused", object_id="HS-2099-0001")
    assert refusals.count() == 2
    assert after["audit chain length"] == before["audit chain length"] + 2
    changed = {table for table in after if after[table] != before[table]}
    assert changed == {"audit_auditevent", "audit_audithead", "audit chain length"}
