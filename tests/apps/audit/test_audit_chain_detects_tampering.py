"""`audit verify` finds an edited, deleted, reordered or truncated audit log.

The tampering is done as an attacker with database-owner rights would: drop the
append-only triggers first, then change rows with plain SQL.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection

from headstart.apps.audit.chain import event_fields, keyed_event_hash
from headstart.apps.audit.keys import audit_key
from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.services import Actor, record, verify

pytestmark = pytest.mark.django_db

ACTOR = Actor(name="test:staff")
TABLE = "audit_auditevent"


def sql(statement: str, params: list | None = None) -> None:  # type: ignore[type-arg]
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def pk_of(seq: int) -> int:
    return AuditEvent.objects.get(seq=seq).pk


@pytest.fixture
def chain(program, request) -> int:  # type: ignore[no-untyped-def]
    """An intact chain of a few more events; returns its length."""
    for n in range(6):
        record(ACTOR, "test.event", object_type="thing", object_id=str(n), n=n, nested={"list": [1, 2.5, None]})
    result = verify()
    assert result.ok, result.problem
    request.getfixturevalue("audit_triggers_dropped")
    return result.events


def test_an_intact_chain_verifies(chain):
    assert verify().as_dict() == {"ok": True, "events": chain, "first_broken_seq": None, "problem": "",
                                  "checkpoints": []}


@pytest.mark.parametrize("column, value", [
    ("actor", "mallory@evil.example"),
    ("partner", "Example AV"),
    ("action", "partner.reinstate"),
    ("object_id", "HS-2026-0009"),
    ("ip", "203.0.113.66"),
])
def test_an_edited_row_is_detected_at_that_row(chain, column, value):
    sql(f"UPDATE {TABLE} SET {column} = %s WHERE seq = 4", [value])
    result = verify()
    assert (result.ok, result.first_broken_seq) == (False, 4)
    assert "edited" in result.problem


def test_an_edited_timestamp_is_detected(chain):
    event = AuditEvent.objects.get(seq=4)
    sql(f"UPDATE {TABLE} SET at = %s WHERE seq = 4", [event.at.replace(year=event.at.year - 1)])
    assert (verify().ok, verify().first_broken_seq) == (False, 4)


def test_edited_details_are_detected(chain):
    # Swap the details of two events: each row is well-formed JSON, just not what was hashed.
    sql(f"UPDATE {TABLE} SET details = (SELECT details FROM {TABLE} WHERE seq = 5) WHERE seq = 4")
    result = verify()
    assert (result.ok, result.first_broken_seq) == (False, 4)


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(chain):
    """Even with the audit key in hand, rehashing one event breaks the link from the next."""
    event = AuditEvent.objects.get(seq=4)
    event.actor = "mallory@evil.example"
    forged = keyed_event_hash(audit_key(), event.prev_hash, event_fields(event))
    sql(f"UPDATE {TABLE} SET actor = %s, hash = %s WHERE seq = 4", [event.actor, forged])
    result = verify()
    assert (result.ok, result.first_broken_seq) == (False, 5)
    assert "does not link" in result.problem


def test_a_deleted_row_is_detected(chain):
    sql(f"DELETE FROM {TABLE} WHERE seq = 4")
    result = verify()
    assert (result.ok, result.first_broken_seq) == (False, 4)
    assert "deleted or reordered" in result.problem


def test_a_deleted_row_is_detected_even_when_later_rows_are_renumbered(chain):
    sql(f"DELETE FROM {TABLE} WHERE seq = 4")
    for seq in range(5, chain + 1):
        sql(f"UPDATE {TABLE} SET seq = %s WHERE seq = %s", [seq - 1, seq])
    result = verify()
    assert not result.ok and result.first_broken_seq == 4


def test_two_swapped_rows_are_detected(chain):
    """Reordering: the rows at two positions exchange their whole content."""
    a, b = pk_of(3), pk_of(4)
    sql(f"UPDATE {TABLE} SET id = %s WHERE id = %s", [-a, a])
    sql(f"UPDATE {TABLE} SET id = %s WHERE id = %s", [a, b])
    sql(f"UPDATE {TABLE} SET id = %s WHERE id = %s", [b, -a])
    assert list(AuditEvent.objects.order_by("pk").values_list("seq", flat=True))[2:4] == [4, 3]
    result = verify()
    assert (result.ok, result.first_broken_seq) == (False, 3)
    assert "reordered" in result.problem


def test_rows_renumbered_into_another_order_are_detected(chain):
    parked = 10**9  # seq is unique and positive: park one row while the other moves
    sql(f"UPDATE {TABLE} SET seq = %s WHERE seq = 3", [parked])
    sql(f"UPDATE {TABLE} SET seq = 3 WHERE seq = 4")
    sql(f"UPDATE {TABLE} SET seq = 4 WHERE seq = %s", [parked])
    result = verify()
    assert not result.ok and result.first_broken_seq in (3, 4)


def test_a_truncated_tail_is_detected(chain):
    sql(f"DELETE FROM {TABLE} WHERE seq > %s", [chain - 2])
    result = verify()
    assert (result.ok, result.first_broken_seq) == (False, chain - 1)
    assert "removed from the end" in result.problem


def test_a_chain_emptied_entirely_is_detected(chain):
    sql(f"DELETE FROM {TABLE}")
    assert not verify().ok


def test_details_survive_the_database_round_trip_unchanged(program):
    """JSON columns may reorder keys or reformat numbers; the hash must not depend on that."""
    event = record(ACTOR, "test.event", object_id="x", z=1, a={"b": [3, 2.0, "é"], "a": None}, when=0.1)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert json.dumps(stored.details, sort_keys=True) == json.dumps(event.details, sort_keys=True)
    assert verify().ok
