"""Parsing bytes against a specification: types, byte order, text, repeats, user types."""

from __future__ import annotations

import struct

import pytest

from headstart.triggers import ParseError, load_spec, parse


def fields(text: str, data: bytes) -> dict:
    return {f.path: (f.offset, f.size, f.value) for f in parse(load_spec(text), data).fields}


def test_endianness_suffixes_override_the_default():
    text = """
meta: {id: e, endian: be}
seq:
  - {id: a, type: u2}
  - {id: b, type: u2le}
  - {id: c, type: u4be}
  - {id: d, type: u8le}
  - {id: e, type: u1}
"""
    data = b"\x12\x34" + b"\x12\x34" + b"\x00\x00\x01\x02" + struct.pack("<Q", 2**40 + 5) + b"\xfe"
    got = fields(text, data)
    assert got["a"] == (0, 2, 0x1234)
    assert got["b"] == (2, 2, 0x3412)
    assert got["c"] == (4, 4, 0x0102)
    assert got["d"] == (8, 8, 2**40 + 5)
    assert got["e"] == (16, 1, 0xFE)


def test_signed_integers():
    text = ("meta: {id: s, endian: le}\nseq:\n  - {id: a, type: s1}\n  - {id: b, type: s2}\n"
            "  - {id: c, type: s4be}\n  - {id: d, type: s8}\n")
    data = struct.pack("<bh", -2, -300) + struct.pack(">i", -70000) + struct.pack("<q", -(2**40))
    got = fields(text, data)
    assert [got[k][2] for k in "abcd"] == [-2, -300, -70000, -(2**40)]


@pytest.mark.parametrize("encoding,raw,expected", [
    ("ASCII", b"abc ", "abc "),
    ("UTF-8", "h\u00e9!".encode("utf-8"), "h\u00e9!"),
    ("UTF-16LE", "hi".encode("utf-16-le"), "hi"),
    ("Shift_JIS", "\u65e5\u672c".encode("shift_jis"), "\u65e5\u672c"),
])
def test_str_encodings(encoding, raw, expected):
    text = f"meta: {{id: s}}\nseq:\n  - {{id: t, type: str, size: {len(raw)}, encoding: {encoding}}}\n"
    assert fields(text, raw)["t"] == (0, len(raw), expected)


def test_meta_encoding_is_the_default_for_str():
    text = "meta: {id: s, encoding: UTF-8}\nseq:\n  - {id: t, type: str, size-eos: true}\n"
    assert fields(text, "\u00fcber".encode())["t"][2] == "\u00fcber"


def test_text_in_the_wrong_encoding_names_the_field_and_offset():
    text = "meta: {id: s}\nseq:\n  - {id: pad, size: 3}\n  - {id: t, type: str, size: 2, encoding: ASCII}\n"
    with pytest.raises(ParseError) as err:
        parse(load_spec(text), b"xyz\xc3\xa9")
    assert err.value.field == "t" and err.value.offset == 3
    assert "not valid ASCII" in str(err.value)


def test_repeat_eos_expr_and_until():
    text = """
meta: {id: r, endian: le}
seq:
  - {id: count, type: u1}
  - {id: pairs, type: u2, repeat: expr, repeat-expr: count}
  - {id: words, type: u1, repeat: until, repeat-until: "_ == 0"}
  - {id: rest, type: u1, repeat: eos}
"""
    data = b"\x02" + b"\x01\x00\x02\x00" + b"\x07\x08\x00" + b"\x09\x0a"
    got = fields(text, data)
    assert got["pairs[0]"] == (1, 2, 1) and got["pairs[1]"] == (3, 2, 2)
    assert [got[f"words[{i}]"][2] for i in range(3)] == [7, 8, 0]
    assert got["rest[0]"] == (8, 1, 9) and got["rest[1]"] == (9, 1, 10)


def test_user_types_nest_and_take_sizes_as_substreams():
    text = """
meta: {id: u, endian: be}
seq:
  - {id: header, type: head}
  - {id: boxes, type: box, repeat: expr, repeat-expr: header.n}
types:
  head:
    seq:
      - {id: n, type: u1}
  box:
    seq:
      - {id: len, type: u1}
      - {id: inner, type: pair, size: len}
  pair:
    seq:
      - {id: a, type: u1}
      - {id: b, type: u1}
"""
    data = b"\x02" + b"\x03\x01\x02\xff" + b"\x02\x03\x04"
    got = fields(text, data)
    assert got["header.n"] == (0, 1, 2)
    assert got["boxes[0].inner.a"] == (2, 1, 1) and got["boxes[0].inner.b"] == (3, 1, 2)
    # the substream was 3 bytes long: the unread 0xff is skipped
    assert got["boxes[1].len"] == (5, 1, 2) and got["boxes[1].inner.b"] == (7, 1, 4)


def test_if_and_parent_and_io():
    text = """
meta: {id: c, endian: le}
seq:
  - {id: flags, type: u1}
  - {id: extra, type: u2, if: "flags & 1"}
  - {id: items, type: item, repeat: eos}
types:
  item:
    seq:
      - {id: v, type: u1}
      - {id: big, type: u2, if: "_parent.flags & 2"}
      - {id: left, size: "_io.size - _io.pos > 3 ? 1 : 0"}
"""
    spec = load_spec(text)
    got = fields(text, b"\x00\x05\x06")
    assert "extra" not in got and got["items[0].v"] == (1, 1, 5)
    got = fields(text, b"\x03\x34\x12\x05\x01\x00")
    assert got["extra"][2] == 0x1234 and got["items[0].big"] == (4, 2, 1)
    assert spec.root.fields[1].if_expr is not None


def test_contents_mismatch_names_field_and_offset(example_spec, example_data):
    with pytest.raises(ParseError) as err:
        parse(example_spec, b"PK\x03\x04" + example_data[4:])
    assert err.value.field == "magic" and err.value.offset == 0
    assert "54 49 4d 31" in str(err.value)


def test_truncated_file_names_the_field_that_runs_out(example_spec, example_data):
    with pytest.raises(ParseError) as err:
        parse(example_spec, example_data[:50])
    assert err.value.field == "chunks[0].body" and err.value.offset == 36
    assert "needs 40 bytes" in str(err.value)


def test_lenient_parse_keeps_what_it_could_read(example_spec, example_data):
    parsed = parse(example_spec, example_data[:50], lenient=True)
    assert not parsed.complete and parsed.error is not None
    body = parsed["chunks[0].body"]
    assert body.truncated and body.size == 14 and body.value == bytes(range(14))


def test_lenient_parse_reads_past_a_bad_later_contents():
    spec = load_spec("meta: {id: m}\nseq:\n  - {id: a, contents: AB}\n  - {id: b, contents: CD}\n"
                     "  - {id: c, type: u1}\n")
    parsed = parse(spec, b"ABXY\x07", lenient=True)
    assert parsed.complete and parsed["c"].value == 7 and parsed.problems


def test_a_repeat_of_empty_elements_is_refused():
    spec = load_spec("meta: {id: z}\nseq:\n  - {id: xs, size: 0, repeat: eos}\n")
    with pytest.raises(ParseError, match="never end"):
        parse(spec, b"\x00")


def test_left_over_bytes_are_reported():
    spec = load_spec("meta: {id: z}\nseq:\n  - {id: a, type: u1}\n")
    with pytest.raises(ParseError, match="left over"):
        parse(spec, b"\x01\x02")


def test_negative_and_oversized_sizes_are_parse_errors():
    spec = load_spec("meta: {id: z}\nseq:\n  - {id: n, type: s1}\n  - {id: b, size: n}\n")
    with pytest.raises(ParseError, match="negative"):
        parse(spec, b"\xff")
    with pytest.raises(ParseError, match="needs 5 bytes"):
        parse(spec, b"\x05ab")


def test_parse_refuses_text():
    spec = load_spec("meta: {id: z}\nseq:\n  - {id: a, type: u1}\n")
    with pytest.raises(ValueError):
        parse(spec, "text")  # type: ignore[arg-type]
