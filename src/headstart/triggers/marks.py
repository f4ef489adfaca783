"""Where a file may differ between copies without changing what it triggers.

Two sources of slots, both fixed by the specification and the original file:

* free fields (``x-headstart.free``): an integer's value inside its min/max, one of its
  listed values, each character of a string from its charset, each byte of a raw field;
* slack inside trigger conditions: an integer tested only against constants (``width >
  0x3fff``) may take any value that still meets all its conditions; an ``in`` list may
  use any listed value. A field the parser reads (a length, a count, anything an
  expression names), a checksum and a field tested with ``==`` has no slack.

An integer range becomes a window of 2**k values (k <= 16) around the original value and
each bit of the offset into the window is one binary slot; a value outside the window
reads as erasures. Byte and character slots choose between two values, never a blank,
zero, 0xff or a redaction character (X, x, *, #, ?, ., 0, A), so a field scrubbed with
those reads as erasures rather than as a wrong symbol.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .binparse import parse
from .conditions import check, checksum_jobs, evaluate_all, fmt, verify_checksums
from .errors import TriggerError
from .parsed import Field, ParsedFile
from .spec import Spec

AVOID = frozenset(b"\x00 #*.0?AXx\xff")
WINDOW_BITS = 16
LOW_CONFIDENCE = 0.5


@dataclass(frozen=True)
class MarkSlot:
    """One mark-carrying choice in a binary file.

    kind "byte": byte ``index`` of the field takes ``values[symbol]``;
    kind "bit": bit ``index`` of (field value - ``base``), in a window of ``bits`` bits;
    kind "choice": the whole field takes ``values[symbol]``.
    """

    key: str
    path: str
    offset: int
    size: int
    kind: str
    index: int
    values: tuple[int, ...]
    base: int = 0
    bits: int = 0
    where: str = ""

    @property
    def q(self) -> int:
        return len(self.values)

    @property
    def alternatives(self) -> tuple[str, ...]:
        if self.kind == "byte":
            return tuple(f"{v:#04x}" for v in self.values)
        if self.kind == "bit":
            return ("0", "1")
        return tuple(fmt(v, True) for v in self.values)


def byte_pair(b: int, charset: frozenset[int] | None = None) -> tuple[int, int] | None:
    """The two values a byte (or character) slot chooses between, or None for no slot."""

    def ok(v: int) -> bool:
        return v not in AVOID and (charset is None or v in charset)

    if charset is not None:
        if not ok(b):
            return None  # keep text as written where it is a blank or outside the charset
        if chr(b).isascii() and chr(b).isalpha() and ok(b ^ 0x20):
            return (min(b, b ^ 0x20), max(b, b ^ 0x20))
    j0 = b >> 1
    for d in range(128):
        for j in ((j0,) if d == 0 else (j0 + d, j0 - d)):
            if 0 <= j < 128 and ok(2 * j) and ok(2 * j + 1):
                return (2 * j, 2 * j + 1)
    return None


def window(original: int, lo: int, hi: int) -> tuple[int, int] | None:
    """(base, bits): an aligned window of 2**bits values in [lo, hi], around ``original``."""
    size = hi - lo + 1
    if size < 2:
        return None
    bits = min(WINDOW_BITS, size.bit_length() - 1)
    span_ = 1 << bits
    base = original - (original % span_)
    base = max(base, lo)
    base = min(base, hi - span_ + 1)
    return base, bits


class _Finder:
    def __init__(self, spec: Spec, parsed: ParsedFile) -> None:
        self.spec = spec
        self.parsed = parsed
        self.slots: list[MarkSlot] = []
        self.claimed: set[str] = set()

    def run(self) -> list[MarkSlot]:
        results = evaluate_all(self.spec, self.parsed)
        tested = {r.path for r in results}
        sums = {job.target.path for job in checksum_jobs(self.spec, self.parsed)}
        self.claimed |= tested | sums
        for free in self.spec.free:
            for path, node in self.parsed.find(free.path):
                if isinstance(node, Field) and path not in self.claimed:
                    self.claimed.add(path)
                    self.free_slots(free, node)
        self.slack_slots(results, sums)
        kind_order = {"choice": 0, "bit": 1, "byte": 2}
        self.slots.sort(key=lambda s: (s.offset, kind_order[s.kind], s.index))
        return self.slots

    def free_slots(self, free: Any, f: Field) -> None:
        decl = f.decl
        if decl.kind == "int":
            if free.values is not None:
                self.choice(f, tuple(free.values), "free value")
            else:
                lo, hi = decl.int_range
                lo = free.minimum if free.minimum is not None else lo
                hi = free.maximum if free.maximum is not None else hi
                self.window_slots(f, lo, hi, "free range")
        elif decl.kind in ("str", "bytes"):
            raw = self.parsed.data[f.offset:f.end]
            for i, b in enumerate(raw):
                pair = byte_pair(b, free.charset)
                if pair is not None:
                    self.slots.append(MarkSlot(
                        f"{f.path}[{i}]", f.path, f.offset, f.size, "byte", i, pair,
                        where=f"{f.path} byte {i} at {f.offset + i:#x} ({decl.type_text})"))

    def choice(self, f: Field, values: tuple[int, ...], why: str) -> None:
        if len(values) >= 2:
            self.slots.append(MarkSlot(f.path, f.path, f.offset, f.size, "choice", 0, values,
                                       where=f"{f.path} at {f.offset:#x} ({f.decl.type_text}, {why})"))

    def window_slots(self, f: Field, lo: int, hi: int, why: str) -> None:
        w = window(int(f.value), lo, hi)  # an original outside [lo, hi] gets the nearest window
        if w is None:
            return
        base, bits = w
        for bit in range(bits):
            self.slots.append(MarkSlot(
                f"{f.path}#bit{bit}", f.path, f.offset, f.size, "bit", bit, (0, 1), base, bits,
                where=f"{f.path} at {f.offset:#x} ({f.decl.type_text}, {why}), bit {bit} of {bits} above {base:#x}"))

    def slack_slots(self, results: list[Any], sums: set[str]) -> None:
        by_path: dict[str, list[Any]] = {}
        for r in results:
            by_path.setdefault(r.path, []).append(r)
        for path, rs in by_path.items():
            if path in sums:
                continue
            try:
                f = self.parsed.field(path)
            except TriggerError:
                continue
            decl = f.decl
            if decl.kind != "int" or (decl.owner, decl.id) in self.spec.used:
                continue
            if any(r.condition.op == "==" for r in rs):
                continue
            expected = [r.expected for r in rs]
            if any(not isinstance(e, (int, list)) for e in expected):
                continue
            self.slack_for(f, rs)

    def slack_for(self, f: Field, rs: list[Any]) -> None:
        lo, hi = f.decl.int_range
        listed: list[int] | None = None
        excluded: list[int] = []
        for r in rs:
            op, e = r.condition.op, r.expected
            if op == "in":
                vals = [int(v) for v in e if isinstance(v, int)]
                listed = vals if listed is None else [v for v in listed if v in vals]
            elif op == "not-in":
                excluded += [int(v) for v in e if isinstance(v, int)]
            elif not isinstance(e, int):
                return
            elif op == "!=":
                excluded.append(e)
            elif op == ">":
                lo = max(lo, e + 1)
            elif op == ">=":
                lo = max(lo, e)
            elif op == "<":
                hi = min(hi, e - 1)
            elif op == "<=":
                hi = min(hi, e)
        if listed is not None:
            ok = []
            for v in listed:
                if lo <= v <= hi and v not in excluded and v not in ok:
                    ok.append(v)
            self.choice(f, tuple(ok), "trigger slack")
            return
        v = int(f.value)
        lo = max([lo, *(e + 1 for e in excluded if e < v)])
        hi = min([hi, *(e - 1 for e in excluded if e > v)])
        if lo <= v <= hi:
            self.window_slots(f, lo, hi, "trigger slack")


def find_slots(spec: Spec, parsed: ParsedFile) -> list[MarkSlot]:
    return _Finder(spec, parsed).run()


def mark_slots(spec: Spec, data: bytes) -> list[MarkSlot]:
    """The mark-carrying slots of a file that meets its trigger, in a fixed order.

    Raises ParseError or TriggerNotMetError if ``data`` does not meet its own specification.
    """
    return find_slots(spec, check(spec, data))


# --- writing and reading symbols --------------------------------------------------------


class SlotWriter:
    """Renders a copy for a codeword cheaply: everything that can be precomputed is."""

    def __init__(self, spec: Spec, data: bytes, slots: Sequence[MarkSlot]) -> None:
        self.spec = spec
        self.template = np.frombuffer(bytes(data), dtype=np.uint8).copy()
        self.slots = list(slots)
        parsed = parse(spec, bytes(data))
        self.layout = [(f.path, f.offset, f.size) for f in parsed.fields]
        self.jobs = checksum_jobs(spec, parsed)
        fields = parsed.by_path
        byte_ix = [i for i, s in enumerate(self.slots) if s.kind == "byte"]
        self.byte_slots = np.array(byte_ix, dtype=np.int64)
        self.byte_pos = np.array([self.slots[i].offset + self.slots[i].index for i in byte_ix], dtype=np.int64)
        self.byte_vals = np.array([self.slots[i].values for i in byte_ix], dtype=np.uint8).reshape(len(byte_ix), -1)
        self.windows: list[tuple[Field, int, np.ndarray, np.ndarray]] = []
        groups: dict[str, list[int]] = {}
        for i, s in enumerate(self.slots):
            if s.kind == "bit":
                groups.setdefault(s.path, []).append(i)
        for path, ix in groups.items():
            first = self.slots[ix[0]]
            weights = np.array([1 << self.slots[i].index for i in ix], dtype=np.int64)
            self.windows.append((fields[path], first.base, np.array(ix, dtype=np.int64), weights))
        self.choices = [(i, fields[s.path], [_encode(fields[s.path], v) for v in s.values])
                        for i, s in enumerate(self.slots) if s.kind == "choice"]

    def write(self, codeword: Sequence[int]) -> bytes:
        cw = np.asarray(codeword, dtype=np.int64)
        buf = self.template.copy()
        if len(self.byte_slots):
            buf[self.byte_pos] = self.byte_vals[np.arange(len(self.byte_slots)), cw[self.byte_slots]]
        out = bytearray(buf.tobytes())
        for f, base, ix, weights in self.windows:
            out[f.offset:f.end] = _encode(f, base + int(np.dot(cw[ix], weights)))
        for i, f, encoded in self.choices:
            out[f.offset:f.end] = encoded[int(cw[i])]
        for job in self.jobs:
            job.write(out)
        return bytes(out)

    def verify(self, data: bytes) -> list[str]:
        """What is wrong with a rendered copy: layout, trigger, checksums (empty if nothing)."""
        try:
            parsed = parse(self.spec, data)
        except TriggerError as exc:
            return [str(exc)]
        problems = []
        if [(f.path, f.offset, f.size) for f in parsed.fields] != self.layout:
            problems.append("the layout of the copy differs from the original's")
        problems += [r.explanation for r in evaluate_all(self.spec, parsed) if not r.holds]
        problems += [r.explanation for r in verify_checksums(self.spec, parsed) if not r.holds]
        return problems


def _encode(f: Field, value: int) -> bytes:
    d = f.decl
    return int(value).to_bytes(d.int_size, "little" if d.endian == "le" else "big", signed=d.signed)


def read_slots(spec: Spec, slots: Sequence[MarkSlot], data: bytes) -> tuple[np.ndarray, np.ndarray, ParsedFile]:
    """Symbols (-1 for erasures) and confidences for every slot, read from a (leaked) file.

    The file is parsed leniently: whatever could be read is used; a slot whose field is
    missing or whose value is not one of its alternatives is an erasure; a slot inside a
    region whose checksum is wrong is read with lower confidence.
    """
    parsed = parse(spec, data, lenient=True)
    n = len(slots)
    symbols = np.full(n, -1, dtype=np.int64)
    confidence = np.zeros(n, dtype=np.float64)
    fields = parsed.by_path
    bad: list[tuple[int, int]] = []  # bytes covered by a checksum that is wrong in the leak
    try:
        for job in checksum_jobs(spec, parsed):
            mask = (1 << (8 * job.target.size)) - 1
            if not isinstance(job.target.value, int) or (job.target.value ^ job.compute(data)) & mask:
                bad += job.ranges
    except TriggerError:
        bad = [(0, len(data))]
    groups: dict[str, list[int]] = {}
    for i, s in enumerate(slots):
        groups.setdefault(s.path, []).append(i)
    raw_all = np.frombuffer(data, dtype=np.uint8)
    for path, ix in groups.items():
        f = fields.get(path)
        if f is None:
            continue
        sure = 1.0 if not any(a < f.end and f.offset < b for a, b in bad) else LOW_CONFIDENCE
        kind = slots[ix[0]].kind
        if kind == "byte":
            idx = np.array([slots[i].index for i in ix], dtype=np.int64)
            vals = np.array([slots[i].values for i in ix], dtype=np.int64).reshape(len(ix), -1)
            inside = idx < f.size
            got = np.full(len(ix), -999, dtype=np.int64)
            got[inside] = raw_all[f.offset + idx[inside]]
            match = vals == got[:, None]
            found = match.any(axis=1)
            sym = np.where(found, match.argmax(axis=1), -1)
            symbols[ix] = sym
            confidence[ix] = np.where(found, sure, 0.0)
        elif kind == "bit":
            if f.decl.kind != "int" or not isinstance(f.value, int):
                continue
            first = slots[ix[0]]
            offset = f.value - first.base
            if 0 <= offset < (1 << first.bits):
                for i in ix:
                    symbols[i] = (offset >> slots[i].index) & 1
                    confidence[i] = sure
        else:
            for i in ix:
                if f.value in slots[i].values:
                    symbols[i] = slots[i].values.index(f.value)
                    confidence[i] = sure
    return symbols, confidence, parsed


