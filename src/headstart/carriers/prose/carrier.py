"""ProseCarrier: Markdown write-ups and guidance, marked with meaning-preserving choices."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from headstart.carriers.base import (
    ERASED,
    Carrier,
    CarrierError,
    NoSlotsError,
    Reading,
    RenderError,
    Slot,
    Template,
    UnreadableLeakError,
    check_codeword,
    decode_leak,
)
from headstart.carriers.prose.anchors import list_reader, occurrence_reader, renumber
from headstart.carriers.prose.markdown_scan import (
    ShuffleList,
    code_spans,
    find_shuffle_lists,
    line_of,
    protected_spans,
    scan_blocks,
)
from headstart.carriers.prose.match import AltTable, Stream
from headstart.carriers.prose.normalize import html_to_text, looks_like_html, tokens, tokens_and_breaks
from headstart.carriers.prose.programs import quoted_signatures, without_programs
from headstart.carriers.prose.reader import OccurrenceReader, combine
from headstart.carriers.prose.skeleton import Occurrence, Original, SkelBlock, build_block, reference_streams
from headstart.carriers.prose.survivors import SurvivorIndex, survivor_stream

if TYPE_CHECKING:
    from headstart.carriers.prose.finders import Candidate

_LIST_ROTATIONS = 4  # alternatives of a shuffled list: rotations 0..3
_DIRECTIVE_TEXT = re.compile(r"<!--\s*hs:")
# Blocks whose text a leak may show otherwise than the original's tokens say: a slot in a
# neighbouring short block borrows no context from them.
_NO_CONTEXT = frozenset({"code", "html", "front_matter"})


@dataclass
class _Group:
    """A slot while it is being built: one or more occurrences sharing alternatives."""

    key: str
    kind: str
    alternatives: tuple[str, ...]
    where: str
    occurrences: list[int]


class ProseCarrier(Carrier):
    """Slots in a Markdown original; copies that read the same; reading leaks back.

    ``ProseCarrier(markdown)`` finds the slots (deterministically); ``render`` writes a
    partner's copy; ``read`` takes leaked text, Markdown or HTML, as str or bytes.
    """

    kind = "prose"

    def __init__(self, markdown: str) -> None:
        if not isinstance(markdown, str):
            raise CarrierError(f"a prose original must be text (str), not {type(markdown).__name__}")
        self.original = markdown
        self._build(markdown)
        if not self._slots:
            raise NoSlotsError(
                "the write-up has no usable slot: a copy would go out unmarked "
                "(add {{either|or}} alternatives or an <!-- hs:shuffle --> list)"
            )

    # --- the Carrier contract -------------------------------------------------------

    @property
    def slots(self) -> list[Slot]:
        return list(self._slots)

    @property
    def template(self) -> Template:
        return self._template

    def render_text(self, codeword: Sequence[int]) -> str:
        copy = self._template.render(codeword)
        if (
            copy.count("{{") != self._literal_braces
            or len(_DIRECTIVE_TEXT.findall(copy)) != self._literal_directives
        ):
            raise RenderError("a rendered copy still shows author syntax")
        return copy

    def render(self, codeword: Sequence[int]) -> bytes:
        return self.render_text(codeword).encode("utf-8")

    def slot_spans(self, codeword: Sequence[int]) -> list[tuple[int, int, int]]:
        """(slot index, start, end) of every slot occurrence in the copy for ``codeword``
        (character offsets into ``render_text(codeword)``)."""
        check_codeword(codeword, self._slots)
        spans = []
        pos = 0
        for p in self._template.parts:
            if isinstance(p, str):
                pos += len(p)
            else:
                text = self._slots[p].alternatives[codeword[p]]
                spans.append((p, pos, pos + len(text)))
                pos += len(text)
        return spans

    def read(self, leak: bytes | str) -> Reading:
        text = without_programs(_leak_text(leak), self._quoted)
        stream = Stream(*tokens_and_breaks(text))
        n = len(self._slots)
        symbols = np.full(n, ERASED, dtype=np.int64)
        confidence = np.zeros(n, dtype=np.float64)
        survived = survivor_stream(stream)
        for i, readers in enumerate(self._readers):
            symbols[i], confidence[i] = combine(
                [r.read(stream, self._alts) for r in readers]
                + [r.read(survived, self._survivor_alts) for r in self._survivor_readers[i]]
            )
        return Reading(symbols, confidence)

    def survivor_match(self, leak: bytes | str) -> tuple[int, float]:
        """How much of a leak is this original's numbers, identifiers and code, in order:
        (survivor shingles shared, their share of the leak's). A translation or paraphrase
        shares nearly all of its survivors with the original while sharing no English
        word shingle; unrelated text shares few."""
        return self._survivors.containment(Stream(*tokens_and_breaks(_leak_text(leak))))

    def survivor_slots(self) -> list[int]:
        """Indices of the slots that can be read from a translation (they live in code,
        inline code or a number's notation and have a pattern in survivor tokens)."""
        return [i for i, r in enumerate(self._survivor_readers) if r]

    # --- building ---------------------------------------------------------------------

    def _build(self, text: str) -> None:
        # The finders and their word lists are for building only: a carrier loaded from the
        # store renders and reads without importing them (a quarter of a second a process).
        from headstart.carriers.prose.author_syntax import (
            check_directives,
            find_author_alternatives,
            off_regions,
        )
        from headstart.carriers.prose.code_blocks import (
            code_candidates,
            code_pieces,
            comment_prose_candidates,
        )
        from headstart.carriers.prose.finders import Scope, find_candidates
        from headstart.carriers.prose.number_notation import merge as merge_numbers
        from headstart.carriers.prose.number_notation import number_candidates

        blocks = scan_blocks(text)
        check_directives(blocks)
        self._quoted = quoted_signatures(text, blocks)
        shuffles = find_shuffle_lists(text, blocks)
        authored = find_author_alternatives(text, blocks)
        for c in authored:
            for sl in shuffles:
                if sl.start <= c.start < sl.end:
                    raise CarrierError(
                        f"line {line_of(text, c.start)}: author alternatives inside a shuffled list "
                        "are not supported"
                    )

        editable = bytearray(len(text))
        for b in blocks:
            if b.prose:
                editable[b.start : b.end] = b"\x01" * (b.end - b.start)
                for s, e in protected_spans(text, b.start, b.end):
                    editable[s:e] = bytes(e - s)
        for s, e in (
            off_regions(text, blocks)
            + [(sl.start, sl.end) for sl in shuffles]
            + [(c.start, c.end) for c in authored]
        ):
            editable[s:e] = bytes(e - s)
        found = find_candidates(Scope(text, blocks, editable))
        found = merge_numbers(found, number_candidates(text, blocks, lambda s, e: all(editable[s:e])))
        # Code is never editable for the prose finders; its own candidates keep out of
        # what the author switched off, shuffled or wrote alternatives for.
        closed = [
            *off_regions(text, blocks),
            *[(sl.start, sl.end) for sl in shuffles],
            *[(c.start, c.end) for c in authored],
        ]
        taken: list[Candidate] = []
        # The prose finders' choices in a comment first, then the comment's own.
        for c in comment_prose_candidates(text, blocks) + code_candidates(text, blocks):
            if not any(s <= c.start < e or s < c.end <= e for s, e in closed) and not any(
                _overlap(c, t) for t in taken
            ):
                taken.append(c)
        found += taken

        groups, occurrences = self._group(text, authored, found, shuffles)
        fixed = [(b.start, b.end, "") for b in blocks if b.kind == "directive"]
        orig = Original(text, fixed, occurrences)

        # Skeleton blocks: the scanner's, with each shuffled list as one block.
        skel: list[SkelBlock] = []
        for b in blocks:
            inside = next((sl for sl in shuffles if sl.start <= b.start < sl.end), None)
            if inside is None and b.kind == "code":
                skel.extend(
                    SkelBlock(s, e, lends_context=False) for s, e in code_pieces(text, b.start, b.end)
                )
            elif inside is None:
                skel.append(SkelBlock(b.start, b.end, lends_context=b.kind not in _NO_CONTEXT))
            elif not skel or skel[-1].start != inside.start:
                skel.append(SkelBlock(inside.start, inside.end, lends_context=False))
                if b.end > inside.end:
                    skel.append(SkelBlock(inside.end, b.end))
        starts = [b.start for b in skel]
        for oid, o in enumerate(occurrences):
            skel[bisect.bisect_right(starts, o.start) - 1].occurrences.append(oid)
        alt_toks = {oid: [tokens(a) for a in o.alternatives] for oid, o in enumerate(occurrences)}
        self._alts = AltTable([[tuple(t) for t in alt_toks[g.occurrences[0]]] for g in groups])

        # Build; a slot no occurrence of which can be located is turned back into text
        # and everything is rebuilt (its tokens become fixed context for its neighbours).
        while True:
            for sb in skel:
                build_block(orig, sb, alt_toks)
            readers = self._make_readers(groups, orig, skel, alt_toks)
            dead = [gi for gi, r in readers.items() if not r]
            if not dead:
                break
            for gi in dead:
                for oid in groups[gi].occurrences:
                    occurrences[oid].live = False
        live = sorted(readers, key=lambda gi: min(occurrences[o].start for o in groups[gi].occurrences))
        index = {gi: si for si, gi in enumerate(live)}
        survivors = SurvivorIndex(skel, occurrences, alt_toks, self._alts.exact, [g.kind for g in groups])
        by_survivors = {
            gi: [
                r
                for oid in groups[gi].occurrences
                if occurrences[oid].live and (r := survivors.reader(oid)) is not None
            ]
            for gi in live
        }
        self._survivors = survivors
        self._survivor_alts = AltTable([survivors.alts.exact[gi] for gi in live])
        self._survivor_readers = [[r.renumbered(index) for r in by_survivors[gi]] for gi in live]
        self._slots = [Slot(groups[gi].key, groups[gi].alternatives, groups[gi].where) for gi in live]
        self._readers = [readers[gi] for gi in live]
        self._alts = AltTable([self._alts.exact[gi] for gi in live])
        self._readers = [[renumber(o, index) for o in r] for r in self._readers]
        self._template = self._make_template(text, fixed, occurrences, groups, index)
        # What a copy may show of the author syntax: only what code blocks quote literally.
        literal = "".join(p if isinstance(p, str) else "\x00" for p in self._template.parts)
        self._literal_braces = literal.count("{{")
        self._literal_directives = len(_DIRECTIVE_TEXT.findall(literal))
        if self._literal_directives != _quoted_directives(text, blocks):
            raise CarrierError(
                "an <!-- hs:... --> directive must stand alone on its line, outside HTML blocks"
            )

    @staticmethod
    def _group(
        text: str, authored: list[Candidate], found: list[Candidate], shuffles: list
    ) -> tuple[list[_Group], list[Occurrence]]:
        groups: list[_Group] = []
        occurrences: list[Occurrence] = []
        by_family: dict[str, int] = {}

        def where(c_start: int, kind: str, alts: Sequence[str]) -> str:
            shown = " / ".join(repr(a) for a in alts[:3]) + (" / ..." if len(alts) > 3 else "")
            return f"line {line_of(text, c_start)}: {kind} {shown}"

        for c in sorted(authored + found, key=lambda c: (c.start, c.end)):
            if c.family is not None and c.family in by_family:
                gi = by_family[c.family]
            else:
                gi = len(groups)
                line = line_of(text, c.start)
                col = c.start - (text.rfind("\n", 0, c.start) + 1) + 1
                key = c.family if c.family is not None else f"{c.kind}@{line}:{col}"
                groups.append(_Group(key, c.kind, c.alternatives, where(c.start, c.kind, c.alternatives), []))
                if c.family is not None:
                    by_family[c.family] = gi
            groups[gi].occurrences.append(len(occurrences))
            occurrences.append(Occurrence(gi, c.start, c.end, c.alternatives, author=c.kind == "author"))
        for sl in shuffles:
            items = [text[s:e] for s, e in sl.items]
            alts = tuple(_rotate(text, sl, r) for r in range(min(len(items), _LIST_ROTATIONS)))
            if len(set(alts)) < len(alts):
                raise CarrierError(f"line {sl.directive_line}: a shuffled list's items must all differ")
            gi = len(groups)
            line = line_of(text, sl.start)
            groups.append(
                _Group(
                    f"list-order@{line}",
                    "list-order",
                    alts,
                    f"line {line}: order of a {len(items)}-item list",
                    [len(occurrences)],
                )
            )
            occurrences.append(Occurrence(gi, sl.start, sl.end, alts))
        return groups, occurrences

    def _make_readers(
        self,
        groups: list[_Group],
        orig: Original,
        skel: list[SkelBlock],
        alt_toks: dict[int, list[list[str]]],
    ) -> dict:
        occ = orig.occ
        live_groups = {gi for gi, g in enumerate(groups) if any(occ[o].live for o in g.occurrences)}
        qmax = max((len(groups[gi].alternatives) for gi in live_groups), default=1)
        streams = [Stream(s) for s in reference_streams(skel, orig, alt_toks, qmax)]
        block_of = {oid: b for b in skel for oid in b.occurrences}
        readers: dict[int, list[OccurrenceReader]] = {}
        for gi in sorted(live_groups):
            g = groups[gi]
            found = []
            for oid in g.occurrences:
                if not occ[oid].live:
                    continue
                if g.kind == "list-order":
                    r = list_reader(oid, skel, occ, streams, self._alts)
                else:
                    r = occurrence_reader(oid, block_of[oid], occ, streams, self._alts, skel)
                if r is not None:
                    found.append(r)
            readers[gi] = found
        return readers

    @staticmethod
    def _make_template(
        text: str, fixed: list, occurrences: list[Occurrence], groups: list[_Group], index: dict[int, int]
    ) -> Template:
        edits: list[tuple[int, int, str | int]] = [(s, e, rep) for s, e, rep in fixed]
        for o in occurrences:
            if o.live and o.group in index:
                edits.append((o.start, o.end, index[o.group]))
            else:
                edits.append((o.start, o.end, o.alternatives[0]))
        edits.sort(key=lambda t: (t[0], t[1]))
        parts: list[str | int] = []
        pos = 0
        for s, e, what in edits:
            parts.append(text[pos:s])
            parts.append(what)
            pos = e
        parts.append(text[pos:])
        merged: list[str | int] = []
        for p in parts:
            if isinstance(p, str) and merged and isinstance(merged[-1], str):
                merged[-1] += p
            elif p != "":
                merged.append(p)
        return Template(
            merged,
            [
                Slot(groups[gi].key, groups[gi].alternatives, groups[gi].where)
                for gi in sorted(index, key=index.__getitem__)
            ],
        )


def _overlap(a: Candidate, b: Candidate) -> bool:
    """Two candidates that cannot both be slots: their spans overlap, or an insertion
    point falls inside the other's span or on another insertion point."""
    if a.start == a.end or b.start == b.end:
        if a.start == a.end and b.start == b.end:
            return a.start == b.start
        point, span = (a.start, b) if a.start == a.end else (b.start, a)
        return span.start < point < span.end
    return a.start < b.end and b.start < a.end


def _quoted_directives(text: str, blocks: list) -> int:
    """Directives quoted as code (a code block or an inline code span), not meant as such."""
    count = 0
    for b in blocks:
        if b.kind == "code":
            count += len(_DIRECTIVE_TEXT.findall(text, b.start, b.end))
        elif b.prose:
            count += sum(
                len(_DIRECTIVE_TEXT.findall(text, s, e)) for s, e in code_spans(text, b.start, b.end)
            )
    return count


def _rotate(text: str, sl: ShuffleList, r: int) -> str:
    """The list with its items rotated by ``r``; markers and gaps stay in place."""
    n = len(sl.items)
    bodies = []
    for (s, e), marker in zip(sl.items, sl.markers, strict=True):
        item = text[s:e]
        stripped = item.lstrip(" \t")
        lead = item[: len(item) - len(stripped)]
        bodies.append((lead, stripped[len(marker) :]))
    pieces = []
    for t in range(n):
        lead, _ = bodies[t]
        _, body = bodies[(t + r) % n]
        chunk = lead + sl.markers[t] + body
        if not chunk.endswith("\n") and t < n - 1:
            chunk += "\n"
        elif (
            t == n - 1 and chunk.endswith("\n") and not text[sl.items[-1][0] : sl.items[-1][1]].endswith("\n")
        ):
            chunk = chunk[:-1]
        pieces.append(chunk)
        if t < n - 1:
            pieces.append(text[sl.items[t][1] : sl.items[t + 1][0]])
    return "".join(pieces)


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _leak_text(leak: bytes | str) -> str:
    if not isinstance(leak, (bytes, bytearray, str)):
        raise UnreadableLeakError(f"a leak must be bytes or text, not {type(leak).__name__}")
    text = decode_leak(bytes(leak) if isinstance(leak, bytearray) else leak)
    if text and len(_CONTROL.findall(text)) > 0.01 * len(text):
        raise UnreadableLeakError("leaked material is binary, not text")
    return html_to_text(text) if looks_like_html(text) else text
