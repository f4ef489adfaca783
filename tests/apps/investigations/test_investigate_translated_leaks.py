"""A translated or paraphrased leak of a corpus write-up is matched by what survives translation.

When English word shingles find too little of a German translation or a paraphrase, the
matcher takes the prose file whose code, identifiers and numbers the piece shares most, above a
bar no corpus write-up reaches against another. The leaks are the hand-made fixtures made into
one partner's leak (corpus_helpers.py).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import corpus_helpers
import numpy as np
import pytest
from corpus_helpers import (
    CHINESE_0461,
    CORPUS,
    CORPUS_LEAKS,
    GERMAN_0461,
    GERMAN_4015,
    GERMAN_4921,
    GERMAN_52433,
    LEAKER,
    PARAPHRASE_4921,
    PARAPHRASE_52433,
    PARTNERS,
    leak_of,
)

from headstart.apps.investigations.matching import (
    SURVIVOR_BAR,
    SURVIVOR_MIN_SHARED,
    Original,
    survivor_matches,
    survivor_text,
)
from headstart.carriers.prose import ProseCarrier

corpus_program = corpus_helpers.corpus_program  # a fixture: six partners; corpus write-ups scheduled on demand


def corpus_writeups() -> list[Path]:
    return (sorted(CORPUS.glob("*/exploit.md")) + sorted(CORPUS.glob("*/vulnerability.md"))
            + [CORPUS / "bleedingtooth/writeup.md", CORPUS / "zenbleed/README.md"])


@cache
def carrier(path: Path) -> ProseCarrier:
    return ProseCarrier(path.read_text(encoding="utf-8"))


def translation_fixtures() -> list[tuple[Path, str, int, int]]:
    specs = [GERMAN_52433, PARAPHRASE_52433, CHINESE_0461]
    for s in json.loads((CORPUS_LEAKS / "fixtures.json").read_text(encoding="utf-8")):
        specs.append((CORPUS_LEAKS / s["fixture"], s["source"], s["first_line"], s["last_line"]))
    return specs


# ---- the bar, measured on the corpus (no database) ------------------------------------------

def test_the_survivor_bar_is_above_every_cross_write_up_share_on_the_corpus():
    paths = corpus_writeups()
    assert len(paths) == 26
    carriers = {p: carrier(p) for p in paths}
    texts = {p: p.read_text(encoding="utf-8") for p in paths}
    cross = {(str(q.relative_to(CORPUS)), str(p.relative_to(CORPUS))): c.survivor_match(texts[q])[1]
             for p, c in carriers.items() for q in paths if q != p}
    worst = max(cross, key=lambda k: cross[k])
    # The two nftables exploits are the closest pair; the bar keeps a margin above them.
    assert cross[worst] >= 0.5
    assert cross[worst] + 0.15 <= SURVIVOR_BAR, (worst, cross[worst])


def test_every_translation_and_paraphrase_fixture_of_a_partners_copy_clears_the_bar():
    for spec in translation_fixtures():
        original = carrier(CORPUS / spec[1])
        copy = original.render_text(np.random.default_rng(7).integers(0, original.alphabet_sizes))
        shared, share = original.survivor_match(leak_of(spec, copy))
        assert share >= SURVIVOR_BAR and shared >= SURVIVOR_MIN_SHARED, (spec[0].name, shared, share)


def _original(source: str, ident: str, artifact_id: int) -> Original:
    text = (CORPUS / source).read_text(encoding="utf-8")
    return Original(ident, "exploit.md", "writeup", artifact_id, text, text.encode())


def test_survivors_pick_the_write_up_a_translation_comes_from_over_its_sibling():
    # The two nftables exploits quote much of the same code: a 40% German excerpt of
    # CVE-2023-4015's shares 0.64 of its survivors with CVE-2023-4147's, 0.95 with its own.
    own, sibling = _original(GERMAN_4015[1], "HS-2026-0001", 1), _original("CVE-2023-4147_lts_cos/exploit.md",
                                                                             "HS-2026-0002", 2)
    carriers = {o.artifact_id: ProseCarrier(o.text or "") for o in (own, sibling)}
    copy = carriers[1].render_text(np.random.default_rng(5).integers(0, carriers[1].alphabet_sizes))
    leak = leak_of(GERMAN_4015, copy)
    assert carriers[2].survivor_match(leak)[1] > 0.5

    found = survivor_matches(0, leak, [sibling, own], lambda o: carriers[o.artifact_id])

    assert [(m.original.advisory, m.method) for m in found] == [("HS-2026-0001", "survivors")]
    assert found[0].similarity >= SURVIVOR_BAR and 0 < found[0].coverage < 1


@pytest.mark.parametrize("text", [
    "Im Abschnitt 3 steht 0x10, danach 4096 und 12 weitere Zeilen ohne Code.\n",
    "lorem ipsum dolor sit amet consectetur adipiscing elit\n" * 20000,
], ids=["few numbers", "a long text without any"])
def test_a_piece_with_too_few_survivors_loads_no_carrier(text):
    def carrier_of(o: Original):  # type: ignore[no-untyped-def]
        raise AssertionError("no carrier is needed to rule this piece out")

    assert survivor_text(text) is None
    assert survivor_matches(0, text, [_original(GERMAN_4015[1], "HS-2026-0001", 1)], carrier_of) == []


def test_a_piece_compared_by_its_survivors_alone_shares_what_the_whole_piece_does():
    # survivor_matches hands each carrier only the piece's survivor tokens.
    pieces = [path.read_text(encoding="utf-8") for path in corpus_writeups()]
    for spec in translation_fixtures():
        original = carrier(CORPUS / spec[1])
        pieces.append(leak_of(spec, original.render_text(np.random.default_rng(3).integers(0, original.alphabet_sizes))))
    for path in corpus_writeups()[:12]:
        for piece in pieces:
            compact = survivor_text(piece)
            assert compact is not None and len(compact) < len(piece)
            assert carrier(path).survivor_match(compact) == carrier(path).survivor_match(piece)


# ---- through the services, on scheduled corpus advisories -----------------------------------

def _only_match(result: dict) -> dict:
    [piece] = result["pieces"]
    [match] = piece["matches"]
    return match


@pytest.mark.django_db
@pytest.mark.parametrize("spec", [GERMAN_4921, PARAPHRASE_4921], ids=["german", "paraphrase"])
def test_a_german_translation_of_a_partners_copy_is_matched_and_read(corpus_program, investigate_leak, spec):
    # Its English word shingles share 0.16 (the paraphrase 0.01) with the original, below the
    # 0.3 bar; the write-up sharing most survivors with it (0.33) is scheduled beside it.
    corpus_program.schedule("CVE-2023-4921_lts_cos_mitigation/exploit.md",
                            "CVE-2023-4206_lts_cos_mitigation_2/exploit.md")
    leak = corpus_program.leak(spec, LEAKER)

    result = investigate_leak(("forum-post.md", leak))

    match = _only_match(result)
    assert match["advisory"] == corpus_program.idents["CVE-2023-4921_lts_cos_mitigation/exploit.md"]
    assert match["method"] == "survivors" and match["matched_by"] == "survivors"
    assert match["similarity"] >= SURVIVOR_BAR
    [artifact] = result["artifacts"]
    assert artifact["pieces"][0]["matched_by"] == "survivors"
    assert artifact["read"] >= 1 and artifact["partners_with_copy"] == len(PARTNERS)
    # Too few marks survive in this fixture's code and numbers to name anyone among six at
    # 1e-6; what is read is the leaker's (no partner scores higher) and no innocent is accused.
    assert {a["partner"] for a in result["accused"]} <= {LEAKER}
    scores = {s["partner"]: s["score"] for s in result["scores"]}
    assert scores[LEAKER] == max(scores.values()) > 0
    assert "matched by the code, identifiers and numbers" in result["verdict"]
    # The investigation's carrier reads only slots a translation keeps, each as the leaker's copy
    # has it; the English slots of the translated text are erased.
    symbols, codeword, survivor_slots = corpus_program.reading(spec, LEAKER, leak)
    read = symbols != -1
    assert read.sum() == artifact["read"] >= 1
    assert set(np.flatnonzero(read)) <= survivor_slots
    assert symbols[read].tolist() == codeword[read].tolist()


@pytest.mark.django_db
def test_a_german_translation_that_quotes_the_code_blocks_is_matched_by_them_and_names_the_leaker(
        corpus_program, investigate_leak):
    corpus_program.schedule("CVE-2023-52433_mitigation/exploit.md", "CVE-2023-4569_lts/exploit.md")
    leak = corpus_program.leak(GERMAN_52433, LEAKER)

    result = investigate_leak(("forum-post.md", leak))

    match = _only_match(result)
    assert match["advisory"] == corpus_program.idents["CVE-2023-52433_mitigation/exploit.md"]
    assert match["matched_by"] == "text"  # the code blocks' words are shingles enough
    [artifact] = result["artifacts"]
    assert [a["partner"] for a in result["accused"]] == [LEAKER]
    [agreement] = artifact["agreement"]
    assert agreement["partner"] == LEAKER and agreement["agreeing"] == agreement["of_read"] == artifact["read"] >= 10


@pytest.mark.django_db
def test_an_unrelated_german_text_matches_nothing(corpus_program, investigate_leak):
    corpus_program.schedule("CVE-2023-52433_mitigation/exploit.md", "CVE-2023-4569_lts/exploit.md")
    # A German translation of another corpus write-up, full of code and numbers of its own,
    # and a German note with a few numbers.
    other = GERMAN_0461[0].read_text(encoding="utf-8")
    note = ("Protokoll der Sitzung vom 12. März 2024: Budget 2025 um 4,5 % erhöht, 3 neue Stellen, "
            "Umzug in das Gebäude B am 1. Juli. Version 2.4.1 des Intranets geht am 15. Mai live.\n")

    result = investigate_leak(("uebersetzung.md", other), ("protokoll.txt", note))

    assert [p["matches"] for p in result["pieces"]] == [[], []]
    assert result["advisory"] is None and result["accused"] == [] and result["positions_read"] == 0
