"""The mail for a notification: subject, body and headers, rendered from its templates."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from headstart.apps.accounts.models import User
from headstart.apps.advisories.access import window_opens_at
from headstart.apps.notifications.models import Notification, NotificationKind
from headstart.apps.program.models import Program
from headstart.apps.readiness.services import not_ready


def build_message(n: Notification) -> EmailMessage:
    """The mail for a notification. It carries no confidential content: the advisory's
    identifier, times and the portal address; never the title, CVE, scores or artifacts."""
    program = Program.objects.filter(pk=1).first()
    portal = settings.HEADSTART_PORTAL_URL
    context = {
        "program": program.name if program else "Headstart",
        "partner": n.partner.name,
        "ident": n.advisory.ident,
        "window_opens_at": _when(window_opens_at(n.advisory, n.partner.tier)),
        "patch_at": _when(n.advisory.patch_at),
        "portal_url": portal,
        "advisory_url": urljoin(portal, f"advisories/{n.advisory.ident}/"),
        "package_url": urljoin(portal, f"api/v1/advisories/{n.advisory.ident}/package"),
        "can_sign_in": can_sign_in(n.email),
        "readiness_url": urljoin(portal, f"api/v1/advisories/{n.advisory.ident}/readiness"),
        # Judged when the reminder goes out: a partner that marked itself ready is not nagged.
        "not_ready": n.kind == NotificationKind.REMINDER and n.partner.pk in not_ready(n.advisory, [n.partner]),
    }
    subject = " ".join(render_to_string(f"notifications/mail/{n.kind}_subject.txt", context).split())
    body = render_to_string(f"notifications/mail/{n.kind}.txt", context)
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    headers = {
        # The same Message-ID for the same notification lets mail systems drop a duplicate.
        "Message-ID": f"<notification-{n.pk}-{n.kind}@{domain}>",
        "X-Headstart-Notification": str(n.pk),
        "Auto-Submitted": "auto-generated",
    }
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [n.email], headers=headers)


def can_sign_in(email: str) -> bool:
    """Whether the mail may tell its reader to sign in: a user without a usable password (an
    API-token user, or one whose password was never set) cannot, so that mail points to the
    API and says how to get a password instead. The partner's contact address is not a user
    account; the people who read it sign in with their own."""
    user = User.objects.filter(email__iexact=email).first()
    return user is None or user.has_usable_password()


def _when(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
