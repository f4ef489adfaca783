"""The Internet checksum (inet16, RFC 1071) against published values, and inside a spec."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from headstart.triggers import ALGORITHMS, build, check, checksum, load_spec, patch
from headstart.triggers.checksums import inet16

# Wikipedia's IPv4 header example, its checksum (0xb861) zeroed
IPV4_HEADER = bytes.fromhex("450000730000400040110000c0a80001c0a800c7")


def test_published_values():
    assert inet16(IPV4_HEADER) == 0xB861
    assert inet16(bytes.fromhex("0001f203f4f5f6f7")) == 0xFFFF - 0xDDF2  # RFC 1071's worked sum, 0xddf2
    assert inet16(b"") == 0xFFFF and inet16(b"\x01") == 0xFEFF  # an odd byte is padded with a zero
    assert checksum("inet16", IPV4_HEADER) == 0xB861 and "inet16" in ALGORITHMS


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=1500).map(lambda b: b[: len(b) // 2 * 2]))
def test_data_with_its_checksum_appended_sums_to_zero_as_receivers_check(data):
    # a receiver sums the header with the checksum in place and expects all ones (inet16 = 0)
    assert inet16(data + inet16(data).to_bytes(2, "big")) == 0


SPEC = """\
meta: {id: ipv4, endian: be}
seq:
  - {id: version_ihl, contents: [0x45]}
  - {id: tos, type: u1}
  - {id: total_length, type: u2}
  - {id: ident, type: u2}
  - {id: flags_fragment, type: u2}
  - {id: ttl, type: u1}
  - {id: protocol, type: u1}
  - {id: header_checksum, type: u2}
  - {id: src, size: 4}
  - {id: dst, size: 4}
x-headstart:
  free:
    - {field: ident}
  checksums:
    - {field: header_checksum, algorithm: inet16, over: [version_ihl, tos, total_length, ident, flags_fragment, ttl, protocol, src, dst]}
"""


def test_an_ipv4_header_checksum_covers_the_header_less_itself():
    spec = load_spec(SPEC)
    header = build(spec, {"tos": 0, "total_length": 0x73, "ident": 0, "flags_fragment": 0x4000, "ttl": 64,
                          "protocol": 17, "src": bytes([192, 168, 0, 1]), "dst": bytes([192, 168, 0, 199])})
    assert header == IPV4_HEADER[:10] + b"\xb8\x61" + IPV4_HEADER[12:]
    check(spec, header)
    changed = patch(spec, header, {"ident": 0xBEEF})
    check(spec, changed)
    assert inet16(changed) == 0 and changed[10:12] != header[10:12]
