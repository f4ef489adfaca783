"""The API face of investigations: staff submit material and read the result and the report;
expulsion through the API links an existing investigation and refuses an unknown one."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup
from investigation_helpers import accused, zip_bytes

from headstart.apps.audit.models import AuditEvent
from headstart.apps.partners.models import PartnerStatusChange
from headstart.leaks.text import markdown_to_html

pytestmark = pytest.mark.django_db
LEAKER = "Alpha AV"


def upload(client, files: dict[str, bytes], **fields):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"files": [SimpleUploadedFile(name, content) for name, content in files.items()], **fields}
    return client.post("/api/v1/investigations", data)


def test_staff_submit_files_and_text_and_read_the_result_and_the_report(delivered, staff_user, api_client):
    client = api_client(staff_user)
    page = markdown_to_html(delivered.text(LEAKER, "writeup.md"))
    response = upload(client, {"thread.html": page.encode()}, text=delivered.text(LEAKER, "poc_tim_overflow.py"))
    assert response.status_code == 201, response.content
    result = response.json()
    assert accused(result) == [LEAKER]
    assert {i["name"] for i in result["inputs"]} == {"thread.html", "pasted text"}

    shown = client.get(f"/api/v1/investigations/{result['investigation']}")
    assert shown.status_code == 200 and shown.json() == result
    report = client.get(f"/api/v1/investigations/{result['investigation']}/report")
    assert report.status_code == 200 and report["Content-Type"].startswith("text/html")
    assert "style-src 'unsafe-inline'" in report["Content-Security-Policy"]
    embedded = BeautifulSoup(report.content, "html.parser").find("script", id="investigation-data").string
    assert json.loads(embedded) == result
    views = AuditEvent.objects.filter(object_id=result["investigation"], actor=staff_user.email)
    assert {e.action for e in views} == {"investigation.run", "investigation.view.result", "investigation.view.report"}


def test_partners_may_not_investigate_or_read_investigations(delivered, api_client, staff_user):
    partner_user = delivered.partners["Bravo IPS"].admin
    assert upload(api_client(partner_user), {"a.txt": b"hello"}).status_code == 403
    created = upload(api_client(staff_user), {"a.txt": b"hello there, nothing related"}).json()
    assert api_client(partner_user).get(f"/api/v1/investigations/{created['investigation']}").status_code == 403
    assert api_client().get(f"/api/v1/investigations/{created['investigation']}").status_code == 401


def test_bad_material_gets_a_clear_error_and_unknown_investigations_are_not_found(delivered, staff_user, api_client):
    client = api_client(staff_user)
    refused = upload(client, {"evil.zip": zip_bytes({"../../etc/cron.d/x": b"* * * * * root sh"})})
    assert refused.status_code == 400 and "path traversal" in refused.json()["detail"]
    assert upload(client, {}).status_code == 400
    unknown = upload(client, {"a.txt": b"x"}, advisory="HS-1999-0001")
    assert unknown.status_code == 404 and "unknown advisory" in unknown.json()["detail"]
    assert client.get("/api/v1/investigations/INV-99999").status_code == 404


def test_expelling_through_the_api_links_an_existing_investigation_and_refuses_an_unknown_one(
        delivered, staff_user, api_client):
    client = api_client(staff_user)
    leaker_client = api_client(delivered.partners[LEAKER].analyst)
    assert leaker_client.get("/api/v1/me").status_code == 200
    result = upload(client, {"w.md": delivered.copy(LEAKER, "writeup.md")}).json()
    refused = client.post(f"/api/v1/partners/{LEAKER}/expel", {"reason": "leak", "investigation": "INV-99999"},
                          content_type="application/json")
    assert refused.status_code == 404 and "unknown investigation" in refused.json()["detail"]
    assert delivered.partners[LEAKER].partner.__class__.objects.get(name=LEAKER).status == "active"
    done = client.post(f"/api/v1/partners/{LEAKER}/expel",
                       {"reason": "leaked HS-2026-0001", "investigation": result["investigation"]},
                       content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "expelled"
    change = PartnerStatusChange.objects.filter(partner__name=LEAKER).latest("at")
    assert change.investigation_ref == result["investigation"]
    assert leaker_client.get("/api/v1/me").status_code == 401  # the partner's token died with the expulsion
    event = AuditEvent.objects.filter(action="partner.expel", object_id=LEAKER).get()
    assert event.details["investigation"] == result["investigation"]
