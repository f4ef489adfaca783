"""Binary files posted as text: hex dumps (xxd, hexdump -C, od -A x -t x1), plain hex,
``\\x`` escapes, and base64. Leaked PoCs often travel this way on forums and pastebins."""

from __future__ import annotations

import base64
import binascii
import re

_OFFSET = re.compile(r"[0-9a-fA-F]{4,16}")
_ESCAPES = re.compile(r"\\x([0-9a-fA-F]{2})")
_PLAIN_HEX = re.compile(r"^(?:0x)?[0-9a-fA-F]{2}(?:[\s,:]*(?:0x)?[0-9a-fA-F]{2})*$", re.IGNORECASE)
_BASE64 = re.compile(r"^[A-Za-z0-9+/=\s_-]+$")


def _assemble(rows: list[tuple[int, bytes] | None]) -> bytes | None:
    """Join (offset, bytes) rows; None stands for a '*' line (rows repeated until the next offset)."""
    out = bytearray()
    last = b""
    squeezed = False
    for row in rows:
        if row is None:
            squeezed = True
            continue
        offset, data = row
        if squeezed and last:
            while len(out) < offset:
                out += last
            del out[offset:]
        squeezed = False
        if offset != len(out):
            return None
        out += data
        last = data
    return bytes(out) if out else None


def _from_xxd(text: str) -> bytes | None:
    rows: list[tuple[int, bytes] | None] = []
    for ln in text.replace("\r", "").split("\n"):
        if not ln.strip():
            continue
        if ln.strip() == "*":
            rows.append(None)
            continue
        head, sep, rest = ln.partition(":")
        if not sep or not _OFFSET.fullmatch(head.strip()):
            return None
        hexpart = rest[1:].split("  ")[0] if rest.startswith(" ") else ""
        groups = hexpart.split()
        if not groups or not all(re.fullmatch(r"(?:[0-9a-fA-F]{2})+", g) for g in groups):
            return None
        rows.append((int(head, 16), bytes.fromhex("".join(groups))))
    return _assemble(rows)


def _from_offset_rows(text: str) -> bytes | None:
    """hexdump -C and od -A x -t x1 rows: an offset, then bytes as two hex digits each."""
    rows: list[tuple[int, bytes] | None] = []
    for ln in text.replace("\r", "").split("\n"):
        if not ln.strip():
            continue
        if ln.strip() == "*":
            rows.append(None)
            continue
        body = re.split(r"[|>]", ln, maxsplit=1)[0]
        parts = body.split()
        if not parts or not _OFFSET.fullmatch(parts[0]):
            return None
        data = parts[1:]
        if not all(re.fullmatch(r"[0-9a-fA-F]{2}", p) for p in data):
            return None
        rows.append((int(parts[0], 16), bytes(int(p, 16) for p in data)))
    return _assemble(rows)


def _from_plain(text: str) -> bytes | None:
    escaped = _ESCAPES.findall(text)
    if escaped and len(escaped) * 4 >= len(re.sub(r"[\s\"'b+()]", "", text)) * 0.9:
        return bytes(int(h, 16) for h in escaped)
    compact = text.strip()
    if not _PLAIN_HEX.match(compact):
        return None
    digits = re.sub(r"0x", "", compact, flags=re.IGNORECASE)
    digits = re.sub(r"[\s,:]", "", digits)
    if len(digits) % 2:
        return None
    return bytes.fromhex(digits)


def _from_base64(text: str) -> bytes | None:
    compact = text.strip()
    if compact.startswith("data:") and "," in compact:
        compact = compact.split(",", 1)[1]
    if not compact or not _BASE64.match(compact):
        return None
    squeezed = re.sub(r"\s", "", compact)
    try:
        if "-" in squeezed or "_" in squeezed:
            return base64.urlsafe_b64decode(squeezed + "=" * (-len(squeezed) % 4))
        return base64.b64decode(squeezed + "=" * (-len(squeezed) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


def candidates(text: str) -> list[bytes]:
    """Every reading of ``text`` as a binary file, most specific format first."""
    found = []
    for reader in (_from_xxd, _from_offset_rows, _from_plain, _from_base64):
        data = reader(text)
        if data:
            found.append(data)
    return found


def bytes_from_text(text: str, magic: bytes = b"") -> bytes | None:
    """The binary file a text dump holds (the first reading that starts with ``magic``)."""
    for data in candidates(text):
        if data.startswith(magic):
            return data
    return None
