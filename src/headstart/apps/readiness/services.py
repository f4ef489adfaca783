"""Test a partner's YARA rules against its own PoC copies and a benign corpus; record readiness.

Authorised by access.py like every read: the partner's tier must be entitled to the binary PoC
inside its window. The rules run in a sandboxed child process (sandbox.py) against:

- the partner's own copies, rendered exactly as its package holds them (delivery.copies);
- copies rendered for a few synthetic codewords (never another partner's copy), to tell a
  rule that keys on a mark: it matches the partner's copy and misses some of these;
- near misses of each PoC (triggers.corpus): valid files that miss the trigger.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random

from django.db import transaction
from django.db.models import QuerySet

from headstart.apps.accounts.models import User
from headstart.apps.advisories import access
from headstart.apps.advisories.models import Advisory, ArtifactKind
from headstart.apps.advisories.reads import refused
from headstart.apps.audit.services import Actor, record
from headstart.apps.delivery import copies
from headstart.apps.partners.models import Partner, PartnerStatus
from headstart.apps.program import keys
from headstart.apps.readiness import sandbox
from headstart.apps.readiness.models import ReadinessTest
from headstart.errors import Forbidden, HeadstartError, NotFound
from headstart.triggers import TriggerError, check, decode_spec, load_spec
from headstart.triggers.corpus import near_misses

TEST = "readiness.test"
READY = "readiness.ready"
VIEW = "readiness.view"
# Codewords that belong to no partner (a partner's uid is a UUID): their copies stand in for
# "the other partners' copies" without rendering or showing any real partner's copy.
SYNTHETIC = [f"readiness-synthetic-{i}" for i in range(4)]
MARK_WARNING = "a signature that keys on a mark would miss other partners' copies"


def _poc_deliverables(user: User, ident: str, now: dt.datetime | None) -> tuple[Advisory, list[copies.Deliverable]]:
    """The advisory and the binary PoCs the partner user may see; NotFound when there are none."""
    if user.is_psirt:
        raise Forbidden("only a partner tests its detection rules: staff have no copies")
    advisory = access.get_visible_advisory(user, ident, now)
    visible = {a.pk for a in access.visible_artifacts(user, advisory, now) if a.kind == ArtifactKind.POC_BINARY}
    if not visible:
        raise NotFound(f"advisory {ident!r} has no binary proof-of-concept file open to you")
    items = [d for d in copies.deliverables(advisory, kinds={ArtifactKind.POC_BINARY}) if d.artifact.pk in visible]
    return advisory, items


def _benign(advisory: Advisory, items: list[copies.Deliverable]) -> dict[str, bytes]:
    """Near misses of each PoC under the specification it meets, described by where they come from."""
    specs = []
    for artifact in access.latest_artifacts(advisory):
        if artifact.kind == ArtifactKind.TRIGGER_SPEC:
            try:
                specs.append(load_spec(decode_spec(copies.original_bytes(artifact))))
            except TriggerError:
                continue
    out: dict[str, bytes] = {}
    for d in items:
        original = copies.original_bytes(d.artifact)
        for spec in specs:
            try:
                check(spec, original)
            except TriggerError:
                continue
            for i, data in enumerate(near_misses(spec, original, random.Random(f"{d.scope}/benign"))):
                out[f"near miss {i + 1} of {d.file_name}: a valid file that differs from it in one tested "
                    f"field and does not trigger the bug"] = data
            break
    return out


def check_rules(user: User, ident: str, raw: bytes, *, note: str = "", ready: bool = False, actor: Actor,
               now: dt.datetime | None = None) -> ReadinessTest:
    """Run the partner's rules and record the result (and the ready mark), audited together."""
    try:
        advisory, items = _poc_deliverables(user, ident, now)
        text = sandbox.check_text(raw)
        assert user.partner is not None
        key = keys.program_marking_key() if any(d.carrier for d in items) else b""
        files: dict[str, bytes] = {}
        for d in items:
            files[f"own/{d.file_name}"] = copies.render(d, key, str(user.partner.uid))
            for uid in SYNTHETIC:
                files[f"other/{uid}/{d.file_name}"] = copies.render(d, key, uid)
        benign = _benign(advisory, items)
        files.update({f"benign/{name}": data for name, data in benign.items()})
        matches = sandbox.scan(text, files)
    except HeadstartError as exc:
        refused(actor, TEST, ident, exc)
        raise
    detected = [d.file_name for d in items if matches[f"own/{d.file_name}"]]
    missed = [d.file_name for d in items if not matches[f"own/{d.file_name}"]]
    false_positives = [name for name in benign if matches[f"benign/{name}"]]
    other = {name: sum(bool(matches[f"other/{uid}/{name}"]) for uid in SYNTHETIC) for name in detected}
    result = {
        "detected": detected, "missed": missed, "false_positives": false_positives, "benign_files": len(benign),
        "other_copies": {name: {"matched": n, "of": len(SYNTHETIC)} for name, n in other.items()},
        "warnings": [f"{name}: your rules match your copy but not every other copy: {MARK_WARNING}"
                     for name, n in other.items() if n < len(SYNTHETIC)],
    }
    with transaction.atomic():
        test = ReadinessTest.objects.create(advisory=advisory, partner=user.partner, user=user,
                                            rules_sha256=hashlib.sha256(raw).hexdigest(), rules_bytes=len(raw),
                                            note=note, ready=ready, result=result)
        record(actor, TEST, test, detected=detected, missed=missed, false_positives=len(false_positives),
               rules_sha256=test.rules_sha256)
        if ready:
            record(actor, READY, test, note=note)
    return test


def latest_tests(user: User, ident: str, *, actor: Actor, now: dt.datetime | None = None) -> list[ReadinessTest]:
    """The caller's latest test of the advisory (staff: every partner's latest), an audited read."""
    try:
        advisory = access.get_visible_advisory(user, ident, now)
        if user.is_psirt:
            tests = latest_by_partner(advisory)
        else:
            if not any(a.kind == ArtifactKind.POC_BINARY for a in access.visible_artifacts(user, advisory, now)):
                raise NotFound(f"advisory {ident!r} has no binary proof-of-concept file open to you")
            tests = [t for t in latest_by_partner(advisory) if t.partner_id == user.partner_id]
    except HeadstartError as exc:
        refused(actor, VIEW, ident, exc)
        raise
    with transaction.atomic():
        record(actor, VIEW, advisory, tests=[t.audit_id for t in tests])
    return tests


def latest_by_partner(advisory: Advisory) -> list[ReadinessTest]:
    latest: dict[int, ReadinessTest] = {}
    for test in ReadinessTest.objects.filter(advisory=advisory).select_related("partner", "advisory"):
        latest[test.partner_id] = test
    return sorted(latest.values(), key=lambda t: t.partner.name)


def _expected_partners(advisory: Advisory) -> QuerySet[Partner]:
    """Partners who receive the binary PoC of an advisory: active, in a tier entitled to it."""
    partners = Partner.objects.filter(status=PartnerStatus.ACTIVE).select_related("tier")
    if not advisory.artifacts.filter(kind=ArtifactKind.POC_BINARY).exists():
        return partners.none()
    return partners


def ready_partner_ids(advisory: Advisory) -> set[int]:
    """Partners whose latest test of the advisory carries the ready mark."""
    return {t.partner_id for t in latest_by_partner(advisory) if t.ready}


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


def result_json(test: ReadinessTest) -> dict[str, object]:
    return {"advisory": test.advisory.ident, "partner": test.partner.name, "tested_at": test.created_at.isoformat(),
            "rules_sha256": test.rules_sha256, "note": test.note, "ready": test.ready, **test.result}


__all__ = ["MARK_WARNING", "check_rules", "coverage", "latest_tests", "not_ready", "result_json"]
