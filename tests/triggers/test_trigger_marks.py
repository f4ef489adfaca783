"""Slot enumeration: free fields and trigger slack, never what the parser or trigger needs."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from headstart.triggers import (
    SlotWriter,
    TriggerNotMetError,
    build,
    check,
    load_spec,
    mark_slots,
    parse,
    read_slots,
)
from headstart.triggers.marks import AVOID, alphabet, byte_pair, window
from headstart.triggers.spec import CHARSETS


def bits_of(slots, path: str) -> list:
    return [s for s in slots if s.path == path and s.kind == "bit"]


def test_example_slots_are_width_and_height_slack_created_bits_and_comment_characters(example_spec, example_data):
    slots = mark_slots(example_spec, example_data)
    assert {s.path for s in slots} == {"width", "height", "created", "comment"}
    width = bits_of(slots, "width")
    # above 0x7fff, and below the sign bit the original leaves clear: 0x40000000..0x7fffffff
    assert len(width) == 30 and width[0].base == 0x4000_0000
    assert width[0].base + 2**30 - 1 == 0x7FFF_FFFF
    created = bits_of(slots, "created")
    assert len(created) == 28 and 1_500_000_000 <= created[0].base <= 1_800_000_000 - 2**28 + 1
    # chunks[0].length (40) >= height * 2: height may be anything from 0 to 20, a window of 16
    height = bits_of(slots, "height")
    assert len(height) == 4 and height[0].base == 0
    comment = [s for s in slots if s.path == "comment"]
    # every character, blanks included, may become any printable character but a scrub value
    assert [s.index for s in comment] == list(range(16))
    assert all(s.values == alphabet(CHARSETS["printable"]) and s.q == 86 for s in comment)


def test_fields_the_parser_reads_carry_no_slot(example_spec, example_data):
    paths = {s.path for s in mark_slots(example_spec, example_data)}
    assert not paths & {"chunks[0].length", "chunks[0].kind", "chunks[0].crc", "magic"}


def test_slot_discovery_is_deterministic(example_spec, example_data):
    assert mark_slots(example_spec, example_data) == mark_slots(example_spec, example_data)


def test_a_file_that_misses_its_trigger_has_no_slots(example_spec, make_example):
    with pytest.raises(TriggerNotMetError):
        mark_slots(example_spec, make_example(width=0x10))


SLACK = """\
meta: {id: k, endian: le}
seq:
  - {id: kind, type: u1}
  - {id: level, type: u2}
  - {id: mode, type: u1}
  - {id: exact, type: u1}
  - {id: n, type: u1}
  - {id: body, size: n}
x-headstart:
  trigger:
    - {field: kind, op: in, value: [1, 2, 5]}
    - {field: kind, op: "!=", value: 5}
    - {field: level, op: ">=", value: 100}
    - {field: level, op: "<", value: 0x200}
    - {field: level, op: not-in, value: [300]}
    - {field: mode, op: in, value: [3]}
    - {field: exact, op: "==", value: 7}
    - {field: n, op: ">", value: 2}
"""


def test_slack_inside_trigger_conditions():
    spec = load_spec(SLACK)
    data = bytes([2]) + (200).to_bytes(2, "little") + bytes([3, 7, 4]) + b"abcd"
    slots = {s.key: s for s in mark_slots(spec, data)}
    assert slots["kind"].kind == "choice" and slots["kind"].values == (1, 2)  # 5 is excluded by !=
    assert "mode" not in slots  # a one-value list leaves no choice
    assert "exact" not in slots and "n" not in slots  # == and a size field are fixed
    level = bits_of(slots.values(), "level")
    base, bits = level[0].base, level[0].bits
    # 100..299 and 301..511 both hold a window of 128: the one holding the original wins
    assert (base, bits) == (128, 7)


def test_an_excluded_value_does_not_shrink_the_window_to_the_original_side():
    spec = load_spec("meta: {id: x, endian: le}\nseq:\n  - {id: v, type: u2}\n"
                     "x-headstart:\n  trigger:\n    - {field: v, op: '!=', value: 10}\n")
    slots = mark_slots(spec, (3).to_bytes(2, "little"))
    # 11..0x7fff (the sign bit stays clear, as in the original), not 0..9 around the original
    assert len(slots) == 14 and slots[0].base == 0x4000


def test_a_copy_leaves_clear_the_sign_bit_the_original_leaves_clear():
    spec = load_spec("meta: {id: x, endian: le}\nseq:\n  - {id: v, type: u4}\n"
                     "x-headstart:\n  trigger:\n    - {field: v, op: '>', value: 0x100}\n")
    below = mark_slots(spec, (0x200).to_bytes(4, "little"))
    assert below[0].base + 2 ** len(below) - 1 == 0x7FFF_FFFF  # a signed reader sees the same positive value
    above = mark_slots(spec, (0x8000_0001).to_bytes(4, "little"))
    assert above[0].base + 2 ** len(above) - 1 == 0xFFFF_FFFF  # the author's PoC sets it: the whole type


def test_a_window_is_the_widest_aligned_run_inside_the_range():
    assert window(1_500_000_000, 1_800_000_000) == (0x5A00_0000, 28)
    assert window(0x4000, 2**32 - 1) == (0x8000_0000, 31)
    assert window(5, 10) == (6, 2)  # six values hold four; of the bases 5, 6, 7 that fit, 6 is the most aligned
    assert window(3, 10) == (3, 3)
    assert window(9, 12) == (9, 2)
    assert window(-40, 40) == (-32, 6)
    assert window(7, 7) is None
    for lo, hi in [(1, 1024), (0x4000, 0xFFFF_FFFF), (-3, 2**40)]:
        base, bits = window(lo, hi)
        assert lo <= base and base + 2**bits - 1 <= hi and 2 ** (bits + 1) > hi - lo + 1


def test_byte_pairs_avoid_scrub_values():
    for b in range(256):
        pair = byte_pair(b)
        assert pair is not None and not set(pair) & AVOID and pair[1] == pair[0] + 1
    assert byte_pair(0x00) == (0x02, 0x03)


def test_a_charset_slot_offers_every_character_of_its_charset_but_scrub_values():
    printable = alphabet(CHARSETS["printable"])
    assert len(printable) == 86 and not set(printable) & AVOID
    assert set(printable) | set(b" #*.0?AXx") == set(range(0x20, 0x7F))
    assert alphabet(CHARSETS["digits"]) == tuple(b"123456789")


def test_free_values_and_raw_bytes():
    spec = load_spec("""
meta: {id: f, endian: le}
seq:
  - {id: a, type: u1}
  - {id: pad, size: 4}
x-headstart:
  free:
    - {field: a, values: [9, 3, 5]}
    - {field: pad}
""")
    data = bytes([3, 0, 0x41, 0x42, 0xFF])
    slots = mark_slots(spec, data)
    assert [s.key for s in slots] == ["a", "pad[0]", "pad[1]", "pad[2]", "pad[3]"]
    assert slots[0].values == (9, 3, 5)
    assert slots[1].values == (2, 3)  # 0x00 is a scrub value: choose 0x02 / 0x03 instead


def test_writer_and_reader_round_trip(example_spec, example_data):
    slots = mark_slots(example_spec, example_data)
    writer = SlotWriter(example_spec, example_data, slots)
    rng = np.random.default_rng(7)
    for _ in range(20):
        cw = rng.integers(0, [s.q for s in slots])
        copy = writer.write(cw)
        assert writer.verify(copy) == []
        check(example_spec, copy)
        symbols, confidence, _ = read_slots(example_spec, slots, copy)
        assert (symbols == cw).all() and (confidence == 1).all()


def test_writer_verify_reports_a_broken_copy(example_spec, example_data):
    slots = mark_slots(example_spec, example_data)
    writer = SlotWriter(example_spec, example_data, slots)
    copy = bytearray(writer.write([0] * len(slots)))
    copy[4:8] = (0x10).to_bytes(4, "little")
    assert any("width" in p for p in writer.verify(bytes(copy)))


def test_reading_a_truncated_file_erases_only_what_is_missing():
    spec = load_spec("meta: {id: t}\nseq:\n  - {id: a, type: u1}\n  - {id: pad, size: 8}\n"
                     "x-headstart:\n  free:\n    - {field: pad}\n")
    data = build(spec, {"a": 1, "pad": b"bcdefghi"})
    slots = mark_slots(spec, data)
    symbols, _, parsed = read_slots(spec, slots, data[:5])
    assert not parsed.complete
    assert (symbols[:4] >= 0).all() and (symbols[4:] == -1).all()
    assert parse(spec, data).complete


def test_a_field_filled_with_one_value_reads_as_erasures(example_spec, example_data):
    slots = mark_slots(example_spec, example_data)
    copy = bytearray(SlotWriter(example_spec, example_data, slots).write([1] * len(slots)))
    copy[16:32] = b"U" * 16  # a comment overwritten by hand with a letter copies may use
    symbols, _, _ = read_slots(example_spec, slots, bytes(copy))
    comment = [i for i, s in enumerate(slots) if s.path == "comment"]
    assert (symbols[comment] == -1).all() and (np.delete(symbols, comment) == 1).all()


LINKED = """\
meta: {{id: linked, endian: le}}
seq:
{fields}
x-headstart:
  trigger:
    - {{field: b, op: "<=", value: 40}}
    - {{field: a, op: ">", value: "b + 10"}}
    - {{field: c, op: ">=", value: "b * 3 - a / 4"}}
"""


@pytest.mark.parametrize("order", [("a", "b", "c"), ("b", "c", "a"), ("c", "a", "b")])
def test_fields_compared_with_each_other_keep_every_condition_for_every_codeword(order):
    spec = load_spec(LINKED.format(fields="\n".join(f"  - {{id: {n}, type: u1}}" for n in order)))
    values = {"a": 100, "b": 20, "c": 60}
    data = bytes(values[n] for n in order)
    slots = mark_slots(spec, data)
    assert {s.path for s in slots} == {"a", "b", "c"}
    writer = SlotWriter(spec, data, slots)
    # every combination of each field's extremes, and random codewords in between
    per_field = {p: [i for i, s in enumerate(slots) if s.path == p] for p in "abc"}
    for lows in itertools.product((0, 1), repeat=3):
        cw = np.zeros(len(slots), dtype=np.int64)
        for p, low in zip("abc", lows, strict=True):
            cw[per_field[p]] = 0 if low else 1
        assert writer.verify(writer.write(cw)) == []
    rng = np.random.default_rng(1)
    for _ in range(200):
        assert writer.verify(writer.write(rng.integers(0, 2, len(slots)))) == []


def test_a_value_that_cannot_be_bounded_keeps_its_fields_fixed():
    spec = load_spec("meta: {id: u, endian: le}\nseq:\n  - {id: a, type: u1}\n  - {id: b, type: u1}\n"
                     "x-headstart:\n  trigger:\n    - {field: a, op: '>', value: 'b & 7'}\n")
    slots = mark_slots(spec, bytes([200, 3]))
    assert {s.path for s in slots} == {"a"}  # b only feeds an & (not bounded): it stays 3
    assert all(s.base > 7 for s in slots)


NESTED = """\
meta: {id: nest, endian: be}
seq:
  - {id: magic, contents: [0xca, 0xfe]}
  - {id: boxes, type: box, repeat: expr, repeat-expr: 2}
  - {id: words, type: u1, repeat: until, repeat-until: "_ == 0"}
types:
  box:
    seq:
      - {id: kind, type: u1}
      - {id: level, type: s2}
      - {id: note, type: str, size: 3, encoding: ASCII}
      - {id: sum, type: u2le}
x-headstart:
  trigger:
    - {field: "boxes[*].kind", op: in, value: [4, 6, 9]}
    - {field: "boxes[0].level", op: "<", value: -100}
  free:
    - {field: "boxes[*].note", charset: alpha}
    - {field: "boxes[1].level", min: -40, max: 40}
  checksums:
    - {field: "boxes[*].sum", algorithm: sum16, over: [kind, level, note]}
"""


def test_nested_signed_big_endian_slots_round_trip():
    spec = load_spec(NESTED)
    data = build(spec, {"boxes": [{"kind": 4, "level": -300, "note": "abc"},
                                  {"kind": 9, "level": 7, "note": "xyz"}], "words": [5, 0]})
    slots = mark_slots(spec, data)
    kinds = {s.kind for s in slots}
    assert kinds == {"choice", "bit", "byte"}
    assert {s.path for s in slots} == {"boxes[0].kind", "boxes[0].level", "boxes[0].note", "boxes[1].kind",
                                       "boxes[1].level", "boxes[1].note"}
    assert len(bits_of(slots, "boxes[1].level")) == 6 and bits_of(slots, "boxes[1].level")[0].base == -32
    writer = SlotWriter(spec, data, slots)
    rng = np.random.default_rng(3)
    for _ in range(30):
        cw = rng.integers(0, [s.q for s in slots])
        copy = writer.write(cw)
        assert writer.verify(copy) == []
        parsed = check(spec, copy)
        assert parsed["boxes[0].level"].value < -100 and -40 <= parsed["boxes[1].level"].value <= 40
        assert (read_slots(spec, slots, copy)[0] == cw).all()


def test_a_field_that_ends_a_repeat_is_not_free():
    from headstart.triggers import SpecError

    with pytest.raises(SpecError, match="repeat-until of words"):
        load_spec(NESTED.replace("  free:\n", "  free:\n    - {field: 'words[*]'}\n"))
