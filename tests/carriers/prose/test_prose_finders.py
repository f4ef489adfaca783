"""Each kind of slot: what it offers, and the places it must leave alone."""

from __future__ import annotations

import re

import pytest

from headstart.carriers.base import NoSlotsError
from headstart.carriers.prose import ProseCarrier


def alternatives(md: str) -> list[tuple[str, ...]]:
    try:
        return [s.alternatives for s in ProseCarrier(md).slots]
    except NoSlotsError:
        return []


def offers(md: str, *alts: str) -> bool:
    return tuple(alts) in alternatives(md)


# A long fixed tail keeps every example locatable (a slot needs fixed words around it).
TAIL = " in the decoder of the viewer today.\n"


@pytest.mark.parametrize(
    "md, alts",
    [
        ("We analyze the behavior of the file" + TAIL, ("analyze", "analyse")),
        ("We analyze the behavior of the file" + TAIL, ("behavior", "behaviour")),
        ("The colour of the heap chunk changes" + TAIL, ("colour", "color")),
        ("Send it by e-mail to the team now" + TAIL, ("e-mail", "email")),
        ("Host it on a web site of your choice" + TAIL, ("web site", "website")),
        ("The scanner does not parse the pixels" + TAIL, ("does not", "doesn't")),
        ("It is not enough to check the width" + TAIL, ("It is not", "It's not", "It isn't")),
        ("Attackers can't reach the function without a file" + TAIL, ("can't", "cannot")),
        (
            "Use a tool, e.g. a fuzzer or a sanitizer build" + TAIL,
            ("e.g.", "e.g.,", "for example,", "for instance,"),
        ),
        (
            "Check the header. For example, the width is wide" + TAIL,
            ("For example,", "For instance,", "As an example,", "To illustrate,"),
        ),
        ("We cover Windows, Linux and macOS builds of the viewer" + TAIL, ("", ",")),
        ("We cover Windows, Linux, and macOS builds of the viewer" + TAIL, (",", "")),
        ("The width must exceed 0x3fff before the stride wraps" + TAIL, ("0x3fff", "0x3FFF")),
        ("The chunk holds up to 65535 bytes of pixel data" + TAIL, ("65535", "65,535", "65\u202f535")),
        ("The chunk holds up to 65,535 bytes of pixel data" + TAIL, ("65,535", "65535", "65\u202f535")),
        ("It crashed in 100 percent of the runs we made" + TAIL, ("100 percent", "100%", "100 per cent")),
        ("The header has four bytes of magic before the width" + TAIL, ("four", "4")),
        ("We restart the service in order to clear the cache" + TAIL, ("in order to", "to", "so as to")),
        ("We believe that the flaw is exploitable by anyone" + TAIL, ("that ", "")),
        ("The check uses a value that is computed separately" + TAIL, ("that", "which")),
        (
            "A width greater than 0x4000 wraps the stride to zero" + TAIL,
            ("greater than", "larger than", "above"),
        ),
        ("The height is at most 0x400 rows for a valid file" + TAIL, ("0x400", "0x0400")),
        ("The check is cheap; it does not decode the pixels" + TAIL, ("; it", ". It")),
        ("On Windows, the process terminates with an exception" + TAIL, (",", "")),
        ("A {{crafted|malicious}} file is enough to crash the viewer" + TAIL, ("crafted", "malicious")),
        # Contractions in both directions, where the verb that follows settles "'s", "'d", "'ve".
        ("It's the component that needs no interaction" + TAIL, ("It's", "It is")),
        ("There's no index in the file format at all" + TAIL, ("There's", "There is")),
        ("We'd like to hear about false positives soon" + TAIL, ("We'd", "We would")),
        ("We have seen the crash on every build so far" + TAIL, ("We have", "We've")),
        ("We've removed logging from the listing below" + TAIL, ("We've", "We have")),
        ("The benign file mustn't match the rule at all" + TAIL, ("mustn't", "must not")),
        ("That is why the rule matches every sample we have" + TAIL, ("That is", "That's")),
        # Compounds, parentheticals, relatives.
        ("A stream-based engine buffers the first bytes" + TAIL, ("stream-based", "stream based")),
        ("The values, however, are checked by the decoder" + TAIL, ("however", "though")),
        ("Report any false positives that you observe in traffic" + TAIL, ("that ", "")),
        ("The creation time stamp is never checked by it" + TAIL, ("time stamp", "timestamp", "time-stamp")),
        ("It is shared under the non-disclosure agreement" + TAIL, ("non-disclosure", "nondisclosure")),
        ("The grayscale palette is ignored by the decoder" + TAIL, ("grayscale", "greyscale")),
        # Phrases and comparisons.
        ("Tools such as YARA read the header of the file" + TAIL, ("such as", "like")),
        ("The file is rejected because of the bad checksum" + TAIL, ("because of", "due to", "owing to")),
        ("Use the allocated size rather than a separate value" + TAIL, ("rather than", "instead of")),
        ("Please make sure that partners are ready in time" + TAIL, ("make sure", "ensure")),
        ("The file is approximately 5 chunks long" + TAIL, ("approximately", "roughly", "about")),
        ("The overhead was below 1 percent on a mixed sample" + TAIL, ("below", "less than")),
        ("The height is at least 1 for every valid file" + TAIL, ("at least", "no less than")),
        # Sentence connectives with four choices, also where the original breaks its line.
        (
            "The stride wraps. Put another way, the row is short" + TAIL,
            ("Put another way,", "In other words,", "That is,", "Put differently,"),
        ),
        (
            "It is rare. Still, the crash happens on every run" + TAIL,
            ("Still,", "Nevertheless,", "Nonetheless,", "Even so,"),
        ),
        (
            "Check the header. For this\nreason, the width matters" + TAIL,
            ("For this\nreason,", "Because of\nthis,", "For that\nreason,"),
        ),
    ],
)
def test_finder_offers_the_choice(md, alts):
    assert offers(md, *alts), alternatives(md)


@pytest.mark.parametrize(
    "md, forbidden",
    [
        # Code spans, code blocks and identifiers are never touched.
        ("Call `analyze_behavior()` with care, e.g. in tests" + TAIL, "analyze"),
        ("The function tim_analyze_rows is the one that does not check" + TAIL, "tim_analyze_rows"),
        ("```\nbehavior = analyze(color)  # does not\n```\n", "behavior"),
        ("    behavior = analyze(color)\n", "behavior"),
        # Numbers that matter: versions, dates, identifiers, sizes written with units.
        ("Fixed in 4.7.4 and 10.20.30, released 2026-03-10" + TAIL, "4.7.4"),
        ("Track it as CVE-2026-99001 and HS-2026-0001 please" + TAIL, "99001"),
        ("A 16-bit stride and 32-bit width differ by design" + TAIL, "16-bit"),
        ("The year 2026 saw 1984 advisories in this program" + TAIL, "2026"),
        # Links, URLs, paths and quoted strings.
        ("See [the analysis](https://example.com/analyze_behavior) for details" + TAIL, "https"),
        ("Open C:\\Program Files\\Lumen\\timcodec.dll to check the behavior" + TAIL, "timcodec.dll"),
        ('The log says "heap does not match" for every behavior' + TAIL, "heap does not match"),
    ],
)
def test_protected_text_is_never_a_slot(md, forbidden):
    for alts in alternatives(md):
        assert not any(forbidden in a for a in alts), alts


@pytest.mark.parametrize(
    "md, never",
    [
        # "'s" and "'d" before a participle (or "better") are "has" and "had".
        ("It's been a long time since the release" + TAIL, "It is"),
        ("It's meant for the teams that build rules" + TAIL, "It is"),
        ("It's only been reported once by a partner" + TAIL, "It is"),
        ("We'd better check the width before it wraps" + TAIL, "We would"),
        ("We'd seen the crash before the vendor did" + TAIL, "We would"),
        # "have" as a main verb stays, and "that is," (i.e.) is no contraction.
        ("We have a corpus of sample images here" + TAIL, "We've"),
        ("The stride, that is, the row size, wraps at 0x4000" + TAIL, "that's"),
        # Phrases whose other form would not fit what follows.
        ("Make sure to check the width of the file" + TAIL, "Ensure"),
        ("We chose to block rather than verify the checksum" + TAIL, "instead of"),
        ("The value is such as to wrap the stride early" + TAIL, "like"),
        ("It is approximately right for the file" + TAIL, "roughly"),
        ("As described above, the file is rejected early" + TAIL, "greater than"),
        # A prefix is part of the word: "self-controlled" keeps its hyphen.
        ("A self-controlled process reads the file header" + TAIL, "self controlled"),
        # "however you like" is not a parenthetical.
        ("Configure the scanner however you like for the file" + TAIL, "though"),
    ],
)
def test_finder_leaves_the_unsafe_form_alone(md, never):
    for alts in alternatives(md):
        assert never not in alts[1:], alts


@pytest.mark.parametrize(
    "md",
    [
        "Restart it so that we can check the file again" + TAIL,
        "The header is laid out such that we can read it fast" + TAIL,
        "Now that we know the width, the check is simple" + TAIL,
        "If you can't do that we will forward your questions" + TAIL,
        "The buffer is so small that the whole chunk overflows it" + TAIL,
    ],
)
def test_that_as_a_conjunction_or_pronoun_is_never_dropped(md):
    assert ("that ", "") not in alternatives(md)


def test_prose_choices_never_change_a_code_block():
    md = (
        "The decoder does not check the width, e.g. for large images"
        + TAIL
        + "\n```c\n/* it is not checked, e.g. here */\n"
        + "uint16_t stride = (uint16_t)(width * 4); // 0x3fff\n```\n"
    )
    c = ProseCarrier(md)
    block = md[md.index("```c") :]
    in_block = [s.key.startswith(("comment-", "code-")) for s in c.slots]
    assert any(in_block) and not all(in_block)
    # The block's own slots held at the original's spelling: every prose choice flipped leaves it as it was.
    for flip in (0, 1):
        cw = [0 if mine else (s.q - 1) * flip for s, mine in zip(c.slots, in_block, strict=True)]
        assert c.render_text(cw).endswith(block)
    assert not c.render_text([s.q - 1 for s in c.slots]).endswith(block)


def test_hex_case_only_changes_letters_never_the_value():
    c = ProseCarrier("A width above 0x3fff and a length near 0xffff break it" + TAIL)
    for s in c.slots:
        if s.key.startswith("hex-case"):
            assert len({int(a, 16) for a in s.alternatives}) == 1


def test_digit_grouping_keeps_the_value():
    c = ProseCarrier("The corpus has 250000 images and 1,500,000 chunks in total" + TAIL)
    groups = [s for s in c.slots if s.key.startswith("digit-grouping")]
    assert len(groups) == 2
    for s in groups:
        assert len({int(a.replace(",", "").replace("\u202f", "")) for a in s.alternatives}) == 1


def test_mixed_case_hex_is_left_alone():
    assert not any(
        "0xDeAd" in a for alts in alternatives("Magic 0xDeAd is odd in this file" + TAIL) for a in alts
    )


def test_demonstrative_that_is_not_a_relative_pronoun():
    md = "Organizations that can't do that should exclude folders from the scanner" + TAIL
    assert ("that", "which") not in [a for a in alternatives(md) if "do that" in "".join(a)]
    c = ProseCarrier(md)
    for cw in ([s.q - 1 for s in c.slots],):
        assert "do that should" in c.render_text(cw)


def test_determiner_that_keeps_its_noun():
    md = "We found that file in the download folder of the user" + TAIL
    assert ("that ", "") not in alternatives(md)


def test_serial_comma_is_only_offered_at_the_last_conjunction_of_a_list():
    md = (
        "A file is suspicious if its width is wide, its height is non-zero and small, and its chunk is long"
        + TAIL
    )
    c = ProseCarrier(md)
    flipped = c.render_text([s.q - 1 for s in c.slots])
    assert "non-zero, and small" not in flipped and "nonzero, and small" not in flipped


def test_intro_comma_before_a_parenthetical_is_kept():
    c = ProseCarrier("Once the width exceeds 0x3fff, however, the product is large" + TAIL)
    for cw in ([0] * len(c.slots), [s.q - 1 for s in c.slots]):
        text = c.render_text(cw)
        assert re.search(r", (however|though),", text), text


def test_both_and_is_not_a_list():
    md = "The value is 16-bit, although both width and the product are 32-bit values" + TAIL
    c = ProseCarrier(md)
    assert "width, and the product" not in c.render_text([s.q - 1 for s in c.slots])


def test_number_words_only_before_counted_nouns():
    assert ("two", "2") not in alternatives("For small widths, the two values agree with each other" + TAIL)
    assert offers("The length is stored in two bytes after the kind" + TAIL, "two", "2")


def test_a_spelling_is_one_slot_for_the_whole_document():
    md = (
        "We analyze the first chunk of the file before anything else happens.\n\n"
        "Later we analyze the second chunk of the file with the same code path.\n"
    )
    c = ProseCarrier(md)
    analyze = [s for s in c.slots if s.key == "spelling:analyze"]
    assert len(analyze) == 1
    i = c.slots.index(analyze[0])
    cw = [0] * len(c.slots)
    cw[i] = 1
    assert c.render_text(cw).count("analyse") == 2
