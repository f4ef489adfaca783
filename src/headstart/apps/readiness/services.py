"""Partners test their own detection (YARA rules or ClamAV signatures) and mark an advisory ready.

Authorised by access.py like every read: the partner's tier must be entitled to the binary PoC
inside its window. The web process only checks the upload (who, how large, UTF-8 text, which
engine) and records it with its task queued (``submit``); a ``headstart worker`` runs the rules in
a sandboxed child process (tasks.py, sandbox.py) against:

- the partner's own copies, rendered exactly as its package holds them (delivery.copies);
- copies rendered for a few synthetic codewords (never another partner's copy), to tell a
  rule that keys on a mark: it matches the partner's copy and misses some of these;
- the benign corpus (corpus.py): near misses of each PoC and valid files of its format.

The ready mark is the latest finished test's (or ready confirmation's): a queued, running or
failed test changes nothing but its own row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from headstart.apps.accounts.models import User
from headstart.apps.advisories import access
from headstart.apps.advisories.models import Advisory, ArtifactKind
from headstart.apps.advisories.reads import refused
from headstart.apps.audit.services import Actor, record
from headstart.apps.partners.models import Partner, PartnerStatus
from headstart.apps.readiness import sandbox, tasks
from headstart.apps.readiness.models import Engine, ReadinessTest, Status
from headstart.apps.readiness.scanner import CLAMAV_SUFFIXES
from headstart.apps.readiness.scope import (
    FAILED,
    MARK_WARNING,
    READY,
    SUBMIT,
    TEST,
    VIEW,
    poc_deliverables,
)
from headstart.errors import HeadstartError, Invalid, NotFound

MAX_NOTE = 2000
ENGINES = (Engine.YARA.value, Engine.CLAMAV.value)


def _check_upload(raw: bytes, engine: str, filename: str, note: str) -> None:
    if engine not in ENGINES:
        raise Invalid(f"engine {engine!r}: choose {' or '.join(ENGINES)}")
    if engine == Engine.CLAMAV and not filename.lower().endswith(CLAMAV_SUFFIXES):
        raise Invalid(f"ClamAV signatures must be uploaded as a {', '.join(CLAMAV_SUFFIXES)} file "
                      f"(the extension tells clamscan the database kind); got {filename or 'no file name'!r}")
    if len(note) > MAX_NOTE:
        raise Invalid(f"the note is {len(note):,} characters; at most {MAX_NOTE:,} are accepted")
    sandbox.check_text(raw)


def submit(user: User, ident: str, raw: bytes, *, engine: str = Engine.YARA, filename: str = "", note: str = "",
           ready: bool = False, actor: Actor, now: dt.datetime | None = None) -> ReadinessTest:
    """Record the partner's rules and queue their test (audited together); nothing is compiled here."""
    try:
        advisory, _ = poc_deliverables(user, ident, now)
        _check_upload(raw, engine, filename, note)
    except HeadstartError as exc:
        refused(actor, TEST, ident, exc)
        raise
    assert user.partner is not None
    with transaction.atomic():
        test = ReadinessTest.objects.create(
            advisory=advisory, partner=user.partner, user=user, engine=engine, status=Status.QUEUED, rules=raw,
            rules_name=filename[-200:], rules_sha256=hashlib.sha256(raw).hexdigest(), rules_bytes=len(raw),
            note=note, ready=ready)
        tasks.enqueue(test)
        record(actor, SUBMIT, test, engine=engine, rules_sha256=test.rules_sha256, rules_bytes=len(raw), ready=ready)
    return test


def confirm_ready(user: User, ident: str, *, note: str = "", actor: Actor,
                  now: dt.datetime | None = None) -> ReadinessTest:
    """Mark protections ready without a test: for a partner whose engine Headstart cannot run."""
    try:
        advisory, _ = poc_deliverables(user, ident, now)
        if len(note) > MAX_NOTE:
            raise Invalid(f"the note is {len(note):,} characters; at most {MAX_NOTE:,} are accepted")
    except HeadstartError as exc:
        refused(actor, READY, ident, exc)
        raise
    assert user.partner is not None
    with transaction.atomic():
        test = ReadinessTest.objects.create(
            advisory=advisory, partner=user.partner, user=user, engine=Engine.OWN, status=Status.DONE,
            rules_sha256="", rules_bytes=0, note=note, ready=True, finished_at=timezone.now())
        record(actor, READY, test, note=note, engine=Engine.OWN)
    return test


def wait(test: ReadinessTest, seconds: float, *, poll: float = 0.25) -> ReadinessTest:
    """The test once the worker has finished it, or as it stands after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        test.refresh_from_db(fields=["status", "result", "error", "ready", "started_at", "finished_at"])
        if test.finished or time.monotonic() >= deadline:
            return test
        time.sleep(min(poll, max(0.0, deadline - time.monotonic())))


def latest_tests(user: User, ident: str, *, actor: Actor, now: dt.datetime | None = None) -> list[ReadinessTest]:
    """The caller's latest test of the advisory (staff: every partner's latest), an audited read."""
    try:
        advisory = access.get_visible_advisory(user, ident, now)
        if user.is_psirt:
            tests = latest_by_partner(advisory)
        else:
            if not any(a.kind == ArtifactKind.POC_BINARY for a in access.visible_artifacts(user, advisory, now)):
                raise NotFound(f"advisory {ident!r} has no binary proof-of-concept file open to you")
            tests = latest_by_partner(advisory, partner=user.partner)
    except HeadstartError as exc:
        refused(actor, VIEW, ident, exc)
        raise
    with transaction.atomic():
        record(actor, VIEW, advisory, tests=[t.audit_id for t in tests])
    return tests


def latest_by_partner(advisory: Advisory, *, partner: Partner | None = None,
                      finished: bool = False) -> list[ReadinessTest]:
    """Each partner's latest test of the advisory (of any status, or finished ones only), in one query."""
    rows = ReadinessTest.objects.filter(advisory=advisory).select_related("partner", "advisory").defer("rules")
    if partner is not None:
        rows = rows.filter(partner=partner)
    if finished:
        rows = rows.filter(status=Status.DONE)
    latest: dict[int, ReadinessTest] = {}
    for test in rows:
        latest[test.partner_id] = test
    return sorted(latest.values(), key=lambda t: t.partner.name)


def _expected_partners(advisory: Advisory) -> QuerySet[Partner]:
    """Partners who receive the binary PoC of an advisory: active, in a tier entitled to it."""
    partners = Partner.objects.filter(status=PartnerStatus.ACTIVE).select_related("tier")
    if not advisory.artifacts.filter(kind=ArtifactKind.POC_BINARY).exists():
        return partners.none()
    return partners


def ready_partner_ids(advisory: Advisory) -> set[int]:
    """Partners whose latest finished test (or confirmation) of the advisory carries the ready mark."""
    return {t.partner_id for t in latest_by_partner(advisory, finished=True) if t.ready}


def not_ready(advisory: Advisory, partners: list[Partner]) -> set[int]:
    """Of these partners, those entitled to the binary PoC and not marked ready (for the reminder)."""
    ready = ready_partner_ids(advisory)
    if not advisory.artifacts.filter(kind=ArtifactKind.POC_BINARY).exists():
        return set()
    return {p.pk for p in partners if ArtifactKind.POC_BINARY in p.tier.artifact_kinds and p.pk not in ready}


def coverage(advisory: Advisory) -> dict[str, object]:
    """Staff's view: per tier entitled to the binary PoC, how many active partners are ready."""
    ready = ready_partner_ids(advisory)
    tiers: dict[str, dict[str, int]] = {}
    for partner in _expected_partners(advisory):
        if ArtifactKind.POC_BINARY not in partner.tier.artifact_kinds:
            continue
        row = tiers.setdefault(partner.tier.name, {"ready": 0, "partners": 0})
        row["partners"] += 1
        row["ready"] += partner.pk in ready
    return {"ready": sum(r["ready"] for r in tiers.values()), "partners": sum(r["partners"] for r in tiers.values()),
            "tiers": dict(sorted(tiers.items()))}


def result_json(test: ReadinessTest) -> dict[str, Any]:
    """The test as the API and the CLI show it: its status, and its result once done (or its error)."""
    out: dict[str, Any] = {
        "id": test.pk, "advisory": test.advisory.ident, "partner": test.partner.name, "status": test.status,
        "engine": test.engine, "tested_at": test.created_at.isoformat(), "rules_sha256": test.rules_sha256,
        "note": test.note, "ready": test.ready,
        "finished_at": test.finished_at.isoformat() if test.finished_at else None,
    }
    if test.status == Status.DONE:
        out.update(test.result)
    elif test.status == Status.FAILED:
        out["error"] = test.error
    return out


__all__ = ["FAILED", "MARK_WARNING", "confirm_ready", "coverage", "latest_tests", "not_ready",
           "result_json", "submit", "wait"]
