"""Preparing every partner's package before release, so downloads serve ready files.

Each package is made by `services.prepare_package`, the function a download calls when no
prepared package is found: on every core, in worker processes forked once the advisory's
carriers are loaded (so they share them), one partner at a time, each process with its own
database connection. The parent lists, counts and audits.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db import connections, transaction

from headstart.apps.advisories.access import latest_artifacts
from headstart.apps.advisories.models import Advisory, AdvisoryStatus, Artifact
from headstart.apps.audit.services import Actor, record
from headstart.apps.delivery import copies
from headstart.apps.delivery.services import prepare_package
from headstart.apps.partners.models import Partner, PartnerStatus
from headstart.apps.program import checkpoints
from headstart.errors import Invalid

Progress = Callable[[int, int], None]  # (partners done, partners in all)

# What a worker process needs, set in the parent before the workers are forked.
_job: tuple[Advisory, list[Artifact], list[Partner], Actor] | None = None


def worker_count() -> int:
    """HEADSTART_PREPARE_WORKERS, or every core this process may run on."""
    configured = settings.HEADSTART_PREPARE_WORKERS
    if configured:
        return configured
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def prepare_all(advisory: Advisory, *, actor: Actor, progress: Progress | None = None,
                workers: int | None = None) -> dict[str, Any]:
    """Prepare every active partner's package before release, so downloads serve ready files.

    Every partner that gets no package is listed with the reason (not active, no usable
    certificate), so staff see the gap before release. A signed checkpoint of the audit log is
    written first, so every package carries a fresh one (and preparing is refused while the
    audit log does not verify). ``workers``: processes to prepare in (default worker_count())."""
    if advisory.status != AdvisoryStatus.SCHEDULED:
        raise Invalid(f"advisory {advisory.ident} is {advisory.status}; only a scheduled advisory is prepared")
    checkpoint = checkpoints.write_checkpoint()
    prepared: list[str] = []
    skipped: list[dict[str, str]] = [
        {"partner": name, "reason": f"partner is {status}; only active partners receive packages"}
        for name, status in Partner.objects.exclude(status=PartnerStatus.ACTIVE).order_by("name")
        .values_list("name", "status")]
    partners = list(Partner.objects.select_related("tier").filter(status=PartnerStatus.ACTIVE).order_by("name"))
    artifacts = latest_artifacts(advisory)  # one read for every partner
    # Carriers and originals loaded once, before any worker starts. A file that cannot go out
    # is not an error here: each partner entitled to it is listed below with the reason.
    with contextlib.suppress(Invalid):
        copies.deliverables(advisory, artifacts=artifacts)
    for done, (partner, reason) in enumerate(zip(partners, _prepared(advisory, artifacts, actor, partners, workers),
                                                 strict=True), 1):
        if reason is None:
            prepared.append(partner.name)
        else:
            skipped.append({"partner": partner.name, "reason": reason})
        if progress:
            progress(done, len(partners))
    skipped.sort(key=lambda s: s["partner"])
    with transaction.atomic():
        record(actor, "package.prepare", advisory, prepared=len(prepared), skipped=skipped)
    return {"advisory": advisory.ident, "prepared": prepared, "skipped": skipped, "audit_checkpoint": checkpoint.seq}


def _prepared(advisory: Advisory, artifacts: list[Artifact], actor: Actor, partners: list[Partner],
              workers: int | None) -> Iterator[str | None]:
    """For each partner in order: None once its package is prepared, else why it is not."""
    global _job
    count = min(workers or worker_count(), len(partners))
    _job = (advisory, artifacts, partners, actor)  # read by the workers, inherited at the fork
    try:
        if count <= 1:
            yield from map(_prepare_one, range(len(partners)))
            return
        # Forked children must not share the parent's database connections; they open their
        # own. Freezing the loaded objects keeps the collector from copying their pages.
        connections.close_all()
        gc.freeze()
        try:
            with multiprocessing.get_context("fork").Pool(count, initializer=_start_worker) as pool:
                yield from pool.imap(_prepare_one, range(len(partners)), chunksize=4)
        finally:
            gc.unfreeze()
    finally:
        _job = None


def _start_worker() -> None:
    connections.close_all()  # closed in the parent already; never reuse an inherited socket
    # The pool ends its workers with SIGTERM (on an error in the parent): a handler inherited from
    # `headstart worker` that only notes a stop would leave them running and the pool waiting.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _prepare_one(index: int) -> str | None:
    assert _job is not None
    advisory, artifacts, partners, actor = _job
    partner = partners[index]
    try:
        prepare_package(advisory, partner, actor=actor, artifacts=artifacts)
    except Invalid as exc:
        return exc.message
    return None
