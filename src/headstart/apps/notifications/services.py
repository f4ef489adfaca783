"""Deciding who is told what (sweep), following withdrawals and partner status, and staff actions.

`sweep(now)` is a pure function of the database state: it compares what should have been
said by `now` with the rows that exist, and creates the missing rows. So nothing depends on
a job having run at the right moment: a worker that was down for days catches up on start,
and a sweep that runs twice creates nothing new.

Sending one notification at most once is `deliver` in tasks.py, the job the worker runs.
The embargo itself never depends on any of this: access.py checks every read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from headstart.apps.advisories.access import open_advisories_for_partner, partner_may_read, window_opens_at
from headstart.apps.advisories.models import Advisory, AdvisoryStatus
from headstart.apps.audit.services import Actor, record
from headstart.apps.notifications.models import Notification, NotificationKind, NotificationStatus
from headstart.apps.notifications.recipients import contacts

# Sending one notification moved to tasks.py; MAX_CONNECT_ATTEMPTS and deliver stay importable from here.
from headstart.apps.notifications.tasks import (  # noqa: F401
    MAX_CONNECT_ATTEMPTS,
    audit_facts,
    deliver,
    enqueue,
    send_notification,
)
from headstart.apps.partners.models import Partner, PartnerStatus
from headstart.errors import Invalid

KIND = NotificationKind
STATUS = NotificationStatus

# A reminder that falls due before the partner was told of its window is "superseded": the
# window-open mail, still to go, states the embargo end. This decision is final; every other
# cancellation is undone by the sweep if the partner becomes eligible again (reinstated,
# NDA accepted again, contact re-added).
SUPERSEDED = "superseded"
FINAL_CANCEL_REASONS = frozenset({SUPERSEDED})


def reminder_lead() -> dt.timedelta:
    return dt.timedelta(hours=settings.HEADSTART_REMINDER_LEAD_HOURS)


# ---- the sweep ---------------------------------------------------------------------------------


@dataclass
class SweepReport:
    created: int = 0  # new rows to send
    revived: int = 0  # cancelled rows made pending again (the partner is eligible again)
    superseded: int = 0  # reminders not needed: the window-open mail still to go states the end
    requeued: int = 0  # pending rows that had lost their queued task

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def add(self, other: SweepReport) -> None:
        for key, value in other.as_dict().items():
            setattr(self, key, getattr(self, key) + value)


def sweep(now: dt.datetime | None = None) -> SweepReport:
    """Create the notifications that are due by `now` and missing; queue a send for each."""
    now = now or timezone.now()
    report = SweepReport()
    upcoming = list(Advisory.objects.filter(status=AdvisoryStatus.SCHEDULED, patch_at__gt=now))
    if upcoming:
        by_pk = {a.pk: a for a in upcoming}
        for partner in Partner.objects.filter(status=PartnerStatus.ACTIVE).select_related("tier"):
            # The window rule lives in access.py; ask it rather than repeat it here.
            open_pks = set(
                open_advisories_for_partner(partner, now)
                .filter(pk__in=by_pk, patch_at__gt=now)
                .values_list("pk", flat=True)
            )
            if not open_pks:
                continue
            emails = contacts(partner)
            for pk in sorted(open_pks):
                pair = SweepReport()
                try:
                    with transaction.atomic():
                        _reconcile(partner, by_pk[pk], emails, now, pair)
                except IntegrityError:
                    continue  # a concurrent sweep (another worker) created these rows first
                report.add(pair)
    report.requeued = _requeue_orphans(now)
    return report


def _reconcile(
    partner: Partner, advisory: Advisory, emails: list[str], now: dt.datetime, report: SweepReport
) -> None:
    """Bring one (partner, advisory) pair, whose window is open, up to date."""
    rows = {
        (n.kind, n.email): n
        for n in Notification.objects.select_for_update().filter(
            partner=partner, advisory=advisory, kind__in=[KIND.WINDOW_OPEN, KIND.REMINDER]
        )
    }
    reminder_at = advisory.patch_at - reminder_lead()
    for email in emails:
        opened = rows.get((KIND.WINDOW_OPEN, email))
        if opened is None:
            opened = _create(
                partner, advisory, KIND.WINDOW_OPEN, email, window_opens_at(advisory, partner.tier)
            )
            report.created += 1
        elif _revive(opened):
            report.revived += 1
        if now < reminder_at:
            continue
        reminder = rows.get((KIND.REMINDER, email))
        if reminder is None:
            if opened.status == STATUS.PENDING:
                _create(partner, advisory, KIND.REMINDER, email, reminder_at, cancel_reason=SUPERSEDED)
                report.superseded += 1
            else:
                _create(partner, advisory, KIND.REMINDER, email, reminder_at)
                report.created += 1
        elif _revive(reminder):
            report.revived += 1


def _create(
    partner: Partner,
    advisory: Advisory,
    kind: str,
    email: str,
    due_at: dt.datetime,
    *,
    cancel_reason: str = "",
) -> Notification:
    status = STATUS.CANCELLED if cancel_reason else STATUS.PENDING
    n = Notification.objects.create(
        partner=partner,
        advisory=advisory,
        kind=kind,
        email=email,
        due_at=due_at,
        status=status,
        cancel_reason=cancel_reason,
    )
    if status == STATUS.PENDING:
        enqueue(n)
    return n


def _revive(n: Notification) -> bool:
    if n.status != STATUS.CANCELLED or n.cancel_reason in FINAL_CANCEL_REASONS:
        return False
    n.status, n.cancel_reason = STATUS.PENDING, ""
    n.save(update_fields=["status", "cancel_reason"])
    enqueue(n)
    return True


def _requeue_orphans(now: dt.datetime) -> int:
    """Pending rows whose task is gone (pruned, failed before its claim) get a new one.

    A second task for the same row is harmless: only one can claim it.
    """
    from django_tasks import TaskResultStatus
    from django_tasks.exceptions import TaskResultDoesNotExist

    backend = send_notification.get_backend()
    count = 0
    for n in Notification.objects.filter(status=STATUS.PENDING, due_at__lte=now):
        try:
            alive = bool(n.task_id) and backend.get_result(n.task_id).status == TaskResultStatus.READY
        except TaskResultDoesNotExist:
            alive = False
        if not alive:
            with transaction.atomic():
                if Notification.objects.filter(pk=n.pk, status=STATUS.PENDING).exists():
                    enqueue(n)
                    count += 1
    return count


# ---- withdrawal and partner status (called by the receivers, in the caller's transaction) ----


def notify_withdrawal(advisory: Advisory, *, old_status: str, actor: Actor, now: dt.datetime) -> int:
    """Cancel what is still to go about the advisory; tell every partner that could see it.

    Those are the active partners whose window had opened (and who may read: current NDA),
    and any active partner already told of its window. A draft was never shown to anyone.
    """
    cancelled = (
        Notification.objects.filter(advisory=advisory, status=STATUS.PENDING)
        .exclude(kind=KIND.WITHDRAWN)
        .update(status=STATUS.CANCELLED, cancel_reason="advisory-withdrawn")
    )
    created = 0
    if old_status == AdvisoryStatus.SCHEDULED:
        told = set(
            Notification.objects.filter(
                advisory=advisory, kind=KIND.WINDOW_OPEN, status__in=[STATUS.SENT, STATUS.SENDING]
            ).values_list("partner_id", flat=True)
        )
        for partner in Partner.objects.filter(status=PartnerStatus.ACTIVE).select_related("tier"):
            saw_it = window_opens_at(advisory, partner.tier) <= now and partner_may_read(partner)
            if not (saw_it or partner.pk in told):
                continue
            for email in contacts(partner):
                notice, new = Notification.objects.get_or_create(
                    partner=partner,
                    advisory=advisory,
                    kind=KIND.WITHDRAWN,
                    email=email,
                    defaults={"due_at": now},
                )
                if new:
                    enqueue(notice)
                    created += 1
    record(actor, "notification.withdrawal", advisory, notices=created, cancelled=cancelled)
    return created


def cancel_for_partner(partner: Partner, *, new_status: str, actor: Actor) -> int:
    """A suspended or expelled partner is told nothing more: cancel everything still pending."""
    count = Notification.objects.filter(partner=partner, status=STATUS.PENDING).update(
        status=STATUS.CANCELLED, cancel_reason=f"partner-{new_status}"
    )
    if count:
        record(actor, "notification.cancel", partner, count=count, reason=f"partner-{new_status}")
    return count


# ---- staff -------------------------------------------------------------------------------------


def send_again(n: Notification, *, actor: Actor, now: dt.datetime | None = None) -> Notification:
    """Staff decision for a row left in sending (after a crash) or failed: send it once more.

    Headstart cannot know whether a mail in "sending" left; only staff may risk a duplicate.
    """
    now = now or timezone.now()
    with transaction.atomic():
        n = Notification.objects.select_for_update().get(pk=n.pk)
        if n.status not in (STATUS.SENDING, STATUS.FAILED):
            raise Invalid(
                f"notification {n.pk} is {n.status}; only one in sending or failed can be sent again"
            )
        old = n.status
        n.status, n.due_at, n.attempts, n.error = STATUS.PENDING, now, 0, ""
        n.save(update_fields=["status", "due_at", "attempts", "error"])
        enqueue(n)
        record(actor, "notification.send_again", n, **audit_facts(n), old_status=old)
    return n


def status_summary(now: dt.datetime | None = None) -> dict[str, Any]:
    """Counts by status, the rows staff must look at (sending, failed), and the task queue."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    now = now or timezone.now()
    counts = dict.fromkeys(STATUS.values, 0)
    counts.update(
        {row["status"]: row["n"] for row in Notification.objects.values("status").annotate(n=Count("pk"))}
    )
    reasons = {
        row["cancel_reason"]: row["n"]
        for row in Notification.objects.filter(status=STATUS.CANCELLED)
        .values("cancel_reason")
        .annotate(n=Count("pk"))
        .order_by("cancel_reason")
    }
    attention = [
        {
            "id": n.pk,
            "status": n.status,
            "partner": n.partner.name,
            "advisory": n.advisory.ident,
            "kind": n.kind,
            "email": n.email,
            "claimed_at": n.claimed_at,
            "error": n.error,
        }
        for n in Notification.objects.filter(status__in=[STATUS.SENDING, STATUS.FAILED])
        .select_related("partner", "advisory")
        .order_by("claimed_at", "pk")
    ]
    tasks = DBTaskResult.objects.all()
    queue = {
        "ready": tasks.ready().count(),
        "waiting": tasks.filter(status=TaskResultStatus.READY, run_after__gt=now)
        .exclude(run_after=get_date_max())
        .count(),
        "running": tasks.running().count(),
        "failed": tasks.failed().count(),
    }
    return {
        "notifications": counts,
        "cancelled_by_reason": reasons,
        "attention": attention,
        "task_queue": queue,
    }
