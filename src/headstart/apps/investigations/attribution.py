"""From matched pieces to scores, p-values and accusations, with the evidence behind them.

For every delivered file (one marking scope) that some piece matched, the file's carrier
reads each matching piece; the readings are merged into ONE leak per scope (a symbol two
readings agree on is kept, a conflicting one erased), because two leaks scored against
the same codebook are not independent and adding their scores would break the p-value.
All scopes are then combined in one call to headstart.marking.attribute, so one
family-wise bound covers every partner considered for every file. The partners considered
for a file are exactly those whose copy of it was delivered (Copy rows).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import numpy as np

from headstart.apps.advisories.models import Advisory, Artifact, ArtifactKind
from headstart.apps.delivery import copies
from headstart.apps.delivery.models import Commitment, Copy
from headstart.apps.investigations.matching import Match, Original
from headstart.apps.partners.models import Partner
from headstart.carriers import ERASED, Carrier, CarrierError, Reading
from headstart.crypto import openpgp
from headstart.errors import Invalid
from headstart.marking import (
    Attribution,
    Codebook,
    Leak,
    MarkingError,
    attribute,
    design_for,
    verify_commitment,
)
from headstart.triggers import TriggerError, decode_spec, load_spec, render_procedure

TOP = 10


def merge_readings(readings: list[Reading], m: int) -> tuple[np.ndarray, np.ndarray, int]:
    """One reading from several of the same file: agreeing symbols kept (with the highest
    confidence seen), conflicting ones erased. Returns (symbols, confidence, conflicts)."""
    symbols = np.full(m, ERASED, dtype=np.int64)
    confidence = np.zeros(m, dtype=np.float64)
    conflict = np.zeros(m, dtype=bool)
    for reading in readings:
        seen = (reading.symbols != ERASED) & (reading.confidence > 0)
        fresh = seen & (symbols == ERASED) & ~conflict
        same = seen & (symbols == reading.symbols)
        differs = seen & (symbols != ERASED) & (symbols != reading.symbols)
        symbols[fresh] = reading.symbols[fresh]
        confidence[fresh] = reading.confidence[fresh]
        confidence[same] = np.maximum(confidence[same], reading.confidence[same])
        conflict |= differs
    symbols[conflict] = ERASED
    confidence[conflict] = 0.0
    return symbols, confidence, int(conflict.sum())


@dataclass
class PieceReading:
    match: Match
    piece_name: str
    read: int = 0
    problem: str = ""


@dataclass
class ScopeEvidence:
    """Everything read for one delivered file (one marking scope)."""

    advisory: Advisory
    deliverable: copies.Deliverable
    readings: list[PieceReading] = field(default_factory=list)
    symbols: np.ndarray | None = None
    confidence: np.ndarray | None = None
    conflicts: int = 0
    holders: dict[str, Partner] = field(default_factory=dict)  # uid -> partner with a delivered copy
    commitment_ids: set[int] = field(default_factory=set)
    committed_design: int | None = None  # the codebook design the signed commitment names

    @property
    def scope(self) -> str:
        return self.deliverable.scope

    @property
    def slots(self) -> int:
        return len(self.deliverable.carrier.slots) if self.deliverable.carrier else 0

    @property
    def positions_read(self) -> int:
        if self.symbols is None or self.confidence is None:
            return 0
        return int(np.count_nonzero((self.symbols != ERASED) & (self.confidence > 0)))

    @property
    def usable(self) -> bool:
        return self.deliverable.carrier is not None and self.positions_read > 0 and bool(self.holders)

    def leak(self) -> Leak:
        assert self.symbols is not None and self.confidence is not None
        return Leak(self.symbols, self.confidence)

    @property
    def design_coalition(self) -> int:
        """The design the copies were made with: as committed, else as delivery derives it."""
        if self.committed_design is not None:
            return self.committed_design
        assert self.deliverable.carrier is not None
        return design_for(self.deliverable.carrier.alphabet_sizes)

    def book(self, key: bytes) -> Codebook:
        assert self.deliverable.carrier is not None
        return Codebook(key=key, scope=self.scope, alphabet_sizes=self.deliverable.carrier.alphabet_sizes,
                        partners=sorted(self.holders), design_coalition=self.design_coalition)


class DeliveredFiles:
    """Each advisory's delivered files with their carriers (every version that went out),
    looked up by artifact. A kind of file is prepared when an investigation first compares a
    piece with one of its files: a forum post of the write-up never loads the PoCs' carriers
    (the Python PoC's alone takes longer to load than the rest of the analysis)."""

    def __init__(self, notes: list[str]) -> None:
        self.notes = notes
        self._advisories: dict[str, Advisory] = {}
        self._files: dict[str, dict[int, copies.Deliverable]] = {}
        self._kinds: dict[str, set[str]] = {}  # the kinds prepared so far, by advisory
        self._whole: set[str] = set()  # advisories whose current files cannot be prepared: all loaded
        self._delivered: dict[str, dict[int, str]] = {}  # artifact id -> kind, of every copy that went out

    def advisory(self, ident: str) -> Advisory:
        if ident not in self._advisories:
            self._advisories[ident] = Advisory.objects.get(ident=ident)
        return self._advisories[ident]

    def get(self, original: Original) -> copies.Deliverable | None:
        ident = original.advisory
        files = self._files.setdefault(ident, {})
        kinds = self._kinds.setdefault(ident, set())
        if ident not in self._whole and original.kind not in kinds:
            kinds.add(original.kind)
            files.update(self._load(self.advisory(ident), original.kind))
        return self._files[ident].get(original.artifact_id)

    def carrier_of(self, original: Original) -> Carrier | None:
        deliverable = self.get(original)
        return deliverable.carrier if deliverable is not None else None

    def _load(self, advisory: Advisory, kind: str) -> dict[int, copies.Deliverable]:
        """The files of one kind: the current versions, and earlier versions that went out."""
        try:
            files = {d.artifact.pk: d for d in copies.deliverables(advisory, {kind})}
        except Invalid as exc:
            # As when every kind is prepared at once: none of the current files is read as
            # current; each delivered version is prepared as the commitment it went out under says.
            self.notes.append(f"{advisory.ident}: its current files cannot be prepared for reading ({exc.message})")
            self._whole.add(advisory.ident)
            self._files[advisory.ident] = self._earlier(advisory, {}, None)
            return self._files[advisory.ident]
        return self._earlier(advisory, files, kind)

    def _earlier(self, advisory: Advisory, files: dict[int, copies.Deliverable],
                 kind: str | None) -> dict[int, copies.Deliverable]:
        if advisory.ident not in self._delivered:
            self._delivered[advisory.ident] = dict(
                Copy.objects.filter(artifact__advisory=advisory).values_list("artifact_id", "artifact__kind").distinct())
        delivered = {a for a, k in self._delivered[advisory.ident].items() if kind is None or k == kind}
        if not delivered - set(files):
            return files
        for commitment in advisory.commitments.order_by("-version"):
            missing = (delivered & set(commitment.artifact_ids)) - set(files)
            if missing:
                files.update(earlier_deliverables(advisory, commitment.artifact_ids, missing, self.notes))
        return files


def earlier_deliverables(advisory: Advisory, artifact_ids: list[int], wanted: set[int],
                         notes: list[str]) -> dict[int, copies.Deliverable]:
    """Delivered files of earlier artifact versions, with the carriers they were marked with.

    ``artifact_ids`` is the set of artifacts committed together (a Commitment's): a binary
    PoC's trigger specification is the one that went out beside it. Mirrors
    copies.deliverables(), which prepares the current versions only."""
    artifacts = list(Artifact.objects.filter(advisory=advisory, pk__in=artifact_ids))
    specs = [decode_spec(copies.original_bytes(a)) for a in artifacts if a.kind == ArtifactKind.TRIGGER_SPEC]
    out = {}
    for artifact in artifacts:
        if artifact.pk not in wanted:
            continue
        original = copies.original_bytes(artifact)
        name = artifact.name
        carrier: Carrier | None = None
        try:
            if artifact.kind == ArtifactKind.TRIGGER_SPEC:
                name = copies.procedure_name(artifact)
                procedure = render_procedure(load_spec(decode_spec(original)))
                carrier = copies.cached_carrier("procedure", name, procedure.encode(), None)
            elif artifact.kind == ArtifactKind.POC_BINARY:
                for spec in specs:
                    try:
                        carrier = copies.cached_carrier(artifact.kind, name, original, spec)
                        break
                    except (CarrierError, TriggerError):
                        continue
            else:
                carrier = copies.cached_carrier(artifact.kind, name, original, None)
        except (CarrierError, TriggerError, UnicodeDecodeError) as exc:
            if not artifact.unmarked_reason:
                notes.append(f"{artifact}: cannot be prepared for reading ({exc})")
                continue
        out[artifact.pk] = copies.Deliverable(artifact, name, carrier if carrier is not None and carrier.slots else None)
    return out


def gather(matches: list[Match], piece_names: list[str], files: DeliveredFiles, notes: list[str]) -> list[ScopeEvidence]:
    """Read every matched delivered file's carrier on its pieces and merge per file."""
    by_file: dict[tuple[str, int], list[Match]] = {}
    for m in matches:
        by_file.setdefault((m.original.advisory, m.original.artifact_id), []).append(m)
    out = []
    for (ident, _artifact), file_matches in by_file.items():
        file_name = file_matches[0].original.file_name
        deliverable = files.get(file_matches[0].original)
        if deliverable is None:
            continue
        evidence = ScopeEvidence(files.advisory(ident), deliverable)
        for copy in (Copy.objects.filter(artifact=deliverable.artifact, file_name=file_name)
                     .select_related("partner")):
            evidence.holders[str(copy.partner.uid)] = copy.partner
            evidence.commitment_ids.add(copy.commitment_id)
        evidence.committed_design = _committed_design(evidence.commitment_ids, deliverable.scope)
        carrier = deliverable.carrier
        readings = []
        for m in file_matches:
            pr = PieceReading(m, piece_names[m.piece])
            if carrier is None:
                pr.problem = f"sent unmarked ({deliverable.artifact.unmarked_reason}): nothing to read"
            else:
                try:
                    reading = m.reading if m.reading is not None else carrier.read(m.view)
                    pr.read = reading.read
                    readings.append(reading)
                except (CarrierError, TriggerError, ValueError) as exc:
                    pr.problem = f"the {carrier.kind} carrier could not read it: {exc}"
            evidence.readings.append(pr)
        if carrier is not None:
            evidence.symbols, evidence.confidence, evidence.conflicts = merge_readings(readings, len(carrier.slots))
        if not evidence.holders:
            notes.append(f"{ident}/{file_name}: no partner has received this file, so nobody can be considered for it")
        out.append(evidence)
    return sorted(out, key=lambda e: (e.advisory.ident, e.deliverable.file_name, e.deliverable.artifact.version))


def _committed_design(commitment_ids: set[int], scope: str) -> int | None:
    """The design_coalition the latest commitment records for this scope (None before it was recorded)."""
    for commitment in Commitment.objects.filter(pk__in=commitment_ids).order_by("-version"):
        entry = _statement_entry(commitment, scope)
        design = (entry or {}).get("design_coalition")
        if isinstance(design, int) and not isinstance(design, bool) and design >= 1:
            return design
    return None


def _statement_entry(commitment: Commitment, scope: str) -> dict | None:
    try:
        statement = json.loads(commitment.statement)
        return next((f for f in statement.get("files", []) if f.get("scope") == scope), None)
    except (ValueError, AttributeError):
        return None


def attribute_scopes(evidence: list[ScopeEvidence], key: bytes, threshold: float) -> Attribution | None:
    """One attribution over every usable scope, or None when no scope shows a mark."""
    pairs = [(e.book(key), e.leak()) for e in evidence if e.usable]
    if not pairs:
        return None
    try:
        return attribute(pairs, threshold=threshold)
    except MarkingError as exc:
        raise Invalid(f"attribution failed: {exc}") from None


def agreement(evidence: ScopeEvidence, key: bytes, uid: str) -> int:
    """Slots read in this file where the partner's copy holds the leaked symbol."""
    assert evidence.symbols is not None
    read = evidence.symbols != ERASED
    codeword = evidence.book(key).codeword(uid)
    return int(np.count_nonzero(read & (codeword == evidence.symbols)))


def innocent_agreement(evidence: ScopeEvidence, key: bytes) -> float:
    """How many read slots an innocent partner is expected to agree with, given the biases."""
    assert evidence.symbols is not None and evidence.confidence is not None
    biases = evidence.book(key).biases
    return float(sum(biases[i][s] for i, s in enumerate(evidence.symbols.tolist())
                     if s != ERASED and evidence.confidence[i] > 0))


# ---- the codebook commitment -------------------------------------------------------------------

def _signature_ok(signed_statement: str, statement: str, certificate: str) -> bool:
    """The clearsigned statement carries a valid signature of the program over this statement."""
    body = openpgp.verify_clearsigned(signed_statement, signer_cert=certificate)
    return body is not None and body.rstrip("\r\n") == statement.rstrip("\r\n")


def check_commitments(evidence: list[ScopeEvidence], key: bytes, signing_certificate: str) -> dict:
    """Recompute each scope's codebook commitment from the key and the committed partner list
    and compare it with what was committed (and signed) before the copies went out."""
    scopes = []
    for e in evidence:
        if e.deliverable.carrier is None or not e.holders:
            continue
        for commitment in Commitment.objects.filter(pk__in=e.commitment_ids).order_by("version"):
            scopes.append(_check_one(e, commitment, key, signing_certificate))
    return {"ok": all(s["ok"] for s in scopes) if scopes else None, "scopes": scopes}


def _check_one(e: ScopeEvidence, commitment: Commitment, key: bytes, certificate: str) -> dict:
    assert e.deliverable.carrier is not None
    statement_ok = hashlib.sha256(commitment.statement.encode()).hexdigest() == commitment.digest
    entry = _statement_entry(commitment, e.scope)
    committed = (entry or {}).get("codebook", "")
    committed_partners = set(commitment.partner_uids)
    book_ok = False
    if committed:
        book = Codebook(key=key, scope=e.scope, alphabet_sizes=e.deliverable.carrier.alphabet_sizes,
                        partners=sorted(committed_partners), design_coalition=e.design_coalition)
        book_ok = verify_commitment(book, committed)
    holders_here = {str(uid) for uid in Copy.objects.filter(artifact=e.deliverable.artifact, commitment=commitment)
                    .values_list("partner__uid", flat=True)}
    covered = holders_here <= committed_partners
    signature_ok = _signature_ok(commitment.signed_statement, commitment.statement, certificate)
    # The slot layout this software finds in the original against the one committed at
    # delivery: a carrier changed by an upgrade reads other slots, which explains a codebook
    # that "differs" without any tampering (the p-values stay valid; the evidence is lost).
    sizes = list(e.deliverable.carrier.alphabet_sizes)
    committed_layout = (entry or {}).get("alphabet_sizes_sha256")
    layout_ok = committed_layout == hashlib.sha256(json.dumps(sizes).encode()).hexdigest()
    out = {"scope": e.scope, "commitment_version": commitment.version, "statement_digest": commitment.digest,
           "codebook_digest": committed or None, "statement_digest_ok": statement_ok, "signature_ok": signature_ok,
           "codebook_ok": book_ok, "partners_covered": covered, "layout_ok": layout_ok,
           "ok": statement_ok and signature_ok and book_ok and covered}
    if not layout_ok:
        delivered_by = _statement_software(commitment)
        out["layout_note"] = (
            f"this Headstart finds {len(sizes)} slots in {e.deliverable.file_name}, not the layout committed when "
            f"it was delivered{f' by Headstart {delivered_by}' if delivered_by else ''}: a carrier changed since, "
            "so its marks are not read where they were written. Investigate this file with the version that "
            "delivered it.")
    return out


def _statement_software(commitment: Commitment) -> str:
    try:
        software = json.loads(commitment.statement).get("software", "")
    except (ValueError, AttributeError):
        return ""
    return software if isinstance(software, str) else ""
