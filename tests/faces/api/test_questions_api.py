"""Questions over the API: the portal's service, so the same rule: a partner's own thread only."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from factories import ACTOR

from headstart.apps.accounts.services import create_token
from headstart.apps.questions.models import Message

pytestmark = pytest.mark.django_db


def api(user) -> Client:  # type: ignore[no-untyped-def]
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_token(user, actor=ACTOR)[1]}")


def post(client: Client, ident: str, **body):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/advisories/{ident}/questions", data=json.dumps(body), content_type="application/json")


@pytest.fixture
def advisory(make_advisory):  # type: ignore[no-untyped-def]
    return make_advisory("HS-2026-0001", patch_in=dt.timedelta(hours=12))


def test_a_partner_asks_staff_answer_and_each_partner_reads_only_its_own(make_partner, staff_user, advisory):
    _, _, first = make_partner("First AV")
    _, _, second = make_partner("Second AV")
    asked = post(api(first), advisory.ident, body="Which versions?")
    assert asked.status_code == 201 and asked.json()["body"] == "Which versions?"
    assert post(api(staff_user), advisory.ident, partner="First AV", body="4.0 to 4.2").status_code == 201
    threads = api(first).get(f"/api/v1/advisories/{advisory.ident}/questions").json()
    assert [t["partner"] for t in threads] == ["First AV"]
    assert [(m["from_staff"], m["body"]) for m in threads[0]["messages"]] == [(False, "Which versions?"),
                                                                               (True, "4.0 to 4.2")]
    assert not threads[0]["awaiting_staff"]
    assert api(second).get(f"/api/v1/advisories/{advisory.ident}/questions").json() == []


def test_staff_must_name_the_partner_and_cannot_answer_one_that_never_asked(make_partner, staff_user, advisory):
    make_partner("Example AV")
    staff = api(staff_user)
    assert post(staff, advisory.ident, body="Hello").status_code == 400
    assert post(staff, advisory.ident, partner="Example AV", body="Hello").status_code == 404
    assert not Message.objects.exists()


def test_an_advisory_outside_the_window_has_no_questions(make_partner, make_advisory):
    _, _, analyst = make_partner("Example AV")
    later = make_advisory("HS-2026-0002", patch_in=dt.timedelta(days=30))
    client = api(analyst)
    assert client.get(f"/api/v1/advisories/{later.ident}/questions").status_code == 404
    assert post(client, later.ident, body="Anything?").status_code == 404
    assert not Message.objects.exists()


def test_an_empty_question_is_refused_with_a_reason(make_partner, advisory):
    _, _, analyst = make_partner("Example AV")
    response = post(api(analyst), advisory.ident, body="  ")
    assert response.status_code == 400 and "empty" in response.json()["detail"]
