"""My team in the portal: a partner admin lists, re-roles and removes its partner's users.

Each change goes through accounts.team with its audit event; another partner's users are not
found; an analyst sees the list read-only; the list costs the same queries for any team size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from factories import ACTOR
from people_helpers import post, signed_in

from headstart.apps.accounts.models import ApiToken, User
from headstart.apps.accounts.services import add_user, create_token
from headstart.apps.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_the_admin_sees_its_partners_users_and_no_one_elses(make_partner):
    _, admin, analyst = make_partner("Example AV")
    _, stranger, _ = make_partner("Contoso EDR")
    page = signed_in(admin).get("/team/")
    text = page.content.decode()
    assert page.status_code == 200 and admin.email in text and analyst.email in text
    assert stranger.email not in text


def test_the_admin_changes_a_role_and_it_is_audited(make_partner):
    _, admin, analyst = make_partner("Example AV")
    response = post(signed_in(admin), f"/team/users/{analyst.pk}/role", {"role": "admin"})
    assert response.status_code == 302
    assert User.objects.get(pk=analyst.pk).role == "admin"
    event = AuditEvent.objects.get(action="user.role")
    assert (event.actor, event.object_id, event.details["old_role"], event.details["new_role"]) == (
        admin.email, analyst.email, "analyst", "admin")


def test_removing_a_user_deactivates_it_revokes_its_tokens_and_is_audited(make_partner):
    _, admin, analyst = make_partner("Example AV")
    token, _ = create_token(analyst, actor=ACTOR)
    client = signed_in(admin)
    confirm = client.get(f"/team/users/{analyst.pk}/remove")
    assert confirm.status_code == 200 and f"Remove {analyst.email}?" in confirm.content.decode()
    assert User.objects.get(pk=analyst.pk).is_active  # asking is not doing
    assert post(client, f"/team/users/{analyst.pk}/remove").status_code == 302
    assert not User.objects.get(pk=analyst.pk).is_active
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert AuditEvent.objects.filter(action="user.remove", object_id=analyst.email, actor=admin.email).exists()
    assert AuditEvent.objects.filter(action="token.revoke", details__reason="user removed").exists()


def test_a_removed_users_session_ends(make_partner):
    _, admin, analyst = make_partner("Example AV")
    theirs = signed_in(analyst)
    assert theirs.get("/").status_code == 200
    post(signed_in(admin), f"/team/users/{analyst.pk}/remove")
    assert theirs.get("/").status_code == 302


def test_another_partners_admin_guessing_urls_finds_nothing_and_changes_nothing(make_partner):
    _, _, analyst = make_partner("Example AV")
    _, intruder, _ = make_partner("Contoso EDR")
    client = signed_in(intruder)
    assert client.get(f"/team/users/{analyst.pk}/remove").status_code == 404
    assert post(client, f"/team/users/{analyst.pk}/remove").status_code == 404
    assert post(client, f"/team/users/{analyst.pk}/role", {"role": "admin"}).status_code == 404
    fresh = User.objects.get(pk=analyst.pk)
    assert (fresh.is_active, fresh.role) == (True, "analyst")
    assert not AuditEvent.objects.filter(action__in=["user.role", "user.remove"]).exists()


def test_an_analyst_sees_the_team_read_only_and_is_refused_changes(make_partner):
    _, admin, analyst = make_partner("Example AV")
    client = signed_in(analyst)
    page = client.get("/team/").content.decode()
    assert admin.email in page and "Change role" not in page and "Invite a user" not in page
    assert post(client, f"/team/users/{admin.pk}/role", {"role": "analyst"}).status_code == 403
    assert client.get(f"/team/users/{admin.pk}/remove").status_code == 403
    assert post(client, f"/team/users/{admin.pk}/remove").status_code == 403
    assert User.objects.get(pk=admin.pk).role == "admin" and User.objects.get(pk=admin.pk).is_active


def test_the_last_admin_is_kept_and_no_one_acts_on_themselves(make_partner, staff_user):
    _, admin, analyst = make_partner("Example AV")
    own = signed_in(admin)
    post(own, f"/team/users/{admin.pk}/role", {"role": "analyst"})
    assert "cannot change your own role" in own.get("/team/").content.decode()
    staff = signed_in(staff_user)
    post(staff, f"/team/users/{admin.pk}/remove")
    assert "only active admin" in staff.get("/team/").content.decode()
    assert User.objects.get(pk=admin.pk).is_active and User.objects.get(pk=admin.pk).role == "admin"
    post(staff, f"/team/users/{analyst.pk}/role", {"role": "admin"})
    assert post(staff, f"/team/users/{admin.pk}/remove").status_code == 302
    assert not User.objects.get(pk=admin.pk).is_active


def test_changing_a_role_without_the_csrf_token_is_refused(make_partner):
    _, admin, analyst = make_partner("Example AV")
    client = signed_in(admin)
    assert client.post(f"/team/users/{analyst.pk}/role", {"role": "admin"}).status_code == 403
    assert User.objects.get(pk=analyst.pk).role == "analyst"


def test_an_unknown_role_changes_nothing(make_partner):
    _, admin, analyst = make_partner("Example AV")
    client = signed_in(admin)
    post(client, f"/team/users/{analyst.pk}/role", {"role": "staff"})
    assert "a partner user is &#x27;admin&#x27; or &#x27;analyst&#x27;" in client.get("/team/").content.decode()
    assert User.objects.get(pk=analyst.pk).role == "analyst"


def _queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_team_page_costs_the_same_queries_for_two_users_or_twenty(make_partner, staff_user):
    partner, admin, _ = make_partner("Example AV")
    client, staff = signed_in(admin), signed_in(staff_user)
    small, small_staff = _queries(client, "/team/"), _queries(staff, "/team/")
    for n in range(18):
        other, _, _ = make_partner(f"Partner {n}") if n % 6 == 0 else (partner, None, None)
        add_user(f"member{n}@example-av.example", actor=ACTOR, partner=other, role="analyst")
    post(client, "/team/invite/", {"email": "pending@example-av.example", "role": "analyst"})
    post(staff, "/team/invite/", {"email": "colleague@vendor.example", "role": "staff"})
    assert _queries(client, "/team/") == small
    # Staff see every user with its partner's name, and every partner's invitations.
    assert _queries(staff, "/team/") == small_staff
