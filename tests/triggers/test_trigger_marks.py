"""Slot enumeration: free fields and trigger slack, never what the parser or trigger needs."""

from __future__ import annotations

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
from headstart.triggers.marks import AVOID, WINDOW_BITS, byte_pair, window


def test_example_slots_are_width_slack_created_bits_and_comment_characters(example_spec, example_data):
    slots = mark_slots(example_spec, example_data)
    paths = {s.path for s in slots}
    assert paths == {"width", "created", "comment"}
    width = [s for s in slots if s.path == "width"]
    assert len(width) == WINDOW_BITS and all(s.base > 0x7FFF for s in width)
    comment = [s for s in slots if s.path == "comment"]
    # "hello world 1234": the spaces are kept, every other character is a slot
    assert [s.index for s in comment] == [i for i in range(16) if i not in (5, 11)]


def test_fields_the_parser_reads_carry_no_slot(example_spec, example_data):
    paths = {s.path for s in mark_slots(example_spec, example_data)}
    assert not paths & {"height", "chunks[0].length", "chunks[0].kind", "chunks[0].crc", "magic"}


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
    level = [s for s in slots.values() if s.path == "level"]
    base, bits = level[0].base, level[0].bits
    assert 100 <= base and base + (1 << bits) - 1 < 300  # the window avoids the excluded 300
    assert 200 in range(base, base + (1 << bits))


def test_window_stays_inside_the_range_around_the_original():
    assert window(1_700_000_000, 1_500_000_000, 1_800_000_000) == (1_700_000_000 - 1_700_000_000 % 65536, 16)
    assert window(5, 3, 10) == (3, 3)
    assert window(9, 3, 12) == (5, 3)  # the aligned window 8..15 would pass 12: it slides down
    assert window(7, 7, 7) is None
    base, bits = window(2**32 - 2, 0x4000, 2**32 - 1)
    assert base + (1 << bits) - 1 <= 2**32 - 1


def test_byte_pairs_avoid_scrub_values():
    for b in range(256):
        pair = byte_pair(b)
        assert pair is not None and not set(pair) & AVOID
    assert byte_pair(ord("e"), frozenset(range(0x20, 0x7F))) == (ord("E"), ord("e"))
    assert byte_pair(ord(" "), frozenset(range(0x20, 0x7F))) is None


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
