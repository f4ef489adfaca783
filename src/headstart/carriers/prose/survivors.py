"""What survives translation and paraphrase: numbers, identifiers, code; read by them.

A German or Chinese translation of a write-up keeps its numbers in their notation,
identifiers (``cl_parent``, ``kmalloc``-1024, ``CAP_NET_ADMIN``), acronyms and code, mostly
in the original order, while every English word is gone. The *survivor stream* of a text
is its token stream with only such tokens left. A slot whose alternatives are survivors
themselves (a number's notation, a literal in a code block) gets a pattern in that stream:
survivor tokens around it, unique in the original and still unique with its outermost
token on either side left out. English context is never part of it, so the slot is read
from a translation; slots whose alternatives are English words have no survivor pattern
and read as erased there, as every doubt does.

Digit grouping is left out on purpose: a translator writes 4,096 as 4.096 or 4 096 by
the target language's convention, which would read as another partner's choice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from headstart.carriers.base import ERASED
from headstart.carriers.prose.anchors import code_run, context, robust, unique
from headstart.carriers.prose.match import TARGET, AltTable, Pattern, Stream
from headstart.carriers.prose.reader import CONF_NARROW, locate
from headstart.carriers.prose.skeleton import Occurrence, SkelBlock

# Slot kinds whose alternatives a translator copies as they are.
SURVIVING_KINDS = frozenset({"hex-case", "hex-padding", "code-literal", "inline-literal", "hex-decimal"})
_GROWTH = ((2, 2), (3, 3), (4, 4), (6, 6))
_MIN_LITERALS = 4
SHINGLE = 3  # survivor tokens per shingle when a leak is located by its survivors


# An integer literal's suffix (``0xffffffff811481f3UL``, ``0xdeadbeefU``): a copy's choice,
# left out where a leak is located by its survivors (all copies are located alike).
_INT_SUFFIX = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(?:u|ul|ull|lu|llu|l|ll)$")


def _shingle_token(folded: str) -> str:
    m = _INT_SUFFIX.match(folded)
    return m.group(1) if m else folded


def _shingles(stream: Stream) -> set[tuple[str, ...]]:
    toks = [_shingle_token(t) for t in stream.folded]
    return {tuple(toks[i : i + SHINGLE]) for i in range(len(toks) - SHINGLE + 1)}


def is_survivor(tok: str) -> bool:
    """A token no translator rewrites: it has a digit or an underscore, or capitals after
    its first letter (camelCase, ASan, acronyms such as ROP or KASLR)."""
    return any(c.isdigit() or c == "_" for c in tok) or (len(tok) > 1 and any(c.isupper() for c in tok[1:]))


def survivor_stream(stream: Stream) -> Stream:
    """The survivors of a leak's token stream, with line and paragraph starts kept (a
    survivor begins a line when any token since the previous survivor did)."""
    toks: list[str] = []
    lines: list[bool] = []
    paragraphs: list[bool] = []
    line = para = True
    for tok, ls, ps in zip(stream.toks, stream.line_starts, stream.paragraph_starts, strict=True):
        line, para = line or ls, para or ps
        if is_survivor(tok):
            toks.append(tok)
            lines.append(line)
            paragraphs.append(para)
            line = para = False
    return Stream(toks, lines, paragraphs)


def _kept(alt: Sequence[str]) -> tuple[str, ...]:
    return tuple(t for t in alt if is_survivor(t))


@dataclass(frozen=True)
class SurvivorReader:
    """A slot found by survivor tokens. The pattern may reach into neighbouring paragraphs
    (survivors are sparse), so a pattern of the slot's own paragraph, unique in the
    original too, must also match within one paragraph of the leak, with the same symbol:
    a paragraph moved next to the slot's context, holding the same number, cannot stand in
    for the slot's own."""

    pattern: Pattern
    inner: Pattern

    def read(self, stream: Stream, alts: AltTable) -> tuple[int, float]:
        symbol = locate(self.pattern, stream, alts)
        if (
            symbol is None
            or symbol == ERASED
            or locate(self.inner, stream, alts, within_paragraph=True) != symbol
        ):
            return ERASED, 0.0
        return symbol, CONF_NARROW

    def renumbered(self, index: dict[int, int]) -> SurvivorReader:
        def pat(p: Pattern) -> Pattern:
            return Pattern(
                index[p.slot], tuple(index[e] if isinstance(e, int) and e >= 0 else e for e in p.elems)
            )

        return SurvivorReader(pat(self.pattern), pat(self.inner))


class SurvivorIndex:
    """Survivor patterns for a built original, and its survivor shingles.

    ``skel`` are the original's skeleton blocks once built (every occurrence id left in
    them is live); ``alt_toks`` the tokens of every occurrence's alternatives; ``kinds``
    the kind of each group (slot under construction)."""

    def __init__(
        self,
        skel: Sequence[SkelBlock],
        occ: Sequence[Occurrence],
        alt_toks: dict[int, list[list[str]]],
        group_alts: Sequence[Sequence[tuple[str, ...]]],
        kinds: Sequence[str],
    ) -> None:
        self.alts = AltTable([[_kept(a) for a in alts] for alts in group_alts])
        elems: list[str | int] = []
        block_of: list[int] = []  # the paragraph or code piece each element comes from
        line_of: list[int] = []  # the skeleton block (a code line, a prose block)
        piece = [code_run(skel, k).start for k in range(len(skel))]  # a code block's lines, as one
        for k, b in enumerate(skel):
            for e in b.elems:
                if is_survivor(e) if isinstance(e, str) else any(_kept(a) for a in alt_toks[e]):
                    elems.append(e)
                    block_of.append(piece[k])
                    line_of.append(k)
        self.elems = elems
        self._block_of = block_of
        qmax = max((len(a) for a in group_alts), default=1)
        self.streams = [
            Stream(
                [
                    t
                    for e in elems
                    for t in (
                        (e,) if isinstance(e, str) else _kept(alt_toks[e][min(j, len(alt_toks[e]) - 1)])
                    )
                ]
            )
            for j in range(qmax)
        ]
        # Where each stream's lines begin: a line excerpt may delete any of them.
        self.bounds: list[frozenset[int]] = []
        for stream_j, j in zip(self.streams, range(qmax), strict=True):
            starts: set[int] = set()
            pos = 0
            for i, e in enumerate(elems):
                if i == 0 or line_of[i] != line_of[i - 1]:
                    starts.add(pos)
                pos += 1 if isinstance(e, str) else len(_kept(alt_toks[e][min(j, len(alt_toks[e]) - 1)]))
            assert pos == len(stream_j)
            self.bounds.append(frozenset(starts))
        self._occ = list(occ)
        self._kinds = kinds
        self.shingles = set().union(*(_shingles(s) for s in self.streams))

    def reader(self, oid: int) -> SurvivorReader | None:
        """A pattern in survivor tokens for one occurrence, or None when its slot is not
        one a translator keeps or no context makes it unique."""
        o = self._occ[oid]
        g = o.group
        if self._kinds[g] not in SURVIVING_KINDS or oid not in self.elems:
            return None
        folded = self.alts.folded[g]
        if not all(folded) or len(set(self.alts.exact[g])) != len(self.alts.exact[g]):
            return None
        p = self.elems.index(oid)
        q = len(o.alternatives)
        # The survivors of the slot's own paragraph (or code piece) next to it.
        lo = hi = p
        while lo > 0 and self._block_of[lo - 1] == self._block_of[p]:
            lo -= 1
        while hi + 1 < len(self.elems) and self._block_of[hi + 1] == self._block_of[p]:
            hi += 1
        own = self.elems[lo : hi + 1]
        for nl, nr in _GROWTH:
            left, right = context(self.elems, p, nl, nr, self._occ)
            pat = Pattern(g, (*left, TARGET, *right))
            if pat.literals < _MIN_LITERALS:
                continue
            if unique(pat, self.streams, self.alts, q, self.bounds) and robust(
                pat, self.streams, self.alts, q, self.bounds
            ):
                inner = self._inner(own, p - lo, g, q)
                return None if inner is None else SurvivorReader(pat, inner)
        return None

    def _inner(self, own: list[str | int], p: int, g: int, q: int) -> Pattern | None:
        """The slot with survivors of its own paragraph only, unique in the original; None
        when its paragraph has none that make it so (then a paragraph holding the same
        number, moved next to the slot's context, could stand in for it)."""
        for nl, nr in _GROWTH:
            left, right = context(own, p, nl, nr, self._occ)
            inner = Pattern(g, (*left, TARGET, *right))
            if inner.literals and unique(inner, self.streams, self.alts, q):
                return inner
        return None

    def containment(self, leak: Stream) -> tuple[int, float]:
        """(shared survivor shingles, their share of the leak's): how much of a leak, in
        whatever language, is this original's numbers, identifiers and code in order."""
        mine = _shingles(survivor_stream(leak))
        if not mine:
            return 0, 0.0
        shared = len(mine & self.shingles)
        return shared, shared / len(mine)
