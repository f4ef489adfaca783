"""Hex or decimal for the sizes, offsets and counts of a write-up's prose.

Exploit write-ups give sizes and offsets in hex ("the header is 0x20 bytes", "skip 0x29
times") and sometimes in decimal ("256 bytes"). Either notation says the same, and a
translator keeps whichever the copy shows, so the choice is read from a translation (see
survivors.py). A number whose hex digit case or zero padding a prose finder already varies
keeps that choice alone.

Only plain quantities are rewritten: a hex number up to 0xFFFF that stands alone between
words (not part of an expression such as ``0xa8=0x2a*4``, a range bound in an identifier
or a larger handle such as 0x10001; not one of a run of hex numbers, which keep one
notation), and a round decimal (a power of two, or one less, or
whole 0x100s) of two or three digits directly before "bytes". Tables are left alone: a
column writes all its numbers in one notation.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from headstart.carriers.literal_forms import c_int_alternatives
from headstart.carriers.prose.finders import Candidate
from headstart.carriers.prose.markdown_scan import Block

KIND = "hex-decimal"
_HEX = re.compile(r"(?<![\w.$#/\\=*+\-<>&|^%])0[xX][0-9A-Fa-f]{1,4}(?![\w\-=*+/<>&|^%]|\.\w)")
_ANY_HEX = re.compile(r"0[xX][0-9A-Fa-f]")
_NEAR = 25  # characters either side in which another hex number makes a run
_BYTES = re.compile(r"(?<![\w.,$#:/\\=*+\-<>&|^%])[1-9]\d{1,2}(?=[ \t]+bytes?\b)")


def number_candidates(text: str, blocks: list[Block], ok: Callable[[int, int], bool]) -> list[Candidate]:
    """Hex/decimal alternatives for numbers in prose where ``ok`` allows an edit."""
    out = []
    for b in blocks:
        if not b.prose or b.kind == "table_row":
            continue  # a table writes each column in one notation
        for m in _HEX.finditer(text, b.start, b.end):
            if _ANY_HEX.search(text[max(b.start, m.start() - _NEAR) : m.start()]) or _ANY_HEX.search(
                text[m.end() : min(b.end, m.end() + _NEAR)]
            ):
                continue  # a run of numbers ("0x4000, 0x8000 and 0xc000") keeps one notation
            value = int(m.group(), 16)
            letters = [c for c in m.group()[2:] if c.isalpha()]
            if letters and len({c.islower() for c in letters}) > 1:
                continue  # mixed case (0xDeAd) may spell a word: left as the author wrote it
            if 16 <= value <= 0xFFFF and ok(m.start(), m.end()):
                out.append(Candidate(m.start(), m.end(), (m.group(), str(value)), KIND))
        for m in _BYTES.finditer(text, b.start, b.end):
            alts = c_int_alternatives(m.group())
            if len(alts) == 2 and ok(m.start(), m.end()):
                out.append(Candidate(m.start(), m.end(), (alts[0], alts[1]), KIND))
    return out


def merge(found: list[Candidate], extra: list[Candidate]) -> list[Candidate]:
    """``found`` with those of ``extra`` that overlap none of its candidates. A number a
    finder already varies (hex case, zero padding) keeps that finder's choice, which a
    translation carries as well."""
    out = list(found)
    for x in extra:
        if not any((x.start < c.end and c.start < x.end) or c.start == c.end == x.start for c in found):
            out.append(x)
    out.sort(key=lambda c: (c.start, c.end))
    return out
