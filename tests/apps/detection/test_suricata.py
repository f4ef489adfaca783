"""An advisory's Suricata rules: one per network PoC (a pcap), made with the specification it meets."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import ACTOR

from headstart.apps.advisories.services import ArtifactInput, create_advisory
from headstart.apps.detection.suricata import generate, rules_file
from headstart.samples import SAMPLE_DIR
from headstart.triggers.suricata_rules import rule_sid

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parents[2] / "fixtures" / "pcap_ctrelay"
PCAP_SPEC = (FIXTURE / "ctrelay.ksy.yaml").read_bytes()
PCAP_POC = (FIXTURE / "poc.pcap").read_bytes()


def advisory_with(*items: ArtifactInput):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    writeup = ArtifactInput("writeup", "writeup.md", b"# Write-up\n\nThe relay overflows its batch buffer.\n")
    return create_advisory("HS-2026-0078", title="Relay", patch_at=timezone.now() + timezone.timedelta(days=3),
                           artifacts=[writeup, *items], actor=ACTOR, cve="CVE-2026-99078")


def test_a_network_poc_gets_the_suricata_rule_of_the_specification_it_meets(program):
    advisory = advisory_with(ArtifactInput("poc-binary", "poc.pcap", PCAP_POC),
                             ArtifactInput("trigger-spec", "ctrelay.ksy.yaml", PCAP_SPEC))
    [rule], gaps = generate(advisory)
    assert gaps == [] and (rule.source, rule.specification) == ("poc.pcap", "ctrelay.ksy.yaml")
    assert rule.sid == rule_sid("HS-2026-0078", "poc.pcap")
    assert 'msg:"HEADSTART HS-2026-0078 Corvid Telemetry Relay' in rule.text and "cve CVE-2026-99078" in rule.text
    text = rules_file(advisory, [rule], gaps)
    assert text.startswith("# Suricata rules for HS-2026-0078 (CVE-2026-99078)") and rule.text in text


def test_a_poc_that_is_not_a_capture_gets_no_suricata_rule_and_no_gap(program):
    advisory = advisory_with(ArtifactInput("poc-binary", "poc.tim", (SAMPLE_DIR / "poc.tim").read_bytes()),
                             ArtifactInput("trigger-spec", "tim.ksy.yaml", (SAMPLE_DIR / "tim.ksy.yaml").read_bytes()))
    assert generate(advisory) == ([], [])


def test_a_capture_whose_specification_a_rule_cannot_express_is_noted_as_a_gap(program):
    spec = PCAP_SPEC.replace(b"  trigger:\n", b"  trigger:\n    - {field: 'records[0].frame.ip.ttl', op: '>', value: 5}\n")
    advisory = advisory_with(ArtifactInput("poc-binary", "poc.pcap", PCAP_POC),
                             ArtifactInput("trigger-spec", "ctrelay.ksy.yaml", spec))
    rules, gaps = generate(advisory)
    assert rules == [] and [g.source for g in gaps] == ["poc.pcap"]
    assert "# poc.pcap: no rule: line " in rules_file(advisory, rules, gaps)
    assert "not ip" in gaps[0].reason
