"""A translated or paraphrased leak of one partner's copy, from a fixture written once.

A translator (or a paraphraser) rewrites the prose and keeps, as they stood in the copy
they had, the fenced code blocks, the inline code spans and the numbers. A fixture is such
a text written once from the *original*; ``leak_for_copy`` turns it into what the leak of
one partner's copy would be: each kept element of the fixture that also appears in the
original's span is replaced with the corresponding text of that partner's copy.

Original offsets map to copy offsets through a diff of the original against the copy
(``difflib.SequenceMatcher`` on word, space and punctuation tokens): an equal region maps
exactly, a replaced region maps as a whole, so an element that overlaps a changed place
carries the whole of the copy's change.
"""

from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass

__all__ = ["KeptElement", "OffsetMap", "kept_elements", "leak_for_copy", "line_span"]

_FENCE = re.compile(r"^(?P<fence>```|~~~)[^\n]*\n.*?^(?P=fence)[ \t]*$", re.MULTILINE | re.DOTALL)
_INLINE = re.compile(r"(?<!`)`(?!`)[^`\n]+`(?!`)")
# A number as written: hexadecimal, or digits with an optional fraction; not part of a word.
_NUMBER = re.compile(r"(?<![\w.])(?:0[xX][0-9a-fA-F]+|\d+(?:\.\d+)?)(?![\w])")
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


@dataclass(frozen=True)
class KeptElement:
    kind: str  # code-block, inline-code, number
    text: str
    start: int  # offsets in the text it was found in
    end: int


def _elements(text: str) -> list[KeptElement]:
    """Code blocks, then inline code outside them, then numbers outside both; in order."""
    found: list[KeptElement] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for kind, pattern in (("code-block", _FENCE), ("inline-code", _INLINE), ("number", _NUMBER)):
        for m in pattern.finditer(text):
            if free(m.start(), m.end()):
                found.append(KeptElement(kind, m.group(), m.start(), m.end()))
        taken += [(e.start, e.end) for e in found if e.kind == kind]
    return sorted(found, key=lambda e: e.start)


def kept_elements(fixture: str) -> list[KeptElement]:
    """The elements a translator keeps as they stand, in the order of the fixture."""
    return _elements(fixture)


def line_span(text: str, first_line: int, last_line: int) -> tuple[int, int]:
    """Character offsets of lines ``first_line`` to ``last_line`` (1-based, inclusive)."""
    starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
    if not 1 <= first_line <= last_line <= len(starts):
        raise ValueError(f"lines {first_line}-{last_line} are not within the text's {len(starts)} lines")
    end = starts[last_line] - 1 if last_line < len(starts) else len(text)
    return starts[first_line - 1], end


class OffsetMap:
    """Original offsets to copy offsets, from a token diff of the two texts."""

    def __init__(self, original: str, copy: str) -> None:
        a = [(m.start(), m.end()) for m in _TOKEN.finditer(original)]
        b = [(m.start(), m.end()) for m in _TOKEN.finditer(copy)]
        ta = [original[s:e] for s, e in a]
        tb = [copy[s:e] for s, e in b]
        matcher = difflib.SequenceMatcher(None, ta, tb, autojunk=False)
        self._a, self._b = a, b
        self._len_copy = len(copy)
        # Per original token: (opcode, i1, i2, j1, j2) of the region holding it.
        self._regions: list[tuple[str, int, int, int, int]] = []
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if i2 > i1:
                self._regions += [(tag, i1, i2, j1, j2)] * (i2 - i1)
        self._starts = [s for s, _ in a]

    def _copy_offset(self, j: int, at_end: bool) -> int:
        if not self._b:
            return 0
        if j >= len(self._b):
            return self._len_copy
        return self._b[j][1] if at_end else self._b[j][0]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The copy's span for the original's ``[start, end)``; a changed region the span
        touches is taken whole."""
        if not self._a or end <= start:
            return 0, 0
        first = max(0, bisect.bisect_right(self._starts, start) - 1)
        last = max(first, bisect.bisect_left(self._starts, end) - 1)
        tag, i1, _i2, j1, j2 = self._regions[first]
        new_start = (
            self._copy_offset(j1 + (first - i1), False) if tag == "equal" else self._copy_offset(j1, False)
        )
        tag, i1, _i2, j1, j2 = self._regions[last]
        if tag == "equal":
            new_end = self._copy_offset(j1 + (last - i1), True)
        else:
            new_end = self._copy_offset(j2 - 1, True) if j2 > j1 else self._copy_offset(j1, False)
        return new_start, max(new_start, new_end)


def leak_for_copy(fixture: str, original: str, copy: str, first_line: int, last_line: int) -> str:
    """The fixture as it would read had it been made from ``copy``: each kept element of
    the fixture found in lines ``first_line``-``last_line`` of ``original`` (the same kind
    of element, in order where the fixture kept the order) replaced with the copy's text
    for it. Elements the original's span does not hold stay as the fixture has them."""
    span_start, span_end = line_span(original, first_line, last_line)
    in_span = [
        KeptElement(e.kind, e.text, e.start + span_start, e.end + span_start)
        for e in _elements(original[span_start:span_end])
    ]
    offsets = OffsetMap(original, copy)
    used: set[int] = set()
    cursor = {"code-block": 0, "inline-code": 0, "number": 0}
    out: list[str] = []
    pos = 0
    for element in kept_elements(fixture):
        match = _find(in_span, element, cursor[element.kind], used)
        if match is None:
            continue
        used.add(match)
        cursor[element.kind] = match + 1
        source = in_span[match]
        a, b = offsets.span(source.start, source.end)
        out += [fixture[pos : element.start], copy[a:b]]
        pos = element.end
    out.append(fixture[pos:])
    return "".join(out)


def _find(candidates: list[KeptElement], element: KeptElement, cursor: int, used: set[int]) -> int | None:
    # The next unused one of the same kind and text at or after the cursor, else any unused.
    order = list(range(cursor, len(candidates))) + list(range(cursor))
    for i in order:
        c = candidates[i]
        if i not in used and c.kind == element.kind and c.text == element.text:
            return i
    return None
