"""Field paths: ``width``, ``chunks[0].length``, ``chunks[*].crc``, ``chunks[1:].kind``.

A segment names a field; a repeated field takes one selector: an index (negative counts
from the end), ``*`` for every element, or a slice ``a:b`` (either end optional).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import TriggerError

Selector = None | int | str | tuple[int | None, int | None]  # None, index, "*", (start, stop)

_SEGMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[\s*([^\]]*?)\s*\])?$")
# Indexes have at most 18 digits: int() of a 5,000-digit index raises a ValueError, not a PathError.
_SLICE = re.compile(r"(-?\d{1,18})?\s*:\s*(-?\d{1,18})?$")


class PathError(TriggerError):
    """A path that is not well formed."""


@dataclass(frozen=True)
class Segment:
    name: str
    selector: Selector = None

    def __str__(self) -> str:
        sel = self.selector
        if sel is None:
            return self.name
        if isinstance(sel, tuple):
            a, b = sel
            return f"{self.name}[{'' if a is None else a}:{'' if b is None else b}]"
        return f"{self.name}[{sel}]"

    @property
    def is_multi(self) -> bool:
        return self.selector == "*" or isinstance(self.selector, tuple)


@dataclass(frozen=True)
class Path:
    segments: tuple[Segment, ...]

    def __str__(self) -> str:
        return ".".join(str(s) for s in self.segments)

    @property
    def is_multi(self) -> bool:
        return any(s.is_multi for s in self.segments)

    @property
    def parent(self) -> Path:
        return Path(self.segments[:-1])

    @property
    def last(self) -> Segment:
        return self.segments[-1]


def parse_path(text: object) -> Path:
    """Parse a path or raise PathError naming the problem."""
    if not isinstance(text, str) or not text.strip():
        raise PathError(f"a field path must be non-empty text, not {text!r}")
    segments = []
    for part in text.strip().split("."):
        m = _SEGMENT.match(part.strip())
        if m is None:
            raise PathError(f"malformed path {text!r} at {part!r}")
        name, sel_text = m.group(1), m.group(2)
        segments.append(Segment(name, _selector(sel_text, text)))
    return Path(tuple(segments))


def _selector(sel: str | None, text: str) -> Selector:
    if sel is None:
        return None
    if sel == "*":
        return "*"
    if re.fullmatch(r"-?\d{1,18}", sel):
        return int(sel)
    m = _SLICE.match(sel)
    if m is not None:
        a, b = m.groups()
        return (None if a is None else int(a), None if b is None else int(b))
    raise PathError(f"malformed index [{sel}] in path {text!r}: use a number, * or a slice like 1:")


def select(items: list, selector: Selector) -> list[tuple[int, object]]:
    """The (index, item) pairs of a repeated field that a selector picks."""
    if selector == "*":
        return list(enumerate(items))
    if isinstance(selector, tuple):
        indices = range(len(items))[slice(*selector)]
        return [(i, items[i]) for i in indices]
    if isinstance(selector, int):
        n = selector + len(items) if selector < 0 else selector
        return [(n, items[n])] if 0 <= n < len(items) else []
    return []
