"""Translated and paraphrased leaks of corpus write-ups: read by what a translator keeps.

The fixtures (fixtures/README.md) are hand-made translations of parts of corpus write-ups
whose code and inline code were pasted from the original. ``translation_of_copy`` puts a
partner's code blocks and inline code in their place, which is what a translator of that
partner's copy would have pasted.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest

from headstart.carriers.prose import ProseCarrier
from headstart.carriers.prose.code_blocks import is_code_kind
from headstart.carriers.prose.markdown_scan import code_spans, scan_blocks
from headstart.carriers.prose.survivors import SURVIVING_KINDS
from headstart.marking import Codebook, Leak, attribute, design_for

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

GERMAN = ("de_cve_2023_52433_exploit.md", "CVE-2023-52433_mitigation/exploit.md")
CHINESE = ("zh_cve_2023_0461_exploit.md", "CVE-2023-0461_mitigation/exploit.md")
PARAPHRASE = ("en_paraphrase_cve_2023_52433_exploit.md", "CVE-2023-52433_mitigation/exploit.md")


@cache
def carrier(path: str) -> ProseCarrier:
    return ProseCarrier((CORPUS / path).read_text(encoding="utf-8"))


def kind(slot) -> str:
    return slot.key.split("@")[0]


def _code_and_inline(text: str) -> tuple[list[str], list[str]]:
    blocks, inline = [], []
    for b in scan_blocks(text):
        if b.kind == "code":
            blocks.append(text[b.start : b.end].replace("\r", ""))
        elif b.prose:
            inline += [text[s:e].replace("\r", "") for s, e in code_spans(text, b.start, b.end)]
    return blocks, inline


def translation_of_copy(fixture: str, original: str, copy: str) -> str:
    """The fixture with every code block and inline code span as it stands in ``copy``:
    the k-th time the fixture quotes a block or span, the copy's k-th quote of it."""
    orig_blocks, orig_inline = _code_and_inline(original)
    copy_blocks, copy_inline = _code_and_inline(copy)
    quoted: dict[str, list[str]] = {}
    for o, c in [*zip(orig_blocks, copy_blocks, strict=True), *zip(orig_inline, copy_inline, strict=True)]:
        quoted.setdefault(o, []).append(c)
    used: dict[str, int] = {}

    def pasted(text: str) -> str:
        k = used.get(text, 0)
        used[text] = k + 1
        return quoted[text][min(k, len(quoted[text]) - 1)] if text in quoted else text

    out = []
    for b in scan_blocks(fixture):
        piece = fixture[b.start : b.end]
        if b.kind == "code":
            assert piece in quoted, "the fixture quotes the original's code blocks as they stand"
            piece = pasted(piece)
        elif b.prose:
            pos, parts = b.start, []
            for s, e in code_spans(fixture, b.start, b.end):
                parts += [fixture[pos:s], pasted(fixture[s:e])]
                pos = e
            piece = "".join([*parts, fixture[pos : b.end]])
        out.append(piece)
    return "".join(out)


def leak_of(fixture_and_source: tuple[str, str], codeword) -> str:
    name, source = fixture_and_source
    c = carrier(source)
    return translation_of_copy(
        (FIXTURES / name).read_text(encoding="utf-8"),
        (CORPUS / source).read_text(encoding="utf-8"),
        c.render_text(codeword),
    )


def tally(c: ProseCarrier, leak: str, codeword) -> tuple[int, int, int, np.ndarray]:
    """(read correctly, erased, read wrongly, the read mask)."""
    reading = c.read(leak)
    read = reading.symbols != -1
    wrong = read & (reading.symbols != np.asarray(codeword))
    return int((read & ~wrong).sum()), int((~read).sum()), int(wrong.sum()), read


# --- the marks in code -------------------------------------------------------------------


def test_code_block_literal_notation_varies_between_copies(random_codeword):
    c = carrier(GERMAN[1])
    literals = [i for i, s in enumerate(c.slots) if kind(s) == "code-literal"]
    assert len(literals) >= 15
    for i in literals:
        a, b = np.zeros(len(c.slots), dtype=int), np.zeros(len(c.slots), dtype=int)
        b[i] = 1
        first, second = c.render_text(a), c.render_text(b)
        assert first != second
        (_, s0, e0) = next(t for t in c.slot_spans(a) if t[0] == i)
        (_, s1, e1) = next(t for t in c.slot_spans(b) if t[0] == i)
        assert int(first[s0:e0].rstrip("uUlL"), 0) == int(second[s1:e1].rstrip("uUlL"), 0)


def test_quoted_kernel_identifiers_are_never_changed(random_codeword):
    from headstart.carriers._lexers import lex_c

    for path in (GERMAN[1], CHINESE[1], "CVE-2023-4623_lts_cos/exploit.md", "bleedingtooth/writeup.md"):
        c = carrier(path)
        original = c.render_text([0] * len(c.slots))

        def names(text: str) -> list[str]:
            blocks, inline = _code_and_inline(text)
            return [t.text for b in blocks + inline for t in lex_c(b) if t.kind in ("name", "pp", "string")]

        assert names(c.original) == names(original)
        for seed in range(3):
            assert names(c.render_text(random_codeword(c, seed))) == names(c.original)


# --- reading translations ----------------------------------------------------------------


@pytest.mark.parametrize("fixture", [GERMAN, CHINESE], ids=["german", "chinese"])
def test_german_translation_of_a_copy_reads_its_code_and_number_slots(fixture, random_codeword):
    c = carrier(fixture[1])
    for seed in range(3):
        cw = random_codeword(c, seed)
        right, _erased, wrong, read = tally(c, leak_of(fixture, cw), cw)
        assert wrong == 0
        assert right >= 10
        assert all(
            is_code_kind(k) or k in SURVIVING_KINDS for k in (kind(c.slots[i]) for i in np.nonzero(read)[0])
        )


@pytest.mark.parametrize("fixture", [GERMAN, CHINESE], ids=["german", "chinese"])
def test_translated_region_reads_english_slots_as_erased(fixture, random_codeword):
    c = carrier(fixture[1])
    english = [
        i for i, s in enumerate(c.slots) if not is_code_kind(kind(s)) and kind(s) not in SURVIVING_KINDS
    ]
    assert len(english) >= 20
    for seed in range(3):
        cw = random_codeword(c, seed)
        reading = c.read(leak_of(fixture, cw))
        assert (reading.symbols[english] == -1).all()


def test_paraphrase_matches_on_code_and_numbers(random_codeword):
    c = carrier(PARAPHRASE[1])
    cw = random_codeword(c, 7)
    leak = leak_of(PARAPHRASE, cw)
    shared, share = c.survivor_match(leak)
    assert shared >= 50 and share >= 0.9
    right, _erased, wrong, _read = tally(c, leak, cw)
    assert wrong == 0 and right >= 10


def test_a_leak_with_no_english_prose_is_matched_by_its_code_and_numbers(random_codeword):
    c = carrier(CHINESE[1])
    leak = leak_of(CHINESE, random_codeword(c, 3))
    assert c.survivor_match(leak)[1] >= 0.9
    # Another write-up's numbers and identifiers are not this one's.
    assert c.survivor_match((CORPUS / GERMAN[1]).read_text(encoding="utf-8"))[1] < 0.05
    assert carrier(GERMAN[1]).survivor_match(leak)[1] < 0.05


@pytest.mark.parametrize("fixture", [GERMAN, CHINESE], ids=["german", "chinese"])
def test_a_translated_leak_of_one_copy_names_that_partner_or_nobody_never_an_innocent(fixture):
    c = carrier(fixture[1])
    partners = [f"partner-{i:03d}" for i in range(100)]
    sizes = [s.q for s in c.slots]
    # The code delivery gives a file of this size (design_for).
    book = Codebook(
        b"translated-leak-key", "HS-TEST/writeup/v1", sizes, partners, design_coalition=design_for(sizes)
    )
    for leaker in partners[:5]:
        cw = book.codeword(leaker)
        reading = c.read(leak_of(fixture, cw))
        read = reading.symbols != -1
        # No more wrong symbols than chance: a reader that guessed would show some.
        assert (reading.symbols[read] == np.asarray(cw)[read]).all()
        result = attribute(book, Leak(reading.symbols, reading.confidence), threshold=1e-6)
        assert set(result.accused) <= {leaker}


def test_the_german_translation_names_its_partner_among_a_hundred():
    c = carrier(GERMAN[1])
    partners = [f"partner-{i:03d}" for i in range(100)]
    sizes = [s.q for s in c.slots]
    book = Codebook(
        b"translated-leak-key", "HS-TEST/writeup/v1", sizes, partners, design_coalition=design_for(sizes)
    )
    for leaker in partners[10:13]:
        reading = c.read(leak_of(GERMAN, book.codeword(leaker)))
        assert attribute(book, Leak(reading.symbols, reading.confidence), threshold=1e-6).accused == [leaker]
