"""What rule generation reads: an advisory's PoCs and trigger specifications, by their checked bytes.

Shared by the YARA rules (rules.py) and the Suricata rules (suricata.py). An ``Original`` is an
artifact version as a cache key (name, storage name, digest), so the rules of the same inputs are
worked out once per process; its bytes are read and checked against the recorded SHA-256 when a
rule is generated. Delivery puts the rules in partners' packages, so detection sits below it and
reads the originals itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from headstart.apps.advisories.access import latest_artifacts
from headstart.apps.advisories.models import Advisory, Artifact, ArtifactKind
from headstart.errors import Invalid
from headstart.triggers import Spec, TriggerError, check, decode_spec, load_spec


@dataclass(frozen=True)
class Original:
    """An artifact version as rule generation sees it: its name and where its checked bytes are."""

    name: str
    stored: str  # the storage name of the original
    sha256: str
    artifact: Artifact

    @classmethod
    def of(cls, artifact: Artifact) -> Original:
        return cls(artifact.name, artifact.file.name or "", artifact.sha256, artifact)

    def __hash__(self) -> int:
        return hash((self.name, self.stored, self.sha256))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Original) and (self.name, self.stored, self.sha256) == (
            other.name, other.stored, other.sha256)

    def read(self) -> bytes:
        with self.artifact.file.open("rb") as fh:
            data = fh.read()
        if hashlib.sha256(data).hexdigest() != self.sha256:
            raise Invalid(f"the stored original of {self.artifact} does not match its recorded SHA-256")
        return data


@dataclass(frozen=True)
class RuleGap:
    """A PoC that has no rule, and why (no specification fits it, or its specification says
    what the rule language cannot)."""

    source: str  # the PoC's file name
    reason: str


def pocs_and_specifications(advisory: Advisory, artifacts: Sequence[Artifact] | None,
                            current: Sequence[Artifact] | None) -> tuple[tuple[Original, ...], tuple[Original, ...]]:
    """The binary PoCs among ``artifacts`` (default: the advisory's current ones), by name, and
    every current trigger specification. ``current``: latest_artifacts, when the caller has them."""
    if current is None:
        current = latest_artifacts(advisory)
    pocs = [a for a in (current if artifacts is None else artifacts) if a.kind == ArtifactKind.POC_BINARY]
    specs = [a for a in current if a.kind == ArtifactKind.TRIGGER_SPEC]
    return (tuple(Original.of(a) for a in sorted(pocs, key=lambda a: a.name)),
            tuple(Original.of(a) for a in specs))


def loaded_specifications(specs: Sequence[Original]) -> list[tuple[str, Spec]]:
    """Each specification that loads, with its file name (advisory check and prepare report a
    broken one; here it simply fits nothing)."""
    loaded = []
    for spec in specs:
        try:
            loaded.append((spec.name, load_spec(decode_spec(spec.read()))))
        except TriggerError:
            continue
    return loaded


def fitting_specification(loaded: Sequence[tuple[str, Spec]], data: bytes) -> tuple[str, Spec] | None:
    """The first specification the PoC meets, as delivery marks it with that specification."""
    for name, spec in loaded:
        try:
            check(spec, data)
        except TriggerError:
            continue
        return name, spec
    return None
