"""From an advisory's originals to one partner's marked files.

A deliverable is one file a partner may receive: an artifact as it is (write-up,
guidance, PoC source, binary PoC) or, for a trigger specification, the step-by-step
procedure rendered from it (the YAML itself never goes out: it names the fields that
carry marks). Each deliverable has a carrier (built once per original and cached: slot
discovery is the slow part) unless staff let it go out unmarked with a recorded reason.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from headstart.apps.advisories.access import latest_artifacts
from headstart.apps.advisories.models import Advisory, Artifact, ArtifactKind
from headstart.apps.delivery import carrier_store
from headstart.carriers import Carrier, CarrierError, carrier_family, carrier_for
from headstart.errors import Invalid
from headstart.marking import Codebook, design_for
from headstart.triggers import TriggerError, decode_spec, load_spec, render_procedure


@dataclass(frozen=True)
class Deliverable:
    """One file of an advisory and its carrier. What every partner's copy shares (the scope,
    the alphabet sizes, the codebook design and, in headstart.marking, the slots' biases) is
    worked out once; a partner's copy is then its codeword filled into the carrier's slots."""

    artifact: Artifact
    file_name: str
    carrier: Carrier | None

    @functools.cached_property
    def scope(self) -> str:
        """The marking scope: stable per advisory, file and artifact version."""
        return f"{self.artifact.advisory.ident}/{self.file_name}/v{self.artifact.version}"

    @property
    def kind(self) -> str:
        return self.artifact.kind

    @property
    def alphabet_sizes(self) -> tuple[int, ...]:
        assert self.carrier is not None
        return _alphabet_sizes(self.carrier)

    @property
    def design_coalition(self) -> int:
        """The codebook design for this file, from its capacity (see marking.design_for)."""
        assert self.carrier is not None
        return _design_coalition(self.carrier)

    def codebook(self, key: bytes, partners: list[str]) -> Codebook:
        return Codebook(key=key, scope=self.scope, alphabet_sizes=self.alphabet_sizes,
                        partners=partners, design_coalition=self.design_coalition)


@functools.lru_cache(maxsize=256)  # as many as the carrier cache below holds
def _alphabet_sizes(carrier: Carrier) -> tuple[int, ...]:
    return tuple(carrier.alphabet_sizes)


@functools.lru_cache(maxsize=256)
def _design_coalition(carrier: Carrier) -> int:
    return design_for(_alphabet_sizes(carrier))


# Originals already read and checked against their recorded digest, by (stored name, digest):
# an artifact version never changes, so preparing a thousand packages reads each file once.
_CACHED_ORIGINALS = 64
_originals: OrderedDict[tuple[str, str], bytes] = OrderedDict()
_originals_guard = threading.Lock()


def original_bytes(artifact: Artifact) -> bytes:
    key = (artifact.file.name or "", artifact.sha256)
    with _originals_guard:
        data = _originals.get(key)
        if data is not None:
            _originals.move_to_end(key)
            return data
    with artifact.file.open("rb") as fh:
        data = fh.read()
    if hashlib.sha256(data).hexdigest() != artifact.sha256:
        raise Invalid(f"the stored original of {artifact} does not match its recorded SHA-256")
    with _originals_guard:
        _originals[key] = data
        while len(_originals) > _CACHED_ORIGINALS:
            _originals.popitem(last=False)
    return data


def procedure_name(spec_artifact: Artifact) -> str:
    stem = spec_artifact.name
    for suffix in (".yaml", ".yml", ".ksy"):
        stem = stem.removesuffix(suffix)
    return f"{stem}-procedure.md"


# Carriers by (family, original bytes, trigger specification): a renamed or re-uploaded file
# with the same bytes reuses the carrier, and investigations share what deliveries built.
_CACHED_CARRIERS = 256
_carriers: OrderedDict[tuple[str, bytes, str | None], Carrier] = OrderedDict()
_build_locks: dict[tuple[str, bytes, str | None], threading.Lock] = {}
_cache_guard = threading.Lock()


def cached_carrier(kind: str, name: str, original: bytes, spec_text: str | None) -> Carrier:
    """The carrier for an original: from memory, else from the carrier store (carrier_store.py),
    else built and stored (slot discovery is the slow part). Threads that ask for the same one
    at once wait for a single build: a server's threads meeting a release-time rush cold would
    otherwise each run the slot discovery."""
    key = (carrier_family(kind, name), original, spec_text)
    with _cache_guard:
        lock = _build_locks.setdefault(key, threading.Lock())
    with lock:
        with _cache_guard:
            carrier = _carriers.get(key)
            if carrier is not None:
                _carriers.move_to_end(key)
                return carrier
        family = key[0]
        carrier = carrier_store.load(family, original, spec_text)
        if carrier is None:
            carrier = carrier_for(kind, name, original, spec_text=spec_text)  # errors name this file
            carrier_store.store(family, original, spec_text, carrier)
        with _cache_guard:
            _carriers[key] = carrier
            while len(_carriers) > _CACHED_CARRIERS:
                oldest, _ = _carriers.popitem(last=False)
                _build_locks.pop(oldest, None)
        return carrier


@functools.lru_cache(maxsize=64)
def _procedure(spec_text: str, marks: bool = True) -> str:
    """The rendered procedure: with marks, the carrier's original ({{a|b}} alternatives
    included), kept in the carrier store beside the carriers (rendering it costs more than
    loading them, in every process that delivers or investigates; investigations read the same
    entry); without, what an unmarked copy shows."""
    if not marks:
        return render_procedure(load_spec(spec_text), marks=False)
    return carrier_store.derived("procedure", spec_text.encode("utf-8"),
                                 lambda: render_procedure(load_spec(spec_text)), str)


def _spec_texts(artifacts: list[Artifact]) -> list[str]:
    texts = []
    for artifact in artifacts:
        if artifact.kind == ArtifactKind.TRIGGER_SPEC:
            try:
                texts.append(decode_spec(original_bytes(artifact)))
            except TriggerError as exc:
                raise Invalid(f"{artifact.name}: {exc}") from None
    return texts


def _binary_carrier(artifact: Artifact, original: bytes, specs: list[str]) -> Carrier:
    """A binary PoC is marked through the trigger specification that describes it."""
    if not specs:
        raise Invalid(f"binary PoC {artifact.name} needs a trigger specification (--trigger-spec)")
    problems = []
    for spec in specs:
        try:
            return cached_carrier(artifact.kind, artifact.name, original, spec)
        except (CarrierError, TriggerError) as exc:
            problems.append(str(exc))
    raise Invalid(f"binary PoC {artifact.name} does not fit its trigger specification: {'; '.join(problems)}")


def deliverables(advisory: Advisory, kinds: set[str] | None = None,
                 artifacts: list[Artifact] | None = None) -> list[Deliverable]:
    """The files of an advisory (current artifact versions), optionally only these artifact kinds.
    ``artifacts``: the advisory's current artifacts when the caller has them already.

    Raises Invalid when an artifact has no usable slot and no recorded reason to go out unmarked."""
    if artifacts is None:
        artifacts = latest_artifacts(advisory)
    specs = _spec_texts(artifacts)
    out: list[Deliverable] = []
    for artifact in artifacts:
        if kinds is not None and artifact.kind not in kinds:
            continue
        artifact.advisory = advisory  # the scope names it: no query per copy
        original = original_bytes(artifact)
        name = artifact.name
        try:
            if artifact.kind == ArtifactKind.TRIGGER_SPEC:
                name = procedure_name(artifact)
                procedure = _procedure(decode_spec(original))
                carrier = cached_carrier("procedure", name, procedure.encode(), None)
            elif artifact.kind == ArtifactKind.POC_BINARY:
                carrier = _binary_carrier(artifact, original, specs)
            else:
                carrier = cached_carrier(artifact.kind, artifact.name, original, None)
        except (CarrierError, TriggerError, UnicodeDecodeError) as exc:
            if artifact.unmarked_reason:
                carrier = None
            else:
                raise Invalid(f"{artifact.name}: {exc}") from None
        if carrier is not None and not carrier.slots and not artifact.unmarked_reason:
            raise Invalid(f"{artifact.name} has no place to carry a mark; record a reason to send it unmarked")
        out.append(Deliverable(artifact, name, carrier if carrier is not None and carrier.slots else None))
    return out


def codeword(deliverable: Deliverable, key: bytes, partner_uid: str) -> np.ndarray:
    return deliverable.codebook(key, [partner_uid]).codeword(partner_uid)


def render(deliverable: Deliverable, key: bytes, partner_uid: str) -> bytes:
    """The partner's copy of one deliverable: a pure function of its inputs."""
    if deliverable.carrier is None:
        if deliverable.kind == ArtifactKind.TRIGGER_SPEC:
            return _procedure(decode_spec(original_bytes(deliverable.artifact)), marks=False).encode()
        return original_bytes(deliverable.artifact)
    return deliverable.carrier.render(codeword(deliverable, key, partner_uid).tolist())
