"""Staff's audit log page: newest first, filtered by partner, actor, action and time, paged by
sequence number; the chain check `headstart audit verify` runs; partners' users never see it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from factories import ACTOR
from people_helpers import post, signed_in

from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.services import record
from headstart.apps.partners.services import set_status
from headstart.faces.portal.staff_audit_views import PAGE_SIZE

pytestmark = pytest.mark.django_db


def rows(response) -> list[int]:  # type: ignore[no-untyped-def]
    """The sequence numbers of the events shown, in order."""
    return [e.seq for e in (r["event"] for r in response.context["rows"])]


def test_the_log_lists_events_newest_first_with_their_details(staff_user, make_partner):
    partner, _, _ = make_partner("Example AV")
    set_status(partner, "suspended", reason="late payment", actor=ACTOR)
    response = signed_in(staff_user).get("/staff/audit/")
    assert response.status_code == 200
    shown = rows(response)
    assert shown == sorted(shown, reverse=True) and shown[0] == AuditEvent.objects.order_by("-seq").first().seq
    text = response.content.decode()
    assert "partner.suspend" in text and "late payment" in text  # the details, readable


def test_a_partners_users_get_not_found_on_every_staff_audit_page(make_partner):
    _, admin, analyst = make_partner("Example AV")
    for user in (admin, analyst):
        client = signed_in(user)
        assert client.get("/staff/audit/").status_code == 404
        assert post(client, "/staff/audit/verify").status_code == 404


def test_filters_by_partner_actor_action_prefix_and_time(staff_user, make_partner):
    example, _, _ = make_partner("Example AV")
    other, _, _ = make_partner("Contoso EDR")
    set_status(example, "suspended", reason="late payment", actor=ACTOR)
    set_status(other, "suspended", reason="audit", actor=ACTOR)
    client = signed_in(staff_user)

    about_example = client.get("/staff/audit/", {"partner": "Example AV", "action": "partner."})
    events = [r["event"] for r in about_example.context["rows"]]
    assert {e.action for e in events} == {"partner.add", "partner.suspend"}
    assert all(e.object_id == "Example AV" for e in events)

    by_actor = client.get("/staff/audit/", {"actor": "nobody@example.org"})
    assert by_actor.status_code == 200 and rows(by_actor) == []

    future = (timezone.now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert rows(client.get("/staff/audit/", {"since": future})) == []
    assert rows(client.get("/staff/audit/", {"until": future})) != []


@pytest.mark.parametrize(("query", "message"), [
    ({"partner": "Nobody Ltd"}, "There is no partner named"),
    ({"action": "DROP TABLE;"}, "An action is lower-case letters"),
    ({"since": "yesterday"}, "Enter a valid date/time."),
    ({"since": "2026-12-08T10:00", "until": "2026-12-08T09:00"}, "The time range is empty"),
])
def test_a_bad_filter_is_a_clear_message_and_shows_no_events(staff_user, query, message):
    response = signed_in(staff_user).get("/staff/audit/", query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["rows"] == []


def test_pages_are_bounded_and_the_older_link_continues_where_the_page_ended(staff_user):
    for i in range(PAGE_SIZE + 5):
        record(ACTOR, "test.event", object_type="test", object_id=str(i))
    client = signed_in(staff_user)
    first = client.get("/staff/audit/", {"action": "test."})
    assert len(rows(first)) == PAGE_SIZE and first.context["older"] == rows(first)[-1]
    second = client.get("/staff/audit/", {"action": "test.", "before": first.context["older"]})
    assert len(rows(second)) == 5 and second.context["older"] is None
    assert max(rows(second)) < min(rows(first))


@pytest.mark.parametrize("query", [{}, {"partner": "Example AV"}, {"action": "test.", "actor": ACTOR.name}])
def test_the_page_costs_the_same_queries_however_long_the_log(staff_user, make_partner, query):
    make_partner("Example AV")
    client = signed_in(staff_user)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/staff/audit/", query).status_code == 200
        return len(queries)

    few = count()
    for i in range(3 * PAGE_SIZE):
        record(ACTOR, "test.event", object_type="partner", object_id="Example AV", n=i)
    assert count() == few


def test_the_chain_check_reports_intact_and_writes_nothing(staff_user):
    client = signed_in(staff_user)
    before = AuditEvent.objects.count()
    response = post(client, "/staff/audit/verify")
    assert response.status_code == 200
    assert response.context["verified"]["ok"] is True and "Intact:" in response.content.decode()
    assert AuditEvent.objects.count() == before


def test_the_chain_check_shows_where_the_chain_is_broken(staff_user, make_partner, audit_triggers_dropped):
    make_partner("Example AV")
    victim = AuditEvent.objects.order_by("seq")[2]
    with connection.cursor() as cursor:  # an edit behind the application's back
        cursor.execute("UPDATE audit_auditevent SET actor = %s WHERE id = %s", ["mallory", victim.pk])
    response = post(signed_in(staff_user), "/staff/audit/verify")
    text = response.content.decode()
    assert response.context["verified"]["ok"] is False
    assert f"Broken at event #{victim.seq}" in text and "was edited" in text
