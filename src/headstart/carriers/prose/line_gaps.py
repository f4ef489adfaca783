"""Where a pattern could match once whole lines are deleted.

An excerpt that keeps some lines and drops others joins lines that were not neighbours:
the tail of one line, then a line further down. A pattern unique in the original may
then match with its left context on one line and its right context on lines that
followed a look-alike (two ``new_setelem_with_expiration_msg(..., 0x40, ...)`` calls
three lines apart, or two ``pahole`` dumps each ending ``sum paddings: 4 */`` then
``/* last cacheline ...``), and read the look-alike's symbol. ``faked`` says whether a
pattern matches in a reference stream with whole lines skipped between its tokens, with
its target anywhere but where it belongs. Line order is kept (a deletion never moves a
line up); which alternative a wildcard or the target shows is not (any of them, case
folded), so the check errs towards "faked": a slot left without a pattern is erased,
never misread.
"""

from __future__ import annotations

from collections.abc import Container

from headstart.carriers.prose.match import TARGET, AltTable, Pattern, Stream, find


class _Search:
    def __init__(self, pattern: Pattern, stream: Stream, alts: AltTable, bounds: Container[int]) -> None:
        self.elems = pattern.elems
        self.slot = pattern.slot
        self.toks = stream.folded
        self.where = stream.where
        self.alts = alts
        self.n = len(stream.folded)
        # Token positions a line begins at (a line ends just before one), 0 and the end.
        self.bounds = bounds
        self._right: dict[tuple[int, int], bool] = {}
        self._left: dict[tuple[int, int], bool] = {}

    def choices(self, e: str | int) -> list[tuple[str, ...]]:
        if isinstance(e, str):
            return [(e,)]
        return list(dict.fromkeys(self.alts.folded[self.slot if e == TARGET else e]))

    def at(self, x: int, seq: tuple[str, ...]) -> bool:
        return x >= 0 and x + len(seq) <= self.n and all(self.toks[x + i] == t for i, t in enumerate(seq))

    def is_bound(self, x: int) -> bool:
        return x == 0 or x == self.n or x in self.bounds

    def right(self, i: int, x: int) -> bool:
        """elems[i:] match from token x on, whole lines skipped where a line ends."""
        if i == len(self.elems):
            return True
        key = (i, x)
        if key in self._right:
            return self._right[key]
        self._right[key] = False  # no cycles: every step consumes an element
        ok = any(self.at(x, seq) and self.right(i + 1, x + len(seq)) for seq in self.choices(self.elems[i]))
        if not ok and self.is_bound(x):
            for seq in self.choices(self.elems[i]):
                if not seq:
                    continue
                for y in self.where.get(seq[0], ()):
                    if y > x and self.is_bound(y) and self.at(y, seq) and self.right(i + 1, y + len(seq)):
                        ok = True
                        break
                if ok:
                    break
        self._right[key] = ok
        return ok

    def left(self, i: int, x: int) -> bool:
        """elems[:i] match ending just before token x, whole lines skipped where one begins."""
        if i == 0:
            return True
        key = (i, x)
        if key in self._left:
            return self._left[key]
        self._left[key] = False
        choices = self.choices(self.elems[i - 1])
        ok = any(self.at(x - len(seq), seq) and self.left(i - 1, x - len(seq)) for seq in choices)
        if not ok and self.is_bound(x):
            for seq in choices:
                if not seq:
                    continue
                for p in self.where.get(seq[-1], ()):
                    y = p + 1  # the element would end just before y
                    start = y - len(seq)
                    if y < x and self.is_bound(y) and self.at(start, seq) and self.left(i - 1, start):
                        ok = True
                        break
                if ok:
                    break
        self._left[key] = ok
        return ok


def faked(pattern: Pattern, stream: Stream, alts: AltTable, bounds: Container[int]) -> bool:
    """True when deleting whole lines of ``stream`` could make ``pattern`` match with its
    target somewhere other than where it matches in the stream as it stands."""
    own = {s for hits in find(pattern, stream, alts).values() for _a, s, _e in hits}
    search = _Search(pattern, stream, alts, bounds)
    t = pattern.elems.index(TARGET)
    places: set[int] = set()
    for seq in search.choices(TARGET):
        if seq:
            places |= {x for x in stream.where.get(seq[0], ()) if search.at(x, seq)}
        elif t + 1 < len(pattern.elems) and isinstance(pattern.elems[t + 1], str):
            places |= set(stream.where.get(str(pattern.elems[t + 1]), ()))
        elif t > 0 and isinstance(pattern.elems[t - 1], str):
            places |= {x + 1 for x in stream.where.get(str(pattern.elems[t - 1]), ())}
        else:
            return True  # an empty alternative between wildcards: anywhere at all
    for x in sorted(places - own):
        for seq in search.choices(TARGET):
            if search.at(x, seq) and search.left(t, x) and search.right(t + 1, x + len(seq)):
                return True
    return False
