"""Patterns that find a slot in a leak: the slot with enough fixed context around it.

A pattern is built from the original's token skeleton and must match exactly once, with
exactly one alternative, in every reference rendering of the original; the context grows
until it does. Every slot gets a narrow unique pattern (the *core*), a wide one for
confidence, and one-sided ones that still work when one neighbour was edited away. A slot whose block is
too short for a unique core (a heading, "- Kernel configuration: ...") borrows context
from the neighbouring blocks, in document order.
"""

from __future__ import annotations

from collections.abc import Container, Sequence

from headstart.carriers.prose.line_gaps import faked
from headstart.carriers.prose.match import TARGET, AltTable, Pattern, PlaceSearch, Stream
from headstart.carriers.prose.normalize import fold, tokens
from headstart.carriers.prose.reader import OccurrenceReader
from headstart.carriers.prose.skeleton import Occurrence, SkelBlock

# Context sizes (literal tokens on each side) tried in turn until a pattern is unique.
_GROWTH = ((2, 2), (3, 3), (4, 4), (6, 6), (8, 8), (12, 12))
_MIN_LITERALS = 4  # fewer fixed tokens around a slot and stray text could fake it
_WIDE = 8
_ONE_SIDED = (5, 6, 8, 12)
_LIST_CONTEXT = 3  # literal tokens each side of a shuffled list


def context(elems: list, p: int, n_left: int, n_right: int, occ: list[Occurrence]) -> tuple[list, list]:
    """Up to n_left / n_right literal tokens each side of elems[p], within the block;
    other slots passed on the way become wildcards (their group index)."""

    def take(indices: range, limit: int) -> list:
        out: list = []
        lits = 0
        for k in indices:
            if lits >= limit:
                break
            e = elems[k]
            if isinstance(e, str):
                out.append(fold(e))
                lits += 1
            else:
                out.append(occ[e].group)
        return out

    return take(range(p - 1, -1, -1), n_left)[::-1], take(range(p + 1, len(elems)), n_right)


def borrowed_context(
    skel: list[SkelBlock], k: int, p: int, n_left: int, n_right: int, occ: list[Occurrence]
) -> tuple[list, list, int]:
    """Like ``context`` for elems[p] of block k, but running on into the neighbouring
    blocks (document order) while they may lend context; also how many of the literals
    are the slot's own block's."""

    def take(blocks: list[list], limit: int) -> tuple[list, int]:
        out: list = []
        lits = own = 0
        for b, elems in enumerate(blocks):
            for e in elems:
                if lits >= limit:
                    return out, own
                if isinstance(e, str):
                    out.append(fold(e))
                    lits += 1
                    own += b == 0
                else:
                    out.append(occ[e].group)
        return out, own

    elems = skel[k].elems
    before = [elems[:p][::-1]]
    for b in skel[k - 1 :: -1] if k else []:
        if not b.lends_context:
            break
        before.append(b.elems[::-1])
    after = [elems[p + 1 :]]
    for b in skel[k + 1 :]:
        if not b.lends_context:
            break
        after.append(b.elems)
    left, own_left = take(before, n_left)
    right, own_right = take(after, n_right)
    return left[::-1], right, own_left + own_right


def code_run(skel: Sequence[SkelBlock], k: int) -> range:
    """The skeleton blocks of block k's code piece. ``code_pieces`` cuts a code block at
    every line and leaves its blank lines out, so a piece is a run of code lines that
    touch; a slot's context runs through its piece, and the cuts are the piece's lines."""
    if skel[k].lends_context:
        return range(k, k + 1)
    lo = hi = k
    while lo > 0 and not skel[lo - 1].lends_context and skel[lo - 1].end == skel[lo].start:
        lo -= 1
    while hi + 1 < len(skel) and not skel[hi + 1].lends_context and skel[hi].end == skel[hi + 1].start:
        hi += 1
    return range(lo, hi + 1)


# The last reference streams' line starts (built once per set of streams).
_BOUNDS: list = [None, []]


def line_bounds(
    skel: Sequence[SkelBlock], occ: Sequence[Occurrence], streams: Sequence[Stream]
) -> list[frozenset[int]]:
    """For each reference stream, the positions of the tokens that begin a skeleton block:
    a line of code, or a prose block (a line excerpt may drop any of them)."""
    if _BOUNDS[0] is streams:
        return _BOUNDS[1]
    lengths: dict[tuple[int, int], int] = {}
    out = []
    for j, stream in enumerate(streams):
        pos = 0
        starts = set()
        for b in skel:
            starts.add(pos)
            for e in b.elems:
                if isinstance(e, str):
                    pos += 1
                    continue
                a = min(j, len(occ[e].alternatives) - 1)
                if (e, a) not in lengths:
                    lengths[e, a] = len(tokens(occ[e].alternatives[a]))
                pos += lengths[e, a]
        if pos != len(stream):
            raise AssertionError("line_bounds: skeleton and reference stream disagree")
        out.append(frozenset(starts))
    _BOUNDS[0], _BOUNDS[1] = streams, out
    return out


def renumber(reader: OccurrenceReader, index: dict[int, int]) -> OccurrenceReader:
    """The same patterns with slots numbered as the carrier finally numbers them."""

    def pat(p: Pattern | None) -> Pattern | None:
        if p is None:
            return None
        return Pattern(
            index[p.slot], tuple(index[e] if isinstance(e, int) and e >= 0 else e for e in p.elems)
        )

    return OccurrenceReader(
        pat(reader.core),
        pat(reader.wide),
        tuple(p for p in map(pat, reader.one_sided) if p),
        reader.across_blocks,
    )


def list_reader(
    oid: int, skel: list[SkelBlock], occ: list[Occurrence], streams: list[Stream], alts: AltTable
) -> OccurrenceReader | None:
    """A shuffled list is read together with the text just before and just after it.

    Without that anchor, a leak in which the items ended up as separate paragraphs (some
    HTML-to-text converters put blank lines between list items) and the paragraphs were
    then reordered could show another valid order and misread. The context crosses block
    boundaries on purpose: a list that moved away from its neighbours is erased."""
    k = next(i for i, b in enumerate(skel) if oid in b.occurrences)

    def side(blocks: list[SkelBlock], backwards: bool) -> list:
        out: list = []
        lits = 0
        for b in blocks:
            for e in reversed(b.elems) if backwards else b.elems:
                if lits >= _LIST_CONTEXT:
                    break
                if isinstance(e, str):
                    out.append(fold(e))
                    lits += 1
                else:
                    out.append(occ[e].group)
        return out[::-1] if backwards else out

    left = side(skel[:k][::-1], backwards=True)
    right = side(skel[k + 1 :], backwards=False)
    pattern = Pattern(occ[oid].group, (*left, TARGET, *right))
    if pattern.literals == 0 or not unique(pattern, streams, alts, len(occ[oid].alternatives)):
        return None
    return OccurrenceReader(pattern, None, (), across_blocks=True)


def unique(
    pattern: Pattern,
    streams: Sequence[Stream],
    alts: AltTable,
    q: int,
    bounds: Sequence[Container[int]] | None = None,
) -> bool:
    """Exactly one place in each reference stream j, showing alternative min(j, q - 1);
    given the streams' line starts (``bounds``), also none other where whole lines of
    the stream are deleted (``line_gaps``)."""
    # A reader falls back to case-blind matching when a leak lost case, so the pattern must
    # find no other place that way either ("i.e. we've" must not find "i.e. We have"
    # elsewhere). Several alternatives fitting the one place ("Integers are" inside "All
    # integers are") are fine: the reader erases there.
    search = PlaceSearch(pattern, alts)  # what ``find`` reports, without the spans
    for j, stream in enumerate(streams):
        found = search.places(stream, fold_target=False, stop=2)
        if len(found) != 1 or found[0] != {min(j, q - 1)}:
            return False
        if alts.fold_distinct[pattern.slot] and len(search.places(stream, fold_target=True, stop=2)) != 1:
            return False
    if bounds is not None:
        return not any(faked(pattern, stream, alts, b) for stream, b in zip(streams, bounds, strict=True))
    return True


def _trimmed(pattern: Pattern, side: str) -> Pattern:
    """The pattern without its outermost literal token (and any slot beyond it) on one side."""
    elems = list(pattern.elems)
    if side == "left":
        while elems and elems[0] != TARGET:
            if isinstance(elems.pop(0), str):
                break
    else:
        while elems and elems[-1] != TARGET:
            if isinstance(elems.pop(), str):
                break
    return Pattern(pattern.slot, tuple(elems))


def robust(
    pattern: Pattern,
    streams: Sequence[Stream],
    alts: AltTable,
    q: int,
    bounds: Sequence[Container[int]] | None = None,
) -> bool:
    """Unique even without its outermost literal on either side. An excerpt that joins two
    lines which were not neighbours can put one stray token where the context expects it;
    a pattern told apart from a look-alike by one token alone would then misread."""
    for side in ("left", "right"):
        trimmed = _trimmed(pattern, side)
        if trimmed.elems != pattern.elems and not unique(trimmed, streams, alts, q, bounds):
            return False
    return True


def occurrence_reader(
    oid: int,
    block: SkelBlock,
    occ: list[Occurrence],
    streams: list[Stream],
    alts: AltTable,
    skel: list[SkelBlock] | None = None,
) -> OccurrenceReader | None:
    """Patterns for one occurrence of an ordinary slot; None if it cannot be made unique.
    Given the document's blocks (``skel``), a slot in prose with no unique core in its own
    block gets one that borrows context from the neighbouring blocks (never a slot in
    code: a leak's programs are set aside, and a code block's pieces stand alone)."""
    elems = block.elems
    p = elems.index(oid)
    bounds = None
    if skel is not None:
        bounds = line_bounds(skel, occ, streams)
        run = code_run(skel, skel.index(block))
        if len(run) > 1:
            p += sum(len(skel[i].elems) for i in range(run.start, skel.index(block)))
            elems = [e for i in run for e in skel[i].elems]
    g = occ[oid].group
    q = len(occ[oid].alternatives)
    core = wide = None
    # Fixed tokens needed around the slot. An author's long alternatives are their own
    # anchor: "{{Issue reported to the vendor|The vendor receives the report}}" cannot be
    # faked by stray text, so a table cell needs little context.
    shortest = min(len(a) for a in alts.exact[g])
    need = max(1, _MIN_LITERALS + 1 - shortest) if occ[oid].author and shortest >= 3 else _MIN_LITERALS
    for nl, nr in _GROWTH:
        left, right = context(elems, p, nl, nr, occ)
        pat = Pattern(g, (*left, TARGET, *right))
        if pat.literals < need:
            if (nl, nr) == _GROWTH[-1]:
                break
            continue
        if unique(pat, streams, alts, q, bounds) and (
            need < _MIN_LITERALS or robust(pat, streams, alts, q, bounds)
        ):
            core = pat
            break
    if core is not None:
        left, right = context(elems, p, _WIDE, _WIDE, occ)
        candidate = Pattern(g, (*left, TARGET, *right))
        if candidate.literals > core.literals:
            wide = candidate
    one_sided = []
    if all(alts.exact[g]):  # an empty alternative is invisible from one side
        for side in ("left", "right"):
            for n in _ONE_SIDED:
                left, right = context(elems, p, n if side == "left" else 0, n if side == "right" else 0, occ)
                elems_ = (*left, TARGET) if side == "left" else (TARGET, *right)
                pat = Pattern(g, elems_)
                if pat.literals >= _ONE_SIDED[0] and unique(pat, streams, alts, q):
                    one_sided.append(pat)
                    break
    if core is None and skel is not None and block.lends_context:
        borrowed = _borrowed_core(oid, skel, skel.index(block), p, occ, streams, alts, bounds)
        if borrowed is not None:
            return OccurrenceReader(borrowed, None, tuple(one_sided), across_blocks=True)
    if core is None and not one_sided:
        return None
    return OccurrenceReader(core, wide, tuple(one_sided))


def _borrowed_core(
    oid: int,
    skel: list[SkelBlock],
    k: int,
    p: int,
    occ: list[Occurrence],
    streams: list[Stream],
    alts: AltTable,
    bounds: Sequence[Container[int]] | None = None,
) -> Pattern | None:
    """A core for a slot in a short block, its context running on into the neighbouring
    blocks; held to the same rules as an in-block core (enough literals, unique in every
    reference stream, unique without its outermost literal on either side). It matches
    only where the leak keeps the neighbours next to the slot; elsewhere the slot stays
    erased. A slot that may be empty must keep a literal of its own block: an excerpt that
    dropped the whole block would otherwise show its neighbours joined, read as the empty
    alternative."""
    g = occ[oid].group
    q = len(occ[oid].alternatives)
    may_vanish = not all(alts.exact[g])
    for nl, nr in _GROWTH:
        left, right, own = borrowed_context(skel, k, p, nl, nr, occ)
        pat = Pattern(g, (*left, TARGET, *right))
        if pat.literals < _MIN_LITERALS or (may_vanish and own == 0):
            continue
        if unique(pat, streams, alts, q, bounds) and robust(pat, streams, alts, q, bounds):
            return pat
    return None
