"""`headstart advisory suggest`: {{either|or}} proposals the author keeps or drops, taken back by replace."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.utils import timezone
from factories import ACTOR

from headstart.apps.advisories.services import ArtifactInput, create_advisory

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "CVE-2023-0461_mitigation"


@pytest.fixture
def advisory(make_partner) -> str:  # type: ignore[no-untyped-def]
    for name in ("Example AV", "Contoso EDR"):
        make_partner(name)
    writeup = (CORPUS / "vulnerability.md").read_bytes() + b"\n\n" + (CORPUS / "exploit.md").read_bytes()
    create_advisory("HS-2026-0401", title="Suggest", patch_at=timezone.now() + dt.timedelta(hours=48),
                    artifacts=[ArtifactInput("writeup", "writeup.md", writeup),
                               ArtifactInput("poc-source", "exploit.c", (CORPUS / "exploit.c").read_bytes())],
                    actor=ACTOR)
    return "HS-2026-0401"


def _robust_bits(run_cli, ident: str) -> float:  # type: ignore[no-untyped-def]
    data = json.loads(run_cli("advisory", "check", ident, "--json").out)
    return next(a["robust_bits"] for a in data["artifacts"] if a["name"] == "writeup.md")


def test_suggest_prints_the_write_up_with_proposals_and_json_lists_them(advisory, run_cli):
    text = run_cli("advisory", "suggest", advisory, "--artifact", "writeup.md")
    listed = json.loads(run_cli("advisory", "suggest", advisory, "--artifact", "writeup.md", "--json").out)

    assert text.code == 0
    assert text.out.rstrip("\n") == listed["markdown"].rstrip("\n")
    assert listed["proposals"]
    for p in listed["proposals"]:
        assert p["markup"] == "{{" + "|".join(p["alternatives"]) + "}}" and p["alternatives"][0] == p["original"]
        assert p["markup"] in listed["markdown"]
    assert "artifact replace" in text.err


def test_suggested_file_accepted_through_artifact_replace_raises_robust_bits(advisory, run_cli, tmp_path):
    before = _robust_bits(run_cli, advisory)
    edited = tmp_path / "writeup.md"
    edited.write_text(json.loads(run_cli("advisory", "suggest", advisory, "--artifact", "writeup.md",
                                         "--json").out)["markdown"])

    replaced = run_cli("artifact", "replace", advisory, str(edited))

    assert replaced.code == 0, replaced.err
    assert "now version 2" in replaced.out
    assert _robust_bits(run_cli, advisory) > before


def test_suggest_refuses_a_poc_and_an_unknown_name_saying_what_it_takes(advisory, run_cli):
    poc = run_cli("advisory", "suggest", advisory, "--artifact", "exploit.c")
    unknown = run_cli("advisory", "suggest", advisory, "--artifact", "nothing.md")

    assert poc.code != 0 and "Markdown write-ups and guidance" in poc.err
    assert unknown.code != 0 and "writeup.md" in unknown.err and "exploit.c" in unknown.err
