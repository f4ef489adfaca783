"""Never twice: restarts, crashes mid-send, duplicate tasks and mail-server failures."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from headstart.apps.audit.services import Actor

pytestmark = pytest.mark.django_db

ACTOR = Actor(name="test:staff")
VICTIM = "admin@acme.example"


class DiesWhileSending(LocmemBackend):
    """The worker dies (SystemExit, not an error it may handle) just after a mail to VICTIM left."""

    def send_messages(self, messages):  # type: ignore[no-untyped-def]
        sent = super().send_messages(messages)
        if any(VICTIM in m.to for m in messages):
            raise SystemExit("worker killed while sending")
        return sent


class RefusesVictim(LocmemBackend):
    """The mail server rejects the message to VICTIM after accepting the connection."""

    def send_messages(self, messages):  # type: ignore[no-untyped-def]
        if any(VICTIM in m.to for m in messages):
            raise smtplib.SMTPDataError(554, b"5.7.1 message rejected")
        return super().send_messages(messages)


class Unreachable(LocmemBackend):
    """No mail server listens: opening the connection fails, so nothing can have been sent."""

    def open(self):  # type: ignore[no-untyped-def]
        raise ConnectionRefusedError(111, "Connection refused")


@pytest.fixture
def three_partners(make_partner, make_advisory):  # type: ignore[no-untyped-def]
    for name in ("Acme", "Globex", "Initech"):
        make_partner(name, "advanced")
    return make_advisory()


def notification_to(address: str, kind: str = "window-open"):  # type: ignore[no-untyped-def]
    from headstart.apps.notifications.models import Notification

    return Notification.objects.get(email=address, kind=kind)


def test_a_worker_restarted_mid_run_sends_each_mail_exactly_once(three_partners, run_worker, mailbox):
    first = run_worker(max_tasks=1)  # stops after one mail, as if restarted
    second = run_worker(max_tasks=4)  # a fresh worker: it sweeps again, then stops after four more
    third = run_worker()
    fourth = run_worker()

    assert [r.tasks for r in (first, second, third, fourth)] == [1, 4, 4, 0]
    assert second.sweep.created == third.sweep.created == 0
    assert len(mailbox.messages) == 9
    assert set(mailbox.per_recipient().values()) == {1}


def test_a_mail_cut_off_by_a_crash_is_never_sent_again(three_partners, run_worker, mailbox, settings):
    from headstart.apps.notifications.services import status_summary

    settings.EMAIL_BACKEND = f"{__name__}.DiesWhileSending"
    crashed = run_worker()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run_worker()
    run_worker()

    assert crashed.outcomes["task-error"] == 1
    assert mailbox.per_recipient()[VICTIM] == 1
    assert len(mailbox.messages) == 9
    assert notification_to(VICTIM).status == "sending"
    summary = status_summary()
    assert summary["notifications"]["sending"] == 1
    assert [(a["email"], a["status"]) for a in summary["attention"]] == [(VICTIM, "sending")]


def test_staff_may_send_again_a_mail_left_in_sending(three_partners, run_worker, mailbox, settings):
    from headstart.apps.audit.models import AuditEvent
    from headstart.apps.notifications.services import send_again
    from headstart.errors import Invalid

    settings.EMAIL_BACKEND = f"{__name__}.DiesWhileSending"
    run_worker()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    send_again(notification_to(VICTIM), actor=ACTOR)
    run_worker()

    assert mailbox.per_recipient()[VICTIM] == 2  # staff chose to risk the duplicate
    assert notification_to(VICTIM).status == "sent"
    assert AuditEvent.objects.filter(action="notification.send_again", actor="test:staff").count() == 1
    with pytest.raises(Invalid, match="is sent"):
        send_again(notification_to(VICTIM), actor=ACTOR)


def test_two_queued_tasks_for_one_notification_send_one_mail(three_partners, run_worker, mailbox):
    from headstart.apps.notifications.models import Notification
    from headstart.apps.notifications.services import sweep
    from headstart.apps.notifications.tasks import send_notification

    sweep()
    for n in Notification.objects.all():
        send_notification.enqueue(n.pk)  # as a second worker or a re-queue would

    report = run_worker()

    assert report.outcomes == {"sent": 9, "skipped": 9}
    assert len(mailbox.messages) == 9


def test_a_mail_refused_by_the_server_is_marked_failed_and_not_retried(
    three_partners, run_worker, mailbox, settings
):
    from headstart.apps.audit.models import AuditEvent

    settings.EMAIL_BACKEND = f"{__name__}.RefusesVictim"
    report = run_worker()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    again = run_worker()

    assert report.outcomes == {"sent": 8, "failed": 1}
    assert again.tasks == 0
    assert VICTIM not in mailbox.per_recipient()
    failed = notification_to(VICTIM)
    assert failed.status == "failed" and "SMTPDataError" in failed.error
    assert AuditEvent.objects.filter(action="notification.failed").count() == 1


def test_an_unreachable_mail_server_defers_every_mail_and_a_later_pass_sends_each_once(
    three_partners, run_worker, let_time_pass, mailbox, settings
):
    from headstart.apps.notifications.models import Notification

    settings.EMAIL_BACKEND = f"{__name__}.Unreachable"
    down = run_worker()
    still_waiting = run_worker()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    let_time_pass(dt.timedelta(minutes=2))
    back = run_worker()

    assert down.outcomes == {"deferred": 9}
    assert still_waiting.tasks == 0  # each retry waits for its time
    assert back.outcomes == {"sent": 9}
    assert len(mailbox.messages) == 9 and set(mailbox.per_recipient().values()) == {1}
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}


def test_a_mail_server_that_stays_unreachable_ends_in_failed(make_partner, make_advisory, settings):
    from headstart.apps.notifications.models import Notification
    from headstart.apps.notifications.services import MAX_CONNECT_ATTEMPTS, deliver, sweep

    make_partner("Acme", "advanced")
    make_advisory()
    sweep()
    settings.EMAIL_BACKEND = f"{__name__}.Unreachable"
    n = notification_to(VICTIM)

    outcomes = []
    for _ in range(MAX_CONNECT_ATTEMPTS):
        outcomes.append(deliver(n.pk, now=Notification.objects.get(pk=n.pk).due_at))

    assert outcomes == ["deferred"] * (MAX_CONNECT_ATTEMPTS - 1) + ["failed"]
    n.refresh_from_db()
    assert n.status == "failed" and "Connection refused" in n.error
