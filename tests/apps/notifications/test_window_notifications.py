"""Each contact of a partner is mailed once when the partner's window opens, never before,
and reminded once of the embargo end; whatever the worker missed is caught up on start."""

from __future__ import annotations

import datetime as dt

import pytest

from headstart.apps.audit.services import Actor

pytestmark = pytest.mark.django_db

ACTOR = Actor(name="test:staff")
HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)
OPEN = "your pre-release window is open"
REMINDER = "embargo ends"


def test_advanced_partner_is_notified_when_its_window_opens_and_entry_partner_is_not_yet(
    make_partner, make_advisory, run_worker, mailbox, contacts_of
):
    make_partner("Acme", "advanced")
    make_partner("Entry Co", "entry")
    make_advisory(patch_in=48 * HOUR)  # advanced window (72h) is open; entry window (24h) opens in 24h

    report = run_worker()

    assert report.outcomes == {"sent": 3}
    assert set(mailbox.per_recipient()) == contacts_of("acme")
    assert all(OPEN in m.subject for m in mailbox.messages)
    assert not any(mailbox.subjects_to(address) for address in contacts_of("entry-co"))


def test_entry_partner_is_notified_once_its_window_opens(
    make_partner, make_advisory, run_worker, let_time_pass, mailbox, contacts_of
):
    make_partner("Entry Co", "entry")
    make_advisory(patch_in=48 * HOUR)
    run_worker()
    let_time_pass(23 * HOUR)  # one hour before the entry window
    run_worker()
    assert mailbox.messages == []

    let_time_pass(2 * HOUR)  # the window opened an hour ago
    run_worker()
    run_worker()

    assert mailbox.per_recipient() == dict.fromkeys(contacts_of("entry-co"), 1)
    assert all(OPEN in m.subject for m in mailbox.messages)


def test_running_the_worker_again_sends_nothing_new(make_partner, make_advisory, run_worker, mailbox):
    make_partner("Acme", "advanced")
    make_advisory()
    run_worker()
    first = len(mailbox.messages)

    again = run_worker()
    once_more = run_worker()

    assert first == 3
    assert len(mailbox.messages) == first
    assert again.tasks == once_more.tasks == 0
    assert again.sweep.created == once_more.sweep.created == 0


def test_advanced_partner_is_reminded_once_a_day_before_the_patch(
    make_partner, make_advisory, run_worker, let_time_pass, mailbox, contacts_of
):
    make_partner("Acme", "advanced")
    make_advisory(patch_in=60 * HOUR)
    run_worker()
    let_time_pass(35 * HOUR)  # 25 h before the patch: no reminder yet
    run_worker()
    assert all(OPEN in m.subject for m in mailbox.messages)

    let_time_pass(2 * HOUR)  # 23 h before the patch
    run_worker()
    run_worker()

    for address in contacts_of("acme"):
        subjects = mailbox.subjects_to(address)
        assert len(subjects) == 2
        assert OPEN in subjects[0] and REMINDER in subjects[1]


def test_entry_partner_gets_one_mail_as_its_window_opens_at_reminder_time(
    make_partner, make_advisory, run_worker, let_time_pass, mailbox, contacts_of
):
    from headstart.apps.notifications.models import Notification

    make_partner("Entry Co", "entry")
    make_advisory(patch_in=24 * HOUR + 10 * MINUTE)
    let_time_pass(20 * MINUTE)  # the 24h window opened ten minutes ago, with the reminder time

    run_worker()
    run_worker()

    assert mailbox.per_recipient() == dict.fromkeys(contacts_of("entry-co"), 1)
    reminders = Notification.objects.filter(kind="reminder")
    assert {(n.status, n.cancel_reason) for n in reminders} == {("cancelled", "superseded")}


def test_missed_windows_are_caught_up_when_the_worker_starts(
    make_partner, make_advisory, run_worker, mailbox, contacts_of
):
    make_partner("Acme", "advanced")
    make_partner("Entry Co", "entry")
    # No worker ran while the advanced windows of both advisories opened (42 h and 52 h ago)
    # and the entry window of the second (4 h ago).
    make_advisory("HS-2026-0001", patch_in=30 * HOUR)
    make_advisory("HS-2026-0002", patch_in=20 * HOUR)

    run_worker()

    for address in contacts_of("acme"):
        subjects = mailbox.subjects_to(address)
        assert len(subjects) == 2
        assert any("HS-2026-0001" in s for s in subjects) and any("HS-2026-0002" in s for s in subjects)
    for address in contacts_of("entry-co"):
        assert len(mailbox.subjects_to(address)) == 1 and "HS-2026-0002" in mailbox.subjects_to(address)[0]
    # A late window-open mail states the embargo end, so no reminder goes out beside it.
    assert all(OPEN in m.subject for m in mailbox.messages)


def test_a_reminder_missed_while_the_worker_was_down_is_sent_on_start(
    make_partner, make_advisory, run_worker, let_time_pass, mailbox, contacts_of
):
    make_partner("Acme", "advanced")
    make_advisory(patch_in=60 * HOUR)
    run_worker()
    let_time_pass(50 * HOUR)  # the reminder fell due 14 h ago, with no worker running

    run_worker()

    for address in contacts_of("acme"):
        assert [REMINDER in s for s in mailbox.subjects_to(address)] == [False, True]


def test_nothing_is_sent_once_the_advisory_is_public(
    make_partner, make_advisory, run_worker, let_time_pass, mailbox
):
    make_partner("Acme", "advanced")
    make_advisory(patch_in=2 * HOUR)
    let_time_pass(3 * HOUR)  # the worker was down through the whole window

    report = run_worker()

    assert mailbox.messages == []
    assert report.sweep.created == 0


def test_partner_is_notified_only_after_accepting_the_current_nda(
    make_partner, make_advisory, run_worker, mailbox, contacts_of
):
    from headstart.apps.partners.services import accept_nda

    partner, admin, _ = make_partner("Acme", "advanced", accept=False)
    make_advisory()
    run_worker()
    assert mailbox.messages == []

    accept_nda(partner, admin, actor=ACTOR)
    run_worker()

    assert set(mailbox.per_recipient()) == contacts_of("acme")


def test_each_address_is_mailed_once_whatever_its_case_and_inactive_users_are_not_mailed(
    make_advisory, program, run_worker, mailbox
):
    from headstart.apps.accounts.services import add_user
    from headstart.apps.partners.services import PartnerInput, accept_nda, add_partner

    partner = add_partner(PartnerInput("Acme", "advanced", "Admin@Acme.Example"), actor=ACTOR)
    admin = add_user("admin@acme.example", actor=ACTOR, partner=partner, role="admin")
    former = add_user("former@acme.example", actor=ACTOR, partner=partner, role="analyst")
    former.is_active = False
    former.save()
    accept_nda(partner, admin, actor=ACTOR)
    make_advisory()

    run_worker()

    assert mailbox.per_recipient() == {"admin@acme.example": 1}


def test_a_contact_added_after_the_window_opened_gets_its_own_mail(
    make_partner, make_advisory, run_worker, mailbox, contacts_of
):
    from headstart.apps.accounts.services import add_user

    partner, _, _ = make_partner("Acme", "advanced")
    make_advisory()
    run_worker()

    add_user("newcomer@acme.example", actor=ACTOR, partner=partner, role="analyst")
    run_worker()

    assert mailbox.per_recipient() == dict.fromkeys(contacts_of("acme") | {"newcomer@acme.example"}, 1)


def test_every_sent_mail_is_in_the_audit_chain(make_partner, make_advisory, run_worker, contacts_of):
    from headstart.apps.audit.models import AuditEvent
    from headstart.apps.audit.services import verify

    make_partner("Acme", "advanced")
    make_advisory()
    run_worker()

    events = AuditEvent.objects.filter(action="notification.sent")
    assert sorted(e.details["email"] for e in events) == sorted(contacts_of("acme"))
    assert {(e.actor, e.details["advisory"], e.details["kind"]) for e in events} == {
        ("system", "HS-2026-0001", "window-open")
    }
    assert verify().ok
