"""Creating and scheduling advisories, with every input validated before anything is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal

from cvss import CVSS3, CVSS4
from cvss.exceptions import CVSSError
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from headstart.apps.advisories.files import removed_unless_committed, written
from headstart.apps.advisories.models import Advisory, AdvisoryStatus, Artifact, ArtifactKind
from headstart.apps.audit.services import Actor, record
from headstart.apps.text import check_visible
from headstart.errors import Conflict, Invalid, NotFound
from headstart.triggers import TriggerError, decode_spec
from headstart.triggers.yamlsource import load_yaml

IDENT = re.compile(r"^[A-Z][A-Z0-9]{0,15}-\d{4}-\d{4,8}$")
CVE = re.compile(r"^CVE-\d{4}-\d{4,}$")
SOURCE_SUFFIXES = (".py", ".c", ".h", ".cc", ".cpp", ".js", ".ps1", ".sh", ".rb", ".go", ".rs", ".java")


@dataclass(frozen=True)
class Cvss:
    vector: str
    score: Decimal
    severity: str


def parse_cvss(vector: str) -> Cvss:
    vector = (vector or "").strip()
    try:
        if vector.startswith("CVSS:4.0/"):
            c4 = CVSS4(vector)
            return Cvss(c4.clean_vector(), Decimal(str(c4.base_score)), str(c4.severity))
        if vector.startswith(("CVSS:3.0/", "CVSS:3.1/")):
            c3 = CVSS3(vector)
            return Cvss(c3.clean_vector(), Decimal(str(c3.scores()[0])), str(c3.severities()[0]))
    except CVSSError as exc:
        raise Invalid(f"invalid CVSS vector {vector!r}: {exc}") from None
    raise Invalid(f"invalid CVSS vector {vector!r}: it must start with CVSS:3.1/, CVSS:3.0/ or CVSS:4.0/")


def parse_patch_at(text: str | dt.datetime, *, now: dt.datetime | None = None) -> dt.datetime:
    if isinstance(text, dt.datetime):
        value = text
    else:
        try:
            value = dt.datetime.fromisoformat((text or "").strip())
        except ValueError:
            raise Invalid(f"patch time {text!r} is not an ISO 8601 date and time (e.g. 2026-12-08T17:00:00Z)") from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise Invalid(f"patch time {text!r} has no time zone; add Z or an offset such as +01:00")
    if value <= (now or timezone.now()):
        raise Invalid(f"patch time {value.isoformat()} is in the past")
    return value


@dataclass(frozen=True)
class ArtifactInput:
    kind: str
    name: str
    content: bytes


def guess_poc_kind(name: str) -> str:
    return ArtifactKind.POC_SOURCE if name.lower().endswith(SOURCE_SUFFIXES) else ArtifactKind.POC_BINARY


# Kinds that are text: their carriers read them as UTF-8, and a partner opens them as text.
TEXT_KINDS: dict[str, str] = {ArtifactKind.WRITEUP: "write-up", ArtifactKind.GUIDANCE: "detection guidance",
              ArtifactKind.POC_SOURCE: "source PoC"}


def _check_text(item: ArtifactInput) -> None:
    """A text artifact must be UTF-8 text: a binary file or another encoding is refused by name."""
    what = TEXT_KINDS[item.kind]
    try:
        text = item.content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Invalid(f"{what} {item.name} is not UTF-8 text (byte {exc.start} is {item.content[exc.start]:#04x}); "
                      "a binary file cannot be one, and other encodings must be saved as UTF-8") from None
    nul = text.find("\x00")
    if nul >= 0:
        raise Invalid(f"{what} {item.name} is not text: it holds a NUL byte at offset {nul}")


def _check_artifact(item: ArtifactInput) -> None:
    if item.kind not in ArtifactKind.values:
        raise Invalid(f"unknown artifact kind {item.kind!r}")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}", item.name or ""):
        raise Invalid(f"artifact name {item.name!r}: use letters, digits, '.', '_' or '-'")
    if not item.content:
        raise Invalid(f"artifact {item.name} is empty")
    limit = settings.HEADSTART_MAX_ARTIFACT_BYTES
    if len(item.content) > limit:
        raise Invalid(f"artifact {item.name} is {len(item.content)} bytes; the limit is {limit} bytes")
    if item.kind in TEXT_KINDS:
        _check_text(item)
    if item.kind == ArtifactKind.TRIGGER_SPEC:
        # Text and YAML only (encoding, nesting, number sizes): a draft's specification may still
        # be incomplete; `advisory check` and scheduling load it in full.
        try:
            load_yaml(decode_spec(item.content))
        except TriggerError as exc:
            raise Invalid(f"trigger specification {item.name}: {exc}") from None


def create_advisory(ident: str, *, title: str, patch_at: str | dt.datetime, artifacts: list[ArtifactInput],
                    actor: Actor, cve: str = "", cvss: str = "", products: list[str] | None = None,
                    now: dt.datetime | None = None) -> Advisory:
    """Validate everything first, then store the advisory (as a draft) and its originals atomically."""
    ident = (ident or "").strip()
    if not IDENT.match(ident):
        raise Invalid(f"advisory identifier {ident!r} must look like HS-2026-0001")
    title = (title or "").strip()
    if not title or len(title) > 300:
        raise Invalid("the title must be 1-300 characters")
    check_visible(title, "the title")
    cve = (cve or "").strip().upper()
    if cve and not CVE.match(cve):
        raise Invalid(f"{cve!r} is not a CVE identifier like CVE-2026-12345")
    parsed_cvss = parse_cvss(cvss) if cvss else None
    when = parse_patch_at(patch_at, now=now)
    if not any(a.kind == ArtifactKind.WRITEUP for a in artifacts):
        raise Invalid("an advisory needs a write-up")
    names = [a.name for a in artifacts]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise Invalid(f"two artifacts share the name {duplicates[0]}")
    for item in artifacts:
        _check_artifact(item)
    with removed_unless_committed(), transaction.atomic():
        if Advisory.objects.filter(ident=ident).exists():
            raise Conflict(f"advisory {ident} already exists")
        advisory = Advisory.objects.create(
            ident=ident, title=title, cve=cve, patch_at=when, status=AdvisoryStatus.DRAFT,
            products=[check_visible(p.strip(), "product name") for p in (products or []) if p.strip()],
            cvss_vector=parsed_cvss.vector if parsed_cvss else "",
            cvss_score=parsed_cvss.score if parsed_cvss else None,
            cvss_severity=parsed_cvss.severity if parsed_cvss else "")
        stored = [_store_artifact(advisory, item) for item in artifacts]
        record(actor, "advisory.create", advisory, patch_at=when.isoformat(), cvss=advisory.cvss_vector,
               artifacts=[{"name": a.name, "kind": a.kind, "sha256": a.sha256, "size": a.size} for a in stored])
    return advisory


def _store_artifact(advisory: Advisory, item: ArtifactInput, version: int = 1) -> Artifact:
    digest = hashlib.sha256(item.content).hexdigest()
    artifact = Artifact(advisory=advisory, kind=item.kind, name=item.name, version=version,
                        sha256=digest, size=len(item.content))
    artifact.file.save(digest, ContentFile(item.content), save=False)
    written(artifact.file.name)
    artifact.save()
    return artifact


def get_advisory(ident: str) -> Advisory:
    advisory = Advisory.objects.filter(ident=(ident or "").strip()).first()
    if advisory is None:
        raise NotFound(f"unknown advisory {ident!r}")
    return advisory


def schedule_advisory(advisory: Advisory, *, actor: Actor, now: dt.datetime | None = None) -> Advisory:
    """Make a draft visible to partners as their windows open."""
    with transaction.atomic():
        advisory = Advisory.objects.select_for_update().get(pk=advisory.pk)
        if advisory.status != AdvisoryStatus.DRAFT:
            raise Invalid(f"advisory {advisory.ident} is {advisory.status}; only a draft can be scheduled")
        if advisory.patch_at <= (now or timezone.now()):
            raise Invalid(f"advisory {advisory.ident}: patch time {advisory.patch_at.isoformat()} has passed")
        advisory.status = AdvisoryStatus.SCHEDULED
        advisory.save(update_fields=["status"])
        record(actor, "advisory.schedule", advisory, patch_at=advisory.patch_at.isoformat())
    return advisory


def withdraw_advisory(advisory: Advisory, *, reason: str, actor: Actor, now: dt.datetime | None = None) -> Advisory:
    """Withdraw a draft or scheduled advisory before its patch time; final.

    Partners see nothing of it from then on (access.py shows partners only scheduled
    advisories); receivers of `advisory_withdrawn` (notifications) act in this transaction.
    """
    from headstart.apps.advisories.signals import advisory_withdrawn

    reason = (reason or "").strip()
    if not reason:
        raise Invalid("a reason is required")
    now = now or timezone.now()
    with transaction.atomic():
        advisory = Advisory.objects.select_for_update().get(pk=advisory.pk)
        if advisory.status not in (AdvisoryStatus.DRAFT, AdvisoryStatus.SCHEDULED):
            raise Invalid(f"advisory {advisory.ident} is {advisory.status}; only a draft or scheduled advisory "
                          "can be withdrawn")
        if advisory.patch_at <= now:
            raise Invalid(f"advisory {advisory.ident}: patch time {advisory.patch_at.isoformat()} has passed; "
                          "a public advisory cannot be withdrawn")
        old = advisory.status
        advisory.status = AdvisoryStatus.WITHDRAWN
        advisory.save(update_fields=["status"])
        record(actor, "advisory.withdraw", advisory, old_status=old, reason=reason)
        advisory_withdrawn.send(Advisory, advisory=advisory, old_status=old, reason=reason, actor=actor, now=now)
    return advisory


def replace_artifact(advisory: Advisory, name: str, content: bytes, *, actor: Actor,
                     now: dt.datetime | None = None) -> Artifact:
    """Store a changed artifact as a new version. Earlier versions and the copies made of
    them stay on record (their marking scope names the version), so they stay attributable."""
    with removed_unless_committed(), transaction.atomic():
        advisory = Advisory.objects.select_for_update().get(pk=advisory.pk)
        if advisory.effective_status(now) not in (AdvisoryStatus.DRAFT, AdvisoryStatus.SCHEDULED):
            raise Invalid(f"advisory {advisory.ident} is {advisory.effective_status(now)}; its artifacts are final")
        latest = advisory.artifacts.filter(name=name).order_by("-version").first()
        if latest is None:
            raise NotFound(f"advisory {advisory.ident} has no artifact named {name!r}")
        item = ArtifactInput(latest.kind, name, content)
        _check_artifact(item)
        if hashlib.sha256(content).hexdigest() == latest.sha256:
            raise Conflict(f"{name} is unchanged (same SHA-256 as version {latest.version})")
        artifact = _store_artifact(advisory, item, version=latest.version + 1)
        record(actor, "artifact.replace", artifact, previous_sha256=latest.sha256, sha256=artifact.sha256,
               size=artifact.size)
    return artifact


def allow_unmarked(advisory: Advisory, name: str, *, reason: str, actor: Actor) -> Artifact:
    """Let an artifact with no usable slot go out unmarked, with the reason on record."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("a reason is required to send an artifact unmarked")
    with transaction.atomic():
        artifact = advisory.artifacts.select_for_update().filter(name=name).order_by("-version").first()
        if artifact is None:
            raise NotFound(f"advisory {advisory.ident} has no artifact named {name!r}")
        artifact.unmarked_reason = reason
        artifact.save(update_fields=["unmarked_reason"])
        record(actor, "artifact.allow-unmarked", artifact, reason=reason)
    return artifact
