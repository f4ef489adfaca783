"""headstart investigate on the command line, and partner expel --investigation."""

from __future__ import annotations

import json

import pytest
from apps.investigations import investigation_helpers as helpers
from bs4 import BeautifulSoup

from headstart.apps.partners.models import Partner, PartnerStatusChange
from headstart.leaks.code import black_format
from headstart.leaks.text import rewrap

pytestmark = pytest.mark.django_db
LEAKER = "Echo Security"
delivered = helpers.delivered  # the sample advisory delivered to six partners (a fixture)
staff_actor = helpers.staff_actor
tar_bytes, zip_bytes = helpers.tar_bytes, helpers.zip_bytes


@pytest.fixture
def leak_files(delivered, tmp_path):  # type: ignore[no-untyped-def]
    post = tmp_path / "post.txt"
    post.write_text(rewrap(delivered.text(LEAKER, "writeup.md")))
    poc = tmp_path / "exploit.py"
    poc.write_text(black_format(delivered.text(LEAKER, "poc_tim_overflow.py")))
    return post, poc


def test_investigate_json_names_the_leaker_in_the_shape_the_design_gives(run_cli, leak_files):
    out = run_cli("investigate", *map(str, leak_files), "--json")
    assert out.code == 0, out.err
    result = json.loads(out.out)
    assert list(result)[:7] == ["advisory", "partners_considered", "positions_read", "exact_match", "accused",
                                "ranking", "threshold"]
    assert result["advisory"] == "HS-2026-0001" and result["threshold"] == 1e-6
    assert [a["partner"] for a in result["accused"]] == [LEAKER]
    assert set(result["accused"][0]) == {"partner", "score", "p_value", "family_p_value", "routes"}
    assert set(result["ranking"][0]) == {"partner", "score", "p_value"} and len(result["ranking"]) <= 10
    assert result["accused"][0]["family_p_value"] <= result["threshold"]


def test_the_reports_embedded_json_equals_the_cli_json(run_cli, leak_files, tmp_path):
    report = tmp_path / "report.html"
    out = run_cli("investigate", *map(str, leak_files), "--report", str(report), "--json")
    assert out.code == 0, out.err
    embedded = BeautifulSoup(report.read_text(), "html.parser").find("script", id="investigation-data").string
    assert json.loads(embedded) == json.loads(out.out)
    assert oct(report.stat().st_mode & 0o777) == "0o600"


def test_text_output_gives_the_verdict_and_the_ranking(run_cli, leak_files, tmp_path):
    out = run_cli("investigate", str(leak_files[0]), "--report", str(tmp_path / "r.html"))
    assert out.code == 0
    assert "names a copy, not a person" in out.out and "ACCUSED" in out.out and LEAKER in out.out
    assert f"Report written to {tmp_path / 'r.html'}" in out.out


def test_pasted_text_and_standard_input_are_taken_in(run_cli, delivered, monkeypatch):
    import io
    import sys

    text = rewrap(delivered.text(LEAKER, "guidance.md"))
    by_option = json.loads(run_cli("investigate", "--text", text, "--json").out)
    assert [a["partner"] for a in by_option["accused"]] == [LEAKER]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    by_stdin = json.loads(run_cli("investigate", "--stdin", "--json").out)
    assert by_stdin["inputs"][0]["name"] == "standard input" and by_stdin["accused"] == by_option["accused"]


def test_nobody_accused_is_still_a_successful_run(run_cli, delivered, tmp_path):
    unrelated = tmp_path / "notes.txt"
    unrelated.write_text("Agenda: budget, hiring, the office move. Nothing about any product.\n")
    out = run_cli("investigate", str(unrelated), "--json")
    assert out.code == 0 and json.loads(out.out)["accused"] == []


@pytest.mark.parametrize("name, content, message", [
    ("bomb.zip", zip_bytes({"zeros.bin": b"\x00" * (5 << 20)}), "compression ratio"),
    ("traversal.tar.gz", tar_bytes({"../../home/user/.ssh/authorized_keys": b"ssh-ed25519 AAAA"}), "path traversal"),
])
def test_dangerous_archives_are_refused_with_a_clear_error(run_cli, delivered, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    out = run_cli("investigate", str(path))
    assert out.code == 1 and out.out == ""
    assert out.err.startswith("headstart: error: ") and message in out.err and name in out.err


def test_unreadable_input_and_unknown_advisory_are_refused(run_cli, delivered, tmp_path):
    missing = run_cli("investigate", str(tmp_path / "nope.txt"))
    assert missing.code == 1 and "does not exist" in missing.err
    assert "is a directory" in run_cli("investigate", str(tmp_path)).err
    assert "no leaked material" in run_cli("investigate").err
    present = tmp_path / "a.txt"
    present.write_text("x")
    unknown = run_cli("investigate", str(present), "--advisory", "HS-1999-0001")
    assert unknown.code == 1 and "unknown advisory 'HS-1999-0001'" in unknown.err
    assert "threshold" in run_cli("investigate", str(present), "--threshold", "2").err


def test_expel_with_an_investigation_links_it_and_an_unknown_investigation_is_refused(run_cli, leak_files):
    result = json.loads(run_cli("investigate", str(leak_files[0]), "--json").out)
    refused = run_cli("partner", "expel", LEAKER, "--reason", "leak", "--investigation", "INV-99999")
    assert refused.code == 1 and "unknown investigation 'INV-99999'" in refused.err
    assert Partner.objects.get(name=LEAKER).status == "active"
    done = run_cli("partner", "expel", LEAKER, "--reason", "leaked HS-2026-0001 on a forum",
                   "--investigation", result["investigation"], "--json")
    assert done.code == 0, done.err
    assert json.loads(done.out)["history"][-1]["investigation"] == result["investigation"]
    assert PartnerStatusChange.objects.filter(partner__name=LEAKER).latest("at").investigation_ref == result["investigation"]
