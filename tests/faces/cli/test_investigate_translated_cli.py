"""headstart investigate on a German translation of a partner's copy of a corpus write-up."""

from __future__ import annotations

import json

import pytest
from apps.investigations import corpus_helpers

pytestmark = pytest.mark.django_db
corpus_program = corpus_helpers.corpus_program  # six partners; corpus write-ups scheduled on demand
SOURCE = "CVE-2023-4921_lts_cos_mitigation/exploit.md"


def test_investigate_matches_a_german_translation_by_its_code_and_numbers(run_cli, corpus_program, tmp_path):
    corpus_program.schedule(SOURCE, "CVE-2023-4206_lts_cos_mitigation_2/exploit.md")
    post = tmp_path / "forum-post.md"
    post.write_text(corpus_program.leak(corpus_helpers.GERMAN_4921, corpus_helpers.LEAKER), encoding="utf-8")

    out = run_cli("investigate", str(post), "--json")

    assert out.code == 0, out.err
    result = json.loads(out.out)
    assert list(result)[:7] == ["advisory", "partners_considered", "positions_read", "exact_match", "accused",
                                "ranking", "threshold"]
    assert result["advisory"] == corpus_program.idents[SOURCE]
    [match] = result["pieces"][0]["matches"]
    assert match["matched_by"] == "survivors" and match["file"] == "exploit.md"
    assert result["positions_read"] >= 1 and result["partners_considered"] == len(corpus_helpers.PARTNERS)
    assert {a["partner"] for a in result["accused"]} <= {corpus_helpers.LEAKER}


def test_the_text_verdict_says_the_piece_was_matched_by_its_code_and_numbers(run_cli, corpus_program, tmp_path):
    corpus_program.schedule(SOURCE)
    post = tmp_path / "umschreibung.md"
    post.write_text(corpus_program.leak(corpus_helpers.PARAPHRASE_4921, corpus_helpers.LEAKER), encoding="utf-8")

    out = run_cli("investigate", str(post))

    assert out.code == 0, out.err
    assert "was matched by the code, identifiers and numbers" in " ".join(out.out.split())
