"""Staff's program settings in the portal: tiers (window and entitlements), NDA versions (publish,
who accepted which) and accounts (second factor, last sign-in; deactivate and reactivate staff,
end a lockout, remove lost second factors), each change through the CLI's service with its
audit event; a bad value is a clear message and changes nothing; partners' users get 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from factories import ACTOR, database_state
from mfa_helpers import enrol_totp
from people_helpers import post, signed_in

from headstart.apps.accounts.models import User
from headstart.apps.accounts.services import add_user
from headstart.apps.audit.models import AuditEvent
from headstart.apps.partners.models import NdaVersion, Tier

pytestmark = pytest.mark.django_db

PAGES = ["/staff/tiers/", "/staff/nda/", "/staff/users/"]
CHANGES = ["/staff/tiers/edit", "/staff/nda/publish", "/staff/users/change"]


@pytest.fixture
def staff(staff_user):  # type: ignore[no-untyped-def]
    return signed_in(staff_user)


def test_partners_users_get_not_found_and_change_nothing(make_partner):
    _, admin, analyst = make_partner("Example AV")
    clients = [signed_in(user) for user in (admin, analyst)]
    before = database_state()
    for client in clients:
        assert [client.get(url).status_code for url in PAGES] == [404] * len(PAGES)
        forms = [{"tier": "entry", "lead_hours": "1", "entitlements": ["writeup"]}, {"text": "Sign away."},
                 {"user": str(admin.pk), "action": "reset-factors", "reason": "r"}]
        assert [post(client, url, form).status_code for url, form in zip(CHANGES, forms, strict=True)] == [404] * 3
    assert database_state() == before


def test_staff_change_a_tiers_window_and_entitlements_and_it_is_audited(staff):
    response = staff.get("/staff/tiers/")
    assert response.status_code == 200 and "Change tier entry" in response.content.decode()
    response = post(staff, "/staff/tiers/edit", {"tier": "entry", "lead_hours": "30",
                                                 "entitlements": ["writeup", "guidance"]})
    assert response.status_code == 302 and response["Location"] == "/staff/tiers/"
    tier = Tier.objects.get(name="entry")
    assert (tier.lead_time, tier.entitlements) == (dt.timedelta(hours=30), ["writeup", "guidance"])
    event = AuditEvent.objects.get(action="tier.update")
    assert (event.object_id, event.actor, event.details["lead_time"]) == ("entry", "psirt@vendor.example", "30h")
    assert "opens 30 hours before the patch" in staff.get("/staff/tiers/").content.decode()


@pytest.mark.parametrize(("form", "message"), [
    ({"lead_hours": "soon", "entitlements": ["writeup"]}, "is not a whole number of hours"),
    ({"lead_hours": "0", "entitlements": ["writeup"]}, "between 1 and 8760 hours"),
    ({"lead_hours": "9000", "entitlements": ["writeup"]}, "between 1 and 8760 hours"),
    ({"lead_hours": "24"}, "a tier needs at least one entitlement"),
    ({"lead_hours": "24", "entitlements": ["everything"]}, "unknown entitlement"),
])
def test_a_bad_window_is_a_clear_message_and_nothing_changes(staff, form, message):
    before = database_state()
    response = post(staff, "/staff/tiers/edit", {"tier": "entry", **form})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Nothing changed:" in text and message in text
    assert database_state() == before


def test_an_unknown_tier_is_not_found(staff):
    response = post(staff, "/staff/tiers/edit", {"tier": "gold", "lead_hours": "1", "entitlements": ["writeup"]})
    assert response.status_code == 404


def test_staff_publish_an_nda_version_from_the_text_area_or_a_file(staff):
    response = post(staff, "/staff/nda/publish", {"text": "Version two: keep it secret.\n"})
    assert response.status_code == 302 and response["Location"] == "/staff/nda/"
    assert NdaVersion.objects.get(version=2).text == "Version two: keep it secret.\n"
    upload = SimpleUploadedFile("nda.txt", "\ufeffVersion three, from a file.\n".encode())
    assert post(staff, "/staff/nda/publish", {"text": "ignored", "file": upload}).status_code == 302
    assert NdaVersion.objects.get(version=3).text == "Version three, from a file.\n"
    assert list(AuditEvent.objects.filter(action="nda.publish").values_list("object_id", flat=True)) == ["1", "2", "3"]
    assert "Published NDA version 3" in staff.get("/staff/nda/").content.decode()


@pytest.mark.parametrize(("form", "message"), [
    ({"text": "  \n"}, "the NDA text is empty"),
    ({"file": SimpleUploadedFile("nda.txt", b"\xff\xfe not UTF-8")}, "not UTF-8 text"),
])
def test_an_empty_or_unreadable_nda_is_a_clear_message_and_nothing_is_published(staff, form, message):
    before = database_state()
    response = post(staff, "/staff/nda/publish", form)
    assert response.status_code == 400
    assert "Nothing was published:" in response.content.decode() and message in response.content.decode()
    assert database_state() == before


def test_the_nda_page_shows_who_accepted_which_version_and_who_has_not(staff, make_partner):
    make_partner("Signed Co")
    make_partner("Unsigned Co", accept=False)
    text = staff.get("/staff/nda/").content.decode()
    assert '<th scope="row">Signed Co</th><td>1</td><td>admin@signed-co.example</td>' in text
    waiting = text[text.index("have not accepted"):text.index("versions-heading")]
    assert "Unsigned Co" in waiting and "Signed Co<" not in waiting


def test_the_accounts_page_shows_role_status_second_factor_and_last_sign_in(staff, staff_user, make_partner):
    _, admin, analyst = make_partner("Example AV")
    enrol_totp(admin)
    User.objects.filter(pk=admin.pk).update(last_login=dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC))
    response = staff.get("/staff/users/")
    rows = {r["user"].email: r for r in response.context["partner_users"]}
    assert rows[admin.email]["mfa"] and not rows[analyst.email]["mfa"]
    text = response.content.decode()
    assert "2026-03-01" in text and "Remove second factors" in text
    assert [r["user"].email for r in response.context["staff"]] == [staff_user.email]


def test_staff_deactivate_and_reactivate_a_colleague_with_a_reason(staff):
    colleague = add_user("colleague@vendor.example", actor=ACTOR, staff=True)
    change = {"user": str(colleague.pk), "reason": "left the team"}
    assert post(staff, "/staff/users/change", {**change, "action": "deactivate"}).status_code == 302
    assert not User.objects.get(pk=colleague.pk).is_active
    assert AuditEvent.objects.get(action="user.deactivate").details["reason"] == "left the team"
    assert post(staff, "/staff/users/change", {**change, "action": "reactivate"}).status_code == 302
    assert User.objects.get(pk=colleague.pk).is_active
    assert AuditEvent.objects.filter(action="user.reactivate", object_id=colleague.email).exists()


def test_a_change_without_a_reason_or_on_oneself_is_refused_in_the_page(staff, staff_user):
    colleague = add_user("colleague@vendor.example", actor=ACTOR, staff=True)
    before = database_state()
    no_reason = post(staff, "/staff/users/change", {"user": str(colleague.pk), "action": "deactivate"})
    assert "Nothing changed: give a reason" in staff.get(no_reason["Location"]).content.decode()
    myself = post(staff, "/staff/users/change", {"user": str(staff_user.pk), "action": "deactivate", "reason": "r"})
    assert "cannot deactivate your own account" in staff.get(myself["Location"]).content.decode()
    no_reset_reason = post(staff, "/staff/users/change", {"user": str(colleague.pk), "action": "reset-factors"})
    assert "Nothing changed: give a reason" in staff.get(no_reset_reason["Location"]).content.decode()
    assert database_state() == before


def test_staff_remove_a_users_lost_second_factors_through_the_signin_service(staff, make_partner):
    _, _, analyst = make_partner("Example AV")
    enrol_totp(analyst)
    response = post(staff, "/staff/users/change", {"user": str(analyst.pk), "action": "reset-factors",
                                                   "reason": "phone lost, identity checked by call"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="auth.mfa_reset")
    assert (event.object_id, event.details["reason"]) == (analyst.email, "phone lost, identity checked by call")
    assert "Removed" in staff.get("/staff/users/").content.decode()


def test_staff_end_a_lockout_through_the_signin_service(staff, make_partner):
    _, _, analyst = make_partner("Example AV")
    response = post(staff, "/staff/users/change", {"user": str(analyst.pk), "action": "unlock"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="auth.unlock", object_id=analyst.email).exists()
