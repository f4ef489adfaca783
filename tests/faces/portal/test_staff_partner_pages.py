"""Staff's partner pages: the list by tier and status, add, CSV import (all rows or none), and
suspend, expel, reinstate with a reason, through partners.services; partners' users get 404."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from factories import database_state
from people_helpers import post, signed_in

from headstart.apps.audit.models import AuditEvent
from headstart.apps.partners.models import Partner, PartnerStatusChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(staff_user):  # type: ignore[no-untyped-def]
    return signed_in(staff_user)


def test_the_list_shows_partners_by_tier_and_status_and_filters(staff, make_partner):
    make_partner("Example AV")
    make_partner("Entry Co", "entry")
    response = staff.get("/staff/partners/")
    assert response.status_code == 200
    summary = {row["tier"]: row["counts"] for row in response.context["summary"]}
    assert summary["advanced"][1] == 1 and summary["entry"][1] == 1  # one active partner each
    only_entry = staff.get("/staff/partners/", {"tier": "entry"})
    assert [p.name for p in only_entry.context["partners"]] == ["Entry Co"]
    assert staff.get("/staff/partners/", {"status": "suspended"}).context["partners"] == []


def test_the_list_costs_the_same_queries_for_any_number_of_partners(staff, make_partner):
    make_partner("Example AV")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff.get("/staff/partners/").status_code == 200
        return len(queries)

    few = count()
    for i in range(5):
        make_partner(f"Partner {i}")
    assert count() == few


def test_staff_add_a_partner_with_its_certificate_and_it_is_audited(staff, program, partner_key):
    cert = SimpleUploadedFile("cert.asc", partner_key("New Co").certificate.encode())
    response = post(staff, "/staff/partners/add", {"name": "New Co", "tier": "advanced",
                                                   "email": "sec@new.example", "pgp_cert": cert})
    partner = Partner.objects.get(name="New Co")
    assert response.status_code == 302 and response["Location"] == f"/staff/partners/{partner.pk}/"
    assert partner.pgp_fingerprint == partner_key("New Co").fingerprint
    assert AuditEvent.objects.filter(action="partner.add", object_id="New Co").count() == 1


def test_a_bad_partner_is_a_clear_message_and_nothing_is_added(staff, program, pgp):
    before = database_state()
    secret = SimpleUploadedFile("key.asc", pgp.secret_key.encode())
    response = post(staff, "/staff/partners/add", {"name": "New Co", "tier": "advanced", "pgp_cert": secret})
    assert response.status_code == 400 and "Nothing was added" in response.content.decode()
    unknown_tier = post(staff, "/staff/partners/add", {"name": "New Co", "tier": "gold"})
    assert unknown_tier.status_code == 400 and "unknown tier" in unknown_tier.content.decode()
    assert database_state() == before


def test_a_csv_import_adds_every_row_in_one_audited_event(staff, program, partner_key):
    cert = partner_key("Beta Co").certificate.replace('"', '""')
    csv = f'name,tier,email,pgp_cert\nAlpha Co,advanced,a@alpha.example,\nBeta Co,entry,,"{cert}"\n'
    response = post(staff, "/staff/partners/import", {"csv": SimpleUploadedFile("p.csv", csv.encode())})
    assert response.status_code == 302
    assert set(Partner.objects.values_list("name", flat=True)) == {"Alpha Co", "Beta Co"}
    event = AuditEvent.objects.get(action="partner.import")
    assert event.details["count"] == 2
    assert "Imported 2 partners" in staff.get(response["Location"]).content.decode()


@pytest.mark.parametrize(("csv", "message"), [
    ("name,tier\nAlpha Co,advanced\nBeta Co,gold\n", "line 3: unknown tier"),
    ("name,tier,pgp_cert\nAlpha Co,advanced,/etc/passwd\n", "file paths work only with"),
    ("name;tier\n", "the header must be"),
])
def test_a_bad_csv_row_is_a_clear_message_and_nothing_is_imported(staff, program, csv, message):
    before = database_state()
    response = post(staff, "/staff/partners/import", {"csv": SimpleUploadedFile("p.csv", csv.encode())})
    assert response.status_code == 400 and message in response.content.decode()
    assert database_state() == before


def test_suspend_then_reinstate_with_reasons_through_the_service(staff, make_partner):
    partner, _, _ = make_partner("Example AV")
    url = f"/staff/partners/{partner.pk}/status"
    assert post(staff, url, {"action": "suspend", "reason": "late payment"}).status_code == 302
    partner.refresh_from_db()
    assert partner.status == "suspended"
    assert post(staff, url, {"action": "reinstate", "reason": "paid"}).status_code == 302
    partner.refresh_from_db()
    assert partner.status == "active"
    assert list(PartnerStatusChange.objects.filter(partner=partner).values_list("reason", flat=True)) == [
        "added", "late payment", "paid"]
    assert [e.action for e in AuditEvent.objects.filter(object_type="partner", object_id="Example AV")
            .exclude(action="partner.add")] == ["partner.suspend", "partner.reinstate"]


@pytest.mark.parametrize(("form", "message"), [
    ({"action": "suspend", "reason": ""}, "a reason is required"),
    ({"action": "expel", "reason": "leak"}, "tick the confirmation"),
    ({"action": "reinstate", "reason": "why not"}, "it cannot become active"),
    ({"action": "delete", "reason": "x"}, "choose suspend, expel or reinstate"),
    ({"action": "expel", "reason": "leak", "confirm": "yes", "investigation": "INV-404"}, "unknown investigation"),
])
def test_a_refused_status_change_changes_nothing_and_says_why(staff, make_partner, form, message):
    partner, _, _ = make_partner("Example AV")
    before = database_state()
    response = post(staff, f"/staff/partners/{partner.pk}/status", form)
    assert response.status_code == 302
    assert database_state() == before
    assert message in staff.get(response["Location"]).content.decode()


def test_expel_with_confirmation_writes_one_expulsion_event(staff, make_partner):
    partner, _, _ = make_partner("Example AV")
    post(staff, f"/staff/partners/{partner.pk}/status", {"action": "expel", "reason": "leak", "confirm": "yes"})
    assert Partner.objects.get(pk=partner.pk).status == "expelled"
    assert AuditEvent.objects.filter(action="partner.expel", object_id="Example AV").count() == 1
    page = staff.get(f"/staff/partners/{partner.pk}/").content.decode()
    assert "Reason to expel" not in page and "Reason to reinstate" not in page  # final: no form is offered


def test_a_partners_users_get_not_found_on_every_partner_page(make_partner):
    partner, admin, analyst = make_partner("Example AV")
    for user in (admin, analyst):
        client = signed_in(user)
        for url in ("/staff/partners/", f"/staff/partners/{partner.pk}/"):
            assert client.get(url).status_code == 404
        for url, form in ((f"/staff/partners/{partner.pk}/status", {"action": "suspend", "reason": "x"}),
                          ("/staff/partners/add", {"name": "Sneaky", "tier": "advanced"}),
                          ("/staff/partners/import", {})):
            assert post(client, url, form).status_code == 404
    assert Partner.objects.get(pk=partner.pk).status == "active" and not Partner.objects.filter(name="Sneaky").exists()
