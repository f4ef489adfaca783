"""Scheduling with a codebook commitment, rendering packages, fetching and exporting copies."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from headstart import __version__ as headstart_version
from headstart.apps.accounts.models import User
from headstart.apps.advisories import access
from headstart.apps.advisories.models import Advisory, AdvisoryStatus, Artifact
from headstart.apps.advisories.reads import refused
from headstart.apps.advisories.services import schedule_advisory
from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.services import Actor, record
from headstart.apps.delivery import copies, traceability
from headstart.apps.delivery.documents import DOCUMENT_KINDS, package_documents
from headstart.apps.delivery.models import Commitment, Copy, Delivery, PackageFile, Route
from headstart.apps.delivery.package import MANIFEST_NAME, PackageEntry, manifest, tar_bytes
from headstart.apps.delivery.traceability import Traceability
from headstart.apps.partners.models import Partner, PartnerStatus
from headstart.apps.partners.services import current_nda
from headstart.apps.program import checkpoints, keys
from headstart.apps.program.models import Program
from headstart.crypto import openpgp
from headstart.errors import Forbidden, HeadstartError, Invalid, NotFound
from headstart.files import write_atomically
from headstart.marking import commitment as codebook_commitment

if TYPE_CHECKING:  # suggesting imports the prose finders, which only building needs
    from headstart.carriers.prose.suggest import Suggestions


@functools.lru_cache(maxsize=1)
def _marking_key() -> bytes:
    return keys.program_marking_key()


@functools.lru_cache(maxsize=1)
def _signing_key() -> str:
    return keys.signing_key()


@functools.lru_cache(maxsize=1)
def _signing_fingerprint() -> str:
    return openpgp.fingerprint(_signing_key())


# ---- checking and scheduling -------------------------------------------------------------

@dataclass
class ArtifactCheck:
    file_name: str
    kind: str
    slots: int
    capacity_bits: float
    unmarked_reason: str = ""
    trace: Traceability | None = None  # what a leaked copy keeps (None: unmarked)
    advice: str = ""  # what to do when its copies would be untraceable

    @property
    def traceable(self) -> bool:
        return not self.advice


@dataclass
class CheckReport:
    advisory: str
    artifacts: list[ArtifactCheck] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    partners: int = 0  # partners the excerpts were attributed among (at least 2)
    threshold: float = 0.0
    floor_bits: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and all(a.traceable for a in self.artifacts)


def check_advisory(advisory: Advisory, *, excerpts: bool = True) -> CheckReport:
    """Every artifact has slots (or a recorded reason to go out unmarked); every binary PoC
    meets its trigger specification (the binary carrier refuses one that does not); and every
    marked artifact's forum copy names its leaker among the program's partners at the
    accusation threshold, keeping at least HEADSTART_MIN_ROBUST_BITS robust bits (see
    traceability.py). ``excerpts=False`` skips the smallest-excerpt search."""
    import math

    report = CheckReport(advisory.ident)
    try:
        items = copies.deliverables(advisory)
    except Invalid as exc:
        report.problems.append(exc.message)
        return report
    uids = [str(p.uid) for p in Partner.objects.exclude(status=PartnerStatus.EXPELLED)]
    partners = traceability.check_partners(uids)
    report.partners = len(partners)
    report.threshold = traceability.accusation_threshold()
    report.floor_bits = settings.HEADSTART_MIN_ROBUST_BITS
    key = _marking_key() if any(d.carrier for d in items) else b""
    for d in items:
        sizes = d.carrier.alphabet_sizes if d.carrier else []
        check = ArtifactCheck(d.file_name, d.kind, len(sizes), sum(math.log2(q) for q in sizes),
                              d.artifact.unmarked_reason)
        if d.carrier is not None:
            check.trace = traceability.analyse(d, key, partners, report.threshold, excerpts=excerpts)
            if not d.artifact.unmarked_reason:  # staff accepted it may go out untraceable
                check.advice = _untraceable_advice(advisory, d, check.trace, report)
        report.artifacts.append(check)
    return report


def _untraceable_advice(advisory: Advisory, d: copies.Deliverable, trace: Traceability, report: CheckReport) -> str:
    """What to do about an artifact whose copies would be untraceable; "" when they are not."""
    if trace.names_leaker and trace.robust_bits >= report.floor_bits:
        return ""
    why = (f"a forum copy of {d.file_name} keeps {trace.robust_bits:.0f} robust bits "
           f"(floor HEADSTART_MIN_ROBUST_BITS={report.floor_bits})")
    if not trace.names_leaker:
        why += (f" and does not name its leaker among {report.partners} partners at the threshold "
                f"{report.threshold:g}, even whole")
    allow = (f"or, to send it as it is, record why: `headstart artifact allow-unmarked {advisory.ident} "
             f"{d.artifact.name} --reason TEXT`")
    if d.kind in ("writeup", "guidance"):
        return (f"{why}: run `headstart advisory suggest {advisory.ident} --artifact {d.artifact.name}`, keep the "
                "{{either|or}} alternatives you agree with (or add your own) and store the file with "
                f"`headstart artifact replace {advisory.ident} FILE`; {allow}")
    if d.kind == "trigger-spec":
        return f"{why}: add {{{{either|or}}}} alternatives to the specification's notes; {allow}"
    return f"{why}: this file has too few places to carry a mark; {allow}"


def suggest_alternatives(advisory: Advisory, name: str) -> Suggestions:
    """``{{either|or}}`` proposals for the sentences of a write-up that keep no robust mark."""
    uids = [str(p.uid) for p in Partner.objects.exclude(status=PartnerStatus.EXPELLED)]
    return traceability.suggestions_for(advisory, name, _marking_key(), traceability.check_partners(uids),
                                        traceability.accusation_threshold())


def schedule(advisory: Advisory, *, actor: Actor, now: dt.datetime | None = None) -> Commitment:
    """Check the advisory, schedule it and commit to its codebooks, all or nothing. An advisory
    whose copies would be untraceable (below the floor of check_advisory) is refused."""
    report = check_advisory(advisory, excerpts=False)
    if not report.ok:
        reasons = report.problems + [a.advice for a in report.artifacts if a.advice]
        raise Invalid(f"advisory {advisory.ident} cannot be scheduled: {'; '.join(reasons)}")
    with transaction.atomic():
        advisory = schedule_advisory(advisory, actor=actor, now=now)
        partners = list(Partner.objects.exclude(status=PartnerStatus.EXPELLED))
        return _commit(advisory, partners, actor=actor)


def _commit(advisory: Advisory, partners: list[Partner], *, actor: Actor) -> Commitment:
    key = _marking_key()
    program = Program.get()
    uids = sorted(str(p.uid) for p in partners)
    files = []
    artifact_ids = []
    for d in copies.deliverables(advisory):
        artifact_ids.append(d.artifact.pk)
        entry = {"file": d.file_name, "artifact_version": d.artifact.version, "original_sha256": d.artifact.sha256,
                 "scope": d.scope}
        if d.carrier is not None:
            sizes = d.carrier.alphabet_sizes
            entry["slots"] = len(sizes)
            entry["alphabet_sizes_sha256"] = hashlib.sha256(json.dumps(sizes).encode()).hexdigest()
            entry["design_coalition"] = d.design_coalition
            if uids:  # with no partner yet, the layout is committed; partners joining add a version
                entry["codebook"] = codebook_commitment(d.codebook(key, uids))
        else:
            entry["unmarked_reason"] = d.artifact.unmarked_reason
        files.append(entry)
    latest = advisory.commitments.order_by("-version").first()
    version = latest.version + 1 if latest else 1
    statement = json.dumps({"scheme": "headstart-commitment/1", "software": headstart_version, "program": program.name,
                            "marking_key_id": program.marking_key_id, "advisory": advisory.ident,
                            "version": version, "files": files, "partners": uids},
                           sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(statement.encode()).hexdigest()
    commitment = Commitment.objects.create(
        advisory=advisory, version=version, digest=digest, statement=statement,
        signed_statement=openpgp.clearsign(statement, signing_key=_signing_key()),
        partner_uids=uids, artifact_ids=sorted(artifact_ids))
    record(actor, "commitment.create", commitment, digest=digest, partners=len(uids), files=len(files))
    return commitment


def commitment_for(advisory: Advisory, partner: Partner, *, actor: Actor,
                   artifacts: list[Artifact] | None = None) -> Commitment:
    """The latest commitment covering this partner and the current artifacts; a new version
    is committed first when a partner joined or an artifact changed after scheduling.
    ``artifacts``: the advisory's current artifacts when the caller has them already."""
    # The current artifact versions, without building carriers (slot discovery is slow and a
    # download of a prepared package needs none); _commit checks them all before committing.
    if artifacts is None:
        artifacts = access.latest_artifacts(advisory)
    current_ids = sorted(a.pk for a in artifacts)
    latest = _covering_commitment(advisory, partner, current_ids)
    if latest is not None:
        return latest
    with transaction.atomic():
        Advisory.objects.select_for_update().get(pk=advisory.pk)  # one new version at a time
        latest = advisory.commitments.order_by("-version").first()
        if latest is not None and str(partner.uid) in latest.partner_uids and latest.artifact_ids == current_ids:
            return latest
        partners = list(Partner.objects.exclude(status=PartnerStatus.EXPELLED))
        if partner not in partners:
            partners.append(partner)
        return _commit(advisory, partners, actor=actor)


def _covering_commitment(advisory: Advisory, partner: Partner, current_ids: list[int]) -> Commitment | None:
    """The latest commitment, if it covers this partner and exactly these artifact versions."""
    # Not the statements: they list every partner, and a download needs neither (a deferred
    # field loads if something reads it).
    latest = advisory.commitments.defer("statement", "signed_statement").order_by("-version").first()
    if latest is not None and str(partner.uid) in latest.partner_uids and latest.artifact_ids == current_ids:
        return latest
    return None


# ---- rendering ---------------------------------------------------------------------------

@dataclass(frozen=True)
class RenderedPackage:
    advisory: Advisory
    partner: Partner
    commitment: Commitment
    entries: list[PackageEntry]
    tar: bytes
    artifact_ids: dict[str, int]  # file name -> the artifact (version) it is a copy of

    @property
    def documents(self) -> list[PackageEntry]:
        """The standard-format documents (documents.py): not copies, in no Copy row."""
        return [e for e in self.entries if e.document]

    @property
    def root(self) -> str:
        return self.advisory.ident

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.tar).hexdigest()


def _entitled_kinds(partner: Partner) -> set[str]:
    return partner.tier.artifact_kinds


def _entitled(partner: Partner, artifacts: list[Artifact]) -> list[Artifact]:
    """The advisory's current artifacts the partner's tier is entitled to (access.entitled_artifacts)."""
    kinds = _entitled_kinds(partner)
    return [a for a in artifacts if a.kind in kinds]


def _manifest_sections(advisory: Advisory, partner: Partner) -> tuple[dict, dict]:
    """The advisory and partner sections of the manifest (also part of a package's content key)."""
    nda = current_nda(without_text=True)
    return ({"id": advisory.ident, "title": advisory.title, "cve": advisory.cve,
             "cvss": {"vector": advisory.cvss_vector,
                      "score": float(advisory.cvss_score) if advisory.cvss_score is not None else None,
                      "severity": advisory.cvss_severity},
             "products": list(advisory.products), "patch_at": advisory.patch_at.isoformat()},
            {"name": partner.name, "tier": partner.tier.name,
             "nda": {"version": nda.version, "sha256": nda.sha256} if nda else None})


def render_package(advisory: Advisory, partner: Partner, *, actor: Actor, artifacts: list[Artifact] | None = None,
                   sections: tuple[dict, dict] | None = None) -> RenderedPackage:
    """The plaintext package: exactly the files this partner receives. ``artifacts`` (the
    advisory's current artifacts) and ``sections`` (_manifest_sections) when the caller has
    them already."""
    if artifacts is None:
        artifacts = access.latest_artifacts(advisory)
    commitment = commitment_for(advisory, partner, actor=actor, artifacts=artifacts)
    key = _marking_key()
    uid = str(partner.uid)
    items = copies.deliverables(advisory, _entitled_kinds(partner), artifacts)
    entries = [PackageEntry(d.file_name, d.kind, copies.render(d, key, uid)) for d in items]
    entries += package_documents(advisory, _entitled(partner, artifacts), artifacts)
    advisory_section, partner_section = sections or _manifest_sections(advisory, partner)
    doc = manifest(
        advisory=advisory_section, partner=partner_section,
        commitment={"version": commitment.version, "digest": commitment.digest,
                    "signed_statement": commitment.signed_statement},
        entries=entries, audit_checkpoint=checkpoints.latest_checkpoint())
    files = [*((e.name, e.content) for e in entries), (MANIFEST_NAME, doc)]
    all_entries = [*entries, PackageEntry(MANIFEST_NAME, "manifest", doc)]
    return RenderedPackage(advisory, partner, commitment, all_entries, tar_bytes(advisory.ident, files),
                           {d.file_name: d.artifact.pk for d in items})


def _record_deliveries(partner: Partner, commitment: Commitment, files: list[dict], *, route: Route,
                       event: AuditEvent) -> None:
    """Record each marked file's digest at its first delivery, and this route of it (who took it
    and when: the audit ``event`` recording it, written in the caller's transaction); a later
    delivery must carry the same bytes (a copy is a pure function of its inputs).

    ``files`` is a package's file list (PackageFile.files). Every route a copy leaves by goes
    through here: downloads (API, portal), reads in the portal and staff exports alike."""
    # The manifest and the standard-format documents are no copies: nothing in them is marked.
    marked = {(f["artifact_id"], f["name"]): f for f in files if f["kind"] != "manifest" and f["kind"] not in DOCUMENT_KINDS}
    if not marked:
        return
    artifact_ids = {a for a, _ in marked}
    by = event.actor

    # One query: the copies, each with whether this route and person already took it.
    routed = Exists(Delivery.objects.filter(copy=OuterRef("pk"), route=route, by=by))
    delivered: dict[tuple[int, str], Copy] = {(c.artifact_id, c.file_name): c for c in Copy.objects.filter(
        partner=partner, artifact_id__in=artifact_ids).annotate(routed=routed)}
    new = [Copy(partner=partner, artifact_id=artifact_id, file_name=name, sha256=f["sha256"], size=f["size"],
                commitment=commitment)
           for (artifact_id, name), f in marked.items() if (artifact_id, name) not in delivered]
    if new:
        # A concurrent first delivery of the same copy may have recorded it since: the unique
        # constraint keeps one row, and the comparison below reads the one that won. Read back
        # only what the comparison needs; whether this route and person took one of them
        # already (a concurrent delivery by the same person) is left to Delivery's unique
        # constraint below.
        Copy.objects.bulk_create(new, ignore_conflicts=True)
        added = {(c.artifact_id, c.file_name) for c in new}
        for c in Copy.objects.filter(partner=partner, artifact_id__in={a for a, _ in added}).only(
                "pk", "artifact_id", "file_name", "sha256"):
            if (c.artifact_id, c.file_name) in added:
                c.routed = False  # type: ignore[attr-defined]
                delivered[(c.artifact_id, c.file_name)] = c
    for key, f in marked.items():
        if key not in delivered or delivered[key].sha256 != f["sha256"]:
            raise Invalid(f"the copy of {f['name']} for {partner.name} no longer renders to the bytes "
                          "delivered before; refusing to send a different copy")
    routes = [Delivery(copy=delivered[key], route=route, by=by, at=event.at, audit_seq=event.seq)
              for key in marked if not delivered[key].routed]  # type: ignore[attr-defined]
    if routes:
        Delivery.objects.bulk_create(routes, ignore_conflicts=True)


# ---- fetching (partners) and exporting (staff) --------------------------------------------

def _packages() -> Storage:
    """Where prepared packages live: the "packages" storage (settings.STORAGES), a local
    directory by default, or any Django storage backend the settings name."""
    return storages["packages"]


def store_package(advisory_ident: str, partner_uid: str, encrypted: bytes) -> str:
    """Keep a signed and encrypted package in the packages storage; returns its storage name.

    Named by its own digest, a file never changes once written: a download that recorded this
    digest sends exactly these bytes, even while another process prepares again. It is written
    whole or not at all: on a local directory, into a temporary file renamed into place (0600
    in 0700 directories); elsewhere, by the backend's single upload, and not again when a file
    of that name (so of those bytes) is there already. Safe to call from worker processes."""
    name = f"{advisory_ident}/{partner_uid}-{hashlib.sha256(encrypted).hexdigest()[:32]}.pgp"
    storage = _packages()
    if isinstance(storage, FileSystemStorage):
        _write_atomically(Path(storage.path(name)), encrypted)
    elif not storage.exists(name):
        name = storage.save(name, ContentFile(encrypted))
    return name


def _write_atomically(path: Path, data: bytes) -> None:
    """Never leave a half-written file where a reader could find it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomically(path, data)


def _usable_certificate(partner: Partner) -> str:
    if not partner.pgp_certificate.strip():
        raise Invalid(f"partner {partner.name} has no OpenPGP certificate on file; the program must add one "
                      "before a package can be sent (packages are never sent unencrypted)")
    try:
        openpgp.validate_certificate(partner.pgp_certificate)
    except openpgp.CertificateError as exc:
        raise Invalid(f"partner {partner.name}'s OpenPGP certificate is no longer usable ({exc}); "
                      "send the program a current certificate") from None
    return partner.pgp_certificate


def _content_key(advisory: Advisory, partner: Partner, commitment: Commitment, certificate: str,
                 artifacts: list[Artifact] | None = None, sections: tuple[dict, dict] | None = None,
                 documents: list[PackageEntry] | None = None) -> str:
    """A digest of everything a package is made from and who it is for, computed without rendering.

    A copy is a pure function of (artifact, program key, advisory, partner), so this key names
    package: the artifact versions the partner's tier is entitled to, the commitment, the
    manifest's advisory and partner sections (the same function builds them), the software
    version (the carriers' code), the signing key and the recipient's exact certificate. A
    download looks its prepared package up by this key instead of rendering it again.

    The standard-format documents (documents.py) are in by their digests: they are cheap to make
    (the YARA rules are worked out once per set of originals) and derive from records beyond
    these (the program's name, the portal's address, every artifact's time), so their digests
    are the one exact account of them: what changes a document (a new rule, a changed CVSS, a
    product) changes the key, and nothing else does. ``documents``: when the caller has them.

    The signed audit checkpoint the manifest carries (the latest when the package was made) is
    not part of the key: a newer one (`headstart audit checkpoint`, preparing any advisory)
    leaves prepared packages valid, or signing checkpoints often would send the release-time
    rush back to rendering on demand. `advisory prepare` puts the newest one in again."""
    advisory_section, partner_section = sections or _manifest_sections(advisory, partner)
    if artifacts is None:
        artifacts = access.latest_artifacts(advisory)
    entitled_artifacts = _entitled(partner, artifacts)
    entitled = [[a.pk, a.name, a.kind, a.version, a.sha256, a.unmarked_reason] for a in entitled_artifacts]
    if documents is None:
        documents = package_documents(advisory, entitled_artifacts, artifacts)
    inputs = {"format": "headstart-package/2", "software": headstart_version, "partner_uid": str(partner.uid),
              "advisory": advisory_section, "partner": partner_section, "artifacts": entitled,
              "commitment": [commitment.version, commitment.digest], "signed_by": _signing_fingerprint(),
              "recipient": hashlib.sha256(certificate.encode()).hexdigest(),
              "documents": [[d.name, d.kind, d.sha256] for d in documents]}
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def _prepared_file(advisory: Advisory, partner: Partner, content_key: str) -> PackageFile | None:
    stored = PackageFile.objects.filter(partner=partner, advisory=advisory, content_key=content_key).first()
    if stored is None or not stored.files or not stored.encrypted_sha256:  # an older row: prepare again
        return None
    if os.path.isabs(stored.path):  # a file path from before packages went through a storage: prepare again
        return None
    storage = _packages()
    return stored if storage.exists(stored.path) and storage.size(stored.path) == stored.size else None


@dataclass(frozen=True)
class FetchedPackage:
    """A download, recorded and audited: the prepared file to send and what it holds."""

    advisory: str
    name: str  # in the packages storage
    size: int
    plaintext_sha256: str
    encrypted_sha256: str
    files: list[dict]

    def open(self) -> File:
        return _packages().open(self.name, "rb")

    @property
    def path(self) -> Path:
        """The file's path, for X-Sendfile only: settings allow HEADSTART_SENDFILE=apache only
        with a packages storage on a local directory, where every stored name has a path."""
        return Path(_packages().path(self.name))


def prepare_package(advisory: Advisory, partner: Partner, *, actor: Actor,
                    artifacts: list[Artifact] | None = None) -> tuple[RenderedPackage, PackageFile]:
    """Render, sign and encrypt a partner's package once and keep it in storage for downloads.
    ``artifacts``: the advisory's current artifacts when the caller has them already."""
    certificate = _usable_certificate(partner)
    if artifacts is None:
        artifacts = access.latest_artifacts(advisory)
    sections = _manifest_sections(advisory, partner)  # one read of the NDA for the manifest and the key
    package = render_package(advisory, partner, actor=actor, artifacts=artifacts, sections=sections)
    content_key = _content_key(advisory, partner, package.commitment, certificate, artifacts, sections,
                               package.documents)
    cached = _prepared_file(advisory, partner, content_key)
    if cached is not None and cached.plaintext_sha256 == package.sha256:
        return package, cached
    encrypted = openpgp.sign_and_encrypt(package.tar, signing_key=_signing_key(), recipient_cert=certificate)
    encrypted_sha256 = hashlib.sha256(encrypted).hexdigest()
    name = store_package(advisory.ident, str(partner.uid), encrypted)
    files = [{"name": e.name, "kind": e.kind, "sha256": e.sha256, "size": len(e.content),
              "artifact_id": package.artifact_ids.get(e.name)} for e in package.entries]
    row = PackageFile(partner=partner, advisory=advisory, content_key=content_key, plaintext_sha256=package.sha256,
                      encrypted_sha256=encrypted_sha256, path=name, size=len(encrypted), files=files)
    # One statement (INSERT ... ON CONFLICT DO UPDATE): a single short write, however many
    # processes prepare the same package at once.
    PackageFile.objects.bulk_create(
        [row], update_conflicts=True, unique_fields=["partner", "advisory", "content_key"],
        update_fields=["plaintext_sha256", "encrypted_sha256", "path", "size", "files"])
    return package, row


def fetch_package(user: User, ident: str, *, actor: Actor, now: dt.datetime | None = None,
                  route: Route = Route.DOWNLOAD) -> FetchedPackage:
    """A partner user's download: authorised, then its copies, this route of them and its audit
    event recorded in one transaction before any byte goes out. ``route``: download (the API)
    or portal (the browser).

    At release time the package was prepared (`headstart advisory prepare`) and is found by
    its content key without rendering; otherwise it is rendered, signed and encrypted now and
    kept for the next download. The caller sends the stored file (``name``)."""
    try:
        advisory, partner, commitment, stored = _prepared_download(user, ident, now, actor=actor)
    except HeadstartError as exc:
        refused(actor, "package.download", ident, exc)
        raise
    files = [{"name": f["name"], "kind": f["kind"], "sha256": f["sha256"]} for f in stored.files]
    with transaction.atomic():
        event = record(actor, "package.download", advisory, files=files, package_sha256=stored.plaintext_sha256,
                       encrypted_sha256=stored.encrypted_sha256, commitment=commitment.version)
        _record_deliveries(partner, commitment, stored.files, route=route, event=event)
    return FetchedPackage(advisory.ident, stored.path, stored.size, stored.plaintext_sha256,
                          stored.encrypted_sha256, files)


# What a partner may read in the browser: its text files (never the binary PoC).
READABLE_KINDS = frozenset({"writeup", "guidance", "trigger-spec", "poc-source"})


def read_copy(user: User, ident: str, name: str, *, actor: Actor, now: dt.datetime | None = None) -> PackageEntry:
    """A partner user's read of one of its text files (``name`` as in its package) in the browser.

    A read is a delivery: the copy, this route of it (Route.READ) and the audit event are
    recorded in one transaction before the caller shows a byte. The copy is rendered by the same
    function as the package's file (copies.render), so it is exactly the bytes the package holds."""
    try:
        if user.is_psirt:
            raise Forbidden("staff read the originals; copies are for partners")
        advisory = access.get_visible_advisory(user, ident, now)
        partner = user.partner
        assert partner is not None
        artifacts = access.latest_artifacts(advisory)
        kinds = _entitled_kinds(partner) & READABLE_KINDS
        wanted = [a for a in artifacts if a.kind in kinds and name in (a.name, copies.procedure_name(a))]
        items = [d for d in copies.deliverables(advisory, kinds, wanted) if d.file_name == name]
        if not items:
            raise NotFound(f"no file {name!r} of {ident} to read")
        commitment = commitment_for(advisory, partner, actor=actor, artifacts=artifacts)
    except HeadstartError as exc:
        refused(actor, "copy.read", ident, exc)
        raise
    entry = PackageEntry(items[0].file_name, items[0].kind, copies.render(items[0], _marking_key(), str(partner.uid)))
    with transaction.atomic():
        event = record(actor, "copy.read", advisory, file=entry.name, kind=entry.kind, sha256=entry.sha256,
                       commitment=commitment.version)
        _record_deliveries(partner, commitment, [{"name": entry.name, "kind": entry.kind, "sha256": entry.sha256,
                                                  "size": len(entry.content), "artifact_id": items[0].artifact.pk}],
                           route=Route.READ, event=event)
    return entry


def _prepared_download(user: User, ident: str, now: dt.datetime | None, *,
                       actor: Actor) -> tuple[Advisory, Partner, Commitment, PackageFile]:
    """The advisory, partner, commitment and prepared package that answer a download."""
    if user.is_psirt:
        raise Forbidden("staff export copies with `headstart copy export`; packages are for partners")
    advisory = access.get_visible_advisory(user, ident, now)
    partner = user.partner
    assert partner is not None
    artifacts = access.latest_artifacts(advisory)  # one query, shared by the two steps below
    commitment = _covering_commitment(advisory, partner, sorted(a.pk for a in artifacts))
    # A prepared package was encrypted to exactly this certificate after a full check (its
    # digest is in the content key); what may have changed since is the time, so the expiry
    # recorded at import decides whether it is still served as it is. Any doubt prepares
    # again, which checks the certificate in full and explains a refusal.
    expires = partner.pgp_expires_at
    if commitment is not None and partner.pgp_certificate.strip() and (
            expires is None or expires > (now or timezone.now())):
        key = _content_key(advisory, partner, commitment, partner.pgp_certificate, artifacts)
        stored = _prepared_file(advisory, partner, key)
        if stored is not None:
            return advisory, partner, commitment, stored
    package, stored = prepare_package(advisory, partner, actor=actor, artifacts=artifacts)
    return advisory, partner, package.commitment, stored


def export_copy(advisory: Advisory, partner: Partner, out_dir: Path, *, actor: Actor) -> list[Path]:
    """Staff: write exactly the files the partner receives (the package's content), unencrypted.

    An export is a delivery like a download: the copies, their export by this staff member and
    the audit event are recorded in one transaction, and the files are written inside it, so a
    failure at any point records nothing and leaves none of the files behind. Like the package,
    it holds the files the partner's tier is entitled to."""
    if advisory.status == AdvisoryStatus.DRAFT:
        raise Invalid(f"advisory {advisory.ident} is a draft; schedule it first (that fixes the commitment)")
    package = render_package(advisory, partner, actor=actor)
    files = [{"name": e.name, "kind": e.kind, "sha256": e.sha256, "size": len(e.content),
              "artifact_id": package.artifact_ids.get(e.name)} for e in package.entries]
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    made: list[Path] = []  # the documents' folders (detection/, csaf/, stix/) this export made
    try:
        with transaction.atomic():
            event = record(actor, "copy.export", advisory, partner_name=partner.name, out=str(out_dir),
                           files=[{"name": f["name"], "kind": f["kind"], "sha256": f["sha256"]} for f in files],
                           package_sha256=package.sha256, commitment=package.commitment.version)
            _record_deliveries(partner, package.commitment, files, route=Route.EXPORT, event=event)
            for entry in package.entries:
                target = out_dir / entry.name
                if not target.parent.exists():
                    made.append(target.parent)
                _write_atomically(target, entry.content)
                written.append(target)
    except BaseException:
        for path in written:  # what was written belongs to an export that is not recorded
            path.unlink(missing_ok=True)
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    return written
