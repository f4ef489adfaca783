"""Suspending or expelling a partner cancels its pending notifications at once; they are
never sent. Lifting a suspension lets the partner hear of what is still open to it."""

from __future__ import annotations

import pytest

from headstart.apps.audit.services import Actor

pytestmark = pytest.mark.django_db

ACTOR = Actor(name="test:staff")


@pytest.fixture
def queued_for_acme(make_partner, make_advisory):  # type: ignore[no-untyped-def]
    """Acme's window-open mails are queued (the sweep ran) but not yet sent."""
    from headstart.apps.notifications.services import sweep

    acme, _, _ = make_partner("Acme", "advanced")
    make_partner("Globex", "advanced")
    make_advisory()
    sweep()
    return acme


@pytest.mark.parametrize("new_status", ["suspended", "expelled"])
def test_pending_notifications_of_a_suspended_or_expelled_partner_are_cancelled_and_never_sent(
    queued_for_acme, new_status, run_worker, mailbox, contacts_of
):
    from headstart.apps.audit.models import AuditEvent
    from headstart.apps.notifications.models import Notification
    from headstart.apps.partners.services import set_status

    set_status(queued_for_acme, new_status, reason="leak", actor=ACTOR)

    rows = Notification.objects.filter(partner=queued_for_acme)
    assert {(n.status, n.cancel_reason) for n in rows} == {("cancelled", f"partner-{new_status}")}
    run_worker()
    run_worker()
    assert set(mailbox.per_recipient()) == contacts_of("globex")
    cancel = AuditEvent.objects.get(action="notification.cancel")
    assert (cancel.actor, cancel.object_id, cancel.details["count"]) == ("test:staff", "Acme", 3)


def test_a_suspended_partner_is_not_told_of_windows_that_open_during_the_suspension(
    make_partner, make_advisory, run_worker, mailbox, contacts_of
):
    from headstart.apps.partners.services import set_status

    acme, _, _ = make_partner("Acme", "advanced")
    make_partner("Globex", "advanced")
    set_status(acme, "suspended", reason="investigation", actor=ACTOR)
    make_advisory()

    run_worker()

    assert set(mailbox.per_recipient()) == contacts_of("globex")


def test_a_reinstated_partner_is_told_once_of_what_is_still_open(
    queued_for_acme, run_worker, mailbox, contacts_of
):
    from headstart.apps.partners.services import set_status

    set_status(queued_for_acme, "suspended", reason="investigation", actor=ACTOR)
    run_worker()
    set_status(queued_for_acme, "active", reason="cleared", actor=ACTOR)
    run_worker()
    run_worker()

    assert mailbox.per_recipient() == dict.fromkeys(contacts_of("acme") | contacts_of("globex"), 1)


def test_an_expelled_partner_is_never_told_again(
    queued_for_acme, make_advisory, run_worker, mailbox, contacts_of
):
    from headstart.apps.partners.services import set_status

    set_status(queued_for_acme, "expelled", reason="leaked HS-2026-0001", actor=ACTOR)
    make_advisory("HS-2026-0002")
    run_worker()

    assert not set(mailbox.per_recipient()) & contacts_of("acme")


def test_a_mail_queued_before_a_suspension_is_cancelled_when_its_task_runs(
    queued_for_acme, run_worker, mailbox
):
    """Even if the status changed by some path that bypassed the receiver, the send re-checks."""
    from headstart.apps.notifications.models import Notification
    from headstart.apps.partners.models import Partner

    Partner.objects.filter(pk=queued_for_acme.pk).update(status="suspended")
    report = run_worker()

    assert report.outcomes == {"sent": 3, "cancelled": 3}
    assert {n.cancel_reason for n in Notification.objects.filter(partner=queued_for_acme)} == {
        "partner-suspended"
    }
