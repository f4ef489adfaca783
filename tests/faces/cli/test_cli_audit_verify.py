"""`headstart audit verify` exits 0 on an intact chain and 1 on a broken one, naming the break."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from headstart.apps.audit.services import Actor, record

pytestmark = pytest.mark.django_db

ACTOR = Actor(name="test:staff")


@pytest.fixture
def chain(program) -> None:  # type: ignore[no-untyped-def]
    for n in range(5):
        record(ACTOR, "test.event", object_id=str(n))


def tamper(*statements: str) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


# Rows 3 and 4 trade places (seq is unique, so one is parked on a free number first).
SWAP = ("UPDATE audit_auditevent SET seq = 1000000 WHERE seq = 3",
        "UPDATE audit_auditevent SET seq = 3 WHERE seq = 4",
        "UPDATE audit_auditevent SET seq = 4 WHERE seq = 1000000")


def test_an_intact_chain_exits_zero(chain, run_cli):
    result = run_cli("audit", "verify")
    assert result.code == 0 and result.out.startswith("OK: ")
    report = json.loads(run_cli("audit", "verify", "--json").out)
    assert report["ok"] is True and report["first_broken_seq"] is None


@pytest.mark.parametrize("attack, statements, broken_at", [
    ("edited row", ["UPDATE audit_auditevent SET actor = 'mallory' WHERE seq = 3"], 3),
    ("deleted row", ["DELETE FROM audit_auditevent WHERE seq = 3"], 3),
    ("reordered rows", SWAP, 3),
    ("truncated tail", ["DELETE FROM audit_auditevent WHERE seq = (SELECT MAX(seq) FROM audit_auditevent)"], None),
])
def test_a_tampered_chain_exits_one_and_names_the_first_broken_event(chain, run_cli, audit_triggers_dropped,
                                                                       attack, statements, broken_at):
    last = record(ACTOR, "test.event", object_id="last").seq
    tamper(*statements)
    result = run_cli("audit", "verify")
    assert result.code == 1
    expected = broken_at if broken_at is not None else last
    assert result.out.startswith(f"BROKEN at event #{expected}: ")
    report = json.loads(run_cli("audit", "verify", "--json").out)
    assert (report["ok"], report["first_broken_seq"]) == (False, expected)


def test_staff_see_the_same_verdict_through_the_api(chain, staff_user, api_client, audit_triggers_dropped):
    client = api_client(staff_user)
    assert client.get("/api/v1/audit/verify").json()["ok"] is True
    tamper("UPDATE audit_auditevent SET action = 'nothing' WHERE seq = 2")
    report = client.get("/api/v1/audit/verify").json()
    assert (report["ok"], report["first_broken_seq"]) == (False, 2)


def test_audit_list_shows_the_latest_events_in_order(chain, run_cli):
    events = json.loads(run_cli("audit", "list", "--limit", "3", "--json").out)
    assert [e["object"] for e in events] == [":2", ":3", ":4"]
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
