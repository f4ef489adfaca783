"""`headstart remote readiness ID RULES [--note] [--ready]` against a real `headstart serve`."""

from __future__ import annotations

import json

from test_remote_client import ADVISORY, database_url, program  # noqa: F401 - the server fixtures


def test_remote_readiness_uploads_the_rules_and_prints_what_they_detect(program, tmp_path):  # noqa: F811
    rules = tmp_path / "mine.yar"
    rules.write_text("rule anything { condition: true }\n")
    done = program.remote("readiness", ADVISORY, str(rules), "--note", "engine 9", "--ready",
                          token=program.tokens["Example AV"])
    assert (done.returncode, done.stderr) == (0, "")
    assert f"{ADVISORY}: detected poc.tim" in done.stdout
    assert "  marked ready" in done.stdout
    again = program.remote("readiness", ADVISORY, str(rules), "--json", token=program.tokens["Example AV"])
    result = json.loads(again.stdout)
    assert (result["detected"], result["ready"], result["note"]) == (["poc.tim"], False, "")
    assert len(result["false_positives"]) == result["benign_files"] > 0


def test_remote_readiness_reports_a_refused_rule_in_one_line(program, tmp_path):  # noqa: F811
    rules = tmp_path / "pe.yar"
    rules.write_text('import "pe"\nrule a { condition: pe.is_pe }\n')
    done = program.remote("readiness", ADVISORY, str(rules), token=program.tokens["Example AV"])
    assert done.returncode == 1
    assert done.stderr.startswith("headstart: error: server said 400: modules are not allowed")


def test_remote_readiness_is_not_found_for_a_tier_whose_window_has_not_opened(program, tmp_path):  # noqa: F811
    rules = tmp_path / "mine.yar"
    rules.write_text("rule anything { condition: true }\n")
    done = program.remote("readiness", ADVISORY, str(rules), token=program.tokens["Contoso EDR"])
    assert (done.returncode, done.stdout) == (1, "")
    assert "server said 404" in done.stderr
