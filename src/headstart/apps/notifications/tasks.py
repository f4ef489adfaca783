"""The queued job: send one notification at most once. The row decides; the task only carries its id.

`deliver(id)` claims the row (pending -> sending) and commits before the mail leaves, then
marks it sent. A crash in between leaves the row in "sending", which is never sent again
automatically: at most once, and visible to staff (`headstart worker --status`, the admin).

The task and the code it runs live in one module because a send the mail server could not
take yet queues the task again (`enqueue`): apart, the two would import each other.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import smtplib
from typing import Any

from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from headstart.apps.advisories.access import open_advisories_for_partner
from headstart.apps.advisories.models import AdvisoryStatus
from headstart.apps.audit.services import Actor, record
from headstart.apps.notifications.mail import build_message
from headstart.apps.notifications.models import Notification, NotificationKind, NotificationStatus
from headstart.apps.notifications.recipients import contacts
from headstart.apps.partners.models import PartnerStatus
from headstart.apps.partners.services import has_accepted_current_nda

KIND = NotificationKind
STATUS = NotificationStatus

# Connection failures (nothing reached the mail server) are retried with a growing delay.
MAX_CONNECT_ATTEMPTS = 8
RETRY_BASE = dt.timedelta(minutes=1)
RETRY_CAP = dt.timedelta(hours=1)

SYSTEM = Actor.system()


@task()
def send_notification(notification_id: int) -> str:
    return deliver(notification_id)


def enqueue(n: Notification, run_after: dt.datetime | None = None) -> None:
    """Queue a send in the caller's transaction: the database queue commits with the row."""
    job = send_notification.using(run_after=run_after) if run_after else send_notification
    n.task_id = str(job.enqueue(n.pk).id)
    n.save(update_fields=["task_id"])


def deliver(notification_id: int, *, now: dt.datetime | None = None) -> str:
    """Send one notification at most once. Returns what happened: sent, cancelled, deferred,
    failed, skipped (not pending: already handled), not-due or missing."""
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the partner row too, so a claim and a suspension are strictly ordered.
        n = (
            Notification.objects.select_for_update(of=("self", "partner"))
            .select_related("partner__tier", "advisory")
            .filter(pk=notification_id)
            .first()
        )
        if n is None:
            return "missing"
        if n.status != STATUS.PENDING:
            return "skipped"
        if n.due_at > now:
            return "not-due"
        reason = unsendable_reason(n, now)
        if reason:
            n.status, n.cancel_reason = STATUS.CANCELLED, reason
            n.save(update_fields=["status", "cancel_reason"])
            record(SYSTEM, "notification.cancel", n, **audit_facts(n), reason=reason)
            return "cancelled"
        n.status, n.claimed_at = STATUS.SENDING, now
        n.save(update_fields=["status", "claimed_at"])
    # Committed: from here on this row is never sent by anyone else, whatever happens to us.
    message = build_message(n)
    connection = get_connection()
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as exc:
        return _defer(n, exc, now)
    try:
        sent = connection.send_messages([message])
    except Exception as exc:  # noqa: BLE001 - the server may or may not have taken it: never retry on our own
        return _fail(n, f"{type(exc).__name__}: {exc}")
    finally:
        # A failed QUIT does not undo a delivered message.
        with contextlib.suppress(OSError, smtplib.SMTPException):
            connection.close()
    if not sent:
        return _fail(n, "the mail backend reported that nothing was sent")
    with transaction.atomic():
        Notification.objects.filter(pk=n.pk, status=STATUS.SENDING).update(
            status=STATUS.SENT, sent_at=now, error=""
        )
        record(
            SYSTEM, "notification.sent", n, **audit_facts(n), message_id=message.extra_headers["Message-ID"]
        )
    return "sent"


def unsendable_reason(n: Notification, now: dt.datetime) -> str:
    """Why this notification must not go out now ('' if it may), checked at the moment of sending."""
    partner, advisory = n.partner, n.advisory
    if partner.status != PartnerStatus.ACTIVE:
        return f"partner-{partner.status}"
    if n.email not in contacts(partner):
        return "contact-removed"
    if n.kind == KIND.WITHDRAWN:
        return "" if advisory.status == AdvisoryStatus.WITHDRAWN else f"advisory-{advisory.status}"
    if advisory.status != AdvisoryStatus.SCHEDULED:
        return f"advisory-{advisory.status}"
    if advisory.patch_at <= now:
        return "advisory-public"
    if not has_accepted_current_nda(partner):
        return "nda-not-accepted"
    if not open_advisories_for_partner(partner, now).filter(pk=advisory.pk).exists():
        return "window-not-open"
    return ""


def _defer(n: Notification, exc: BaseException, now: dt.datetime) -> str:
    """The mail server could not be reached, so nothing was sent: try again later, a few times."""
    with transaction.atomic():
        n = Notification.objects.select_for_update().get(pk=n.pk)
        if n.status != STATUS.SENDING:
            return "skipped"
        n.attempts += 1
        n.error = f"attempt {n.attempts}: cannot reach the mail server: {type(exc).__name__}: {exc}"
        if n.attempts >= MAX_CONNECT_ATTEMPTS:
            n.status = STATUS.FAILED
            n.save(update_fields=["attempts", "error", "status"])
            record(SYSTEM, "notification.failed", n, **audit_facts(n), error=n.error)
            return "failed"
        n.status = STATUS.PENDING
        n.due_at = now + min(RETRY_BASE * 2 ** (n.attempts - 1), RETRY_CAP)
        n.save(update_fields=["attempts", "error", "status", "due_at"])
        enqueue(n, run_after=n.due_at)
    return "deferred"


def _fail(n: Notification, error: str) -> str:
    with transaction.atomic():
        Notification.objects.filter(pk=n.pk, status=STATUS.SENDING).update(
            status=STATUS.FAILED, error=error[:2000]
        )
        record(SYSTEM, "notification.failed", n, **audit_facts(n), error=error[:2000])
    return "failed"


def audit_facts(n: Notification) -> dict[str, Any]:
    return {"partner_name": n.partner.name, "advisory": n.advisory.ident, "kind": n.kind, "email": n.email}
