"""Preparing an advisory's packages as a worker job, for the portal (a program of any size).

`request` records a Preparation and queues its task in one transaction with its audit event
(``package.prepare.queue``); at most one is queued or running per advisory. A `headstart worker`
runs it: the job claims the row (queued -> running), runs preparing.prepare_all (which writes the
``package.prepare`` event with what it prepared and skipped), writing its progress to the row as
partners are done, then its outcome. A refusal of prepare_all (the advisory is no longer
scheduled, the audit log does not verify) fails the row with the reason and a
``package.prepare.failed`` event.

The task runs outside any transaction, as the CLI does, so prepare_all may fork its worker
processes (HEADSTART_PREPARE_WORKERS; it closes the database connections first).
"""

from __future__ import annotations

import time

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from headstart.apps.accounts.models import User
from headstart.apps.advisories.models import Advisory, AdvisoryStatus
from headstart.apps.audit.services import Actor, record
from headstart.apps.delivery.models import Preparation, PreparationStatus
from headstart.apps.delivery.preparing import prepare_all
from headstart.apps.partners.models import Partner, PartnerStatus
from headstart.errors import Conflict, HeadstartError, Invalid

QUEUE = "package.prepare.queue"
FAILED = "package.prepare.failed"
# Progress is written at most this often (a query each), not once per partner.
PROGRESS_EVERY_SECONDS = 1.0
PROGRESS_EVERY_PARTNERS = 50


@task()
def run_preparation(preparation_id: int) -> str:
    return run(preparation_id)


def latest(advisory: Advisory) -> Preparation | None:
    return advisory.preparations.order_by("-created_at", "-pk").first()


def request(advisory: Advisory, *, user: User, actor: Actor) -> Preparation:
    """Queue the preparation of every partner's package; refused while one is queued or running
    (nothing is recorded then) and for an advisory that is not scheduled."""
    with transaction.atomic():
        # The advisory's row lock serialises two requests, so only one is ever queued.
        advisory = Advisory.objects.select_for_update().get(pk=advisory.pk)
        if advisory.status != AdvisoryStatus.SCHEDULED:
            raise Invalid(f"advisory {advisory.ident} is {advisory.status}; only a scheduled advisory is prepared")
        pending = advisory.preparations.filter(
            status__in=(PreparationStatus.QUEUED, PreparationStatus.RUNNING)).first()
        if pending is not None:
            raise Conflict(f"a preparation of {advisory.ident} is already {pending.status} "
                           f"(requested by {pending.requested_by.email})")
        preparation = Preparation.objects.create(advisory=advisory, requested_by=user)
        preparation.task_id = str(run_preparation.enqueue(preparation.pk).id)
        preparation.save(update_fields=["task_id"])
        record(actor, QUEUE, preparation)
    return preparation


def _claim(preparation_id: int) -> Preparation | None:
    with transaction.atomic():
        preparation = (Preparation.objects.select_for_update(of=("self",))
                       .select_related("advisory", "requested_by").filter(pk=preparation_id).first())
        if preparation is None or preparation.status != PreparationStatus.QUEUED:
            return None
        preparation.status, preparation.started_at = PreparationStatus.RUNNING, timezone.now()
        # What the page shows until the first progress (prepare_all counts again as it starts).
        preparation.partners_total = Partner.objects.filter(status=PartnerStatus.ACTIVE).count()
        preparation.save(update_fields=["status", "started_at", "partners_total"])
    return preparation


class _Progress:
    """prepare_all's progress callback: writes (done, total) to the row now and then."""

    def __init__(self, preparation_id: int) -> None:
        self.preparation_id = preparation_id
        self.written_at = 0.0
        self.written = -1

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if (done == total or self.written < 0 or done - self.written >= PROGRESS_EVERY_PARTNERS
                or now - self.written_at >= PROGRESS_EVERY_SECONDS):
            Preparation.objects.filter(pk=self.preparation_id).update(partners_done=done, partners_total=total)
            self.written, self.written_at = done, now


def run(preparation_id: int) -> str:
    """Run one queued preparation. Returns what happened: prepared, failed, or skipped (not queued)."""
    preparation = _claim(preparation_id)
    if preparation is None:
        return "skipped"
    user = preparation.requested_by
    actor = Actor(name=user.email, partner="", user_id=user.pk)
    try:
        result = prepare_all(preparation.advisory, actor=actor, progress=_Progress(preparation.pk))
    except HeadstartError as exc:
        _fail(preparation, actor, exc.message)
        return "failed"
    except Exception:
        _fail(preparation, actor, "the packages could not be prepared: an error on the server "
                                  "(the operators have the details)")
        raise
    preparation.refresh_from_db(fields=["partners_done", "partners_total"])
    preparation.status, preparation.finished_at = PreparationStatus.DONE, timezone.now()
    preparation.prepared, preparation.skipped = len(result["prepared"]), result["skipped"]
    preparation.save(update_fields=["status", "finished_at", "prepared", "skipped"])
    return "prepared"


def _fail(preparation: Preparation, actor: Actor, message: str) -> None:
    with transaction.atomic():
        preparation.status, preparation.finished_at, preparation.error = (
            PreparationStatus.FAILED, timezone.now(), message)
        preparation.save(update_fields=["status", "finished_at", "error"])
        record(actor, FAILED, preparation, error=message)
