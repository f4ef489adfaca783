"""Staff's investigation pages: upload leaked material, run the investigation through the
service the CLI and API use, read the verdict, p-values, plot and report (each read audited),
and expel a partner the investigation accuses, and only such a partner."""

from __future__ import annotations

from html import escape

import pytest
from apps.investigations import investigation_helpers as helpers
from django.core.files.uploadedfile import SimpleUploadedFile
from people_helpers import post, signed_in

from headstart.apps.audit.models import AuditEvent
from headstart.apps.investigations.models import Investigation
from headstart.apps.partners.models import Partner, PartnerStatusChange
from headstart.leaks.text import rewrap

pytestmark = pytest.mark.django_db
delivered = helpers.delivered  # the sample advisory delivered to six partners (a fixture)
LEAKER = "Charlie EDR"
INNOCENT = "Alpha AV"


@pytest.fixture
def staff(staff_user):  # type: ignore[no-untyped-def]
    return signed_in(staff_user)


@pytest.fixture
def leaked(delivered, staff) -> Investigation:  # type: ignore[no-untyped-def]
    """The leaker's write-up, re-wrapped, investigated from the portal's form."""
    leak = SimpleUploadedFile("post.txt", rewrap(delivered.text(LEAKER, "writeup.md")).encode())
    response = post(staff, "/staff/investigations/", {"files": leak})
    inv = Investigation.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/investigations/{inv.ident}/"
    return inv


def test_an_uploaded_leak_is_investigated_and_recorded_as_the_cli_does(leaked):
    assert leaked.accused == [LEAKER]
    event = AuditEvent.objects.get(action="investigation.run")
    assert event.object_id == leaked.ident and event.details["accused"] == [LEAKER]
    assert event.details["inputs"][0]["name"] == "post.txt"


def test_the_result_page_shows_the_verdict_p_values_plot_report_and_an_expel_form_for_the_accused(leaked, staff):
    response = staff.get(f"/staff/investigations/{leaked.ident}/")
    text = response.content.decode()
    assert response.status_code == 200
    assert escape(leaked.result["verdict"]) in text
    assert f"{leaked.result['accused'][0]['family_p_value']:.3g}" in text
    assert f'src="/staff/investigations/{leaked.ident}/plot.svg"' in text
    assert f'src="/staff/investigations/{leaked.ident}/report"' in text and 'sandbox="allow-same-origin"' in text
    assert f'<input type="hidden" name="partner" value="{LEAKER}">' in text
    assert f'name="partner" value="{INNOCENT}"' not in text  # never offered for a partner not accused
    assert AuditEvent.objects.filter(action="investigation.view.result", object_id=leaked.ident).count() == 1


def test_the_report_and_plot_are_served_by_the_project_without_script_and_audited(leaked, staff):
    report = staff.get(f"/staff/investigations/{leaked.ident}/report")
    assert report.status_code == 200 and report["Content-Type"].startswith("text/html")
    assert "script-src" not in report["Content-Security-Policy"] and "default-src 'none'" in report["Content-Security-Policy"]
    assert report["X-Frame-Options"] == "SAMEORIGIN" and "frame-ancestors 'self'" in report["Content-Security-Policy"]
    assert leaked.result["verdict"].split(":")[0] in report.content.decode()
    plot = staff.get(f"/staff/investigations/{leaked.ident}/plot.svg")
    svg = plot.content.decode()
    assert plot.status_code == 200 and plot["Content-Type"].startswith("image/svg+xml")
    assert svg.startswith("<svg") and "<style>" in svg and "<script" not in svg and LEAKER in svg
    assert {"investigation.view.report", "investigation.view.plot"} <= set(
        AuditEvent.objects.filter(object_id=leaked.ident).values_list("action", flat=True))


def test_expelling_the_accused_partner_writes_one_expulsion_event_citing_the_investigation(leaked, staff):
    before_seq = AuditEvent.objects.order_by("-seq").first().seq
    response = post(staff, f"/staff/investigations/{leaked.ident}/expel",
                    {"partner": LEAKER, "reason": "leaked the write-up", "confirm": "yes"})
    assert response.status_code == 302
    assert Partner.objects.get(name=LEAKER).status == "expelled"
    after = list(AuditEvent.objects.filter(seq__gt=before_seq))
    # One expulsion event; the partners service also ends its users' sessions, each audited.
    expulsions = [e for e in after if e.action == "partner.expel"]
    assert len(expulsions) == 1 and {e.action for e in after} == {"partner.expel", "user.sessions_end"}
    event = expulsions[0]
    assert (event.action, event.object_id, event.details["investigation"], event.details["reason"]) == (
        "partner.expel", LEAKER, leaked.ident, "leaked the write-up")
    assert PartnerStatusChange.objects.get(partner__name=LEAKER, new_status="expelled").investigation_ref == leaked.ident


@pytest.mark.parametrize(("form", "message"), [
    ({"partner": INNOCENT, "reason": "guess", "confirm": "yes"}, "does not accuse"),
    ({"partner": LEAKER, "reason": "leaked", "confirm": ""}, "Tick the confirmation"),
    ({"partner": LEAKER, "reason": "  ", "confirm": "yes"}, "a reason is required"),
])
def test_an_expel_the_rule_refuses_changes_nothing_and_says_why(leaked, staff, form, message):
    before = AuditEvent.objects.count()
    response = post(staff, f"/staff/investigations/{leaked.ident}/expel", form)
    assert response.status_code == 302
    assert set(Partner.objects.values_list("status", flat=True)) == {"active"}
    assert AuditEvent.objects.count() == before
    assert message in staff.get(response["Location"]).content.decode()


def test_bad_material_is_a_clear_message_and_nothing_is_recorded(delivered, staff):
    before = AuditEvent.objects.count()
    empty = post(staff, "/staff/investigations/", {"text": "  "})
    assert empty.status_code == 400 and "no leaked material given" in empty.content.decode()
    unknown = post(staff, "/staff/investigations/", {"text": "some words", "advisory": "HS-1999-0001"})
    assert unknown.status_code == 404 and "unknown advisory" in unknown.content.decode()
    threshold = post(staff, "/staff/investigations/", {"text": "some words", "threshold": "2"})
    assert threshold.status_code == 400 and "strictly between 0 and 1" in threshold.content.decode()
    assert not Investigation.objects.exists() and AuditEvent.objects.count() == before


def test_an_upload_over_the_limit_is_refused_before_it_is_read(delivered, staff, settings):
    settings.HEADSTART_INTAKE_MAX_BYTES = 100
    response = post(staff, "/staff/investigations/", {"files": SimpleUploadedFile("big.bin", b"x" * 101)})
    assert response.status_code == 400 and "more than the 100 an investigation takes" in response.content.decode()
    assert not Investigation.objects.exists()


def test_the_list_shows_past_investigations_without_naming_the_accused(leaked, staff):
    text = staff.get("/staff/investigations/").content.decode()
    assert leaked.ident in text and "1 partner" in text and LEAKER not in text


def test_a_partners_users_get_not_found_on_every_investigation_page(leaked):
    partner = Partner.objects.get(name=LEAKER)
    for user in partner.users.all():
        client = signed_in(user)
        for url in ("/staff/investigations/", f"/staff/investigations/{leaked.ident}/",
                    f"/staff/investigations/{leaked.ident}/report", f"/staff/investigations/{leaked.ident}/plot.svg"):
            assert client.get(url).status_code == 404, url
        assert post(client, f"/staff/investigations/{leaked.ident}/expel",
                    {"partner": LEAKER, "reason": "x", "confirm": "yes"}).status_code == 404
    assert partner.status == "active" and not AuditEvent.objects.filter(action__startswith="investigation.view").exists()


def test_an_unknown_investigation_is_not_found(staff, program):
    assert staff.get("/staff/investigations/INV-99999/").status_code == 404
    assert staff.get("/staff/investigations/nonsense/report").status_code == 404


def test_the_list_costs_the_same_queries_however_many_investigations(leaked, staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from headstart.apps.audit.services import Actor
    from headstart.apps.investigations.intake import Submission
    from headstart.apps.investigations.services import investigate

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff.get("/staff/investigations/").status_code == 200
        return len(queries)

    one = count()
    for i in range(3):
        investigate([Submission(f"note-{i}.txt", f"words that match nothing {i}".encode())], actor=Actor("cli"))
    assert count() == one
