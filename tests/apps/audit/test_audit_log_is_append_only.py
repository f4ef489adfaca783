"""The database itself refuses UPDATE and DELETE on audit events (triggers of migration 0002)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.services import Actor, record, verify

pytestmark = pytest.mark.django_db

ACTOR = Actor(name="test:staff")


@pytest.fixture
def event(program) -> AuditEvent:  # type: ignore[no-untyped-def]
    return record(ACTOR, "test.event", object_id="x")


def refused_by_the_database(statement: str, params: list | None = None) -> None:  # type: ignore[type-arg]
    # A savepoint, so the failed statement does not poison the test's transaction (PostgreSQL).
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def test_plain_sql_update_is_refused(event):
    refused_by_the_database("UPDATE audit_auditevent SET actor = 'mallory' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).actor == "test:staff"


def test_plain_sql_delete_is_refused(event):
    refused_by_the_database("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_bulk_orm_update_and_delete_are_refused(event):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(actor="mallory")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert verify().ok


def test_saving_or_deleting_a_loaded_event_is_refused(event):
    event.actor = "mallory"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).actor == "test:staff"
    assert verify().ok


def test_appending_still_works_and_extends_the_chain(event):
    before = verify().events
    record(ACTOR, "test.event", object_id="y")
    result = verify()
    assert result.ok and result.events == before + 1
