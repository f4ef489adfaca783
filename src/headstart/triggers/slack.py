"""Slack inside trigger conditions: the values an integer may take while every condition holds.

A trigger condition compares a field with a value expression, which may read other
fields (``chunks[0].length >= height * 2``). An integer may vary between copies when the
parser never reads it (no size, count or ``if`` names it), it is no checksum and no
condition pins it with ``==``; then it gets a domain: a window of 2**k consecutive values
or, under an ``in`` list, a choice among the listed values.

Every condition that names a varying field, as its subject or inside its value, must hold
for every combination of the values the varying fields may take. Value expressions are
evaluated over intervals (interval arithmetic for ``+ - * / % << >>`` and unary ``-``;
anything else cannot be bounded, so the field stays fixed): the check never admits a
value that could break a condition. Fields are decided one at a time in file order and
each decision is checked against the domains already chosen, so the domains hold jointly:
the last decision touching a condition sees every other varying field at its final domain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .conditions import ConditionResult
from .errors import TriggerError
from .expr import MAX_SHIFT, Binary, ListLit, Node, Scope, Unary, _arith, evaluate
from .parsed import Field, ParsedFile, Struct
from .spec import Condition, Spec

MAX_WINDOW_BITS = 62  # a window's offset is summed in int64 when a copy is rendered
TRIGGER_USER = "the trigger condition"  # how specload names a dependency that only a condition creates
_ARITHMETIC = {"+", "-", "*", "/", "%", "<<", ">>"}


class _Unbounded(TriggerError):
    """An expression whose range over the varying fields cannot be bounded."""


@dataclass(frozen=True, eq=False)
class Interval:
    """Every integer from ``lo`` to ``hi``: what a varying field may hold."""

    lo: int
    hi: int

    def __eq__(self, other: object) -> bool:
        # an expression comparing a varying value (``[height] == [4]``) has no single answer
        raise _Unbounded("a varying value cannot be compared as a whole")

    # No __hash__: defining __eq__ alone leaves the class unhashable (__hash__ is None).

    @property
    def size(self) -> int:
        return self.hi - self.lo + 1


Domain = Interval | tuple[int, ...]  # a window, or a choice among listed values


def aligned(lo: int, hi: int) -> int:
    """The number in [lo, hi] with the most trailing zero bits (lo <= hi)."""
    if lo <= 0 <= hi:
        return 0
    for t in range(max(abs(lo), abs(hi)).bit_length(), -1, -1):
        step = 1 << t
        multiple = -(-lo // step) * step
        if multiple <= hi:
            return multiple
    return lo


def window(lo: int, hi: int) -> tuple[int, int] | None:
    """(base, bits): the widest window of 2**bits values inside [lo, hi], its base as aligned
    as possible (so the low bits of a value are the bits of its offset, and colluders mixing
    bytes mix bits), or None if [lo, hi] holds fewer than two values."""
    size = hi - lo + 1
    if size < 2:
        return None
    bits = min(MAX_WINDOW_BITS, size.bit_length() - 1)
    return aligned(lo, hi - (1 << bits) + 1), bits


# --- expressions over varying fields --------------------------------------------------------


class _Env:
    """Field values as expressions see them: a varying field's domain, the rest as in the file.
    Records every field read (a condition's dependencies)."""

    def __init__(self, domains: dict[str, Domain]) -> None:
        self.domains = domains
        self.read: set[str] = set()

    def member(self, m: Any) -> Any:
        if isinstance(m, Field):
            self.read.add(m.path)
            d = self.domains.get(m.path)
            if d is None:
                return m.value
            lo, hi = (d.lo, d.hi) if isinstance(d, Interval) else (min(d), max(d))
            return lo if lo == hi else Interval(lo, hi)  # a single value takes part in any expression
        if isinstance(m, Struct):
            return _View(m, self)
        if isinstance(m, list):
            return [self.member(x) for x in m]
        return m

    def scope(self, root: Struct) -> Scope:
        return Scope(_View(root, self).attribute)


class _View:
    """A structure seen through an _Env."""

    def __init__(self, st: Struct, env: _Env) -> None:
        self.st = st
        self.env = env

    def attribute(self, name: str) -> Any:
        if name in self.st.members:
            return self.env.member(self.st.members[name])
        return self.env.member(self.st.attribute(name))  # _parent, _root, _io, or a clear ExprError


def _hull(v: Any) -> Interval:
    if isinstance(v, Interval):
        return v
    if isinstance(v, bool) or not isinstance(v, int):
        raise _Unbounded("only integers vary")
    return Interval(v, v)


def _interval_arith(op: str, a: Interval, b: Interval) -> Interval:
    if op == "+":
        return Interval(a.lo + b.lo, a.hi + b.hi)
    if op == "-":
        return Interval(a.lo - b.hi, a.hi - b.lo)
    if op == "*":
        corners = [x * y for x in (a.lo, a.hi) for y in (b.lo, b.hi)]
        return Interval(min(corners), max(corners))
    if b.lo != b.hi:
        raise _Unbounded(f"{op} by a varying value")
    d = b.lo
    if op == "/" and d != 0:
        ends = (a.lo // d, a.hi // d)
        return Interval(min(ends), max(ends))
    if op == "%" and d > 0:
        if a.lo // d == a.hi // d:
            return Interval(a.lo % d, a.hi % d)
        return Interval(0, d - 1)
    if op in ("<<", ">>") and 0 <= d <= MAX_SHIFT:
        return Interval(a.lo << d, a.hi << d) if op == "<<" else Interval(a.lo >> d, a.hi >> d)
    raise _Unbounded(f"{op} {d} over a varying value")


def bounded(node: Node, scope: Scope) -> Any:
    """An expression's value, or the Interval it lies in when it reads varying fields.

    Raises _Unbounded (a TriggerError) or ExprError when no bound can be given."""
    if isinstance(node, Binary) and node.op in _ARITHMETIC:
        left, right = bounded(node.left, scope), bounded(node.right, scope)
        if isinstance(left, Interval) or isinstance(right, Interval):
            return _interval_arith(node.op, _hull(left), _hull(right))
        return _arith(node.op, left, right)
    if isinstance(node, Unary) and node.op == "-":
        v = bounded(node.operand, scope)
        return Interval(-v.hi, -v.lo) if isinstance(v, Interval) else -_hull(v).lo
    if isinstance(node, ListLit):
        return [bounded(item, scope) for item in node.items]
    # anything else handed an Interval raises ExprError (it is not an integer) or _Unbounded
    return evaluate(node, scope)


def holds_throughout(op: str, subject: Any, expected: list[Any]) -> bool:
    """Whether ``subject op expected`` holds for every value the subject and the expected
    values may take (subject: an int, an Interval, or a choice that must hold for each value)."""
    if isinstance(subject, tuple):
        return all(holds_throughout(op, Interval(v, v), expected) for v in subject)
    try:
        s = _hull(subject)
        es = [_hull(e) for e in expected]
    except _Unbounded:
        return False
    if op == "in":
        points = {e.lo for e in es if e.lo == e.hi}
        return s.size <= 4096 and all(v in points for v in range(s.lo, s.hi + 1))
    if op == "not-in":
        return all(s.hi < e.lo or s.lo > e.hi for e in es)
    if len(es) != 1:
        return False
    e = es[0]
    if op == ">":
        return s.lo > e.hi
    if op == ">=":
        return s.lo >= e.hi
    if op == "<":
        return s.hi < e.lo
    if op == "<=":
        return s.hi <= e.lo
    if op == "!=":
        return s.hi < e.lo or s.lo > e.hi
    return op == "==" and s.lo == s.hi == e.lo == e.hi


# --- deciding the domains -------------------------------------------------------------------


def parser_reads(spec: Spec) -> set[tuple[str, str]]:
    """(type, field) pairs the parser reads: sizes, counts, ``if`` and ``repeat-until``.

    The loader records sequence expressions before trigger conditions and keeps the first
    reader of each field, so a field read by both shows its sequence reader."""
    return {key for key, user in spec.used.items() if not user.startswith(TRIGGER_USER)}


class _Solver:
    def __init__(self, spec: Spec, parsed: ParsedFile, results: list[ConditionResult], keep: set[str]) -> None:
        self.parsed = parsed
        self.results = results
        self.domains: dict[str, Domain] = {}
        self.deps = {id(c): self._reads(c) for c in spec.trigger}
        layout = parser_reads(spec)
        pinned = {r.path for r in results if r.condition.op == "=="}
        named = {r.path for r in results}.union(*self.deps.values())
        fields = parsed.by_path
        self.candidates = sorted(
            (fields[p] for p in named
             if p in fields and p not in pinned and p not in keep and _may_vary(fields[p], layout)),
            key=lambda f: f.offset)
        self.varying = {f.path for f in self.candidates}

    def _reads(self, cond: Condition) -> set[str]:
        env = _Env({})
        try:
            for v in cond.values:
                evaluate(v.expr.node, env.scope(self.parsed.root))
        except TriggerError:
            pass  # it read what it read before failing; the original meets every condition anyway
        return env.read

    def solve(self) -> list[tuple[Field, Domain]]:
        out = []
        for f in self.candidates:
            domain = self._decide(f)
            if domain is not None:
                self.domains[f.path] = domain
                out.append((f, domain))
        return out

    def _holds(self, r: ConditionResult, path: str, trial: Domain) -> bool:
        domains = {**self.domains, path: trial}
        env = _Env(domains)
        try:
            expected = [bounded(v.expr.node, env.scope(self.parsed.root)) for v in r.condition.values]
        except TriggerError:
            return False
        domain = domains.get(r.path)
        subject = domain if domain is not None else self.parsed.by_path[r.path].value
        return holds_throughout(r.condition.op, subject, expected)

    def _decide(self, f: Field) -> Domain | None:
        v0 = int(f.value)
        touching = [r for r in self.results if r.path == f.path or f.path in self.deps[id(r.condition)]]
        direct = [r for r in touching if r.path == f.path and not self.deps[id(r.condition)] & self.varying]
        indirect = [r for r in touching if not any(r is d for d in direct)]

        def ok(trial: Domain) -> bool:
            return all(self._holds(r, f.path, trial) for r in indirect)

        bounds = _direct_bounds(f, direct)
        if bounds is None:
            return None
        lo, hi, listed, excluded = bounds
        if listed is not None:
            values = tuple(dict.fromkeys(v for v in listed if lo <= v <= hi and v not in excluded and ok((v,))))
            return values if len(values) >= 2 else None
        gaps = _gaps(lo, hi, excluded)
        if not indirect:
            best = max(gaps, key=lambda g: (g.size.bit_length(), g.lo <= v0 <= g.hi, -g.lo), default=None)
            w = window(best.lo, best.hi) if best is not None else None
            return None if w is None else Interval(w[0], w[0] + (1 << w[1]) - 1)
        home = next((g for g in gaps if g.lo <= v0 <= g.hi), None)
        if home is None or not ok(Interval(v0, v0)):
            return None
        lo = _stretch(home.lo, v0, lambda a: ok(Interval(a, v0)))
        hi = _stretch(home.hi, v0, lambda b: ok(Interval(v0, b)))
        size = hi - lo + 1
        for bits in range(min(MAX_WINDOW_BITS, size.bit_length() - 1), 0, -1):
            base = aligned(lo, hi - (1 << bits) + 1)
            trial = Interval(base, base + (1 << bits) - 1)
            if ok(trial):
                return trial
        return None


def _may_vary(f: Field, layout: set[tuple[str, str]]) -> bool:
    return (f.decl.kind == "int" and isinstance(f.value, int) and not isinstance(f.value, bool)
            and (f.decl.owner, f.decl.id) not in layout)


def _direct_bounds(f: Field, direct: Iterable[ConditionResult]
                   ) -> tuple[int, int, list[int] | None, list[int]] | None:
    """What conditions against constants allow: [lo, hi], a listed set, excluded values."""
    lo, hi = f.decl.int_range
    if not f.decl.signed and int(f.value) <= hi >> 1:
        # A copy never sets the top bit the original leaves clear: a decoder that reads the
        # field as signed would see a negative value and may take another path than the PoC's.
        hi >>= 1
    listed: list[int] | None = None
    excluded: list[int] = []
    for r in direct:
        op, e = r.condition.op, r.expected
        if op in ("in", "not-in"):
            if not isinstance(e, list) or any(isinstance(v, bool) or not isinstance(v, int) for v in e):
                return None
            if op == "in":
                listed = list(e) if listed is None else [v for v in listed if v in e]
            else:
                excluded += e
            continue
        if isinstance(e, bool) or not isinstance(e, int):
            return None
        if op == "!=":
            excluded.append(e)
        elif op == ">":
            lo = max(lo, e + 1)
        elif op == ">=":
            lo = max(lo, e)
        elif op == "<":
            hi = min(hi, e - 1)
        elif op == "<=":
            hi = min(hi, e)
        else:
            return None
    return lo, hi, listed, excluded


def _gaps(lo: int, hi: int, excluded: list[int]) -> list[Interval]:
    """[lo, hi] without the excluded values, as runs of consecutive values."""
    out, start = [], lo
    for x in sorted({v for v in excluded if lo <= v <= hi}):
        if x > start:
            out.append(Interval(start, x - 1))
        start = x + 1
    if start <= hi:
        out.append(Interval(start, hi))
    return out


def _stretch(limit: int, v0: int, ok: Callable[[int], bool]) -> int:
    """The end nearest ``limit`` (between v0 and limit) for which ``ok`` still holds; ``ok`` is
    monotone: it holds at v0, and if it holds at x it holds at every x' between x and v0."""
    if ok(limit):
        return limit
    good, bad = v0, limit
    while abs(bad - good) > 1:
        mid = (good + bad) // 2
        if ok(mid):
            good = mid
        else:
            bad = mid
    return good


def trigger_slack(spec: Spec, parsed: ParsedFile, results: list[ConditionResult],
                  keep: set[str]) -> list[tuple[Field, Domain]]:
    """Each integer that may vary inside the trigger conditions, with its domain, in file
    order. ``keep`` names fields that must not change for other reasons (checksums)."""
    return _Solver(spec, parsed, results, keep).solve()
