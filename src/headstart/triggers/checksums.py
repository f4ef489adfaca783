"""Checksums a specification may name: crc32, adler32, byte sums, an xor byte, inet16.

crc32 is the ISO-HDLC CRC-32 of zip and PNG (zlib.crc32); adler32 is zlib's; sumN is the
sum of the bytes modulo 2**N; xor8 is every byte xored together; inet16 is the Internet
checksum of IPv4, UDP and TCP headers (RFC 1071). A checksum never covers itself, so for
inet16 the covered fields leave out the checksum's own two bytes, at an even offset of
the covered data (as in an IPv4 header): the sum is then the one taken with them zero.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import numpy as np


def crc32(data: bytes) -> int:
    return zlib.crc32(data) & 0xFFFFFFFF


def adler32(data: bytes) -> int:
    return zlib.adler32(data) & 0xFFFFFFFF


def _byte_sum(data: bytes) -> int:
    if len(data) < 64:
        return sum(data)
    return int(np.frombuffer(data, dtype=np.uint8).sum(dtype=np.uint64))


def sum8(data: bytes) -> int:
    return _byte_sum(data) & 0xFF


def sum16(data: bytes) -> int:
    return _byte_sum(data) & 0xFFFF


def sum32(data: bytes) -> int:
    return _byte_sum(data) & 0xFFFFFFFF


def xor8(data: bytes) -> int:
    if not data:
        return 0
    return int(np.bitwise_xor.reduce(np.frombuffer(data, dtype=np.uint8)))


def inet16(data: bytes) -> int:
    """RFC 1071: the ones' complement of the ones' complement sum of the 16-bit big-endian
    words (an odd last byte padded with a zero)."""
    if len(data) % 2:
        data += b"\0"
    total = int(np.frombuffer(data, dtype=">u2").sum(dtype=np.uint64)) if data else 0
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


ALGORITHMS: dict[str, Callable[[bytes], int]] = {
    "crc32": crc32,
    "adler32": adler32,
    "sum8": sum8,
    "sum16": sum16,
    "sum32": sum32,
    "xor8": xor8,
    "inet16": inet16,
}
WIDTHS = {"crc32": 32, "adler32": 32, "sum8": 8, "sum16": 16, "sum32": 32, "xor8": 8, "inet16": 16}
DESCRIPTIONS = {
    "crc32": "CRC-32 (ISO-HDLC, as in zip and PNG; zlib.crc32)",
    "adler32": "Adler-32 (zlib.adler32)",
    "sum8": "sum of the bytes modulo 256",
    "sum16": "sum of the bytes modulo 65536",
    "sum32": "sum of the bytes modulo 2^32",
    "xor8": "xor of all the bytes",
    "inet16": "Internet checksum (RFC 1071: ones' complement of the ones' complement sum of 16-bit words)",
}


def checksum(algorithm: str, data: bytes) -> int:
    """The named checksum of ``data``; KeyError-free: unknown names raise TriggerError."""
    from .errors import TriggerError

    try:
        return ALGORITHMS[algorithm](bytes(data))
    except KeyError:
        raise TriggerError(f"unknown checksum algorithm {algorithm!r} (known: {', '.join(ALGORITHMS)})") from None
