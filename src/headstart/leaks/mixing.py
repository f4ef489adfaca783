"""Coalitions: several partners pool their copies and post a mix.

Copies of one artifact have the same layout (they differ only inside slots), so they
can be mixed piece by piece: each line, or each paragraph, taken from a copy chosen
at random. ``mix_symbols`` is the same attack on codewords (per slot), for carriers
whose copies cannot be cut into lines meaningfully (binary PoCs).

``majority``, ``mix_units`` and ``delete_differing`` work on lines (code) or sentences
(prose): the majority's version of each unit (two of three copies agree), a random copy's,
or only the units every copy has alike (colluders deleting whatever differs). Units are
aligned by position when every copy has as many, else by a diff against the first copy.
"""

from __future__ import annotations

import difflib
import random
import re
from collections import Counter
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


# --- per line or per sentence: majority, random, delete what differs ----------------------------------

# A sentence ends after . ! or ? and the spaces after it; a line break always ends a unit.
_SENTENCE = re.compile(r"[^\n]*?[.!?](?=\s)[ \t]*|[^\n]+")
UNITS = ("line", "sentence")


def split_units(text: str, unit: str) -> list[str]:
    """``text`` cut into lines or sentences; joined again they give ``text`` back."""
    if unit == "line":
        return text.splitlines(keepends=True)
    if unit != "sentence":
        raise ValueError(f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}")
    out: list[str] = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        pieces = [m.group() for m in _SENTENCE.finditer(body)] or [""]
        pieces[-1] += line[len(body) :]
        out += [p for p in pieces if p]
    return out


def _aligned(copies: Sequence[str], unit: str) -> list[list[str | None]]:
    """For each unit of the first copy: its version in every copy (None where a copy has
    no counterpart: a diff put it in a region of another size)."""
    split = [split_units(c, unit) for c in copies]
    first = split[0]
    if len({len(s) for s in split}) == 1:
        return [[s[i] for s in split] for i in range(len(first))]
    rows: list[list[str | None]] = [[u] + [None] * (len(split) - 1) for u in first]
    for k, other in enumerate(split[1:], start=1):
        matcher = difflib.SequenceMatcher(None, first, other, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
                for d in range(i2 - i1):
                    rows[i1 + d][k] = other[j1 + d]
    return rows


def majority(copies: Sequence[str], unit: str = "line", seed: int = 0) -> str:
    """Each unit as most copies have it; where no version has a majority, a random one."""
    _check(copies)
    rng = random.Random(seed)
    out = []
    for versions in _aligned(copies, unit):
        present = [v for v in versions if v is not None]
        counts = Counter(present)
        best, n = counts.most_common(1)[0]
        out.append(best if n * 2 > len(copies) else rng.choice(present))
    return "".join(out)


def mix_units(copies: Sequence[str], unit: str = "sentence", seed: int = 0) -> str:
    """Each unit from a randomly chosen copy (among those that have it)."""
    _check(copies)
    rng = random.Random(seed)
    return "".join(rng.choice([v for v in versions if v is not None]) for versions in _aligned(copies, unit))


def delete_differing(copies: Sequence[str], unit: str = "line") -> str:
    """Only the units every copy has alike, in order: whatever differs is deleted."""
    _check(copies)
    kept = [versions[0] for versions in _aligned(copies, unit) if all(v == versions[0] for v in versions)]
    return "".join(v for v in kept if v is not None)
