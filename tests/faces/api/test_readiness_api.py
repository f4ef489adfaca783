"""POST/GET /api/v1/advisories/{id}/readiness: a partner tests its YARA rules against its own
PoC copies, copies made for synthetic codewords and benign files, and marks itself ready."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from factories import ACTOR

from headstart.apps.accounts.tokens import issue
from headstart.apps.audit.models import AuditEvent
from headstart.apps.delivery import copies
from headstart.apps.delivery.services import _marking_key
from headstart.apps.partners.services import set_status
from headstart.apps.readiness.models import ReadinessTest
from headstart.apps.readiness.services import MARK_WARNING

pytestmark = pytest.mark.django_db

SLOW = ("rule slow { condition: for any i in (0..filesize) : ( for any j in (0..filesize) : "
        "( for any k in (0..filesize) : (uint8(i) + uint8(j) + uint8(k) == 1000) ) ) }")


def post(user, ident: str, rules: str | bytes, **form):  # type: ignore[no-untyped-def]
    _, token = issue(user)
    body = rules.encode() if isinstance(rules, str) else rules
    return Client().post(f"/api/v1/advisories/{ident}/readiness",
                         {"rules": SimpleUploadedFile("mine.yar", body), **form},
                         HTTP_AUTHORIZATION=f"Bearer {token}")


def get(user, ident: str):  # type: ignore[no-untyped-def]
    _, token = issue(user)
    return Client().get(f"/api/v1/advisories/{ident}/readiness", HTTP_AUTHORIZATION=f"Bearer {token}")


def generated_rules(user, ident: str) -> str:  # type: ignore[no-untyped-def]
    _, token = issue(user)
    return Client().get(f"/api/v1/advisories/{ident}/rules", HTTP_AUTHORIZATION=f"Bearer {token}").content.decode()


def test_the_generated_rules_detect_the_copy_match_every_other_copy_and_no_benign_file(make_partner, sample_advisory):
    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    response = post(analyst, advisory.ident, generated_rules(analyst, advisory.ident), note="engine 4.2", ready="true")
    assert response.status_code == 200, response.content
    result = json.loads(response.content)
    assert (result["detected"], result["missed"], result["false_positives"]) == (["poc.tim"], [], [])
    assert result["benign_files"] > 0
    assert result["other_copies"]["poc.tim"]["matched"] == result["other_copies"]["poc.tim"]["of"]
    assert result["warnings"] == []
    assert result["ready"] is True
    test = ReadinessTest.objects.get()
    assert (test.partner.name, test.note, test.ready) == ("Alpha AV", "engine 4.2", True)
    events = list(AuditEvent.objects.filter(action__startswith="readiness.").values_list("action", "partner"))
    assert events == [("readiness.test", "Alpha AV"), ("readiness.ready", "Alpha AV")]


def test_a_rule_that_keys_on_the_partners_own_copy_is_told_it_would_miss_other_copies(make_partner, sample_advisory):
    partner, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    poc = next(d for d in copies.deliverables(advisory) if d.file_name == "poc.tim")
    own = copies.render(poc, _marking_key(), str(partner.uid))
    rule = "rule exactly_mine { strings: $a = { " + own.hex(" ") + " } condition: $a at 0 and filesize == " \
        + str(len(own)) + " }"
    result = json.loads(post(analyst, advisory.ident, rule).content)
    assert result["detected"] == ["poc.tim"]
    assert result["other_copies"]["poc.tim"]["matched"] < result["other_copies"]["poc.tim"]["of"]
    assert result["warnings"] == [f"poc.tim: your rules match your copy but not every other copy: {MARK_WARNING}"]
    assert result["ready"] is False
    assert not AuditEvent.objects.filter(action="readiness.ready").exists()


def test_a_rule_that_matches_anything_reports_the_benign_files_it_matched(make_partner, sample_advisory):
    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    result = json.loads(post(analyst, advisory.ident, "rule everything { condition: true }").content)
    assert result["detected"] == ["poc.tim"]
    assert len(result["false_positives"]) == result["benign_files"] > 0
    assert all(name.startswith("near miss ") and "does not trigger the bug" in name for name in result["false_positives"])


def test_a_rule_that_misses_the_poc_reports_it_missed(make_partner, sample_advisory):
    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    result = json.loads(post(analyst, advisory.ident, 'rule nope { strings: $a = "not in any tim" condition: $a }').content)
    assert (result["detected"], result["missed"], result["other_copies"]) == ([], ["poc.tim"], {})


@pytest.mark.parametrize(("rules", "message"), [
    (SLOW, "too slow"),
    ('include "/etc/passwd"\nrule a { condition: true }', "include statements not allowed"),
    ('import "console"\nrule a { condition: console.log("x") }', "modules are not allowed"),
    ('import "pe"\nrule a { condition: pe.is_pe }', "modules are not allowed"),
    ("rule broken { condition: }", "do not compile"),
    (b"rule big { condition: true }\n" + b"//" + b"x" * 300_000, "at most 262,144 are accepted"),
    (b"\xff\xfe rule", "not UTF-8"),
])
def test_a_hostile_or_broken_rule_file_is_refused_with_a_clear_message_and_nothing_is_recorded(
        make_partner, sample_advisory, rules, message):  # type: ignore[no-untyped-def]
    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    response = post(analyst, advisory.ident, rules, ready="true")
    assert response.status_code == 400
    assert message in json.loads(response.content)["detail"]
    assert not ReadinessTest.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["readiness.test", "readiness.ready"]).exists()
    assert AuditEvent.objects.filter(action="readiness.test.refused", partner="Alpha AV").exists()
    assert post(analyst, advisory.ident, "rule fine { condition: false }").status_code == 200  # the server is fine


def test_a_rule_that_runs_past_its_cpu_limit_is_stopped_by_the_operating_system(
        make_partner, sample_advisory, settings):  # type: ignore[no-untyped-def]
    settings.HEADSTART_READINESS_CPU_SECONDS = 1
    settings.HEADSTART_READINESS_SCAN_SECONDS = 600  # the scanner's own timeout would come too late
    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    response = post(analyst, advisory.ident, SLOW)
    assert response.status_code == 400
    assert "more than 1 s of CPU time" in json.loads(response.content)["detail"]
    assert not ReadinessTest.objects.exists()


def test_get_returns_the_callers_latest_result_and_staff_get_every_partners(make_partner, staff_user, sample_advisory):
    _, _, alpha = make_partner("Alpha AV")
    _, _, beta = make_partner("Beta AV")
    advisory = sample_advisory()
    post(alpha, advisory.ident, "rule first { condition: false }")
    post(alpha, advisory.ident, "rule second { condition: true }", ready="true")
    post(beta, advisory.ident, "rule other { condition: false }", note="uses its own engine")
    mine = json.loads(get(alpha, advisory.ident).content)
    assert [(r["partner"], r["ready"], r["detected"]) for r in mine] == [("Alpha AV", True, ["poc.tim"])]
    assert [r["partner"] for r in json.loads(get(beta, advisory.ident).content)] == ["Beta AV"]
    everyone = json.loads(get(staff_user, advisory.ident).content)
    assert [(r["partner"], r["ready"]) for r in everyone] == [("Alpha AV", True), ("Beta AV", False)]
    assert AuditEvent.objects.filter(action="readiness.view").count() == 3


def test_a_partner_with_no_result_yet_gets_an_empty_list(make_partner, sample_advisory):
    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    response = get(analyst, advisory.ident)
    assert (response.status_code, json.loads(response.content)) == (200, [])


def test_a_tier_not_entitled_to_the_poc_cannot_test_and_the_refusal_is_audited(make_partner, sample_advisory):
    _, _, analyst = make_partner("Beta AV", "entry")
    advisory = sample_advisory(patch_in=dt.timedelta(hours=12))
    response = post(analyst, advisory.ident, "rule a { condition: true }")
    assert response.status_code == 404
    assert get(analyst, advisory.ident).status_code == 404
    assert AuditEvent.objects.filter(action="readiness.test.refused", partner="Beta AV").exists()
    assert AuditEvent.objects.filter(action="readiness.view.refused", partner="Beta AV").exists()
    assert not ReadinessTest.objects.exists()


def test_outside_its_window_a_partner_is_refused_as_if_the_advisory_did_not_exist(make_partner, sample_advisory):
    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory(patch_in=dt.timedelta(hours=100))
    response = post(analyst, advisory.ident, "rule a { condition: true }")
    assert (response.status_code, json.loads(response.content)) == (404, {"detail": f"unknown advisory {advisory.ident!r}"})
    assert not ReadinessTest.objects.exists()


def test_an_expelled_partner_can_no_longer_test(make_partner, sample_advisory):
    partner, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    _, token = issue(analyst)
    set_status(partner, "expelled", reason="leaked the PoC", actor=ACTOR)
    response = Client().post(f"/api/v1/advisories/{advisory.ident}/readiness",
                             {"rules": SimpleUploadedFile("a.yar", b"rule a { condition: true }")},
                             HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
    assert not ReadinessTest.objects.exists()


def test_staff_have_no_copies_to_test_against(staff_user, sample_advisory):
    advisory = sample_advisory()
    response = post(staff_user, advisory.ident, "rule a { condition: true }")
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="readiness.test.refused", actor=staff_user.email).exists()


def test_the_memory_limit_holds_in_the_child_process_and_the_refusal_says_so(
        make_partner, sample_advisory, settings):  # type: ignore[no-untyped-def]
    settings.HEADSTART_READINESS_MEMORY_BYTES = 64 * 1024 * 1024  # too little for yara-x to start in
    settings.HEADSTART_READINESS_CPU_SECONDS = 1  # a starved child may hang: the wall limit (7 s) ends it
    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    response = post(analyst, advisory.ident, "rule a { condition: true }")
    assert response.status_code == 400
    assert json.loads(response.content)["detail"] == ("testing the rules was stopped: they needed more than 1 s of "
                                                      "CPU time, 7 s in all, or 64 MB of memory")
    assert not ReadinessTest.objects.exists()
