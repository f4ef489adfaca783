"""Checksum algorithms against zlib and published check values, and inside specs."""

from __future__ import annotations

import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headstart.triggers import (
    ALGORITHMS,
    TriggerError,
    adler32,
    build,
    check,
    checksum,
    crc32,
    load_spec,
    sum8,
    sum16,
    sum32,
    xor8,
)


def test_published_check_values():
    assert crc32(b"123456789") == 0xCBF43926  # CRC-32/ISO-HDLC check value
    assert adler32(b"Wikipedia") == 0x11E60398  # the worked example of Adler-32
    assert adler32(b"") == 1 and crc32(b"") == 0
    assert sum8(b"123456789") == 0xDD and sum16(b"123456789") == 0x01DD and sum32(b"123456789") == 477
    assert xor8(b"123456789") == 0x31


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=3000))
def test_algorithms_agree_with_zlib_and_plain_arithmetic(data):
    assert crc32(data) == zlib.crc32(data)
    assert adler32(data) == zlib.adler32(data)
    assert sum8(data) == sum(data) % 256
    assert sum16(data) == sum(data) % 65536
    assert sum32(data) == sum(data) % 2**32
    x = 0
    for b in data:
        x ^= b
    assert xor8(data) == x


def test_checksum_by_name():
    assert set(ALGORITHMS) >= {"crc32", "adler32", "sum8", "sum16", "sum32"}
    assert checksum("crc32", b"abc") == zlib.crc32(b"abc")
    with pytest.raises(TriggerError, match="unknown checksum"):
        checksum("md5", b"abc")


@pytest.mark.parametrize("algorithm,ftype", [
    ("crc32", "u4"), ("adler32", "u4be"), ("sum8", "u1"), ("sum16", "u2"), ("sum32", "u4"), ("xor8", "u2"),
])
def test_each_algorithm_inside_a_spec(algorithm, ftype):
    spec = load_spec(f"""
meta: {{id: c, endian: le}}
seq:
  - {{id: a, type: u2}}
  - {{id: data, size: 5}}
  - {{id: sum, type: {ftype}}}
x-headstart:
  checksums:
    - {{field: sum, algorithm: {algorithm}, over: [a, data]}}
""")
    data = build(spec, {"a": 0x0102, "data": b"hello"})
    expected = ALGORITHMS[algorithm](b"\x02\x01hello")
    parsed = check(spec, data)
    assert parsed["sum"].value == expected


def test_a_checksum_over_other_checksums_is_computed_after_them():
    spec = load_spec("""
meta: {id: n, endian: le}
seq:
  - {id: parts, type: part, repeat: expr, repeat-expr: 2}
  - {id: total, type: u4}
types:
  part:
    seq:
      - {id: body, size: 3}
      - {id: sum, type: u1}
x-headstart:
  checksums:
    - {field: total, algorithm: crc32, over: [parts]}
    - {field: "parts[*].sum", algorithm: sum8, over: [body]}
""")
    data = build(spec, {"parts": [{"body": b"abc"}, {"body": b"xyz"}]})
    parsed = check(spec, data)
    assert parsed["parts[0].sum"].value == sum(b"abc") % 256
    assert parsed["total"].value == zlib.crc32(data[:8])
