"""ProseCarrier: slots, rendering and reading back, on the sample write-up and small originals."""

from __future__ import annotations

import re

import markdown
import numpy as np
import pytest
from bs4 import BeautifulSoup

from headstart.carriers._lexers import lex_c
from headstart.carriers.base import Carrier, CarrierError, NoSlotsError, UnreadableLeakError
from headstart.carriers.prose import ProseCarrier
from headstart.carriers.prose.code_blocks import is_code_kind


def code_blocks(md: str) -> list[str]:
    """Fenced and indented code blocks as python-markdown renders them."""
    html = markdown.markdown(md, extensions=["extra"])
    return [pre.get_text() for pre in BeautifulSoup(html, "html.parser").find_all("pre")]


def inline_code(md: str) -> list[str]:
    html = markdown.markdown(md, extensions=["extra"])
    return [
        c.get_text() for c in BeautifulSoup(html, "html.parser").find_all("code") if c.parent.name != "pre"
    ]


def test_prose_carrier_is_a_carrier_of_kind_prose(writeup):
    assert isinstance(writeup, Carrier)
    assert writeup.kind == "prose"
    assert writeup.alphabet_sizes == [s.q for s in writeup.slots]


def test_same_original_gives_the_same_slots(writeup_text, writeup):
    again = ProseCarrier(writeup_text)
    assert again.slots == writeup.slots
    assert again.template.parts == writeup.template.parts


def test_slot_keys_are_unique_and_every_slot_has_real_choices(writeup):
    keys = [s.key for s in writeup.slots]
    assert len(keys) == len(set(keys))
    for s in writeup.slots:
        assert s.q >= 2
        assert len(set(s.alternatives)) == s.q
        assert s.where.startswith("line ")


def test_rendering_is_deterministic_and_utf8(writeup, random_codeword):
    cw = random_codeword(writeup, 1)
    first = writeup.render(cw)
    assert first == writeup.render(cw)
    assert isinstance(first, bytes)
    assert first.decode("utf-8") == writeup.render_text(cw)


def test_copies_differ_only_inside_slots(writeup, random_codeword):
    a, b = random_codeword(writeup, 2), random_codeword(writeup, 3)

    def outside_slots(cw) -> list[str]:
        """The copy cut at its slots: the text between them, in order."""
        text, pos, pieces = writeup.render_text(cw), 0, []
        for _slot, s, e in writeup.slot_spans(cw):
            pieces.append(text[pos:s])
            pos = e
        return [*pieces, text[pos:]]

    assert outside_slots(a) == outside_slots(b)
    assert writeup.render_text(a) != writeup.render_text(b)


def test_slot_spans_show_the_chosen_alternatives(writeup, random_codeword):
    cw = random_codeword(writeup, 4)
    text = writeup.render_text(cw)
    for slot, s, e in writeup.slot_spans(cw):
        assert text[s:e] == writeup.slots[slot].alternatives[cw[slot]]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_copy_reads_back_as_its_codeword(writeup, random_codeword, seed):
    cw = random_codeword(writeup, seed)
    reading = writeup.read(writeup.render(cw))
    assert np.array_equal(reading.symbols, cw)
    assert (reading.confidence > 0).all()


def test_extreme_codewords_read_back(writeup):
    for cw in ([0] * len(writeup.slots), [s.q - 1 for s in writeup.slots]):
        assert writeup.read(writeup.render_text(cw)).symbols.tolist() == cw


def _code_slots_as_original(carrier, codeword):
    """The codeword with every slot inside code (literal notation, comment wording, inline
    hex case) put back to the original's spelling."""
    return [
        0 if is_code_kind(s.key.split("@")[0]) else sym
        for s, sym in zip(carrier.slots, codeword, strict=True)
    ]


def test_code_blocks_change_only_in_their_code_slots(writeup_text, writeup, random_codeword):
    original = code_blocks(writeup_text)
    assert original, "the sample has code blocks"
    for seed in range(4):
        cw = random_codeword(writeup, seed)
        assert code_blocks(writeup.render_text(_code_slots_as_original(writeup, cw))) == original
        names = [[t.text for t in lex_c(b) if t.kind == "name"] for b in code_blocks(writeup.render_text(cw))]
        assert names == [[t.text for t in lex_c(b) if t.kind == "name"] for b in original]


def test_inline_code_is_untouched_outside_author_alternatives_and_hex_case(guidance_text, guidance, random_codeword):
    # The guidance declares no alternatives inside code, so every span must survive as is
    # once a number's hex case is put back.
    original = inline_code(guidance_text)
    assert len(original) > 10
    for seed in range(4):
        cw = _code_slots_as_original(guidance, random_codeword(guidance, seed))
        assert inline_code(guidance.render_text(cw)) == original


def test_identifiers_numbers_and_quotes_never_change(writeup_text, writeup, random_codeword):
    protected = [
        "tim_decode_rows()",
        "CVE-2026-99001",
        "4.7.3",
        "4.2.0",
        "16-bit",
        "32-bit",
        "CRC-32",
        '"required"',
        "2026-01-12",
        "timcodec.dll",
        "HS-2026-0001",
        "CVSS:3.1/AV:N",
    ]
    for seed in range(4):
        copy = writeup.render_text(random_codeword(writeup, seed))
        for token in protected:
            assert copy.count(token) == writeup_text.count(token), token


def test_copies_never_show_author_syntax_or_directives(writeup, random_codeword):
    for seed in range(4):
        copy = writeup.render_text(random_codeword(writeup, seed))
        assert "{{" not in copy and "}}" not in copy
        assert "hs:" not in copy


def test_author_alternatives_render_exactly_one_choice():
    c = ProseCarrier("The viewer opens a file with a width of {{0x4000|0x8000|0xc000}} pixels today.\n")
    [slot] = [s for s in c.slots if s.key.startswith("author")]
    assert slot.alternatives == ("0x4000", "0x8000", "0xc000")
    i = c.slots.index(slot)
    for symbol, alt in enumerate(slot.alternatives):
        cw = [0] * len(c.slots)
        cw[i] = symbol
        copy = c.render_text(cw)
        assert alt in copy and "{{" not in copy and "|" not in copy
        assert c.read(copy).symbols[i] == symbol


def test_author_alternatives_inside_code_are_left_alone():
    md = "Use {{this|that}} wording here.\n\n```\nprint('{{ template }}')\n```\n\nAnd `{{x|y}}` stays.\n"
    c = ProseCarrier(md)
    assert [s.alternatives for s in c.slots] == [("this", "that")]
    copy = c.render_text([1])
    assert "print('{{ template }}')" in copy and "`{{x|y}}`" in copy


@pytest.mark.parametrize(
    "bad, message",
    [
        ("Pick {{only one}} here.\n", "at least two"),
        ("Pick {{a|a}} here.\n", "repeat"),
        ("Pick {{a|b here.\n\nNext paragraph }}.\n", "not closed"),
        ("Pick {{a|{{b|c}}}} here.\n", "nested"),
    ],
)
def test_malformed_author_alternatives_are_rejected_with_their_line(bad, message):
    with pytest.raises(CarrierError, match=message) as info:
        ProseCarrier(bad)
    assert "line 1" in str(info.value)


def test_unknown_directive_is_rejected():
    with pytest.raises(CarrierError, match="unknown directive hs:shufle"):
        ProseCarrier("Some text that is long enough, e.g. this.\n\n<!-- hs:shufle -->\n- a\n- b\n")


SHUFFLED = """Intro paragraph that does not matter much for the list below.

<!-- hs:shuffle -->
- Remove the file association for the viewer
- Stop the thumbnailer service on every host
- Block attachments at the mail gateway

Closing paragraph after the list.
"""


def test_shuffle_list_alternatives_are_rotations_of_the_items():
    c = ProseCarrier(SHUFFLED)
    [i] = [k for k, s in enumerate(c.slots) if s.key.startswith("list-order")]
    items = [
        "- Remove the file association for the viewer\n",
        "- Stop the thumbnailer service on every host\n",
        "- Block attachments at the mail gateway\n",
    ]
    assert c.slots[i].alternatives == tuple("".join(items[r:] + items[:r]) for r in range(3))
    for symbol in range(3):
        cw = [0] * len(c.slots)
        cw[i] = symbol
        copy = c.render_text(cw)
        assert "hs:shuffle" not in copy
        assert sorted(line for line in copy.splitlines() if line.startswith("- ")) == sorted(
            x.strip() for x in items
        )
        assert c.read(copy).symbols[i] == symbol
        html = markdown.markdown(copy)
        assert c.read(html).symbols[i] == symbol


def test_ordered_shuffle_lists_keep_their_numbers_in_place():
    md = (
        "Steps that can run in any order:\n\n<!-- hs:shuffle -->\n1. check the width field first\n"
        "2. check the height field next\n3. check the chunk kind last\n"
    )
    c = ProseCarrier(md)
    cw = [1 if s.key.startswith("list-order") else 0 for s in c.slots]
    copy = c.render_text(cw)
    assert [line[:3] for line in copy.splitlines()[-3:]] == ["1. ", "2. ", "3. "]
    assert copy.splitlines()[-3] == "1. check the height field next"


def test_a_shuffled_list_mixed_line_by_line_from_two_copies_never_reads_as_a_third_order():
    c = ProseCarrier(SHUFFLED.replace("- Block", "- Warn users about unexpected files\n- Block"))
    [i] = [k for k, s in enumerate(c.slots) if s.key.startswith("list-order")]
    copies = {}
    for symbol in range(c.slots[i].q):
        cw = [0] * len(c.slots)
        cw[i] = symbol
        copies[symbol] = c.render_text(cw).splitlines(keepends=True)
    for a, lines_a in copies.items():
        for b, lines_b in copies.items():
            for mask in range(16):
                mixed = "".join(
                    lines_a[k] if not (mask >> (k % 4)) & 1 else lines_b[k] for k in range(len(lines_a))
                )
                assert c.read(mixed).symbols[i] in (a, b, -1)


def test_a_shuffled_list_that_moved_away_from_its_neighbours_is_erased_not_misread():
    c = ProseCarrier(SHUFFLED)
    [i] = [k for k, s in enumerate(c.slots) if s.key.startswith("list-order")]
    for symbol in range(c.slots[i].q):
        cw = [0] * len(c.slots)
        cw[i] = symbol
        paragraphs = c.render_text(cw).split("\n\n")
        moved = "\n\n".join([paragraphs[1], paragraphs[0], paragraphs[2]])
        assert c.read(moved).symbols[i] == -1


def test_loose_shuffled_lists_are_refused():
    with pytest.raises(CarrierError, match="must be tight"):
        ProseCarrier(
            "Intro text that is long enough, e.g. here.\n\n<!-- hs:shuffle -->\n- one item\n\n- two item\n"
        )


def test_a_directive_must_stand_alone_but_may_be_quoted_as_code():
    with pytest.raises(CarrierError, match="stand alone"):
        ProseCarrier("Some text that does not matter, e.g. here. <!-- hs:off --> more text.\n")
    quoted = ProseCarrier(
        "Write `<!-- hs:shuffle -->` before a list, e.g. this one.\n\n```\n<!-- hs:off -->\n```\n"
    )
    copy = quoted.render_text([0] * len(quoted.slots))
    assert "`<!-- hs:shuffle -->`" in copy and "```\n<!-- hs:off -->\n```" in copy


def test_every_copy_has_the_same_lines_as_the_original(writeup_text, writeup, random_codeword):
    # Alternatives keep line breaks, so coalitions mixing copies line by line mix like with like.
    lines = len(writeup.render_text([0] * len(writeup.slots)).splitlines())
    for seed in range(5):
        assert len(writeup.render_text(random_codeword(writeup, seed)).splitlines()) == lines


def test_shuffle_directive_needs_a_list():
    with pytest.raises(CarrierError, match="must be followed by a list"):
        ProseCarrier(
            "Text that is long enough here, e.g. this.\n\n<!-- hs:shuffle -->\n\nJust a paragraph.\n"
        )


def test_shuffled_items_must_differ():
    with pytest.raises(CarrierError, match="must all differ"):
        ProseCarrier("<!-- hs:shuffle -->\n- same item\n- same item\n")


def test_hs_off_keeps_a_region_free_of_automatic_slots():
    body = "We do not analyze the behavior of the decoder, e.g. its color handling.\n"
    marked = ProseCarrier(body + "\n" + body.replace("decoder", "encoder"))
    quiet = ProseCarrier(
        body + "\n<!-- hs:off -->\n" + body.replace("decoder", "encoder") + "<!-- hs:on -->\n"
    )
    assert len(quiet.slots) < len(marked.slots)
    assert "hs:" not in quiet.render_text([0] * len(quiet.slots))


def test_an_original_without_slots_is_refused():
    with pytest.raises(NoSlotsError, match="unmarked"):
        ProseCarrier("# Title\n\n```\nint main(void) { return 0; }\n```\n\n`just_code()`\n")


def test_an_empty_original_is_refused():
    with pytest.raises(NoSlotsError):
        ProseCarrier("")


def test_an_original_must_be_text():
    with pytest.raises(CarrierError, match="must be text"):
        ProseCarrier(b"bytes are not an original")  # type: ignore[arg-type]


def test_undecodable_leak_bytes_are_refused(writeup):
    with pytest.raises(UnreadableLeakError):
        writeup.read(bytes(range(256)) * 8)


def test_binary_garbage_is_refused(writeup):
    with pytest.raises(UnreadableLeakError):
        writeup.read(b"\x00\x01\x02\x03" * 1000)


def test_a_leak_must_be_bytes_or_text(writeup):
    with pytest.raises(UnreadableLeakError):
        writeup.read(12345)  # type: ignore[arg-type]


def test_leaks_in_other_encodings_are_read(writeup, random_codeword):
    cw = random_codeword(writeup, 7)
    text = writeup.render_text(cw)
    for data in (
        text.encode("utf-16"),
        text.encode("utf-8-sig"),
        text.replace("\u202f", " ").encode("cp1252"),
    ):
        reading = writeup.read(data)
        assert (reading.symbols[reading.symbols != -1] == np.asarray(cw)[reading.symbols != -1]).all()
        assert reading.read >= 0.95 * len(cw)


def test_a_leak_saved_as_a_web_page_is_read(writeup, random_codeword):
    cw = random_codeword(writeup, 8)
    page = (
        "<!DOCTYPE html><html><head><title>forum</title><style>p{}</style></head><body>"
        "<div class='post'>"
        + markdown.markdown(writeup.render_text(cw), extensions=["extra"])
        + "</div><script>var x = 1;</script></body></html>"
    )
    assert np.array_equal(writeup.read(page.encode("utf-8")).symbols, cw)


def test_unrelated_text_reads_as_erasures(writeup):
    reading = writeup.read("This forum post is about something else entirely, e.g. cooking recipes.\n" * 50)
    assert reading.read == 0
    assert (reading.confidence == 0).all()


def test_a_copy_quoted_inside_a_forum_thread_is_still_read(writeup, random_codeword, wrong_and_read):
    cw = random_codeword(writeup, 9)
    copy = writeup.render_text(cw)
    paragraphs = copy.split("\n\n")
    thread = (
        "Anyone seen this? Looks like the decoder does not check the width.\n\n"
        + "\n\n".join(paragraphs[5:15])
        + "\n\nThanks, I'll have a look. It is not clear that this works.\n"
    )
    wrong, read = wrong_and_read(writeup, thread, cw)
    assert wrong == 0
    assert read >= 20


def test_slot_kinds_cover_the_choices_the_design_names(writeup):
    kinds = {re.split(r"[@:]", s.key)[0] for s in writeup.slots}
    assert {
        "spelling",
        "hyphenation",
        "contraction",
        "serial-comma",
        "abbreviation",
        "connective",
        "hex-case",
        "digit-grouping",
        "author",
        "list-order",
    } <= kinds


def test_a_dump_repeating_one_copy_reads_that_copy(writeup, random_codeword):
    cw = random_codeword(writeup, 13)
    dump = "\n\n".join([writeup.render_text(cw)] * 20)
    assert np.array_equal(writeup.read(dump).symbols, cw)


def test_a_dump_of_two_different_copies_erases_where_they_differ(writeup, random_codeword):
    a, b = random_codeword(writeup, 14), random_codeword(writeup, 15)
    reading = writeup.read(writeup.render_text(a) + "\n\n" + writeup.render_text(b))
    same = np.asarray(a) == np.asarray(b)
    assert (reading.symbols[same] == np.asarray(a)[same]).all()
    assert (reading.symbols[~same] == -1).all()


def test_a_carrier_loaded_in_a_new_process_renders_and_reads_without_importing_the_finders(tmp_path):
    import pickle
    import subprocess
    import sys

    from headstart.carriers.prose import ProseCarrier
    from headstart.samples import SAMPLE_DIR

    carrier = ProseCarrier((SAMPLE_DIR / "writeup.md").read_text())
    codeword = [1] * len(carrier.slots)
    (tmp_path / "carrier.pickle").write_bytes(pickle.dumps(carrier))
    (tmp_path / "expected.pickle").write_bytes(pickle.dumps(
        (carrier.render(codeword), carrier.read(carrier.render(codeword)).symbols.tolist())))
    script = (
        "import pickle, sys\n"
        "carrier = pickle.loads(open(sys.argv[1], 'rb').read())\n"
        "copy, reading = pickle.loads(open(sys.argv[2], 'rb').read())\n"
        f"print(carrier.render({codeword!r}) == copy, carrier.read(copy).symbols.tolist() == reading)\n"
        "print(sorted(m for m in sys.modules if m.endswith(('.finders', '.synonyms', '.lexicon')) or m == 'lemminflect'))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "carrier.pickle"),
                           str(tmp_path / "expected.pickle")], capture_output=True, text=True, check=False)

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["True True", "[]"]
