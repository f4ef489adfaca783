"""Where a file may differ between copies without changing what it triggers.

Every slot is fixed by the specification and the original file:

* a free integer with min/max: a window of 2**k values inside the range (k = floor(log2)
  of the range's size, at most 62), each bit of the offset into the window one binary
  slot; a free integer with ``values``: one slot choosing among them;
* a free string or byte field with a charset: each character one slot choosing among
  every character of the charset except a blank and the redaction characters (86 for
  ``printable``), whatever the original held there;
* a free raw byte field: each byte one binary slot between two values that differ in
  the lowest bit;
* slack inside trigger conditions (``headstart.triggers.slack``): an integer the parser
  does not read gets a window inside what every condition allows (``width > 0x3fff`` in
  a u4: 31 bits), an ``in`` list becomes one choice, and a field compared with another
  field's value (``chunks[0].length >= height * 2``) keeps the comparison true for every
  codeword. A length, a count, a checksum and a field tested with ``==`` never change.

Windows are aligned (their base has as many trailing zero bits as the range allows), so
a value's low bytes are its offset's low bytes. Copies never use the values a scrubber
writes (zero, 0xff, a blank, ``X x * # ? . 0 A``), so scrubbed bytes read as erasures;
so does an integer outside its window and a field whose slot bytes all hold one value
(filled by hand, not marked).
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
from .slack import MAX_WINDOW_BITS, Interval, trigger_slack, window
from .spec import Spec

AVOID = frozenset(b"\x00 #*.0?AXx\xff")
LOW_CONFIDENCE = 0.5
FILLED_MIN = 4  # a field with at least this many slot bytes, all equal, was filled by hand

__all__ = ["AVOID", "LOW_CONFIDENCE", "MAX_WINDOW_BITS", "MarkSlot", "SlotReader", "SlotWriter", "byte_pair",
           "find_slots", "mark_slots", "read_slots", "window"]


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
            if self.q > 2 and all(0x20 < v < 0x7F for v in self.values):
                return tuple(chr(v) for v in self.values)
            return tuple(f"{v:#04x}" for v in self.values)
        if self.kind == "bit":
            return ("0", "1")
        return tuple(fmt(v, True) for v in self.values)


def byte_pair(b: int) -> tuple[int, int] | None:
    """The two values a raw byte slot chooses between: the pair (2j, 2j + 1) nearest ``b``
    that holds no scrub value (None if there is none)."""
    j0 = b >> 1
    for d in range(128):
        for j in ((j0,) if d == 0 else (j0 + d, j0 - d)):
            if 0 <= j < 128 and 2 * j not in AVOID and 2 * j + 1 not in AVOID:
                return (2 * j, 2 * j + 1)
    return None


def alphabet(charset: frozenset[int]) -> tuple[int, ...]:
    """The characters a charset slot chooses among: the charset without scrub values."""
    return tuple(sorted(charset - AVOID))


class _Finder:
    def __init__(self, spec: Spec, parsed: ParsedFile) -> None:
        self.spec = spec
        self.parsed = parsed
        self.slots: list[MarkSlot] = []

    def run(self) -> list[MarkSlot]:
        results = evaluate_all(self.spec, self.parsed)
        sums = {job.target.path for job in checksum_jobs(self.spec, self.parsed)}
        claimed = {r.path for r in results} | sums
        for free in self.spec.free:
            for path, node in self.parsed.find(free.path):
                if isinstance(node, Field) and path not in claimed:
                    claimed.add(path)
                    self.free_slots(free, node)
        for f, domain in trigger_slack(self.spec, self.parsed, results, sums):
            if isinstance(domain, Interval):
                self.window_slots(f, domain.lo, domain.size.bit_length() - 1, "trigger slack")
            else:
                self.choice(f, domain, "trigger slack")
        kind_order = {"choice": 0, "bit": 1, "byte": 2}
        self.slots.sort(key=lambda s: (s.offset, kind_order[s.kind], s.index))
        return self.slots

    def free_slots(self, free: Any, f: Field) -> None:
        decl = f.decl
        if decl.kind == "int":
            if free.values is not None:
                self.choice(f, tuple(dict.fromkeys(free.values)), "free value")
                return
            lo, hi = decl.int_range
            lo = max(lo, free.minimum) if free.minimum is not None else lo
            hi = min(hi, free.maximum) if free.maximum is not None else hi
            w = window(lo, hi)
            if w is not None:
                self.window_slots(f, w[0], w[1], "free range")
        elif decl.kind in ("str", "bytes"):
            if free.charset is not None:
                chars = alphabet(free.charset)
                if len(chars) >= 2:
                    for i in range(f.size):
                        self.byte_slot(f, i, chars, "any character of its charset")
                return
            for i, b in enumerate(self.parsed.data[f.offset:f.end]):
                pair = byte_pair(b)
                if pair is not None:
                    self.byte_slot(f, i, pair, "raw byte")

    def byte_slot(self, f: Field, i: int, values: tuple[int, ...], why: str) -> None:
        self.slots.append(MarkSlot(
            f"{f.path}[{i}]", f.path, f.offset, f.size, "byte", i, values,
            where=f"{f.path} byte {i} at {f.offset + i:#x} ({f.decl.type_text}, {why})"))

    def choice(self, f: Field, values: tuple[int, ...], why: str) -> None:
        if len(values) >= 2:
            self.slots.append(MarkSlot(f.path, f.path, f.offset, f.size, "choice", 0, values,
                                       where=f"{f.path} at {f.offset:#x} ({f.decl.type_text}, {why})"))

    def window_slots(self, f: Field, base: int, bits: int, why: str) -> None:
        for bit in range(bits):
            self.slots.append(MarkSlot(
                f"{f.path}#bit{bit}", f.path, f.offset, f.size, "bit", bit, (0, 1), base, bits,
                where=f"{f.path} at {f.offset:#x} ({f.decl.type_text}, {why}), bit {bit} of {bits} above {base:#x}"))


def find_slots(spec: Spec, parsed: ParsedFile) -> list[MarkSlot]:
    return _Finder(spec, parsed).run()


def mark_slots(spec: Spec, data: bytes) -> list[MarkSlot]:
    """The mark-carrying slots of a file that meets its trigger, in a fixed order.

    Raises ParseError or TriggerNotMetError if ``data`` does not meet its own specification.
    """
    return find_slots(spec, check(spec, data))


# --- writing symbols ----------------------------------------------------------------------


def _encode(f: Field, value: int) -> bytes:
    d = f.decl
    return int(value).to_bytes(d.int_size, "little" if d.endian == "le" else "big", signed=d.signed)


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
        # byte slots, grouped by alphabet size so each group is one fancy-indexed write
        by_q: dict[int, list[int]] = {}
        for i, s in enumerate(self.slots):
            if s.kind == "byte":
                by_q.setdefault(s.q, []).append(i)
        self.bytes = [(np.array(ix, dtype=np.int64),
                       np.array([self.slots[i].offset + self.slots[i].index for i in ix], dtype=np.int64),
                       np.array([self.slots[i].values for i in ix], dtype=np.uint8))
                      for _q, ix in sorted(by_q.items())]
        self.windows: list[tuple[Field, int, np.ndarray, np.ndarray]] = []
        groups: dict[str, list[int]] = {}
        for i, s in enumerate(self.slots):
            if s.kind == "bit":
                groups.setdefault(s.path, []).append(i)
        for path, ix in groups.items():
            weights = np.array([1 << self.slots[i].index for i in ix], dtype=np.int64)
            self.windows.append((fields[path], self.slots[ix[0]].base, np.array(ix, dtype=np.int64), weights))
        self.choices = [(i, fields[s.path], [_encode(fields[s.path], v) for v in s.values])
                        for i, s in enumerate(self.slots) if s.kind == "choice"]

    def write(self, codeword: Sequence[int]) -> bytes:
        cw = np.asarray(codeword, dtype=np.int64)
        buf = self.template.copy()
        for ix, pos, vals in self.bytes:
            buf[pos] = vals[np.arange(len(ix)), cw[ix]]
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


# --- reading symbols ----------------------------------------------------------------------


@dataclass
class _Group:
    """The slots of one field, ready to be matched against a leak."""

    path: str
    kind: str
    ix: np.ndarray  # slot numbers
    index: np.ndarray  # byte index (byte slots) or bit (bit slots)
    values: np.ndarray  # alternatives, one row per slot (byte and choice slots)
    base: int = 0
    bits: int = 0
    home: Field | None = None  # where the original has the field
    before: Field | None = None  # the nearest skeleton field before it in the original
    after: Field | None = None  # and after it


class SlotReader:
    """Reads every slot's symbol from a (leaked) file, prepared once for many leaks.

    Given the original's parse, reading also checks the leak against the original's
    skeleton: the fields no copy changes (magic, lengths, other fixed integers). A slot
    field is read with full confidence where the leak's parse puts it, if that is where
    the original has it and the nearest skeleton fields before and after it hold the
    original's bytes (or lie past the end of a truncated leak); with 0.5 if a checksum
    covering it is wrong or cut off by the end of the leak. Otherwise (a damaged length
    moved the leak's fields, bytes were inserted or deleted nearby) it is read at the
    original's offset with confidence 0.5 when at least one of those skeleton fields
    holds the original's bytes, and erased when neither does.
    """

    def __init__(self, spec: Spec, slots: Sequence[MarkSlot], original: ParsedFile | None = None) -> None:
        self.spec = spec
        self.n = len(slots)
        by_path: dict[str, list[int]] = {}
        for i, s in enumerate(slots):
            by_path.setdefault(s.path, []).append(i)
        self.skeleton: list[Field] = []
        self.sums: list[tuple[int, tuple[tuple[int, int], ...]]] = []  # (end, covered ranges) in the original
        if original is not None:
            jobs = checksum_jobs(spec, original)
            self.sums = [(job.target.end, job.ranges) for job in jobs]
            sums = {job.target.path for job in jobs}
            self.skeleton = [f for f in original.fields
                             if f.path not in by_path and f.path not in sums and f.decl.kind in ("int", "contents")]
        self.groups = []
        for path, ix in by_path.items():
            first = slots[ix[0]]
            home = original.by_path.get(path) if original is not None else None
            before = after = None
            if home is not None:
                before = next((k for k in reversed(self.skeleton) if k.end <= home.offset), None)
                after = next((k for k in self.skeleton if k.offset >= home.end), None)
            self.groups.append(_Group(
                path, first.kind, np.array(ix, dtype=np.int64),
                np.array([slots[i].index for i in ix], dtype=np.int64),
                np.array([slots[i].values for i in ix], dtype=np.int64).reshape(len(ix), -1),
                first.base, first.bits, home, before, after))

    def skeleton_agreement(self, data: bytes, *, skip: int = 0) -> tuple[int, int]:
        """(bytes that agree, bytes compared) between the leak and the original's skeleton,
        over the skeleton fields inside the leak, leaving out the first ``skip`` fields."""
        same = total = 0
        for f in self.skeleton[skip:]:
            if f.end <= len(data):
                same += sum(a == b for a, b in zip(data[f.offset:f.end], _stored(f), strict=False))
                total += f.size
        return same, total

    def read(self, data: bytes) -> tuple[np.ndarray, np.ndarray, ParsedFile]:
        """Symbols (-1 for erasures) and confidences for every slot, and the leak's parse."""
        parsed = parse(self.spec, data, lenient=True)
        symbols = np.full(self.n, -1, dtype=np.int64)
        confidence = np.zeros(self.n, dtype=np.float64)
        fields = parsed.by_path
        bad: list[tuple[int, int]] = []  # bytes under a checksum that is wrong (or missing) in the leak
        try:
            for job in checksum_jobs(self.spec, parsed):
                mask = (1 << (8 * job.target.size)) - 1
                if not isinstance(job.target.value, int) or (job.target.value ^ job.compute(data)) & mask:
                    bad += job.ranges
        except TriggerError:
            bad = [(0, len(data))]
        for end, ranges in self.sums:
            if end > len(data):
                bad += ranges  # the leak ends before this checksum: what it covers cannot be verified
        raw_all = np.frombuffer(data, dtype=np.uint8)
        for g in self.groups:
            f = fields.get(g.path)
            trusted = f is not None
            if g.home is not None:
                sides = (_side(g.before, data), _side(g.after, data))
                trusted = f is not None and _same_place(f, g.home) and "moved" not in sides
                if not trusted:
                    if "kept" not in sides or g.home.offset >= len(data):
                        continue
                    f = _at(g.home, data)  # where the original has it, with low confidence
            if f is None:
                continue
            doubted = not trusted or any(a < f.end and f.offset < b for a, b in bad)
            self._match(g, f, raw_all, LOW_CONFIDENCE if doubted else 1.0, symbols, confidence)
        return symbols, confidence, parsed

    @staticmethod
    def _match(g: _Group, f: Field, raw_all: np.ndarray, sure: float,
               symbols: np.ndarray, confidence: np.ndarray) -> None:
        if g.kind == "byte":
            inside = g.index < f.size
            got = np.full(len(g.ix), -999, dtype=np.int64)
            got[inside] = raw_all[f.offset + g.index[inside]]
            if inside.sum() >= FILLED_MIN and (got[inside] == got[inside][0]).all():
                return  # every byte the same: filled over, not a copy's marks
            match = g.values == got[:, None]
            found = match.any(axis=1)
            symbols[g.ix] = np.where(found, match.argmax(axis=1), -1)
            confidence[g.ix] = np.where(found, sure, 0.0)
        elif f.decl.kind == "int" and isinstance(f.value, int) and not f.truncated:
            if g.kind == "bit":
                offset = f.value - g.base
                if 0 <= offset < (1 << g.bits):
                    symbols[g.ix] = (offset >> g.index) & 1
                    confidence[g.ix] = sure
            else:
                hit = np.flatnonzero(g.values[0] == f.value)
                if len(hit):
                    symbols[g.ix] = hit[0]
                    confidence[g.ix] = sure


def _stored(f: Field) -> bytes:
    return f.value if isinstance(f.value, bytes) else _encode(f, int(f.value))


def _side(skeleton_field: Field | None, data: bytes) -> str:
    """Whether a skeleton field is "kept" (the original's bytes), "moved" (other bytes) or
    "absent" (no such field, or past the end of the leak) in the leak."""
    if skeleton_field is None or skeleton_field.end > len(data):
        return "absent"
    return "kept" if data[skeleton_field.offset:skeleton_field.end] == _stored(skeleton_field) else "moved"


def _same_place(f: Field, home: Field) -> bool:
    return f.offset == home.offset and (f.size == home.size or (f.truncated and f.size < home.size))


def _at(home: Field, data: bytes) -> Field:
    """The leak's bytes where the original has a field (cut short at the end of the leak)."""
    raw = data[home.offset:home.end]
    short = len(raw) < home.size
    if home.decl.kind == "int" and not short:
        d = home.decl
        value: Any = int.from_bytes(raw, "little" if d.endian == "le" else "big", signed=d.signed)
    else:
        value = bytes(raw)
    return Field(home.path, home.offset, len(raw), value, home.decl, truncated=short)


def read_slots(spec: Spec, slots: Sequence[MarkSlot], data: bytes,
               original: ParsedFile | None = None) -> tuple[np.ndarray, np.ndarray, ParsedFile]:
    """Symbols (-1 for erasures) and confidences for every slot, read from a (leaked) file.

    The file is parsed leniently: whatever could be read is used; a slot whose field is
    missing or whose value is not one of its alternatives is an erasure; a slot inside a
    region whose checksum is wrong is read with lower confidence. With the ``original``'s
    parse, fields are also checked against (and if need be read at) the original's layout:
    see SlotReader.
    """
    return SlotReader(spec, slots, original).read(data)
