"""Helpers for the notification tests: a worker run in-process, time passing, mailboxes."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable

import pytest
from django.core import mail
from django.db.models import F


@pytest.fixture(autouse=True)
def keep_the_test_transaction(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Each test runs inside one database transaction that is rolled back at its end.

    Between tasks the worker drops stale connections (close_old_connections), which would close
    the test's connection in the middle of that transaction. Connection housekeeping is not
    what these tests check (the subprocess tests in tests/faces/cli run the worker untouched).
    """
    from django_tasks_db.management.commands import db_worker

    from headstart.apps.notifications import runner

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    monkeypatch.setattr(runner, "close_old_connections", lambda: None)


@pytest.fixture
def run_worker() -> Callable:
    """One pass of the real worker (sweep + django_tasks_db's Worker) against the test database."""
    from headstart.apps.notifications.runner import Runner

    def run(max_tasks: int | None = None):  # type: ignore[no-untyped-def]
        return Runner(max_tasks=max_tasks).run_pass()

    return run


@pytest.fixture
def let_time_pass() -> Callable[[dt.timedelta], None]:
    """Move every time still ahead `delta` closer: advisories' patch times, notifications'
    due times and queued tasks' start times.

    The notification and access rules only compare the clock with these (windows open at
    patch_at - lead time, reminders fall due at patch_at - 24h, a deferred mail waits for its
    due time), so for them this is the same as `delta` of time passing, while the worker
    keeps its real clock.
    """
    from django_tasks_db.models import DBTaskResult, get_date_max

    from headstart.apps.advisories.models import Advisory
    from headstart.apps.notifications.models import Notification

    def advance(delta: dt.timedelta) -> None:
        Advisory.objects.update(patch_at=F("patch_at") - delta)
        Notification.objects.update(due_at=F("due_at") - delta)
        DBTaskResult.objects.exclude(run_after=get_date_max()).update(run_after=F("run_after") - delta)

    return advance


class Mailbox:
    """Django's locmem outbox (pytest-django empties it for each test), read by recipient."""

    @property
    def messages(self) -> list[mail.EmailMessage]:
        return list(mail.outbox)

    def subjects_to(self, address: str) -> list[str]:
        return [m.subject for m in mail.outbox if address in m.to]

    def per_recipient(self) -> Counter[str]:
        return Counter(address for m in mail.outbox for address in m.to)


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox()


@pytest.fixture
def contacts_of() -> Callable[[str], set[str]]:
    """The three addresses the make_partner factory gives a partner: its own and its two users'."""
    return lambda slug: {f"security@{slug}.example", f"admin@{slug}.example", f"analyst@{slug}.example"}
