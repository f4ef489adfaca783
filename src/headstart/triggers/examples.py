"""Example values for the procedure's trigger conditions: one that meets it, one that fails.

A detection engineer tests a signature on both sides of every condition, so the
procedure shows a value of each: ``width > 0x3fff (for example 0x9a3f17c2, but not
0x00003a10)``. Any value on the right side is as good as any other, which makes the
examples marks that survive translation and retyping: the procedure offers up to 256 of
each as author alternatives, and each copy shows one.

Examples exist for integer fields compared with literal numbers, or with an expression
over other integer fields of the file (``length >= height * 2``): then each example
names the values it assumes (``0x0025 with height = 0x0010``). A value that "meets" a
condition also meets every other literal condition on the same field, within the
field's type; one that "fails" breaks this condition and stays within the type.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .conditions import holds_for
from .expr import Binary, ExprError, Name, Num, Scope, Unary, evaluate, walk
from .spec import ROOT, Condition, FieldDef, Spec

# 256 alternatives: 8 bits per example, and still a short list to read back.
MAX_EXAMPLES = 256
# Draws allowed per example wanted, for conditions that few assignments satisfy.
_TRIES = 64


@dataclass(frozen=True)
class Example:
    """One value for the condition's field, with the values of the fields it assumes."""

    value: str
    given: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Examples:
    meets: list[Example]
    fails: list[Example]


def _literals(cond: Condition) -> list[int] | None:
    values = []
    for v in cond.values:
        if not isinstance(v.expr.node, Num):
            return None
        values.append(v.expr.node.value)
    return values


class _Domain:
    """The values a field may take: its type's range, narrowed by literal conditions."""

    def __init__(self, decl: FieldDef, conds: list[Condition]) -> None:
        self.decl = decl
        self.lo, self.hi = decl.int_range
        self.conds = [(c.op, v) for c in conds if (v := _literals(c)) is not None]
        for op, values in self.conds:
            if op == ">":
                self.lo = max(self.lo, values[0] + 1)
            elif op == ">=":
                self.lo = max(self.lo, values[0])
            elif op == "<":
                self.hi = min(self.hi, values[0] - 1)
            elif op == "<=":
                self.hi = min(self.hi, values[0])
        members = [set(v) for op, v in self.conds if op in ("==", "in")]
        self.members = sorted(set.intersection(*members)) if members else None

    def ok(self, x: int) -> bool:
        return self.lo <= x <= self.hi and all(holds_for(op, x, v) for op, v in self.conds)

    def draw(self, rng: random.Random, lo: int | None = None, hi: int | None = None,
             down: bool = False) -> int | None:
        """A random value of the domain within [lo, hi], or None after a few misses;
        near the low end, or near the high end when ``down``."""
        a, b = max(self.lo, lo if lo is not None else self.lo), min(self.hi, hi if hi is not None else self.hi)
        if self.members is not None:
            pool = [m for m in self.members if a <= m <= b and self.ok(m)]
            return rng.choice(pool) if pool else None
        for _ in range(8):
            if a > b:
                return None
            # Log-uniform distance from the end: values near it as often as far ones, so
            # a field another bound multiplies (height * 2 <= u2) still finds examples,
            # and an example for "delta < -100" reads -117, not -32741.
            reach = (1 << rng.randint(0, (b - a).bit_length())) - 1
            x = rng.randint(max(a, b - reach), b) if down else rng.randint(a, min(b, a + reach))
            if self.ok(x):
                return x
        return None


def _fmt(x: int, decl: FieldDef, decimal: bool) -> str:
    """Hex padded to the field's width (all alternatives the same length), else decimal."""
    if decimal or x < 0:
        return str(x)
    return f"0x{x:0{2 * decl.int_size}x}"


def _field(spec: Spec, name: str) -> FieldDef | None:
    decl = spec.root.get(name)
    return decl if decl is not None and decl.kind == "int" and decl.owner == ROOT else None


def examples_for(spec: Spec, cond: Condition, decl: FieldDef | None) -> Examples:
    """Up to MAX_EXAMPLES values that meet ``cond`` and as many that fail it (each list
    empty when it would offer no choice). Deterministic for a given specification."""
    none = Examples([], [])
    if decl is None or decl.kind != "int":
        return none
    own = _Domain(decl, [c for c in spec.trigger if str(c.path) == str(cond.path) and c is not cond])
    literal = _literals(cond)
    names: list[str] = []
    if literal is None:
        if len(cond.values) != 1:
            return none
        for node in walk(cond.values[0].expr.node):
            if isinstance(node, Name):
                names.append(node.name)
            elif not isinstance(node, (Num, Binary, Unary)):
                return none  # only arithmetic over plain field names
        names = sorted(set(names))
        if any(_field(spec, n) is None or n == str(cond.path) for n in names):
            return none
    given = {n: _Domain(d, [c for c in spec.trigger if str(c.path) == n]) for n in names if (d := _field(spec, n))}
    decimal = not any(v.hexy for c in spec.trigger if str(c.path) in [str(cond.path), *names] for v in c.values)
    rng = random.Random(f"{spec.id}/{cond.path}/{cond.op}/{cond.value_text}")

    def draw(meets: bool) -> list[Example]:
        found: dict[str, Example] = {}
        for _ in range(MAX_EXAMPLES * _TRIES):
            if len(found) == MAX_EXAMPLES:
                break
            drawn = {n: d.draw(rng) for n, d in given.items()}
            assumed = {n: v for n, v in drawn.items() if v is not None}
            if len(assumed) < len(drawn):
                return []
            if literal is not None:
                bound = literal
            else:
                try:
                    bound = [evaluate(cond.values[0].expr.node, Scope(assumed.__getitem__))]
                except (ExprError, KeyError, ZeroDivisionError):
                    continue
                if not isinstance(bound[0], int):
                    return []
            x = _pick(own if meets else _Domain(decl, []), cond.op, bound, meets, rng)
            if x is None:
                continue
            text = _fmt(x, decl, decimal)
            shown = tuple((n, _fmt(v, given[n].decl, decimal)) for n, v in assumed.items())
            found.setdefault(text + repr(shown), Example(text, shown))
        examples = sorted(found.values(), key=lambda e: (e.given, len(e.value), e.value))
        return examples if len(examples) >= 2 else []

    return Examples(draw(True), draw(False))


def _pick(domain: _Domain, op: str, bound: list[int], meets: bool, rng: random.Random) -> int | None:
    """A value of ``domain`` on the asked side of ``op bound``: drawn near the bound's side
    of the range when the condition is an ordering, so a narrow side is still found."""
    v = bound[0]
    lo = hi = None
    if op in (">", ">="):
        (lo, hi) = (v + (op == ">"), None) if meets else (None, v - (op == ">="))
    elif op in ("<", "<="):
        (lo, hi) = (None, v - (op == "<")) if meets else (v + (op == "<="), None)
    elif op in ("==", "in") and meets:
        pool = [m for m in bound if domain.ok(m)]
        return rng.choice(pool) if pool else None
    x = domain.draw(rng, lo, hi, down=lo is None and hi is not None)
    if x is None or holds_for(op, x, bound) != meets:
        return None
    return x
