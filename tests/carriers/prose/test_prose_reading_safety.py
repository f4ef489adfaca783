"""Leaks that put text next to text it never stood beside: the slot is erased, not misread.

Each original repeats a phrase, so a slot's context is told apart from its look-alike by
a few words only; an excerpt that joins paragraphs or lines, or a leak that lost case,
could then show those words around the wrong place.
"""

from __future__ import annotations

from headstart.carriers.prose import ProseCarrier


def test_a_context_is_never_matched_across_a_paragraph_break_of_the_leak():
    md = (
        "Later on, then we do not know why.\n\n"
        "Something else entirely is written here for the reader.\n\n"
        "Zeta said so in the report, and nobody asked again.\n\n"
        "Later on, then we do not know why. Zeta said so in the report.\n"
    )
    carrier = ProseCarrier(md)
    # The first paragraph's "do not" is a slot too (read with the paragraph after it).
    first, slot = [i for i, s in enumerate(carrier.slots) if s.alternatives == ("do not", "don't")]
    codeword = [s.q - 1 for s in carrier.slots]  # the last paragraph says "don't"
    codeword[first] = 0  # the first says "do not"
    paragraphs = carrier.render_text(codeword).split("\n\n")
    # The first paragraph's "do not", then a paragraph that starts the way the marked
    # sentence continues: together they look like the last paragraph's sentence.
    leak = paragraphs[0] + "\n\n" + paragraphs[2] + "\n"
    assert "do not know why.\n\nZeta said so" in leak
    symbols = carrier.read(leak).symbols
    assert symbols[slot] == -1
    assert symbols[first] == -1  # its neighbour is not in the leak


def test_a_slot_is_unique_even_when_the_leak_lost_case():
    md = (
        "The two values differ, i.e. we are done with the width.\n\n"
        "Something else entirely is written here for the reader.\n\n"
        "The two values differ, i.e. We are done with the height.\n"
    )
    carrier = ProseCarrier(md)
    first = next(i for i, s in enumerate(carrier.slots) if s.alternatives[0] == "we are")
    codeword = [0] * len(carrier.slots)
    codeword[first] = 1  # "we're" in the first paragraph
    last = carrier.render_text(codeword).split("\n\n")[2]
    assert "i.e. We are done" in last
    # Only the last paragraph leaks: its "We are" must not be taken for the first slot.
    assert carrier.read(last).symbols[first] == -1


def test_a_one_sided_context_must_share_the_slots_line():
    md = "Intro words here. The time stamp and the\ntimestamp\nand the life\ncycle differ. Are to sure.\n"
    carrier = ProseCarrier(md)
    codeword = [s.q - 1 if s.key.startswith("hyphenation:life") else 0 for s in carrier.slots]
    lines = carrier.render_text(codeword).splitlines()
    # An excerpt keeps the first and last lines: "time stamp and the" now stands where
    # "timestamp and the" stood, right before the context of the second slot.
    leak = lines[0] + "\n" + lines[3] + "\n"
    symbols = carrier.read(leak).symbols
    for i, s in enumerate(carrier.slots):
        assert symbols[i] in (codeword[i], -1), s.key
    second = next(i for i, s in enumerate(carrier.slots) if s.key == "hyphenation:timestamp")
    assert symbols[second] == -1


def test_a_context_told_apart_by_one_word_is_grown_until_one_stray_word_cannot_fake_it():
    md = (
        "Alpha, when error reporting is not disabled.\n\n"
        "Gamma delta epsilon zeta eta theta iota\nthe end of the story is near.\n\n"
        "Beta, when error reporting\nis not disabled. The files are kept for a while.\n"
    )
    carrier = ProseCarrier(md)
    first, last = (i for i, s in enumerate(carrier.slots) if s.alternatives == ("is not", "isn't"))
    codeword = [0] * len(carrier.slots)
    codeword[first] = 1
    lines = [line for line in carrier.render_text(codeword).splitlines() if line.strip()]
    # Two lines of an excerpt: the first slot's sentence, then a line that starts with "the",
    # as the last slot's sentence continues ("disabled. The files").
    leak = lines[0] + "\n" + lines[2] + "\n"
    assert "isn't disabled.\nthe end" in leak
    symbols = carrier.read(leak).symbols
    assert symbols[first] == 1
    assert symbols[last] == -1
