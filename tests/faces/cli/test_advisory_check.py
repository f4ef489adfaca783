"""`headstart advisory check`: per artifact, what a leaked copy keeps and how little names its leaker."""

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
THIN = b"# Note\n\nThe parser doesn't check the width. The error path frees the buffer twice.\n"


def _draft(ident: str, items: list[ArtifactInput]) -> None:
    create_advisory(ident, title="Check", patch_at=timezone.now() + dt.timedelta(hours=48), artifacts=items,
                    actor=ACTOR)


@pytest.fixture
def partners(make_partner):  # type: ignore[no-untyped-def]
    for name in ("Example AV", "Contoso EDR", "Fabrikam IPS"):
        make_partner(name)


def test_check_json_reports_robust_bits_and_smallest_excerpt(partners, run_cli):
    writeup = (CORPUS / "vulnerability.md").read_bytes() + b"\n\n" + (CORPUS / "exploit.md").read_bytes()
    _draft("HS-2026-0301", [ArtifactInput("writeup", "writeup.md", writeup),
                            ArtifactInput("poc-source", "exploit.c", (CORPUS / "exploit.c").read_bytes())])

    result = run_cli("advisory", "check", "HS-2026-0301", "--json")

    data = json.loads(result.out)
    assert (data["partners"], data["threshold"], data["min_robust_bits"]) == (3, 1e-6, 32)
    by_name = {a["name"]: a for a in data["artifacts"]}
    prose, code = by_name["writeup.md"], by_name["exploit.c"]
    assert prose["kind"] == "writeup" and code["kind"] == "poc-source"
    assert prose["words"] > 1000 and code["lines"] > 500
    for a in (prose, code):
        assert a["slots"] > 0 and 0 < a["robust_bits"] <= a["bits"]
        assert a["traceable"] and a["whole_copy_names_leaker"]
    assert prose["excerpt_unit"] == "words" and 0 < prose["smallest_excerpt"] <= prose["words"]
    assert code["excerpt_unit"] == "lines" and 0 < code["smallest_excerpt"] <= code["lines"]
    weakest = prose["weakest"]
    assert weakest and all(w["words"] >= 20 for w in weakest)
    assert [w["robust_bits_per_word"] for w in weakest] == sorted(w["robust_bits_per_word"] for w in weakest)
    assert data["ok"] and result.code == 0


def test_check_says_untraceable_write_up_is_not_ready(partners, run_cli):
    _draft("HS-2026-0302", [ArtifactInput("writeup", "writeup.md", THIN)])

    result = run_cli("advisory", "check", "HS-2026-0302")

    assert result.code == 1
    lines = result.out.strip().splitlines()
    assert lines[-1] == "NOT READY" and "OK" not in result.out
    assert "writeup.md: " in result.out and "no excerpt names its leaker, not even the whole copy" in result.out
    [advice] = [line for line in lines if line.startswith("untraceable: ")]
    assert "`headstart advisory suggest HS-2026-0302 --artifact writeup.md`" in advice
    assert "{{either|or}}" in advice


def test_check_of_the_sample_ends_ok_and_gives_each_artifact_in_words(make_partner, run_cli, sample_artifacts_draft):
    make_partner("Example AV")

    result = run_cli("advisory", "check", sample_artifacts_draft)

    assert result.code == 0, result.out
    assert result.out.strip().splitlines()[-1] == "OK: ready to schedule"
    assert "writeup.md: " in result.out and "an excerpt of " in result.out
    assert "poc.tim: " in result.out and "the copy names its leaker" in result.out


@pytest.fixture
def sample_artifacts_draft(program) -> str:  # type: ignore[no-untyped-def]
    from delivery_factories import sample_artifacts

    _draft("HS-2026-0303", sample_artifacts())
    return "HS-2026-0303"
