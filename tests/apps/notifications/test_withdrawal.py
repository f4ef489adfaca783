"""Withdrawing an advisory before its patch: partners see it no more, exactly those whose
window had opened are told, and nothing else about it goes out."""

from __future__ import annotations

import datetime as dt

import pytest

from headstart.apps.audit.services import Actor

pytestmark = pytest.mark.django_db

ACTOR = Actor(name="test:staff")
HOUR = dt.timedelta(hours=1)
WITHDRAWN = "has been withdrawn"


@pytest.fixture
def program_of_four(make_partner, make_advisory, run_worker):  # type: ignore[no-untyped-def]
    """Acme (advanced, window open, told), Entry Co (window not open), Nondisclosed (advanced, no
    NDA accepted) and Paused (advanced, suspended); the advisory is public in 48 h."""
    from headstart.apps.partners.services import set_status

    make_partner("Acme", "advanced")
    make_partner("Entry Co", "entry")
    make_partner("Nondisclosed", "advanced", accept=False)
    paused, _, _ = make_partner("Paused", "advanced")
    set_status(paused, "suspended", reason="overdue review", actor=ACTOR)
    advisory = make_advisory(patch_in=48 * HOUR)
    run_worker()
    return advisory


def test_withdrawal_notifies_exactly_the_partners_whose_window_had_opened(
    program_of_four, run_worker, mailbox, contacts_of
):
    from headstart.apps.advisories.services import withdraw_advisory

    withdraw_advisory(program_of_four, reason="the fix was pulled", actor=ACTOR)
    run_worker()
    run_worker()

    withdrawals = [m for m in mailbox.messages if WITHDRAWN in m.subject]
    assert sorted(address for m in withdrawals for address in m.to) == sorted(contacts_of("acme"))


def test_a_withdrawn_advisory_is_hidden_from_partners_and_cannot_be_downloaded(
    program_of_four, make_partner, api_client
):
    from headstart.apps.advisories.access import open_advisories_for_partner
    from headstart.apps.advisories.services import withdraw_advisory
    from headstart.apps.partners.models import Partner

    acme = Partner.objects.get(name="Acme")
    _, _, analyst = make_partner("Globex", "advanced")
    assert open_advisories_for_partner(acme).filter(pk=program_of_four.pk).exists()

    withdraw_advisory(program_of_four, reason="the fix was pulled", actor=ACTOR)

    assert not open_advisories_for_partner(acme).exists()
    client = api_client(analyst)
    assert client.get(f"/api/v1/advisories/{program_of_four.ident}").status_code == 404
    assert client.get(f"/api/v1/advisories/{program_of_four.ident}/package").status_code == 404
    assert client.get("/api/v1/advisories").json() == []


def test_withdrawal_cancels_window_and_reminder_mails_still_to_go(
    make_partner, make_advisory, run_worker, let_time_pass, mailbox, contacts_of
):
    from headstart.apps.advisories.services import withdraw_advisory
    from headstart.apps.notifications.models import Notification
    from headstart.apps.notifications.services import sweep

    make_partner("Acme", "advanced")
    make_partner("Globex", "advanced")
    advisory = make_advisory(patch_in=60 * HOUR)
    run_worker()  # both told of the window
    make_partner("Initech", "advanced")
    let_time_pass(37 * HOUR)
    sweep()  # queued, not sent: Acme's and Globex's reminders, Initech's window-open mails
    sent_before = len(mailbox.messages)

    withdraw_advisory(advisory, reason="duplicate of HS-2026-0002", actor=ACTOR)
    run_worker()

    to_go = Notification.objects.filter(kind__in=["window-open", "reminder"], sent_at__isnull=True).exclude(
        cancel_reason="superseded"
    )  # Initech's reminders: its window-open mail says it all
    assert to_go.count() == 9
    assert {(n.status, n.cancel_reason) for n in to_go} == {("cancelled", "advisory-withdrawn")}
    after = mailbox.messages[sent_before:]
    assert all(WITHDRAWN in m.subject for m in after)
    assert sorted(a for m in after for a in m.to) == sorted(
        contacts_of("acme") | contacts_of("globex") | contacts_of("initech")
    )


def test_withdrawal_after_the_patch_time_is_refused_and_changes_nothing(
    make_partner, make_advisory, run_worker, mailbox
):
    from headstart.apps.advisories.services import withdraw_advisory
    from headstart.apps.notifications.models import Notification
    from headstart.errors import Invalid

    make_partner("Acme", "advanced")
    advisory = make_advisory(patch_in=2 * HOUR)
    run_worker()

    with pytest.raises(Invalid, match="has passed"):
        withdraw_advisory(advisory, reason="too late", actor=ACTOR, now=advisory.patch_at)

    advisory.refresh_from_db()
    assert advisory.status == "scheduled"
    assert not Notification.objects.filter(kind="withdrawn").exists()


def test_withdrawal_needs_a_reason_and_happens_once(program_of_four):
    from headstart.apps.advisories.services import withdraw_advisory
    from headstart.errors import Invalid

    with pytest.raises(Invalid, match="reason"):
        withdraw_advisory(program_of_four, reason="  ", actor=ACTOR)
    withdraw_advisory(program_of_four, reason="pulled", actor=ACTOR)
    with pytest.raises(Invalid, match="is withdrawn"):
        withdraw_advisory(program_of_four, reason="again", actor=ACTOR)


def test_withdrawing_a_draft_tells_nobody(make_partner, make_advisory, run_worker, mailbox):
    from headstart.apps.advisories.services import withdraw_advisory

    make_partner("Acme", "advanced")
    draft = make_advisory(schedule=False)

    withdraw_advisory(draft, reason="never mind", actor=ACTOR)
    run_worker()

    assert mailbox.messages == []


def test_withdrawal_is_audited_with_its_reason(program_of_four):
    from headstart.apps.advisories.services import withdraw_advisory
    from headstart.apps.audit.models import AuditEvent
    from headstart.apps.audit.services import verify

    withdraw_advisory(program_of_four, reason="the fix was pulled", actor=ACTOR)

    event = AuditEvent.objects.get(action="advisory.withdraw")
    assert (event.actor, event.object_id, event.details["reason"], event.details["old_status"]) == (
        "test:staff",
        "HS-2026-0001",
        "the fix was pulled",
        "scheduled",
    )
    assert AuditEvent.objects.get(action="notification.withdrawal").details["notices"] == 3
    assert verify().ok


def test_staff_withdraw_through_the_api_and_partners_may_not(
    program_of_four, make_partner, staff_user, api_client
):
    _, partner_admin, _ = make_partner("Globex", "advanced")
    url = f"/api/v1/advisories/{program_of_four.ident}/withdraw"

    refused = api_client(partner_admin).post(url, {"reason": "mine"}, content_type="application/json")
    done = api_client(staff_user).post(url, {"reason": "the fix was pulled"}, content_type="application/json")
    again = api_client(staff_user).post(url, {"reason": "twice"}, content_type="application/json")

    assert refused.status_code == 403
    assert done.status_code == 200 and done.json()["status"] == "withdrawn"
    assert again.status_code == 400 and "withdrawn" in again.json()["detail"]
