"""Questions to the PSIRT: a thread only the partner and staff see; staff answer it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from headstart.apps.audit.models import AuditEvent
from headstart.apps.questions.models import Message, Thread
from headstart.apps.questions.services import MAX_CHARS

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def advisory(make_advisory):  # type: ignore[no-untyped-def]
    return make_advisory("HS-2026-0001", patch_in=dt.timedelta(hours=12))


def url(advisory) -> str:  # type: ignore[no-untyped-def]
    return f"/advisories/{advisory.ident}/questions/"


def test_a_partner_asks_and_the_question_is_stored_audited_and_mailed_to_staff(
        make_partner, staff_user, advisory, django_capture_on_commit_callbacks):
    _, _, analyst = make_partner("Example AV")
    with django_capture_on_commit_callbacks(execute=True):  # the mail goes once the question is committed
        response = signed_in(analyst).post(url(advisory), {"body": "Does the overflow need the preview pane?"})
    assert response.status_code == 302
    message = Message.objects.get()
    assert (message.thread.partner, message.author, message.from_staff) == (analyst.partner, analyst, False)
    assert message.thread.awaiting_staff
    event = AuditEvent.objects.get(action="question.ask")
    assert event.details["chars"] == len(message.body) and "preview pane" not in str(event.details)
    sent = mail.outbox[-1]
    assert staff_user.email in sent.bcc and advisory.ident in sent.subject
    assert "preview pane" not in sent.body  # mail is not encrypted: never the text


def test_another_partners_thread_is_never_shown(make_partner, advisory):
    _, _, first = make_partner("First AV")
    _, _, second = make_partner("Second AV")
    signed_in(first).post(url(advisory), {"body": "A secret question of First AV"})
    page = signed_in(second).get(url(advisory)).content.decode()
    assert "A secret question of First AV" not in page and "First AV" not in page
    assert "has not asked about this advisory yet" in page


def test_staff_answer_a_partners_thread_and_its_users_are_told(make_partner, staff_user, advisory,
                                                               django_capture_on_commit_callbacks):
    partner, admin, analyst = make_partner("Example AV")
    signed_in(analyst).post(url(advisory), {"body": "Which versions?"})
    staff = signed_in(staff_user)
    assert "Example AV" in staff.get("/staff/questions/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(url(advisory), {"partner": str(partner.pk), "body": "Versions 4.0 to 4.2."})
    assert response.status_code == 302
    thread = Thread.objects.get()
    assert not thread.awaiting_staff and thread.messages.last().from_staff  # type: ignore[union-attr]
    assert "Example AV" not in staff.get("/staff/questions/").content.decode()
    assert set(mail.outbox[-1].bcc) == {admin.email, analyst.email}
    assert "Versions 4.0 to 4.2." in signed_in(analyst).get(url(advisory)).content.decode()
    assert AuditEvent.objects.filter(action="question.reply").count() == 1


def test_staff_cannot_answer_a_partner_that_never_asked(make_partner, staff_user, advisory):
    partner, _, _ = make_partner("Example AV")
    response = signed_in(staff_user).post(url(advisory), {"partner": str(partner.pk), "body": "Hello"})
    assert response.status_code == 404 and not Message.objects.exists()


def test_outside_the_window_the_thread_is_not_found_and_cannot_be_asked(make_partner, make_advisory):
    _, _, analyst = make_partner("Example AV")
    later = make_advisory("HS-2026-0002", patch_in=dt.timedelta(days=30))
    client = signed_in(analyst)
    assert client.get(url(later)).status_code == 404
    assert client.post(url(later), {"body": "Anything?"}).status_code == 404
    assert not Message.objects.exists()
    assert AuditEvent.objects.filter(action="question.ask.refused").count() == 1


def test_an_empty_or_too_long_question_is_refused_in_the_page_and_nothing_changes(make_partner, advisory):
    _, _, analyst = make_partner("Example AV")
    client = signed_in(analyst)
    empty = client.post(url(advisory), {"body": "   "})
    assert empty.status_code == 400 and "the message is empty" in empty.content.decode()
    long = client.post(url(advisory), {"body": "x" * (MAX_CHARS + 1)})
    assert long.status_code == 400 and f"at most {MAX_CHARS} characters; this one has {MAX_CHARS + 1}" in long.content.decode()
    assert not Message.objects.exists()


def test_the_staff_list_is_for_staff_only(make_partner, advisory):
    _, admin, _ = make_partner("Example AV")
    assert signed_in(admin).get("/staff/questions/").status_code == 404


def test_a_question_without_the_csrf_token_is_refused(make_partner, advisory):
    _, _, analyst = make_partner("Example AV")
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    assert client.post(url(advisory), {"body": "Hello"}).status_code == 403
    assert not Message.objects.exists()


def _queries(client: Client, path: str) -> int:
    client.get(path)  # the session and the user loaded once
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_thread_pages_take_as_many_queries_for_five_partners_as_for_one(make_partner, staff_user, advisory):
    staff = signed_in(staff_user)
    counts = []
    for n in range(5):
        partner = make_partner(f"Partner {n}")[0]
        signed_in(partner.users.first()).post(url(advisory), {"body": f"Question of {partner.name}"})
        if n in (0, 4):
            counts.append((_queries(staff, url(advisory)), _queries(staff, "/staff/questions/")))
    assert counts[0] == counts[1]
    page = staff.get(url(advisory)).content.decode()
    assert all(f"Question of Partner {n}" in page for n in range(5))
