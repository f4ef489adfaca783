"""An advisory's YARA rules: one per binary PoC, made with the specification the PoC meets."""

from __future__ import annotations

import pytest
import yara_x
from factories import ACTOR

from headstart.apps.advisories.access import latest_artifacts
from headstart.apps.advisories.services import ArtifactInput, create_advisory
from headstart.apps.detection.rules import generate, rules_file, rules_for_advisory
from headstart.samples import SAMPLE_DIR

pytestmark = pytest.mark.django_db

TIM_SPEC = (SAMPLE_DIR / "tim.ksy.yaml").read_bytes()
TIM_POC = (SAMPLE_DIR / "poc.tim").read_bytes()


def advisory_with(*items: ArtifactInput):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    writeup = ArtifactInput("writeup", "writeup.md", b"# Write-up\n\nThe TIM decoder overflows.\n")
    return create_advisory("HS-2026-0077", title="TIM", patch_at=timezone.now() + timezone.timedelta(days=3),
                           artifacts=[writeup, *items], actor=ACTOR, cve="CVE-2026-99077")


def test_each_binary_poc_gets_the_rule_of_the_specification_it_meets(program):
    advisory = advisory_with(ArtifactInput("poc-binary", "poc.tim", TIM_POC),
                             ArtifactInput("trigger-spec", "tim.ksy.yaml", TIM_SPEC))
    [rule] = rules_for_advisory(advisory)
    assert (rule.name, rule.source, rule.specification) == ("HS_2026_0077_poc_tim", "poc.tim", "tim.ksy.yaml")
    assert 'cve = "CVE-2026-99077"' in rule.text
    assert yara_x.compile(rule.text).scan(TIM_POC).matching_rules


def test_only_the_pocs_among_the_artifacts_given_get_rules(program):
    advisory = advisory_with(ArtifactInput("poc-binary", "poc.tim", TIM_POC),
                             ArtifactInput("trigger-spec", "tim.ksy.yaml", TIM_SPEC))
    without_poc = [a for a in latest_artifacts(advisory) if a.kind != "poc-binary"]
    assert rules_for_advisory(advisory, without_poc) == []


def test_a_poc_whose_specification_yara_cannot_express_is_noted_in_the_file_instead_of_a_rule(program):
    spec = TIM_SPEC.replace(b'field: height\n      op: ">="\n      value: 1', b'field: chunks[*].length\n      op: ">="\n      value: 0')
    assert spec != TIM_SPEC
    advisory = advisory_with(ArtifactInput("poc-binary", "poc.tim", TIM_POC),
                             ArtifactInput("trigger-spec", "tim.ksy.yaml", spec))
    rules, gaps = generate(advisory)
    assert rules == [] and [g.source for g in gaps] == ["poc.tim"]
    text = rules_file(advisory, rules, gaps)
    assert "// poc.tim: no rule: line " in text
    assert ": chunks[*].length >= 0: chunks[*]: a condition on every element needs elements of one fixed size" in text
    yara_x.compile(text)  # comments only: still a valid rules file
