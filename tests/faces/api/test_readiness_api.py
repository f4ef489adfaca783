"""POST/GET /api/v1/advisories/{id}/readiness: a partner uploads its YARA rules (or ClamAV
signatures), a worker job tests them against its own PoC copies, copies made for synthetic
codewords and benign files, and the partner reads the result and marks itself ready.

The test's transaction holds no worker, so POST answers 202 at once (HEADSTART_READINESS_WAIT_SECONDS
is 0 in tests); the real worker is then run and GET returns the result."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from factories import ACTOR
from readiness_worker import worker  # noqa: F401 - the fixture

from headstart.apps.accounts.tokens import issue
from headstart.apps.audit.models import AuditEvent
from headstart.apps.delivery import copies
from headstart.apps.delivery.services import _marking_key
from headstart.apps.partners.services import set_status
from headstart.apps.readiness.models import ReadinessTest
from headstart.apps.readiness.services import MARK_WARNING, coverage

pytestmark = pytest.mark.django_db

SLOW = ("rule slow { condition: for any i in (0..filesize) : ( for any j in (0..filesize) : "
        "( for any k in (0..filesize) : (uint8(i) + uint8(j) + uint8(k) == 1000) ) ) }")


def post(user, ident: str, rules: str | bytes | None, name: str = "mine.yar", **form):  # type: ignore[no-untyped-def]
    _, token = issue(user)
    data = dict(form)
    if rules is not None:
        data["rules"] = SimpleUploadedFile(name, rules.encode() if isinstance(rules, str) else rules)
    return Client().post(f"/api/v1/advisories/{ident}/readiness", data, HTTP_AUTHORIZATION=f"Bearer {token}")


def get(user, ident: str):  # type: ignore[no-untyped-def]
    _, token = issue(user)
    return Client().get(f"/api/v1/advisories/{ident}/readiness", HTTP_AUTHORIZATION=f"Bearer {token}")


def run_test(worker, user, ident: str, rules: str | bytes, **form) -> dict:  # type: ignore[no-untyped-def]  # noqa: F811
    """POST (queued: 202), run the worker, and the caller's latest result as GET returns it."""
    response = post(user, ident, rules, **form)
    assert response.status_code == 202, response.content
    assert json.loads(response.content)["status"] == "queued"
    worker()
    answer = get(user, ident)
    assert answer.status_code == 200
    [result] = json.loads(answer.content)
    return result


def generated_rules(user, ident: str) -> str:  # type: ignore[no-untyped-def]
    _, token = issue(user)
    return Client().get(f"/api/v1/advisories/{ident}/rules", HTTP_AUTHORIZATION=f"Bearer {token}").content.decode()


def test_post_records_the_rules_queues_a_job_and_answers_202_with_where_to_look(make_partner, sample_advisory):
    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    response = post(analyst, advisory.ident, "rule a { condition: true }", ready="true")
    assert response.status_code == 202, response.content
    body = json.loads(response.content)
    assert (body["status"], body["url"]) == ("queued", f"http://testserver/api/v1/advisories/{advisory.ident}/readiness")
    assert "detected" not in body
    assert response["Location"] == body["url"]
    test = ReadinessTest.objects.get()
    assert (test.status, bytes(test.rules), test.engine, test.ready) == ("queued", b"rule a { condition: true }", "yara", True)
    assert coverage(advisory)["ready"] == 0  # not ready until the job has tested the rules
    assert list(AuditEvent.objects.filter(action__startswith="readiness.").values_list("action", flat=True)) \
        == ["readiness.submit"]
    assert [r["status"] for r in json.loads(get(analyst, advisory.ident).content)] == ["queued"]


def test_the_generated_rules_detect_the_copy_match_every_other_copy_and_no_benign_file(
        make_partner, sample_advisory, worker):  # type: ignore[no-untyped-def]  # noqa: F811
    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    result = run_test(worker, analyst, advisory.ident, generated_rules(analyst, advisory.ident),
                    note="engine 4.2", ready="true")
    assert result["status"] == "done"
    assert (result["detected"], result["missed"], result["false_positives"]) == (["poc.tim"], [], [])
    assert result["benign_files"] > 0
    assert result["other_copies"]["poc.tim"]["matched"] == result["other_copies"]["poc.tim"]["of"]
    assert result["warnings"] == []
    assert result["ready"] is True
    test = ReadinessTest.objects.get()
    assert (test.partner.name, test.note, test.ready, test.status) == ("Alpha AV", "engine 4.2", True, "done")
    events = list(AuditEvent.objects.filter(action__startswith="readiness.").exclude(action="readiness.view")
                  .values_list("action", "partner"))
    assert events == [("readiness.submit", "Alpha AV"), ("readiness.test", "Alpha AV"),
                      ("readiness.ready", "Alpha AV")]
    assert coverage(advisory)["ready"] == 1


def test_a_rule_that_keys_on_the_partners_own_copy_is_told_it_would_miss_other_copies(
        make_partner, sample_advisory, worker):  # type: ignore[no-untyped-def]  # noqa: F811
    partner, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    poc = next(d for d in copies.deliverables(advisory) if d.file_name == "poc.tim")
    own = copies.render(poc, _marking_key(), str(partner.uid))
    rule = "rule exactly_mine { strings: $a = { " + own.hex(" ") + " } condition: $a at 0 and filesize == " \
        + str(len(own)) + " }"
    result = run_test(worker, analyst, advisory.ident, rule)
    assert result["detected"] == ["poc.tim"]
    assert result["other_copies"]["poc.tim"]["matched"] < result["other_copies"]["poc.tim"]["of"]
    assert result["warnings"] == [f"poc.tim: your rules match your copy but not every other copy: {MARK_WARNING}"]
    assert result["ready"] is False
    assert not AuditEvent.objects.filter(action="readiness.ready").exists()


def test_a_rule_that_matches_anything_reports_the_benign_files_it_matched(
        make_partner, sample_advisory, worker):  # type: ignore[no-untyped-def]  # noqa: F811
    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    result = run_test(worker, analyst, advisory.ident, "rule everything { condition: true }")
    assert result["detected"] == ["poc.tim"]
    assert len(result["false_positives"]) == result["benign_files"] > 0
    assert all("does not trigger the bug" in name for name in result["false_positives"])


def test_valid_files_of_the_format_found_on_the_server_are_benign_files_too(
        make_partner, sample_advisory, worker, settings, tmp_path):  # type: ignore[no-untyped-def]  # noqa: F811
    from headstart.samples import SAMPLE_DIR
    from headstart.triggers import decode_spec, load_spec
    from headstart.triggers.corpus import near_misses

    spec = load_spec(decode_spec((SAMPLE_DIR / "tim.ksy.yaml").read_bytes()))
    (tmp_path / "found.tim").write_bytes(near_misses(spec, (SAMPLE_DIR / "poc.tim").read_bytes(), random.Random(3))[0])
    settings.HEADSTART_READINESS_BENIGN_DIRS = [str(tmp_path)]
    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    result = run_test(worker, analyst, advisory.ident, "rule everything { condition: true }")
    found = [name for name in result["false_positives"] if name.startswith("valid .tim file found on the server")]
    assert found == [f"valid .tim file found on the server ({tmp_path / 'found.tim'}): it does not trigger the bug"]
    assert result["benign_files"] == len(result["false_positives"])


def test_a_rule_that_misses_the_poc_reports_it_missed(make_partner, sample_advisory, worker):  # type: ignore[no-untyped-def]  # noqa: F811
    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    result = run_test(worker, analyst, advisory.ident, 'rule nope { strings: $a = "not in any tim" condition: $a }')
    assert (result["detected"], result["missed"], result["other_copies"]) == ([], ["poc.tim"], {})


@pytest.mark.parametrize(("rules", "message"), [
    (b"rule big { condition: true }\n" + b"//" + b"x" * 300_000, "too large: at most 262,144 bytes are accepted"),
    (b"\xff\xfe rule", "not UTF-8"),
])
def test_an_oversized_or_binary_rule_file_is_refused_at_once_and_nothing_is_recorded(
        make_partner, sample_advisory, rules, message):  # type: ignore[no-untyped-def]
    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    response = post(analyst, advisory.ident, rules, ready="true")
    assert response.status_code == 400
    assert message in json.loads(response.content)["detail"]
    assert not ReadinessTest.objects.exists()
    assert AuditEvent.objects.filter(action="readiness.test.refused", partner="Alpha AV").exists()


def test_a_50_mb_upload_is_refused_without_being_read_whole(make_partner, sample_advisory):
    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    response = post(analyst, advisory.ident, b"/" * (50 * 1024 * 1024))
    assert response.status_code in (400, 413)
    assert not ReadinessTest.objects.exists()


@pytest.mark.parametrize(("rules", "message"), [
    (SLOW, "too slow"),
    ('include "/etc/passwd"\nrule a { condition: true }', "include statements not allowed"),
    ('import "console"\nrule a { condition: console.log("x") }', "modules are not allowed"),
    ('import "pe"\nrule a { condition: pe.is_pe }', "modules are not allowed"),
    ("rule broken { condition: }", "do not compile"),
])
def test_a_hostile_or_broken_rule_file_fails_in_the_job_with_a_clear_error_and_changes_nothing_else(
        make_partner, sample_advisory, worker, rules, message):  # type: ignore[no-untyped-def]  # noqa: F811
    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    assert run_test(worker, analyst, advisory.ident, "rule fine { condition: true }", ready="true")["ready"]
    result = run_test(worker, analyst, advisory.ident, rules, ready="true")
    assert result["status"] == "failed"
    assert message in result["error"]
    assert result["ready"] is False and "detected" not in result
    failed = ReadinessTest.objects.latest("pk")
    assert (failed.status, failed.result) == ("failed", {})
    assert AuditEvent.objects.filter(action="readiness.test.failed", partner="Alpha AV").count() == 1
    assert AuditEvent.objects.filter(action="readiness.test").count() == 1  # the earlier, good test only
    assert coverage(advisory)["ready"] == 1  # the earlier ready mark stands
    assert run_test(worker, analyst, advisory.ident, "rule again { condition: false }")["status"] == "done"


def test_a_rule_that_runs_past_its_cpu_limit_is_stopped_by_the_operating_system(
        make_partner, sample_advisory, settings, worker):  # type: ignore[no-untyped-def]  # noqa: F811
    settings.HEADSTART_READINESS_CPU_SECONDS = 1
    settings.HEADSTART_READINESS_SCAN_SECONDS = 600  # the scanner's own timeout would come too late
    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    result = run_test(worker, analyst, advisory.ident, SLOW)
    assert (result["status"], result["ready"]) == ("failed", False)
    assert "more than 1 s of CPU time" in result["error"]


def test_the_memory_limit_holds_in_the_child_process_and_the_failure_says_so(
        make_partner, sample_advisory, settings, worker):  # type: ignore[no-untyped-def]  # noqa: F811
    settings.HEADSTART_READINESS_MEMORY_BYTES = 64 * 1024 * 1024  # too little for yara-x to start in
    settings.HEADSTART_READINESS_CPU_SECONDS = 1  # a starved child may hang: the wall limit (7 s) ends it
    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    result = run_test(worker, analyst, advisory.ident, "rule a { condition: true }")
    assert result["error"] == ("testing the rules was stopped: they needed more than 1 s of "
                               "CPU time, 7 s in all, or 64 MB of memory")


def test_get_returns_the_callers_latest_result_and_staff_get_every_partners(
        make_partner, staff_user, sample_advisory, worker):  # type: ignore[no-untyped-def]  # noqa: F811
    _, _, alpha = make_partner("Alpha AV")
    _, _, beta = make_partner("Beta AV")
    advisory = sample_advisory()
    post(alpha, advisory.ident, "rule first { condition: false }")
    post(alpha, advisory.ident, "rule second { condition: true }", ready="true")
    post(beta, advisory.ident, "rule other { condition: false }", note="uses its own engine")
    worker()
    mine = json.loads(get(alpha, advisory.ident).content)
    assert [(r["partner"], r["ready"], r["detected"]) for r in mine] == [("Alpha AV", True, ["poc.tim"])]
    assert [r["partner"] for r in json.loads(get(beta, advisory.ident).content)] == ["Beta AV"]
    everyone = json.loads(get(staff_user, advisory.ident).content)
    assert [(r["partner"], r["ready"]) for r in everyone] == [("Alpha AV", True), ("Beta AV", False)]
    assert AuditEvent.objects.filter(action="readiness.view").count() == 3


def test_a_partner_using_its_own_engine_confirms_ready_with_a_note_and_no_rules(make_partner, sample_advisory):
    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    response = post(analyst, advisory.ident, None, ready="true", note="covered by our EDR's own engine")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert (body["status"], body["engine"], body["ready"], body["note"]) == (
        "done", "own", True, "covered by our EDR's own engine")
    assert coverage(advisory)["ready"] == 1
    assert AuditEvent.objects.filter(action="readiness.ready", partner="Alpha AV").exists()
    assert post(analyst, advisory.ident, None).status_code == 400  # neither rules nor ready


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


def test_a_partner_expelled_while_its_test_waits_gets_a_failed_test_not_a_result(
        make_partner, sample_advisory, worker):  # type: ignore[no-untyped-def]  # noqa: F811
    partner, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    assert post(analyst, advisory.ident, "rule a { condition: true }", ready="true").status_code == 202
    set_status(partner, "expelled", reason="leaked the PoC", actor=ACTOR)
    worker()
    test = ReadinessTest.objects.get()
    assert (test.status, test.ready, test.result) == ("failed", False, {})
    assert not AuditEvent.objects.filter(action="readiness.test").exists()


def test_staff_have_no_copies_to_test_against(staff_user, sample_advisory):
    advisory = sample_advisory()
    response = post(staff_user, advisory.ident, "rule a { condition: true }")
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="readiness.test.refused", actor=staff_user.email).exists()


def test_a_clamav_hash_of_the_partners_own_copy_detects_it_and_is_told_it_would_miss_other_copies(
        make_partner, sample_advisory, worker):  # type: ignore[no-untyped-def]  # noqa: F811
    partner, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    poc = next(d for d in copies.deliverables(advisory) if d.file_name == "poc.tim")
    own = copies.render(poc, _marking_key(), str(partner.uid))
    signature = f"{hashlib.md5(own).hexdigest()}:{len(own)}:Alpha.Own.Copy\n"
    result = run_test(worker, analyst, advisory.ident, signature, name="own.hdb", engine="clamav")
    assert (result["status"], result["engine"], result["detected"]) == ("done", "clamav", ["poc.tim"])
    assert result["other_copies"]["poc.tim"] == {"matched": 0, "of": 4}
    assert result["false_positives"] == []
    assert result["warnings"] == [f"poc.tim: your rules match your copy but not every other copy: {MARK_WARNING}"]


def test_clamav_signatures_that_do_not_load_fail_in_the_job_with_clamscans_reason(
        make_partner, sample_advisory, worker):  # type: ignore[no-untyped-def]  # noqa: F811
    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    result = run_test(worker, analyst, advisory.ident, "not:a:valid\n", name="broken.ndb", engine="clamav")
    assert result["status"] == "failed"
    assert result["error"].startswith("the ClamAV signatures do not load: ")
    assert "headstart-readiness-" not in result["error"]  # the server's paths stay on the server


def test_clamav_signatures_need_a_database_extension_and_an_unknown_engine_is_refused(make_partner, sample_advisory):
    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    wrong_name = post(analyst, advisory.ident, "Sig:0:*:414243\n", name="sigs.txt", engine="clamav")
    assert wrong_name.status_code == 400
    assert "must be uploaded as a .hdb, .hsb, .ndb, .ldb file" in json.loads(wrong_name.content)["detail"]
    assert post(analyst, advisory.ident, "rule a { condition: true }", engine="snort").status_code == 400
    assert not ReadinessTest.objects.exists()
