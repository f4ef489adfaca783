"""`headstart remote readiness ID [RULES] [--engine] [--note] [--ready]` against a real `headstart serve`
and a real `headstart worker`: the server queues the test, the worker runs it, the client prints it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest
from test_remote_client import (  # noqa: F401 - the server fixtures
    ADVISORY,
    _free_port,
    _headstart,
    _wait_until_serving,
    database_url,
    program,
)


@pytest.fixture(scope="module")
def worker(program) -> Iterator[subprocess.Popen]:  # type: ignore[no-untyped-def]  # noqa: F811
    """`headstart worker` on the program's database, as an operator runs it beside the server."""
    log = open(program.home / "worker.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen([sys.executable, "-m", "headstart.faces.cli.main", "worker", "--interval", "0.5"],
                               env=program.program_env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)  # stops after the task in hand
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the group this fixture started
            process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def impatient_server(program) -> Iterator[str]:  # type: ignore[no-untyped-def]  # noqa: F811
    """A second `headstart serve` on the same program whose readiness POST does not wait (202 at once)."""
    url = f"http://127.0.0.1:{_free_port()}"
    log = open(program.home / "impatient-serve.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [sys.executable, "-m", "headstart.faces.cli.main", "serve", "--host", "127.0.0.1",
         "--port", url.rsplit(":", 1)[1], "--workers", "1", "--threads", "2"],
        env=program.program_env | {"HEADSTART_READINESS_WAIT_SECONDS": "0"}, stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_until_serving(url, server)
        yield url
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)  # the group this fixture started
            server.wait(timeout=10)
        log.close()


def test_remote_readiness_uploads_the_rules_and_prints_what_they_detect(program, worker, tmp_path):  # noqa: F811
    rules = tmp_path / "mine.yar"
    rules.write_text("rule anything { condition: true }\n")
    done = program.remote("readiness", ADVISORY, str(rules), "--note", "engine 9", "--ready",
                          token=program.tokens["Example AV"])
    assert (done.returncode, done.stderr) == (0, "")
    assert f"{ADVISORY}: detected poc.tim" in done.stdout
    assert "  marked ready" in done.stdout
    again = program.remote("readiness", ADVISORY, str(rules), "--json", token=program.tokens["Example AV"])
    result = json.loads(again.stdout)
    assert (result["status"], result["detected"], result["ready"], result["note"]) == ("done", ["poc.tim"], False, "")
    assert len(result["false_positives"]) == result["benign_files"] > 0


def test_clamav_signatures_are_tested_by_clamscan_one_that_matches_and_one_that_misses(
        program, worker, tmp_path):  # type: ignore[no-untyped-def]  # noqa: F811
    # The format's magic at offset 0: in every copy (and in every benign file of the format).
    hits = tmp_path / "tim.ndb"
    hits.write_text("Headstart.TIM.Magic:0:0:54494d31\n")
    misses = tmp_path / "other.ndb"
    misses.write_text("Headstart.Not.This:0:*:deadbeefcafef00d\n")
    found = program.remote("readiness", ADVISORY, str(hits), "--json", token=program.tokens["Example AV"])
    assert found.returncode == 0, found.stderr
    result = json.loads(found.stdout)
    assert (result["engine"], result["detected"], result["missed"]) == ("clamav", ["poc.tim"], [])
    assert result["other_copies"]["poc.tim"]["matched"] == result["other_copies"]["poc.tim"]["of"]
    assert len(result["false_positives"]) == result["benign_files"] > 0  # the magic alone is no detection
    missed = json.loads(program.remote("readiness", ADVISORY, str(misses), "--json",
                                       token=program.tokens["Example AV"]).stdout)
    assert (missed["detected"], missed["missed"], missed["false_positives"]) == ([], ["poc.tim"], [])


def test_remote_readiness_reports_a_refused_rule_in_one_line_and_the_server_goes_on(
        program, worker, tmp_path):  # type: ignore[no-untyped-def]  # noqa: F811
    rules = tmp_path / "pe.yar"
    rules.write_text('import "pe"\nrule a { condition: pe.is_pe }\n')
    done = program.remote("readiness", ADVISORY, str(rules), token=program.tokens["Example AV"])
    assert done.returncode == 1
    assert done.stderr.startswith("headstart: error: server said 400: modules are not allowed")
    listed = program.remote("list", "--json", token=program.tokens["Example AV"])
    assert listed.returncode == 0 and ADVISORY in listed.stdout


def test_a_partner_with_its_own_engine_confirms_ready_without_rules(program, worker):  # type: ignore[no-untyped-def]  # noqa: F811
    done = program.remote("readiness", ADVISORY, "--ready", "--note", "our own engine covers it",
                          token=program.tokens["Example AV"])
    assert (done.returncode, done.stdout.strip()) == (0, (f"{ADVISORY}: marked ready without a test "
                                                         "(our own engine covers it)"))
    assert program.remote("readiness", ADVISORY, token=program.tokens["Example AV"]).returncode == 1


def test_remote_readiness_is_not_found_for_a_tier_whose_window_has_not_opened(program, tmp_path):  # noqa: F811
    rules = tmp_path / "mine.yar"
    rules.write_text("rule anything { condition: true }\n")
    done = program.remote("readiness", ADVISORY, str(rules), token=program.tokens["Contoso EDR"])
    assert (done.returncode, done.stdout) == (1, "")
    assert "server said 404" in done.stderr


def test_remote_readiness_asks_again_until_the_queued_test_is_done(
        program, worker, impatient_server, tmp_path):  # type: ignore[no-untyped-def]  # noqa: F811
    rules = tmp_path / "mine.yar"
    rules.write_text("rule anything { condition: true }\n")
    done = _headstart(program.partner_env, "remote", "--url", impatient_server, "--token",
                      program.tokens["Example AV"], "readiness", ADVISORY, str(rules), "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["status"], result["detected"]) == ("done", ["poc.tim"])


def test_remote_readiness_gives_up_after_wait_seconds_and_says_the_test_is_not_done(
        program, impatient_server, tmp_path):  # type: ignore[no-untyped-def]  # noqa: F811
    """With --wait 0 the client does not ask again: it says the test is not done yet, and why that may be."""
    rules = tmp_path / "mine.yar"
    rules.write_text("rule anything { condition: true }\n")
    done = _headstart(program.partner_env, "remote", "--url", impatient_server, "--token",
                      program.tokens["Example AV"], "readiness", ADVISORY, str(rules), "--wait", "0")
    assert done.returncode == 1
    assert "the test is still queued on the server after 0 s (is a `headstart worker` running there?)" \
        in done.stderr or "the test is still running on the server after 0 s" in done.stderr
