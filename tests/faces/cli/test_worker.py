"""`headstart worker` and `headstart advisory withdraw`, run in-process against the test database."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keep_the_test_transaction(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The test's database transaction must survive the worker's stale-connection housekeeping
    (test_worker_process.py runs the worker as a real process, untouched)."""
    from django_tasks_db.management.commands import db_worker

    from headstart.apps.notifications import runner

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    monkeypatch.setattr(runner, "close_old_connections", lambda: None)


class DiesWhileSending(LocmemBackend):
    """The worker dies just after the first mail left, before it could mark it sent."""

    def send_messages(self, messages):  # type: ignore[no-untyped-def]
        super().send_messages(messages)
        raise SystemExit("worker killed while sending")


def test_worker_once_sends_what_is_due_and_reports_json(make_partner, make_advisory, run_cli):
    make_partner("Acme", "advanced")
    make_partner("Entry Co", "entry")
    make_advisory()

    result = run_cli("worker", "--once", "--json")

    assert result.code == 0
    report = json.loads(result.out)
    assert report["passes"] == 1 and report["tasks_run"] == 3
    assert report["totals"]["created"] == 3 and report["totals"]["sent"] == 3
    assert "worker: sweep: 3 new" in result.err
    assert len(mail.outbox) == 3


def test_worker_once_again_has_nothing_to_do(make_partner, make_advisory, run_cli):
    make_partner("Acme", "advanced")
    make_advisory()
    run_cli("worker", "--once")

    result = run_cli("worker", "--once")

    assert result.code == 0
    assert result.out.strip() == "1 pass, 0 tasks: nothing due"
    assert len(mail.outbox) == 3


def test_worker_max_tasks_stops_after_that_many(make_partner, make_advisory, run_cli):
    make_partner("Acme", "advanced")
    make_advisory()

    first = json.loads(run_cli("worker", "--once", "--max-tasks", "2", "--json").out)
    rest = json.loads(run_cli("worker", "--once", "--json").out)

    assert (first["tasks_run"], rest["tasks_run"]) == (2, 1)
    assert len(mail.outbox) == 3


def test_worker_status_shows_counts_and_the_mail_a_crash_left_in_sending(
    make_partner, make_advisory, run_cli, settings
):
    make_partner("Acme", "advanced")
    make_advisory()
    settings.EMAIL_BACKEND = f"{__name__}.DiesWhileSending"
    run_cli("worker", "--once", "--max-tasks", "1")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run_cli("worker", "--once")

    status = json.loads(run_cli("worker", "--status", "--json").out)
    text = run_cli("worker", "--status").out

    assert status["notifications"] == {"pending": 0, "sending": 1, "sent": 2, "cancelled": 0, "failed": 0}
    [stuck] = status["attention"]
    assert (stuck["status"], stuck["partner"], stuck["advisory"], stuck["kind"]) == (
        "sending",
        "Acme",
        "HS-2026-0001",
        "window-open",
    )
    assert status["task_queue"]["failed"] == 1  # the task the crash interrupted
    assert "1 sending, 2 sent" in text and stuck["email"] in text
    assert len(mail.outbox) == 3  # the cut-off mail did leave, once


def test_worker_refuses_a_bad_interval(run_cli, program):
    result = run_cli("worker", "--interval", "0")

    assert result.code == 1
    assert "--interval 0" in result.err


def test_advisory_withdraw_from_the_command_line(make_partner, make_advisory, run_cli):
    make_partner("Acme", "advanced")
    make_advisory()
    run_cli("worker", "--once")

    withdrawn = run_cli("advisory", "withdraw", "HS-2026-0001", "--reason", "the fix was pulled", "--json")
    sent = json.loads(run_cli("worker", "--once", "--json").out)
    again = run_cli("advisory", "withdraw", "HS-2026-0001", "--reason", "twice")

    data = json.loads(withdrawn.out)
    assert withdrawn.code == 0 and data["status"] == "withdrawn" and data["withdrawal_notices"] == 3
    assert sent["totals"]["sent"] == 3
    assert sum("has been withdrawn" in m.subject for m in mail.outbox) == 3
    assert again.code == 1 and "is withdrawn" in again.err


def test_advisory_withdraw_needs_a_reason(make_advisory, run_cli):
    make_advisory()

    result = run_cli("advisory", "withdraw", "HS-2026-0001", "--reason", " ")

    assert result.code == 1 and "reason" in result.err
