"""Mails say when and where, never what: no title, CVE, score or artifact content."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from headstart.apps.audit.services import Actor

pytestmark = pytest.mark.django_db

ACTOR = Actor(name="test:staff")
HOUR = dt.timedelta(hours=1)
SECRET_TITLE = "Heap overflow in the TIM parser"
CVE = "CVE-2026-31337"
CVSS = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H"


@pytest.fixture
def every_kind_of_mail(make_partner, program, run_worker, let_time_pass, mailbox):
    """A window-open mail, a reminder and a withdrawal notice about an advisory with a telling
    title, a CVE, a score, products and artifacts."""
    from headstart.apps.advisories.services import (
        ArtifactInput,
        create_advisory,
        schedule_advisory,
        withdraw_advisory,
    )

    make_partner("Acme", "advanced")
    advisory = create_advisory(
        "HS-2026-0042",
        title=SECRET_TITLE,
        cve=CVE,
        cvss=CVSS,
        products=["Contoso Viewer 7"],
        patch_at=timezone.now() + 60 * HOUR,
        actor=ACTOR,
        artifacts=[ArtifactInput("writeup", "writeup.md", b"# The TIM header overflows at offset 0x24\n")],
    )
    schedule_advisory(advisory, actor=ACTOR)
    run_worker()
    let_time_pass(37 * HOUR)
    run_worker()
    advisory.refresh_from_db()
    withdraw_advisory(advisory, reason="pulled", actor=ACTOR)
    run_worker()
    assert len(mailbox.messages) == 9  # to each of Acme's three contacts: window open, reminder, withdrawn
    advisory.refresh_from_db()
    return advisory


def test_mails_carry_no_title_cve_score_product_or_artifact_content(every_kind_of_mail, mailbox):
    for message in mailbox.messages:
        text = f"{message.subject}\n{message.body}\n{message.extra_headers}".lower()
        for secret in (
            SECRET_TITLE,
            "heap overflow",
            "tim parser",
            CVE,
            "31337",
            CVSS,
            "8.8",
            "Contoso",
            "offset 0x24",
        ):
            assert secret.lower() not in text, (secret, message.subject)


def test_mails_name_the_advisory_the_times_and_the_portal(every_kind_of_mail, mailbox):
    patch_at = every_kind_of_mail.patch_at.strftime("%Y-%m-%d %H:%M UTC")
    # The window-open mails went out 37 h earlier in the fixture's story (before let_time_pass).
    patch_at_then = (every_kind_of_mail.patch_at + 37 * HOUR).strftime("%Y-%m-%d %H:%M UTC")
    for message in mailbox.messages:
        assert "HS-2026-0042" in message.subject
        assert "http://127.0.0.1:8000/" in message.body
    window_open = [m for m in mailbox.messages if "window is open" in m.subject]
    reminders = [m for m in mailbox.messages if "embargo ends" in m.subject]
    assert len(window_open) == len(reminders) == 3
    for message in window_open:
        assert f"Embargo ends:       {patch_at_then}" in message.body
        assert "http://127.0.0.1:8000/advisories/HS-2026-0042/" in message.body
    for message in reminders:
        assert patch_at in message.subject and patch_at in message.body


def test_mails_point_to_the_configured_portal_with_a_stable_message_id(
    make_partner, make_advisory, run_worker, mailbox, settings
):
    from headstart.apps.notifications.models import Notification

    settings.HEADSTART_PORTAL_URL = "https://psirt.example.com/headstart/"
    settings.DEFAULT_FROM_EMAIL = "psirt@example.com"
    make_partner("Acme", "advanced")
    make_advisory()

    run_worker()

    for message in mailbox.messages:
        n = Notification.objects.get(pk=int(message.extra_headers["X-Headstart-Notification"]))
        assert message.to == [n.email] and message.from_email == "psirt@example.com"
        assert "https://psirt.example.com/headstart/advisories/HS-2026-0001/" in message.body
        assert message.extra_headers["Message-ID"] == f"<notification-{n.pk}-window-open@example.com>"
        assert message.extra_headers["Auto-Submitted"] == "auto-generated"


def test_a_partner_name_is_written_as_is_not_html_escaped(make_advisory, program, run_worker, mailbox):
    from headstart.apps.accounts.services import add_user
    from headstart.apps.partners.services import PartnerInput, accept_nda, add_partner

    partner = add_partner(
        PartnerInput("Smith & Wesson <Security>", "advanced", "psirt@smith.example"), actor=ACTOR
    )
    accept_nda(
        partner, add_user("admin@smith.example", actor=ACTOR, partner=partner, role="admin"), actor=ACTOR
    )
    make_advisory()

    run_worker()

    assert len(mailbox.messages) == 2
    assert all(m.body.startswith("Hello Smith & Wesson <Security>,") for m in mailbox.messages)
