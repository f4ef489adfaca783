"""The YARA rules of an advisory's binary PoCs, generated from their trigger specifications.

Data only: the caller has already decided which artifacts the viewer may see (access.py)
and audits the read (``reads.read_rules``). A binary PoC gets the rule of the first trigger
specification of its advisory that it meets, as delivery marks it with that specification.

Delivery puts these rules in partners' packages, so this module sits below it and reads the
originals itself (delivery imports detection, never the other way round). A rule is a pure
function of the advisory's identifier and CVE and of the artifacts' names and bytes: the rules
of the same inputs are worked out once (preparing a thousand packages generates them once).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from headstart.apps.advisories.access import latest_artifacts
from headstart.apps.advisories.models import Advisory, Artifact, ArtifactKind
from headstart.errors import Invalid
from headstart.triggers import TriggerError, check, decode_spec, load_spec
from headstart.triggers.yara_rules import RuleError, rule_name, yara_rule


@dataclass(frozen=True)
class AdvisoryRule:
    """One generated rule: its YARA identifier, its source text, the PoC and specification it is for."""

    name: str
    text: str
    source: str  # the binary PoC's file name
    specification: str  # the trigger specification's file name


@dataclass(frozen=True)
class RuleGap:
    """A binary PoC that has no rule, and why (its specification says what YARA cannot)."""

    source: str
    reason: str


def generate(advisory: Advisory, artifacts: Sequence[Artifact] | None = None, *,
             current: Sequence[Artifact] | None = None) -> tuple[list[AdvisoryRule], list[RuleGap]]:
    """Rules for the binary PoCs among ``artifacts`` (default: the advisory's current ones).
    ``current``: the advisory's current artifacts (latest_artifacts), when the caller has them."""
    if current is None:
        current = latest_artifacts(advisory)
    pocs = [a for a in (current if artifacts is None else artifacts) if a.kind == ArtifactKind.POC_BINARY]
    specs = [a for a in current if a.kind == ArtifactKind.TRIGGER_SPEC]
    rules, gaps = _generate(advisory.ident, advisory.cve, tuple(_Input.of(a) for a in sorted(pocs, key=lambda a: a.name)),
                            tuple(_Input.of(a) for a in specs))
    return list(rules), list(gaps)


@dataclass(frozen=True)
class _Input:
    """An artifact version as rule generation sees it: its name and where its checked bytes are."""

    name: str
    stored: str  # the storage name of the original
    sha256: str
    artifact: Artifact

    @classmethod
    def of(cls, artifact: Artifact) -> _Input:
        return cls(artifact.name, artifact.file.name or "", artifact.sha256, artifact)

    def __hash__(self) -> int:
        return hash((self.name, self.stored, self.sha256))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Input) and (self.name, self.stored, self.sha256) == (
            other.name, other.stored, other.sha256)

    def original(self) -> bytes:
        with self.artifact.file.open("rb") as fh:
            data = fh.read()
        if hashlib.sha256(data).hexdigest() != self.sha256:
            raise Invalid(f"the stored original of {self.artifact} does not match its recorded SHA-256")
        return data


@functools.lru_cache(maxsize=64)
def _generate(ident: str, cve: str, pocs: tuple[_Input, ...], specs: tuple[_Input, ...]
              ) -> tuple[tuple[AdvisoryRule, ...], tuple[RuleGap, ...]]:
    loaded = []
    for spec_input in specs:
        try:
            loaded.append((spec_input.name, load_spec(decode_spec(spec_input.original()))))
        except TriggerError:
            continue  # advisory check and prepare report a broken specification
    rules: list[AdvisoryRule] = []
    gaps: list[RuleGap] = []
    for poc in pocs:
        original = poc.original()
        fitting = []
        for spec_name, spec in loaded:
            try:
                check(spec, original)
            except TriggerError:
                continue
            fitting.append((spec_name, spec))
        if not fitting:
            gaps.append(RuleGap(poc.name, "no trigger specification of the advisory fits this file"))
            continue
        spec_name, spec = fitting[0]
        name = rule_name(ident, poc.name)
        meta = {"advisory": ident, "poc": poc.name, "trigger_specification": spec_name}
        if cve:
            meta["cve"] = cve
        try:
            rule = yara_rule(spec, name=name, meta=meta)
        except RuleError as exc:
            gaps.append(RuleGap(poc.name, str(exc)))
            continue
        rules.append(AdvisoryRule(rule.name, rule.text, poc.name, spec_name))
    return tuple(rules), tuple(gaps)


def rules_for_advisory(advisory: Advisory, artifacts: Sequence[Artifact] | None = None) -> list[AdvisoryRule]:
    """The YARA rules for the binary PoCs among ``artifacts`` (default: all the advisory's current ones)."""
    return generate(advisory, artifacts)[0]


def rules_file(advisory: Advisory, rules: Sequence[AdvisoryRule], gaps: Sequence[RuleGap]) -> str:
    """The rules as one YARA source file (what the API serves), gaps noted as comments."""
    head = [f"// YARA rules for {advisory.ident}"
            + (f" ({advisory.cve})" if advisory.cve else "") + ", generated by Headstart from the trigger",
            "// specifications: each matches a file that meets its trigger condition, and so every",
            "// partner's copy of the proof-of-concept file. Confidential until the advisory is public."]
    head += [f"// {gap.source}: no rule: {' '.join(gap.reason.split())}" for gap in gaps]
    return "\n".join(head) + "\n\n" + "\n".join(rule.text for rule in rules)
