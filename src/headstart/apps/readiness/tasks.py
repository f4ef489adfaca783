"""The queued job: run one partner's rules in the sandbox and record the result.

The web process only records the upload and queues this task (``services.submit``); a
``headstart worker`` runs it. The job claims the row (queued -> running) and commits, checks
again that the partner may still see the PoC, renders the copies and the benign corpus, runs the
rules in the sandboxed child (sandbox.py), then records the result, or the clear reason it
failed, in one transaction with its audit event.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from headstart.apps.audit.services import Actor, record
from headstart.apps.delivery import copies
from headstart.apps.program import keys
from headstart.apps.readiness import corpus, sandbox
from headstart.apps.readiness.models import ReadinessTest, Status
from headstart.apps.readiness.scope import FAILED, MARK_WARNING, READY, SYNTHETIC, TEST, poc_deliverables
from headstart.errors import HeadstartError


@task()
def run_readiness_test(test_id: int) -> str:
    return run(test_id)


def enqueue(test: ReadinessTest) -> None:
    """Queue the test in the caller's transaction: the database queue commits with the row."""
    test.task_id = str(run_readiness_test.enqueue(test.pk).id)
    test.save(update_fields=["task_id"])


def _claim(test_id: int) -> ReadinessTest | None:
    with transaction.atomic():
        test = (ReadinessTest.objects.select_for_update(of=("self",)).select_related("advisory", "partner", "user")
                .filter(pk=test_id).first())
        if test is None or test.status != Status.QUEUED:
            return None
        test.status, test.started_at = Status.RUNNING, timezone.now()
        test.save(update_fields=["status", "started_at"])
    return test


def run(test_id: int) -> str:
    """Run one queued test. Returns what happened: tested, failed, or skipped (not queued)."""
    test = _claim(test_id)
    if test is None:
        return "skipped"
    actor = Actor(name=test.user.email, partner=test.partner.name, user_id=test.user_id)
    try:
        result = _result(test)
    except HeadstartError as exc:
        _fail(test, actor, exc.message)
        return "failed"
    except Exception:
        _fail(test, actor, "the test could not be run: an error on the server (the operators have the details)")
        raise
    with transaction.atomic():
        test.status, test.finished_at, test.result = Status.DONE, timezone.now(), result
        test.save(update_fields=["status", "finished_at", "result"])
        record(actor, TEST, test, engine=test.engine, detected=result["detected"], missed=result["missed"],
               false_positives=len(result["false_positives"]), rules_sha256=test.rules_sha256)
        if test.ready:
            record(actor, READY, test, note=test.note)
    return "tested"


def _fail(test: ReadinessTest, actor: Actor, message: str) -> None:
    with transaction.atomic():
        test.status, test.finished_at, test.error, test.ready = Status.FAILED, timezone.now(), message, False
        test.save(update_fields=["status", "finished_at", "error", "ready"])
        record(actor, FAILED, test, engine=test.engine, error=message, rules_sha256=test.rules_sha256)


def _result(test: ReadinessTest) -> dict[str, Any]:
    raw = bytes(test.rules)
    if hashlib.sha256(raw).hexdigest() != test.rules_sha256:
        raise HeadstartError("the stored rules do not match their checksum: upload them again")
    # The partner may have been suspended or the window closed since the upload.
    advisory, items = poc_deliverables(test.user, test.advisory.ident, None)
    text = sandbox.check_text(raw)
    assert test.user.partner is not None
    key = keys.program_marking_key() if any(d.carrier for d in items) else b""
    files: dict[str, bytes] = {}
    for d in items:
        files[f"own/{d.file_name}"] = copies.render(d, key, str(test.user.partner.uid))
        for uid in SYNTHETIC:
            files[f"other/{uid}/{d.file_name}"] = copies.render(d, key, uid)
    benign = corpus.benign_files(advisory, items)
    files.update({f"benign/{name}": data for name, data in benign.items()})
    suffix = "." + test.rules_name.rsplit(".", 1)[-1].lower() if "." in test.rules_name else ""
    matches = sandbox.scan(text, files, engine=test.engine, suffix=suffix)
    detected = [d.file_name for d in items if matches[f"own/{d.file_name}"]]
    missed = [d.file_name for d in items if not matches[f"own/{d.file_name}"]]
    false_positives = [name for name in benign if matches[f"benign/{name}"]]
    other = {name: sum(bool(matches[f"other/{uid}/{name}"]) for uid in SYNTHETIC) for name in detected}
    return {
        "detected": detected, "missed": missed, "false_positives": false_positives, "benign_files": len(benign),
        "other_copies": {name: {"matched": n, "of": len(SYNTHETIC)} for name, n in other.items()},
        "warnings": [f"{name}: your rules match your copy but not every other copy: {MARK_WARNING}"
                     for name, n in other.items() if n < len(SYNTHETIC)],
    }
