"""Read a leak back into symbols: locate each slot's context, see what sits inside.

Misreads are worse than erasures, so every doubt erases: no match, a match that fits
two alternatives, two places that disagree. Confidence: 1.0 when the wide context
matches around the slot, 0.8 when only the narrow one (still unique in the original)
does, 0.5 when only one side of the slot matches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from headstart.carriers.base import ERASED
from headstart.carriers.prose.match import AltTable, Pattern, Stream, find

CONF_WIDE, CONF_NARROW, CONF_ONE_SIDED = 1.0, 0.8, 0.5


@dataclass(frozen=True)
class OccurrenceReader:
    """How to find one occurrence of a slot: patterns from most to least specific."""

    core: Pattern | None
    wide: Pattern | None
    one_sided: tuple[Pattern, ...]
    # A slot's context lies in its own block, so a match that spans a paragraph break of
    # the leak joins text from two places and does not count; a shuffled list's context is
    # the text around it, other blocks, on purpose.
    across_blocks: bool = False

    def read(self, stream: Stream, alts: AltTable) -> tuple[int, float]:
        inside = not self.across_blocks
        if self.core is not None:
            symbol = locate(self.core, stream, alts, within_paragraph=inside)
            if symbol is not None:
                if symbol == ERASED:
                    return ERASED, 0.0
                if (
                    self.wide is not None
                    and locate(self.wide, stream, alts, within_paragraph=inside) == symbol
                ):
                    return symbol, CONF_WIDE
                return symbol, CONF_WIDE if self.wide is None else CONF_NARROW
        symbols = {
            s for s in (locate(p, stream, alts, one_sided=True) for p in self.one_sided) if s is not None
        }
        if len(symbols) == 1 and ERASED not in symbols:
            return symbols.pop(), CONF_ONE_SIDED
        return ERASED, 0.0


def locate(
    pattern: Pattern, stream: Stream, alts: AltTable, one_sided: bool = False, within_paragraph: bool = False
) -> int | None:
    """The alternative found inside ``pattern`` in ``stream``; ERASED if the places it
    matches disagree or fit several alternatives; None if it matches nowhere.

    A one-sided pattern (context on the left only, or on the right only) counts only where
    the slot and its context lie on one line of the leak: a line break inside them may be
    where an excerpt joins two lines that were not neighbours, and there the context may
    belong to one place and the slot's text to another."""
    hits = find(pattern, stream, alts, within_line=one_sided, within_paragraph=within_paragraph)
    if not hits and alts.fold_distinct[pattern.slot]:
        hits = find(
            pattern, stream, alts, fold_target=True, within_line=one_sided, within_paragraph=within_paragraph
        )
    if not hits:
        return None
    seen = set()
    for found in hits.values():
        symbols = {alt for alt, _s, _e in found}
        if len(symbols) != 1:
            return ERASED
        seen |= symbols
    return seen.pop() if len(seen) == 1 else ERASED


def combine(readings: Sequence[tuple[int, float]]) -> tuple[int, float]:
    """One symbol from a slot's occurrences: they must agree, or the slot is erased."""
    symbols = {s for s, _c in readings if s != ERASED}
    if len(symbols) != 1:
        return ERASED, 0.0
    symbol = symbols.pop()
    return symbol, max(c for s, c in readings if s == symbol)
