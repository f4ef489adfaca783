"""Coalitions: several partners pool their copies and post a mix.

Copies of one artifact have the same layout (they differ only inside slots), so they
can be mixed piece by piece: each line, or each paragraph, taken from a copy chosen
at random. ``mix_symbols`` is the same attack on codewords (per slot), for carriers
whose copies cannot be cut into lines meaningfully (binary PoCs).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence

_PARAGRAPH_BREAK = re.compile(r"(\n[ \t]*\n+)")


def _check(copies: Sequence[object]) -> None:
    if not copies:
        raise ValueError("a coalition needs at least one copy")


def mix_lines(copies: Sequence[str], seed: int = 0) -> str:
    """Line i comes from a randomly chosen copy (copies with fewer lines are skipped)."""
    _check(copies)
    rng = random.Random(seed)
    split = [c.splitlines(keepends=True) for c in copies]
    out = []
    for i in range(max(len(s) for s in split)):
        have = [s for s in split if i < len(s)]
        out.append(rng.choice(have)[i])
    return "".join(out)


def mix_paragraphs(copies: Sequence[str], seed: int = 0) -> str:
    """Paragraph i (blank-line separated) comes from a randomly chosen copy."""
    _check(copies)
    rng = random.Random(seed)
    split = [_PARAGRAPH_BREAK.split(c) for c in copies]
    out = []
    for i in range(max(len(s) for s in split)):
        have = [s for s in split if i < len(s)]
        out.append(rng.choice(have)[i])
    return "".join(out)


def mix_symbols(codewords: Sequence[Sequence[int]], seed: int = 0) -> list[int]:
    """Each slot's symbol taken from a randomly chosen colluder's codeword."""
    _check(codewords)
    if len({len(c) for c in codewords}) != 1:
        raise ValueError("codewords of one artifact all have the same length")
    rng = random.Random(seed)
    return [int(rng.choice(codewords)[i]) for i in range(len(codewords[0]))]


TextMix = Callable[[Sequence[str], int], str]

TEXT_MIXES: dict[str, TextMix] = {
    "lines": mix_lines,
    "paragraphs": mix_paragraphs,
}
"""Every way of mixing text copies by name; each is ``f(copies, seed=0) -> str``."""
