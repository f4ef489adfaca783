"""What the Python and C source carriers share: the parse error, the template built from
slot occurrences, comment renaming, and reading a leak by aligning token streams.

Reading works on tokens, not on a parse: a leak may be an excerpt cut mid-function, code
pasted into a forum post, or a file run through a formatter. Both carriers lex the leak
with a tolerant lexer, turn every token into a *key* that formatters do not change
(identifiers, operators, literal values; never spacing, quote style or hex case), align
the key stream against the original's with difflib, and read every slot at the leak
positions aligned with its occurrences. A slot's occurrences vote; a tie or no vote is an
erasure.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from headstart.carriers._lexers import Token
from headstart.carriers.base import (
    ERASED,
    Carrier,
    CarrierError,
    Reading,
    RenderError,
    Slot,
    Template,
    check_codeword,
)

NAME_KEY = "N*"
# The most spellings a slot offers, its original included.
MAX_ALTERNATIVES = 4
# A slot is read only where at least this many consecutive tokens agree with the
# original around it: a lone "0x3fff" in prose, or a lone name, is no evidence.
MIN_RUN = 2


class TemplateSourceCarrier(Carrier):
    """What the Python and C carriers share: slots, a template, and a check on every copy."""

    _slots: list[Slot]
    _template: Template

    @property
    def slots(self) -> list[Slot]:
        return list(self._slots)

    @property
    def template(self) -> Template:
        return self._template

    def render(self, codeword: Sequence[int]) -> bytes:
        check_codeword(codeword, self._slots)
        copy = self._template.render(codeword)
        self._check_copy(copy, codeword)
        return copy.encode("utf-8")

    def _check_copy(self, copy: str, codeword: Sequence[int]) -> None:
        """Raise RenderError unless the copy is as good as the original."""
        raise RenderError(f"{type(self).__name__} does not check its copies")


class SourceParseError(CarrierError):
    """The original source does not parse, so no slot can be proven safe."""


@dataclass(frozen=True)
class Occurrence:
    """Characters [start, end) of the original are replaced by slot ``slot``'s choice."""

    start: int
    end: int
    slot: int


def build_template(source: str, occurrences: Sequence[Occurrence], slots: Sequence[Slot]) -> Template:
    parts: list[str | int] = []
    pos = 0
    for occ in sorted(occurrences, key=lambda o: o.start):
        if occ.start < pos:
            raise AssertionError(f"overlapping slot occurrences at offset {occ.start}")
        if occ.start > pos:
            parts.append(source[pos : occ.start])
        parts.append(occ.slot)
        pos = occ.end
    if pos < len(source):
        parts.append(source[pos:])
    return Template(parts, slots)


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def looks_like_identifier(word: str) -> bool:
    """Words in comments worth renaming with their variable: ``row_buf``, ``crcTable``,
    ``buf2``; plain English words (``stride``, ``length``) are left alone."""
    core = word.strip("_")
    return bool(core) and (
        "_" in core or any(c.isdigit() for c in core) or (core != core.lower() and core != core.upper())
    )


def comment_occurrences(comment: Token, names: dict[str, int]) -> list[Occurrence]:
    """Occurrences of renamable names (``names``: original name -> slot) inside a comment."""
    out = []
    for m in _WORD.finditer(comment.text):
        slot = names.get(m.group())
        if slot is not None:
            out.append(Occurrence(comment.start + m.start(), comment.start + m.end(), slot))
    return out


# A function that says which symbol (alternative index) a leaked token shows for a slot,
# or None when it shows none of them.
Classifier = Callable[[int, Token], "int | None"]


def read_aligned(
    original_keys: Sequence[str],
    sites: dict[int, int],
    leak_tokens: Sequence[Token],
    leak_keys: Sequence[str],
    n_slots: int,
    classify: Classifier,
    original_segments: Sequence[int] | None = None,
    leak_segments: Sequence[int] | None = None,
) -> Reading:
    """Align the leak's keys with the original's and let every aligned occurrence vote.

    ``sites`` maps an index in ``original_keys`` to the slot whose occurrence sits there.
    With segments (one id per key: the definition a token belongs to), alignment is done
    in two steps, so a match cannot run on from one function into the next just because
    every function starts alike (``def N(N: int``): each leak segment is paired with the
    original segment most of its tokens align to, then aligned again within that pair.
    """
    votes: list[Counter[int]] = [Counter() for _ in range(n_slots)]
    if not leak_keys or not sites:
        return tally(votes)
    matcher = difflib.SequenceMatcher(None, original_keys, leak_keys, autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size]
    if original_segments is None or leak_segments is None:
        pairs = [(b.a, b.b, b.size) for b in blocks]
    else:
        pairs = within_segments(blocks, original_keys, leak_keys, original_segments, leak_segments)
    for a, b, size in pairs:
        if size < MIN_RUN:
            continue
        for k in range(size):
            slot = sites.get(a + k)
            if slot is None:
                continue
            symbol = classify(slot, leak_tokens[b + k])
            if symbol is not None:
                votes[slot][symbol] += 1
    return tally(votes)


def within_segments(
    blocks: Sequence[difflib.Match],
    original_keys: Sequence[str],
    leak_keys: Sequence[str],
    original_segments: Sequence[int],
    leak_segments: Sequence[int],
) -> list[tuple[int, int, int]]:
    pairs = segment_pairs(blocks, original_segments, leak_segments)
    return align_pairs(pairs, original_keys, leak_keys, original_segments, leak_segments)


def segment_pairs(
    blocks: Sequence[difflib.Match], original_segments: Sequence[int], leak_segments: Sequence[int]
) -> dict[int, int]:
    """Each leak segment with the original segment most of its aligned tokens fall in."""
    support: dict[int, Counter[int]] = {}
    for block in blocks:
        for k in range(block.size):
            support.setdefault(leak_segments[block.b + k], Counter())[original_segments[block.a + k]] += 1
    return {
        leak_seg: max(counts.items(), key=lambda kv: (kv[1], -kv[0]))[0]
        for leak_seg, counts in support.items()
    }


def align_pairs(
    pairs: dict[int, int],
    original_keys: Sequence[str],
    leak_keys: Sequence[str],
    original_segments: Sequence[int],
    leak_segments: Sequence[int],
) -> list[tuple[int, int, int]]:
    """Matching blocks (original index, leak index, size) of each paired segment."""
    o_span = _spans(original_segments)
    l_span = _spans(leak_segments)
    out: list[tuple[int, int, int]] = []
    for leak_seg, best in pairs.items():
        oa, ob = o_span[best]
        la, lb = l_span[leak_seg]
        local = difflib.SequenceMatcher(None, original_keys[oa:ob], leak_keys[la:lb], autojunk=False)
        out.extend((oa + m.a, la + m.b, m.size) for m in local.get_matching_blocks() if m.size)
    return out


def _spans(segments: Sequence[int]) -> dict[int, tuple[int, int]]:
    """First and one-past-last index of each segment id (segments are contiguous)."""
    spans: dict[int, tuple[int, int]] = {}
    for i, seg in enumerate(segments):
        first, _ = spans.get(seg, (i, i))
        spans[seg] = (first, i + 1)
    return spans


def python_segments(tokens: Sequence[Token]) -> list[int]:
    """A new segment at every ``def`` and ``class``: works without indentation."""
    seg, out = 0, []
    for tok in tokens:
        if tok.kind == "name" and tok.text in ("def", "class"):
            seg += 1
        out.append(seg)
    return out


def c_segments(tokens: Sequence[Token]) -> list[int]:
    """A segment per function definition (from the end of the previous top-level
    declaration to its closing brace) and per stretch of file-scope declarations
    between them. Found from braces alone, so it works on text with lost line breaks."""
    starts = {0}
    depth = 0
    decl_start = 0
    prev = ""
    for i, tok in enumerate(tokens):
        text = tok.text if tok.kind == "op" else ""
        if text == "{":
            if depth == 0 and prev == ")":
                starts.add(decl_start)
            depth += 1
        elif text == "}":
            depth = max(depth - 1, 0)
            if depth == 0:
                starts.add(i + 1)
                decl_start = i + 1
        elif text == ";" and depth == 0:
            decl_start = i + 1
        prev = tok.text
    seg, out = -1, []
    for i in range(len(tokens)):
        if i in starts:
            seg += 1
        out.append(max(seg, 0))
    return out


def tally(votes: Sequence[Counter[int]]) -> Reading:
    """Majority per slot; a tie between the two leading symbols, or no vote, erases."""
    symbols = np.full(len(votes), ERASED, dtype=np.int64)
    confidence = np.zeros(len(votes), dtype=np.float64)
    for i, counter in enumerate(votes):
        if not counter:
            continue
        ranked = counter.most_common(2)
        if len(ranked) == 2 and ranked[0][1] == ranked[1][1]:
            continue
        symbols[i] = ranked[0][0]
        confidence[i] = ranked[0][1] / sum(counter.values())
    return Reading(symbols, confidence)


def check_source_text(source: object, what: str) -> str:
    """The original as text; bytes must be UTF-8."""
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SourceParseError(f"the {what} is not UTF-8 text: {exc}") from exc
    if not isinstance(source, str):
        raise SourceParseError(f"the {what} must be text, not {type(source).__name__}")
    source = source.removeprefix("\ufeff")  # a byte-order mark is not part of the program
    if "\x00" in source:
        raise SourceParseError(f"the {what} contains a NUL character; it is not source code")
    return source
