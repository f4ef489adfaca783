"""Find a slot's context in a token stream and see which alternative sits inside it.

A pattern is the slot (the *target*) with a few tokens of context on either side.
Context elements are literal tokens (compared case-insensitively) or other slots
(wildcards: any of their alternatives). Matching starts from the rarest literal in
the stream and grows outwards, so it costs little however long the leak is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from headstart.carriers.prose.normalize import fold

TARGET = -1
Elem = str | int  # a folded literal token, a wildcard slot index, or TARGET
_NONE = (-2, -1, -1)  # "matched, and the target is not in this half"
Hit = tuple[int, int, int]  # (alternative, first token, end token) of the target


@dataclass(frozen=True)
class Pattern:
    slot: int
    elems: tuple[Elem, ...]  # contains TARGET exactly once

    @property
    def literals(self) -> int:
        return sum(1 for e in self.elems if isinstance(e, str))


class Stream:
    """A token stream with an index from folded token to positions (and, for a leak,
    which tokens begin a line)."""

    def __init__(
        self,
        toks: Sequence[str],
        line_starts: Sequence[bool] | None = None,
        paragraph_starts: Sequence[bool] | None = None,
    ) -> None:
        self.toks = list(toks)
        self.line_starts = list(line_starts) if line_starts is not None else [False] * len(self.toks)
        self.paragraph_starts = (
            list(paragraph_starts) if paragraph_starts is not None else [False] * len(self.toks)
        )
        self.folded = [fold(t) for t in self.toks]
        self.where: dict[str, list[int]] = defaultdict(list)
        for i, t in enumerate(self.folded):
            self.where[t].append(i)

    def __len__(self) -> int:
        return len(self.toks)


class AltTable:
    """Every slot's alternatives as token tuples, exact and folded."""

    def __init__(self, exact: Sequence[Sequence[tuple[str, ...]]]) -> None:
        self.exact = [list(a) for a in exact]
        self.folded = [[tuple(fold(t) for t in alt) for alt in alts] for alts in self.exact]
        # Alternatives that differ only in case (0x3fff / 0x3FFF) cannot be told apart
        # once case is lost.
        self.fold_distinct = [len(set(f)) == len(f) for f in self.folded]
        # Alternatives by their first and last token: a matcher looks up the few that can
        # fit where it stands instead of trying all of them (a slot may offer 256).
        self.by_first = [self._index(alts, 0) for alts in self.exact]
        self.by_last = [self._index(alts, -1) for alts in self.exact]
        self.by_first_folded = [self._index(alts, 0) for alts in self.folded]
        self.by_last_folded = [self._index(alts, -1) for alts in self.folded]

    @staticmethod
    def _index(alts: Sequence[tuple[str, ...]], end: int) -> dict[str | None, list[int]]:
        index: dict[str | None, list[int]] = defaultdict(list)
        for i, alt in enumerate(alts):
            index[alt[end] if alt else None].append(i)
        return dict(index)


def find(
    pattern: Pattern,
    stream: Stream,
    alts: AltTable,
    fold_target: bool = False,
    within_line: bool = False,
    within_paragraph: bool = False,
) -> dict[int, frozenset[Hit]]:
    """For each place the pattern matches: the target alternatives that fit there, each
    with the span of tokens it covers. With ``within_line`` (``within_paragraph``), only
    matches that lie on one line (in one paragraph) of the stream count: no token but the
    first of the match begins one."""
    breaks = stream.line_starts if within_line else stream.paragraph_starts if within_paragraph else None
    lits = [(k, e) for k, e in enumerate(pattern.elems) if isinstance(e, str)]
    if not lits:
        return {}
    k_piv, tok = min(lits, key=lambda ke: len(stream.where.get(ke[1], ())))
    out: dict[int, frozenset[Hit]] = {}
    matcher = _Matcher(pattern, stream, alts, fold_target)
    for x in stream.where.get(tok, ()):
        fwd = matcher.forward(k_piv + 1, x + 1)
        if not fwd:
            continue
        bwd = matcher.backward(k_piv - 1, x - 1)
        if not bwd:
            continue
        if breaks is not None:
            found = {
                hf if hf != _NONE else hb
                for hf, end in fwd
                for hb, start in bwd
                if not any(breaks[i] for i in range(start + 1, end))
            } - {_NONE}
        else:
            found = {h for h, _end in fwd} | {h for h, _start in bwd}
            found -= {_NONE}
        if found:
            out[x] = frozenset(found)
    return out


class _Matcher:
    """Matches a pattern outwards from its pivot. ``forward`` gives (hit, end) pairs and
    ``backward`` (hit, start) pairs: the target found on that side (or _NONE) and how far
    the match reaches."""

    def __init__(self, pattern: Pattern, stream: Stream, alts: AltTable, fold_target: bool) -> None:
        self.elems = pattern.elems
        self.slot = pattern.slot
        self.stream = stream
        self.alts = alts
        self.fold_target = fold_target

    def _choices(self, e: int, at: int, forward: bool) -> list[tuple[int, tuple[str, ...], bool]]:
        """(alternative index, tokens, compare folded?) for a slot element: the
        alternatives that could fit with their first (forward) or last token at ``at``,
        and any empty one."""
        if e == TARGET:
            slot, folded = self.slot, self.fold_target
        else:
            slot, folded = e, True
        alts = self.alts.folded[slot] if folded else self.alts.exact[slot]
        if forward:
            index = self.alts.by_first_folded[slot] if folded else self.alts.by_first[slot]
        else:
            index = self.alts.by_last_folded[slot] if folded else self.alts.by_last[slot]
        if 0 <= at < len(self.stream):
            tok = (self.stream.folded if folded else self.stream.toks)[at]
            picked = index.get(tok, []) + index.get(None, [])
        else:
            picked = index.get(None, [])
        return [(i if e == TARGET else -2, alts[i], folded) for i in sorted(picked)]

    def _eq(self, start: int, seq: tuple[str, ...], folded: bool) -> bool:
        if start < 0 or start + len(seq) > len(self.stream):
            return False
        src = self.stream.folded if folded else self.stream.toks
        return all(src[start + i] == t for i, t in enumerate(seq))

    def forward(self, k: int, pos: int) -> set[tuple[Hit, int]]:
        if k == len(self.elems):
            return {(_NONE, pos)}
        e = self.elems[k]
        if isinstance(e, str):
            if pos < len(self.stream) and self.stream.folded[pos] == e:
                return self.forward(k + 1, pos + 1)
            return set()
        found: set[tuple[Hit, int]] = set()
        for idx, seq, folded in self._choices(e, pos, forward=True):
            if self._eq(pos, seq, folded):
                rest = self.forward(k + 1, pos + len(seq))
                if e == TARGET:
                    found |= {((idx, pos, pos + len(seq)), end) for _h, end in rest}
                else:
                    found |= rest
        return found

    def backward(self, k: int, pos: int) -> set[tuple[Hit, int]]:
        """Match elems[..k] so that elems[k] ends at ``pos`` (inclusive)."""
        if k < 0:
            return {(_NONE, pos + 1)}
        e = self.elems[k]
        if isinstance(e, str):
            if pos >= 0 and self.stream.folded[pos] == e:
                return self.backward(k - 1, pos - 1)
            return set()
        found: set[tuple[Hit, int]] = set()
        for idx, seq, folded in self._choices(e, pos, forward=False):
            start = pos - len(seq) + 1
            if self._eq(start, seq, folded):
                rest = self.backward(k - 1, pos - len(seq))
                if e == TARGET:
                    found |= {((idx, start, pos + 1), begin) for _h, begin in rest}
                else:
                    found |= rest
        return found


class PlaceSearch:
    """What ``find`` would report about one pattern, as a uniqueness check needs it: the
    target alternatives at each place, without spans.

    The reference streams of one original differ only inside slots; a match around a
    pivot depends on nothing but the tokens within the pattern's longest possible reach
    (and where the stream ends), so the same neighbourhood met again, in this stream or
    another, is answered from memory."""

    def __init__(self, pattern: Pattern, alts: AltTable) -> None:
        self.pattern = pattern
        self.alts = alts
        elems = pattern.elems
        reach = [
            1 if isinstance(e, str) else max(len(a) for a in alts.exact[pattern.slot if e == TARGET else e])
            for e in elems
        ]
        self.lits = [(k, e) for k, e in enumerate(elems) if isinstance(e, str)]
        # For each element as the pivot: how far a match can reach on either side (every
        # slot at its longest alternative), and the literals at fixed offsets from it (up
        # to the first slot either side).
        self.left = [sum(reach[:k]) for k in range(len(elems))]
        self.right = [sum(reach[k + 1 :]) for k in range(len(elems))]
        self.fixed: list[list[tuple[int, str]]] = []
        for k in range(len(elems)):
            run: list[tuple[int, str]] = []
            for step in (1, -1):
                d = step
                while 0 <= k + d < len(elems) and isinstance(elems[k + d], str):
                    run.append((d, str(elems[k + d])))
                    d += step
            self.fixed.append(run)
        self.seen: tuple[dict[tuple, frozenset[int]], dict[tuple, frozenset[int]]] = ({}, {})
        self.candidates: dict[int, list[tuple[int, int, tuple]]] = {}  # by id() of a stream

    def places(self, stream: Stream, fold_target: bool, stop: int) -> list[frozenset[int]]:
        """The target alternatives at each place ``find`` reports (the same places in the
        same order), looking no further once ``stop`` places were found."""
        candidates = self.candidates.get(id(stream))
        if candidates is None:
            candidates = self.candidates[id(stream)] = self._candidates(stream)
        seen = self.seen[fold_target]
        out: list[frozenset[int]] = []
        for k_piv, x, key in candidates:
            got = seen.get(key)
            if got is None:
                got = seen[key] = _alternatives_at(self.pattern, stream, self.alts, fold_target, k_piv, x)
            if got:
                out.append(got)
                if len(out) >= stop:
                    break
        return out

    def _candidates(self, stream: Stream) -> list[tuple[int, int, tuple]]:
        """(pivot element, pivot position, neighbourhood) of every place the pattern may
        match in ``stream``, in ``find``'s order; the search with and without case on the
        target starts from the same places."""
        if not self.lits:
            return []
        where = stream.where
        counts = [len(where.get(e, ())) for _k, e in self.lits]
        k_piv, tok = self.lits[counts.index(min(counts))]  # the rarest literal, as ``find`` picks it
        left, right, fixed = self.left[k_piv], self.right[k_piv], self.fixed[k_piv]
        d0, t0 = fixed[0] if fixed else (0, tok)
        toks, folded = stream.toks, stream.folded
        n = len(toks)
        out = []
        for x in where.get(tok, ()):
            # The literals next to the pivot sit at fixed offsets: most places fail there.
            y = x + d0
            if not (0 <= y < n and folded[y] == t0):
                continue
            if not all(0 <= x + d < n and folded[x + d] == t for d, t in fixed):
                continue
            lo, hi = x - left, x + right + 1
            # the window, and how far it runs past either end of the stream
            if lo >= 0 and hi <= n:
                key = (k_piv, 0, 0, tuple(toks[lo:hi]))
            else:
                key = (k_piv, max(0, -lo), max(0, hi - n), tuple(toks[max(0, lo) : hi]))
            out.append((k_piv, x, key))
        return out


def _alternatives_at(
    pattern: Pattern, stream: Stream, alts: AltTable, fold_target: bool, k_piv: int, x: int
) -> frozenset[int]:
    """The target alternatives ``find`` reports at pivot ``x`` (no line or paragraph limit):
    the same search as _Matcher's, done one element at a time over the set of
    (target alternative so far, next position) states instead of path by path."""
    fwd = _side(pattern, stream, alts, fold_target, k_piv, x, forward=True)
    if fwd is None:
        return frozenset()
    bwd = _side(pattern, stream, alts, fold_target, k_piv, x, forward=False)
    if bwd is None:
        return frozenset()
    return frozenset(fwd | bwd)


def _side(
    pattern: Pattern, stream: Stream, alts: AltTable, fold_target: bool, k_piv: int, x: int, forward: bool
) -> set[int] | None:
    """The target alternatives of the matches of the elements on one side of the pivot
    (none if the target is on the other side); None if that side matches nowhere."""
    elems = pattern.elems
    n = len(stream.toks)
    step = 1 if forward else -1
    # Forward, a position is where the next element starts; backward, where it ends.
    states: set[tuple[int, int]] = {(-2, x + step)}
    for k in range(k_piv + 1, len(elems)) if forward else range(k_piv - 1, -1, -1):
        e = elems[k]
        new: set[tuple[int, int]] = set()
        if isinstance(e, str):
            folded = stream.folded
            for a, pos in states:
                if 0 <= pos < n and folded[pos] == e:
                    new.add((a, pos + step))
        else:
            target = e == TARGET
            slot = pattern.slot if target else e
            fold = fold_target if target else True
            src = stream.folded if fold else stream.toks
            table = alts.folded[slot] if fold else alts.exact[slot]
            if forward:
                index = alts.by_first_folded[slot] if fold else alts.by_first[slot]
            else:
                index = alts.by_last_folded[slot] if fold else alts.by_last[slot]
            empty = index.get(None, [])
            for a, pos in states:
                picked = index.get(src[pos], []) + empty if 0 <= pos < n else empty
                for i in picked:
                    seq = table[i]
                    start = pos if forward else pos - len(seq) + 1
                    if start < 0 or start + len(seq) > n:
                        continue
                    if all(src[start + m] == t for m, t in enumerate(seq)):
                        new.add((i if target else a, pos + step * len(seq)))
        if not new:
            return None
        states = new
    return {a for a, _pos in states if a != -2}
