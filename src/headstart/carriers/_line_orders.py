"""Orders of independent lines as marks: the machinery the Python and C carriers share.

A run is a stretch of a source's lines cut into blocks (a statement, a ``#define``) that
may stand in any order. A run of n blocks is encoded as a Lehmer code: slot i (q = n - i,
for i < n - 1) says which of the blocks not yet placed (in original order) comes at
position i, so the original order is all zeros and a leak that keeps only the start of a
run still reads its first digits. Copies keep every line's count, so runs are found on
the original and applied to the rendered copy by line numbers; a leak is read from the
fingerprints of its blocks in order (what each carrier makes of a statement or a line).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Run:
    """One run: its blocks' line spans (0-based, end exclusive), in original order, and
    their fingerprints."""

    kind: str  # import | constants | definitions (Python), defines (C)
    blocks: tuple[tuple[int, int], ...]
    prints: tuple[str, ...]
    before: str | None  # fingerprint of the statement just before the run (None: none)
    before_run: int | None  # the run that statement belongs to (its last place moves)

    @property
    def slots(self) -> int:
        return len(self.blocks) - 1

    def sizes(self) -> list[int]:
        n = len(self.blocks)
        return [n - i for i in range(n - 1)]


def split_lines(text: str) -> list[str]:
    """The text's lines with their ends, split at ``\n`` only (what C's line numbers and
    Python's ``ast`` count when no line ends in a lone ``\r``; ``str.splitlines`` would
    also split at form feeds)."""
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


# -- Lehmer codes --------------------------------------------------------------------


def order_from_digits(n: int, digits: list[int]) -> list[int]:
    """The order (original indices by position) that digits d_0..d_{n-2} encode."""
    remaining = list(range(n))
    out = [remaining.pop(d) for d in digits]
    return out + remaining


def digits_from_order(order: list[int], n: int) -> list[int]:
    """Digits of the first positions of an order of n items (its start may be all there is)."""
    remaining = list(range(n))
    out: list[int] = []
    for item in order[: n - 1]:
        out.append(remaining.index(item))
        remaining.remove(item)
    return out


def bits(runs: list[Run]) -> float:
    return sum(math.log2(math.factorial(len(r.blocks))) for r in runs)


# -- rendering and reading -----------------------------------------------------------


def permute(lines: list[str], runs: list[Run], orders: list[list[int]]) -> list[str]:
    """The lines with each run's blocks placed in ``orders[r]`` (the gaps stay)."""
    out = list(lines)
    for run, order in sorted(zip(runs, orders, strict=True), key=lambda ro: -ro[0].blocks[0][0]):
        texts = [lines[a:b] for a, b in run.blocks]
        gaps = [lines[run.blocks[i][1] : run.blocks[i + 1][0]] for i in range(len(run.blocks) - 1)]
        region: list[str] = []
        for pos, item in enumerate(order):
            region += texts[item]
            if pos < len(gaps):
                region += gaps[pos]
        out[run.blocks[0][0] : run.blocks[-1][1]] = region
    return out


def unpermute(lines: list[str], runs: list[Run], orders: list[list[int]]) -> list[str]:
    """The inverse of ``permute`` for the same runs and orders."""
    out = list(lines)
    for run, order in sorted(zip(runs, orders, strict=True), key=lambda ro: -ro[0].blocks[0][0]):
        sizes = [b - a for a, b in run.blocks]
        gaps = [run.blocks[i + 1][0] - run.blocks[i][1] for i in range(len(run.blocks) - 1)]
        at = run.blocks[0][0]
        texts: dict[int, list[str]] = {}
        gap_texts: list[list[str]] = []
        for pos, item in enumerate(order):
            texts[item] = lines[at : at + sizes[item]]
            at += sizes[item]
            if pos < len(gaps):
                gap_texts.append(lines[at : at + gaps[pos]])
                at += gaps[pos]
        region: list[str] = []
        for item in range(len(run.blocks)):
            region += texts[item]
            if item < len(gap_texts):
                region += gap_texts[item]
        out[run.blocks[0][0] : run.blocks[-1][1]] = region
    return out


def read_runs(statements: list[str] | None, runs: list[Run]) -> list[list[int | None]]:
    """Digits of each run read from the fingerprints of the leak's blocks (None: erased).

    A run is read from where its first statement stands in the leak: right after the run
    before it, when the statement preceding it in the original belongs to one (that run
    must have been read whole), else right after that statement (one such place only),
    or at the leak's start when nothing precedes it. Its digits are read while the leak
    shows the run's statements one after another. A run the leak shows only in part,
    with something else after it, was edited: nothing of it is read."""
    out: list[list[int | None]] = [[None] * r.slots for r in runs]
    if not statements:
        return out
    ends: dict[int, int] = {}  # run -> leak index after it, for runs read whole
    for r, run in enumerate(runs):
        member = {p: k for k, p in enumerate(run.prints)}
        if run.before_run is not None:
            places = [ends[run.before_run]] if run.before_run in ends else []
        elif run.before is None:
            places = [0]
        else:
            places = [
                i
                for i in range(1, len(statements))
                if statements[i - 1] == run.before and statements[i] in member
            ]
        found = [
            _order_at(statements, i, member)
            for i in places
            if i < len(statements) and statements[i] in member
        ]
        # Several places (the statement before the run looks like one of the run's): the
        # one place where the whole run follows, else nothing.
        whole = [(o, i) for o, i in found if len(o) == len(run.blocks)]
        if len(found) > 1:
            found = whole if len(whole) == 1 else []
        if not found:
            continue
        order, i = found[0]
        if len(order) < len(run.blocks) and i < len(statements):
            continue  # the run goes on with something else: edited, not read
        if len(order) == len(run.blocks):
            ends[r] = i
        for k, d in enumerate(digits_from_order(order, len(run.blocks))):
            if k < run.slots:
                out[r][k] = d
    return out


def _order_at(statements: list[str], start: int, member: dict[str, int]) -> tuple[list[int], int]:
    """The run's blocks the leak shows one after another from ``start``, and where they end."""
    order: list[int] = []
    i = start
    while i < len(statements) and statements[i] in member and member[statements[i]] not in order:
        order.append(member[statements[i]])
        i += 1
    return order, i
