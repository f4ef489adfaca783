"""Benign files of a format: near misses of a trigger, for testing detection against.

A near miss is the PoC with one tested field moved just across its condition (and a few
values further away), every checksum recomputed: a valid file of the format, the same
as a trigger file in every other byte, that does not trigger the bug. A detection rule
that fires on one keys on something other than the trigger condition.

    files = near_misses(spec, poc, random.Random(7))

Only same-size changes are made (``patch``): a length or count that lays out other
fields is left alone, so a condition on one is not varied here (build such files with
``build``). Every file returned parses and misses the trigger (checked).
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from .binparse import parse
from .build import patch
from .conditions import evaluate_all
from .errors import TriggerError
from .spec import Spec

PER_CONDITION = 6


def _failing_ints(op: str, expected: list[int], lo: int, hi: int, rng: random.Random) -> Iterator[int]:
    """Values of [lo, hi] that fail ``x op expected``: the nearest first, then log-uniform further away."""
    if op in ("in", "==") or op == "not-in":
        if op == "not-in":
            yield from expected
            return
        outside = [v for v in (min(expected) - 1, max(expected) + 1, lo, hi) if v not in expected]
        yield from outside
        return
    bound = expected[0]
    if op == "!=":
        yield bound
        return
    if op in (">", ">="):  # fails at or below the bound
        top = bound if op == ">" else bound - 1
        if top < lo:
            return
        top = min(top, hi)
        yield top
        for _ in range(PER_CONDITION):
            yield top - int(2 ** rng.uniform(0, max(1.0, (top - lo + 1).bit_length()))) + 1
        yield lo
    else:  # "<", "<=": fails at or above the bound
        bottom = bound if op == "<" else bound + 1
        if bottom > hi:
            return
        bottom = max(bottom, lo)
        yield bottom
        for _ in range(PER_CONDITION):
            yield bottom + int(2 ** rng.uniform(0, max(1.0, (hi - bottom + 1).bit_length()))) - 1
        yield hi


def near_misses(spec: Spec, data: bytes, rng: random.Random) -> list[bytes]:
    """Valid files that differ from ``data`` in one tested field and miss the trigger."""
    parsed = parse(spec, data)
    seen: set[bytes] = {data}
    out: list[bytes] = []
    for result in evaluate_all(spec, parsed):
        field = parsed.field(result.path)
        decl = field.decl
        candidates: list[object] = []
        expected = result.expected if isinstance(result.expected, list) else [result.expected]
        if decl.kind == "int" and all(isinstance(v, int) and not isinstance(v, bool) for v in expected):
            lo, hi = decl.int_range
            candidates = [v for v in _failing_ints(result.condition.op, expected, lo, hi, rng) if lo <= v <= hi]
        elif decl.kind in ("str", "bytes") and field.size:
            raw = bytearray(data[field.offset:field.end])
            raw[-1] ^= 0x01  # one bit off: 'PLTE' becomes 'PLTD'
            candidates = [bytes(raw).decode(decl.encoding or "ascii", "replace") if decl.kind == "str" else bytes(raw)]
        for value in candidates:
            try:
                candidate = patch(spec, data, {result.path: value})
                if all(r.holds for r in evaluate_all(spec, parse(spec, candidate))):
                    continue
            except TriggerError:
                continue
            if candidate not in seen:
                seen.add(candidate)
                out.append(candidate)
    return out


__all__ = ["near_misses"]
