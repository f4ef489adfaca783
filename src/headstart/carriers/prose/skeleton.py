"""The original as a token skeleton: literal tokens with holes where slots sit.

Each block of the original (a paragraph, a list item, a code block...) is tokenised
with every slot occurrence replaced by a sentinel; the sentinels become references to
their slots. A slot is only kept if its alternatives tokenise cleanly in place (every
alternative gives exactly the tokens it gives alone, so a reader can tell them apart
between fixed neighbours). Reference streams, the whole document for the codewords
(0, 0, ...), (1, 1, ...), ..., are what patterns must be unique in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from headstart.carriers.prose.normalize import SENTINEL, tokens

SKEL_SLOT = str | int  # a literal token (original case) or an occurrence id


@dataclass
class Occurrence:
    """One place where a slot's chosen alternative is written."""

    group: int  # index of the slot (proto-slot while building)
    start: int
    end: int
    alternatives: tuple[str, ...]
    live: bool = True  # False once demoted to fixed text (alternatives[0])
    author: bool = False  # declared by the author with {{...|...}}


@dataclass
class SkelBlock:
    start: int
    end: int
    occurrences: list[int] = field(default_factory=list)  # occurrence ids, in order
    elems: list[SKEL_SLOT] = field(default_factory=list)  # tokens and occurrence ids
    # Prose a slot in a neighbouring short block may borrow as context. Not code (a leak's
    # quoted programs are set aside before reading) and not a shuffled list (its order is
    # the copy's).
    lends_context: bool = True


class Original:
    """The source text with its fixed edits (directives removed) and slot occurrences."""

    def __init__(
        self, text: str, fixed: Sequence[tuple[int, int, str]], occurrences: list[Occurrence]
    ) -> None:
        self.text = text
        self.fixed = sorted(fixed)
        self.occ = occurrences

    def edits_in(self, block: SkelBlock) -> list[tuple[int, int, int | None, str]]:
        """(start, end, occurrence id or None, fixed text) for the edits inside a block."""
        out: list[tuple[int, int, int | None, str]] = [
            (s, e, None, rep) for s, e, rep in self.fixed if block.start <= s < block.end
        ]
        for oid in block.occurrences:
            o = self.occ[oid]
            out.append((o.start, o.end, oid, "") if o.live else (o.start, o.end, None, o.alternatives[0]))
        out.sort(key=lambda t: (t[0], t[1]))
        return out

    def render(self, block: SkelBlock, choose: Callable[[int], str]) -> str:
        pieces = []
        pos = block.start
        end = block.end
        for s, e, oid, rep in self.edits_in(block):
            pieces.append(self.text[pos:s])
            pieces.append(choose(oid) if oid is not None else rep)
            pos = e
        pieces.append(self.text[pos:end])
        return "".join(pieces)


def _sentinel(_oid: int) -> str:
    return f" {SENTINEL} "


def _expand(elems: Sequence[SKEL_SLOT], alt_tokens: Callable[[int], list[str]]) -> list[str]:
    out: list[str] = []
    for e in elems:
        if isinstance(e, str):
            out.append(e)
        else:
            out.extend(alt_tokens(e))
    return out


def build_block(orig: Original, block: SkelBlock, alt_toks: dict[int, list[list[str]]]) -> None:
    """Fill ``block.elems``; demote occurrences that do not tokenise cleanly in place."""
    occ = orig.occ
    # 1. Each occurrence on its own: every alternative must give its own tokens, and
    #    nothing else may change around it.
    for oid in list(block.occurrences):
        if not occ[oid].live:
            continue

        def sentinel_at(o: int, oid: int = oid) -> str:
            return _sentinel(o) if o == oid else occ[o].alternatives[0]

        base = tokens(orig.render(block, sentinel_at))
        if base.count(SENTINEL) != 1:
            occ[oid].live = False
            continue
        at = base.index(SENTINEL)
        for a, alt in enumerate(occ[oid].alternatives):

            def alternative_at(o: int, oid: int = oid, alt: str = alt) -> str:
                return alt if o == oid else occ[o].alternatives[0]

            got = tokens(orig.render(block, alternative_at))
            if got != base[:at] + alt_toks[oid][a] + base[at + 1 :]:
                occ[oid].live = False
                break
    # 2. All together: the skeleton expanded with alternative j must equal the block
    #    rendered with alternative j everywhere. Adjacent slots can interfere; demote
    #    from the end until they do not.
    while True:
        live = [o for o in block.occurrences if occ[o].live]
        skel = tokens(orig.render(block, _sentinel))
        if skel.count(SENTINEL) == len(live) and _diagonal_ok(orig, block, skel, live, alt_toks):
            it = iter(live)
            block.elems = [next(it) if t == SENTINEL else t for t in skel]
            return
        occ[live[-1]].live = False


def _diagonal_ok(
    orig: Original, block: SkelBlock, skel: list[str], live: list[int], alt_toks: dict[int, list[list[str]]]
) -> bool:
    occ = orig.occ
    qmax = max((len(occ[o].alternatives) for o in live), default=1)
    for j in range(qmax):
        pick = {o: min(j, len(occ[o].alternatives) - 1) for o in live}

        def picked(o: int, pick: dict[int, int] = pick) -> str:
            return occ[o].alternatives[pick[o]]

        def picked_tokens(o: int, pick: dict[int, int] = pick) -> list[str]:
            return alt_toks[o][pick[o]]

        rendered = tokens(orig.render(block, picked))
        it = iter(live)
        elems = [next(it) if t == SENTINEL else t for t in skel]
        if rendered != _expand(elems, picked_tokens):
            return False
    return True


def reference_streams(
    blocks: Sequence[SkelBlock], orig: Original, alt_toks: dict[int, list[list[str]]], qmax: int
) -> list[list[str]]:
    """Token streams of the whole document for the codewords (j, j, ...), j < qmax."""
    streams: list[list[str]] = []
    for j in range(qmax):
        stream: list[str] = []
        for block in blocks:
            for e in block.elems:
                if isinstance(e, str):
                    stream.append(e)
                else:
                    stream.extend(alt_toks[e][min(j, len(orig.occ[e].alternatives) - 1)])
        streams.append(stream)
    return streams
