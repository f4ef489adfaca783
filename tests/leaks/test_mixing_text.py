"""Coalitions mixing copies, and what the prose carrier reads from the mix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from marking.helpers import random_codeword

import headstart.samples
from headstart.carriers.prose import ProseCarrier
from headstart.leaks.mixing import (
    TEXT_MIXES,
    delete_differing,
    majority,
    mix_lines,
    mix_paragraphs,
    mix_symbols,
    mix_units,
    split_units,
)
from headstart.leaks.text import TEXT_TRANSFORMS

SAMPLE = Path(headstart.samples.__file__).parent / "tim_overflow"


@pytest.fixture(scope="module")
def writeup() -> ProseCarrier:
    return ProseCarrier((SAMPLE / "writeup.md").read_text(encoding="utf-8"))


def test_mix_lines_takes_every_line_from_one_of_the_copies():
    a, b = "a1\na2\na3\n", "b1\nb2\nb3\n"
    mixed = mix_lines([a, b], seed=1).splitlines()
    assert len(mixed) == 3
    assert all(line in (f"a{i + 1}", f"b{i + 1}") for i, line in enumerate(mixed))
    assert len({mix_lines([a, b], seed=s) for s in range(20)}) > 2


def test_mix_paragraphs_takes_every_paragraph_whole_from_one_copy():
    a, b = "A one\nA one more\n\nA two\n", "B one\nB one more\n\nB two\n"
    for seed in range(10):
        mixed = mix_paragraphs([a, b], seed=seed)
        first, second = mixed.split("\n\n")
        assert first in ("A one\nA one more", "B one\nB one more")
        assert second.strip() in ("A two", "B two")


def test_mix_symbols_takes_each_symbol_from_a_colluder():
    cws = [[0, 0, 0, 0], [1, 1, 1, 1], [2, 2, 2, 2]]
    mixed = mix_symbols(cws, seed=5)
    assert len(mixed) == 4 and set(mixed) <= {0, 1, 2}
    with pytest.raises(ValueError):
        mix_symbols([[0, 1], [0]], seed=0)
    with pytest.raises(ValueError):
        mix_lines([], seed=0)


@pytest.mark.parametrize("mix", sorted(TEXT_MIXES))
@pytest.mark.parametrize("k", [2, 3])
def test_a_mixed_leak_reads_each_slot_as_a_colluders_symbol_or_erased(writeup, mix, k):
    for seed in range(3):
        cws = [random_codeword(writeup, (seed, i)) for i in range(k)]
        leak = TEXT_MIXES[mix]([writeup.render_text(list(cw)) for cw in cws], seed)
        for path in ("identity", "markdown_html_text"):
            reading = writeup.read(TEXT_TRANSFORMS[path](leak))
            allowed = np.zeros(len(writeup.slots), dtype=bool)
            for cw in cws:
                allowed |= reading.symbols == cw
            allowed |= reading.symbols == -1
            assert allowed.all(), [writeup.slots[i].key for i in np.flatnonzero(~allowed)]
            assert reading.read >= 0.5 * len(writeup.slots)


def test_a_coordinated_spelling_that_disagrees_inside_a_mix_is_erased():
    md = (
        "We analyze the first chunk of the file before anything else happens.\n\n"
        "Later we analyze the second chunk of the file with the same code path.\n"
    )
    c = ProseCarrier(md)
    i = next(k for k, s in enumerate(c.slots) if s.key == "spelling:analyze")
    a = [0] * len(c.slots)
    b = list(a)
    b[i] = 1
    first = c.render_text(a).split("\n\n")[0]
    second = c.render_text(b).split("\n\n")[1]
    assert c.read(first + "\n\n" + second).symbols[i] == -1


# --- majority, random per unit, delete what differs -------------------------------------------------


THREE = ["Same one. A differs here.\nkeep\nx = 1\n", "Same one. B differs here.\nkeep\nx = 1\n",
         "Same one. A differs here.\nkeep\nx = 2\n"]


def test_split_units_gives_the_text_back_and_cuts_sentences_inside_a_line():
    text = "First one. Second one? Third\nline two.\n\nlast"
    assert "".join(split_units(text, "sentence")) == text
    assert split_units(text, "sentence")[:3] == ["First one. ", "Second one? ", "Third\n"]
    assert "".join(split_units(text, "line")) == text


def test_majority_keeps_the_version_two_of_three_copies_share():
    assert majority(THREE, "sentence", seed=4) == "Same one. A differs here.\nkeep\nx = 1\n"
    assert majority(THREE, "line", seed=4) == "Same one. A differs here.\nkeep\nx = 1\n"


def test_majority_without_a_majority_takes_one_of_the_versions():
    copies = ["v = a\n", "v = b\n", "v = c\n"]
    assert {majority(copies, "line", seed=s) for s in range(30)} == set(copies)


def test_delete_differing_drops_every_unit_that_is_not_alike_in_all_copies():
    assert delete_differing(THREE, "sentence") == "Same one. keep\n"
    assert delete_differing(THREE, "line") == "keep\n"


def test_delete_differing_aligns_copies_of_different_lengths_by_a_diff():
    copies = ["a\nb\nc\n", "a\nextra\nb\nc\n", "a\nb\nc\n"]
    assert delete_differing(copies, "line") == "a\nb\nc\n"


def test_mix_units_takes_each_sentence_from_one_of_the_copies():
    mixes = {mix_units(THREE, "sentence", seed=s) for s in range(40)}
    assert all(m.startswith("Same one. ") for m in mixes)
    assert len(mixes) > 2
