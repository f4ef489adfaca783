"""On PostgreSQL, a request that waits for a lock longer than lock_timeout answers 503 with
Retry-After too. A second connection holds the audit chain's head (as a long write does, to
the end of its transaction); an audited read must append to the chain, so it waits for it."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.db import connection
from django.test import Client

from headstart.apps.audit.models import AuditEvent

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="PostgreSQL only (DATABASE_URL)")]


def test_an_audited_read_behind_a_held_lock_answers_503_and_writes_nothing(make_partner, make_advisory, token_for):
    import psycopg

    _partner, _admin, analyst = make_partner("Example AV", "advanced")
    make_advisory(patch_in=dt.timedelta(hours=12))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(analyst)}", raise_request_exception=False)
    assert client.get("/api/v1/advisories").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = 200")  # this connection's wait, as HEADSTART_DB_LOCK_WAIT_MS sets it
    events = AuditEvent.objects.count()
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    try:
        with psycopg.connect(**params) as holder:
            holder.execute("SELECT * FROM audit_audithead WHERE id = 1 FOR UPDATE")
            busy = client.get("/api/v1/advisories")
            holder.rollback()
    finally:
        # The teardown's TRUNCATE must not give up after 200 ms behind autovacuum's lock.
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")

    assert busy.status_code == 503
    assert busy.json() == {"detail": "the database is busy with another write; retry in a few seconds"}
    assert int(busy["Retry-After"]) > 0
    assert AuditEvent.objects.count() == events
    assert client.get("/api/v1/advisories").status_code == 200
