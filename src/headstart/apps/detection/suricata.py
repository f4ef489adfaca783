"""The Suricata rules of an advisory's network PoCs (pcap captures), from their trigger specifications.

Data only, like ``rules`` (the YARA rules): the caller has already decided which artifacts
the viewer may see and audits the read. A binary PoC that is a classic pcap gets the
Suricata rule of the first trigger specification of its advisory that it meets (as
delivery marks it with that specification); a binary PoC that is not a capture gets none
here (its YARA rule covers it). The sid is derived from the advisory and the PoC's name
(``headstart.triggers.suricata_rules.rule_sid``), so it is the same in every package and
every time. A rule is a pure function of the advisory's identifier and CVE and the
artifacts' names and bytes: the rules of the same inputs are worked out once.
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
from headstart.triggers.suricata_rules import RuleError, suricata_rule

PCAP_MAGICS = (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")


@dataclass(frozen=True)
class SuricataRule:
    """One generated rule: its sid, its text, the PoC and specification it is for."""

    sid: int
    text: str
    source: str  # the network PoC's file name
    specification: str  # the trigger specification's file name


@dataclass(frozen=True)
class SuricataGap:
    """A network PoC that has no rule, and why (its specification says what a rule cannot)."""

    source: str
    reason: str


def generate(advisory: Advisory, artifacts: Sequence[Artifact] | None = None
             ) -> tuple[list[SuricataRule], list[SuricataGap]]:
    """Rules for the network PoCs among ``artifacts`` (default: the advisory's current ones)."""
    current = latest_artifacts(advisory)
    pocs = [a for a in (current if artifacts is None else artifacts) if a.kind == ArtifactKind.POC_BINARY]
    specs = [a for a in current if a.kind == ArtifactKind.TRIGGER_SPEC]
    rules, gaps = _generate(advisory.ident, advisory.cve, tuple(_Input.of(a) for a in sorted(pocs, key=lambda a: a.name)),
                            tuple(_Input.of(a) for a in specs))
    return list(rules), list(gaps)


def is_capture(data: bytes) -> bool:
    return data[:4] in PCAP_MAGICS


@dataclass(frozen=True)
class _Input:
    """An artifact version as rule generation sees it: its name and where its checked bytes are."""

    name: str
    stored: str
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
              ) -> tuple[tuple[SuricataRule, ...], tuple[SuricataGap, ...]]:
    captures = [(poc, data) for poc in pocs if is_capture(data := poc.original())]
    if not captures:
        return (), ()
    loaded = []
    for spec_input in specs:
        try:
            loaded.append((spec_input.name, load_spec(decode_spec(spec_input.original()))))
        except TriggerError:
            continue  # advisory check and prepare report a broken specification
    rules: list[SuricataRule] = []
    gaps: list[SuricataGap] = []
    for poc, original in captures:
        fitting = []
        for spec_name, spec in loaded:
            try:
                check(spec, original)
            except TriggerError:
                continue
            fitting.append((spec_name, spec))
        if not fitting:
            gaps.append(SuricataGap(poc.name, "no trigger specification of the advisory fits this capture"))
            continue
        spec_name, spec = fitting[0]
        meta = {"headstart_trigger_specification": spec_name, **({"cve": cve} if cve else {})}
        try:
            rule = suricata_rule(spec, advisory=ident, artifact=poc.name, meta=meta)
        except RuleError as exc:
            gaps.append(SuricataGap(poc.name, str(exc)))
            continue
        rules.append(SuricataRule(rule.sid, rule.text, poc.name, spec_name))
    return tuple(rules), tuple(gaps)


def rules_file(advisory: Advisory, rules: Sequence[SuricataRule], gaps: Sequence[SuricataGap]) -> str:
    """The rules as one Suricata .rules file (for the API and the package), gaps noted as comments."""
    head = [f"# Suricata rules for {advisory.ident}" + (f" ({advisory.cve})" if advisory.cve else "")
            + ", generated by Headstart from the trigger",
            "# specifications: each alerts on a datagram that meets its trigger condition, and so on every",
            "# partner's copy of the network proof-of-concept. Confidential until the advisory is public."]
    head += [f"# {gap.source}: no rule: {' '.join(gap.reason.split())}" for gap in gaps]
    return "\n".join(head) + "\n\n" + "\n".join(rule.text for rule in rules)


__all__ = ["SuricataGap", "SuricataRule", "generate", "is_capture", "rules_file"]
