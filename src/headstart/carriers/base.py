"""Common ground for every carrier: slots, the render template, readings, errors.

A carrier is built once from an original artifact (slot discovery happens then and is
deterministic), renders a copy for any codeword cheaply, and reads leaked material back
into one symbol (or an erasure, -1) per slot. Carriers never see keys or partners: they
map codewords to bytes and bytes to symbols, nothing else.
"""

from __future__ import annotations

import abc
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

ERASED = -1


class CarrierError(ValueError):
    """Base class of every error a carrier raises on bad input."""


class NoSlotsError(CarrierError):
    """The original has no usable slot: a copy would go out unmarked."""


class RenderError(CarrierError):
    """A rendered copy failed its own check (it would not be as good as the original)."""


class UnreadableLeakError(CarrierError):
    """Leaked material that cannot be decoded or parsed at all."""


@dataclass(frozen=True)
class Slot:
    """One place where copies may differ.

    ``key`` is stable and unique within the artifact; ``alternatives`` are the
    meaning-preserving choices (symbol i renders alternatives[i]); ``where`` says in
    words where the slot lives, for reports.
    """

    key: str
    alternatives: tuple[str, ...]
    where: str = ""

    @property
    def q(self) -> int:
        return len(self.alternatives)


@dataclass(frozen=True)
class Reading:
    """Symbols read back from a leak: -1 where a slot is erased, with a confidence in [0, 1]."""

    symbols: np.ndarray
    confidence: np.ndarray

    def __post_init__(self) -> None:
        if self.symbols.shape != self.confidence.shape:
            raise ValueError("symbols and confidence differ in length")

    @property
    def read(self) -> int:
        return int(np.count_nonzero(self.symbols != ERASED))

    @property
    def erased(self) -> int:
        return int(np.count_nonzero(self.symbols == ERASED))

    @classmethod
    def empty(cls, n: int) -> Reading:
        return cls(np.full(n, ERASED, dtype=np.int64), np.zeros(n, dtype=np.float64))


Part = str | int


class Template:
    """An original cut into literal text and slot references, so rendering is a join.

    ``parts`` holds strings (copied as they are) and ints (the index of a slot whose
    chosen alternative goes there). A slot may appear several times (a renamed variable).
    """

    def __init__(self, parts: Sequence[Part], slots: Sequence[Slot]) -> None:
        self.parts = list(parts)
        self.slots = list(slots)
        for p in self.parts:
            if isinstance(p, int) and not 0 <= p < len(self.slots):
                raise ValueError(f"template refers to slot {p}, which does not exist")

    def render(self, codeword: Sequence[int]) -> str:
        check_codeword(codeword, self.slots)
        alts = [s.alternatives for s in self.slots]
        return "".join(p if isinstance(p, str) else alts[p][codeword[p]] for p in self.parts)


_SIZES_KEPT = 256
_sizes: OrderedDict[int, tuple[Sequence[Slot], np.ndarray]] = OrderedDict()
_sizes_guard = threading.Lock()


def _alphabet_sizes(slots: Sequence[Slot]) -> np.ndarray:
    """The slots' alphabet sizes, worked out once per list of slots: a carrier checks every
    copy's codeword against the same list (kept with the entry, so its id is not reused)."""
    with _sizes_guard:
        kept = _sizes.get(id(slots))
        if kept is not None and kept[0] is slots and len(kept[1]) == len(slots):
            _sizes.move_to_end(id(slots))
            return kept[1]
    sizes = np.fromiter((slot.q for slot in slots), dtype=np.int64, count=len(slots))
    with _sizes_guard:
        _sizes[id(slots)] = (slots, sizes)
        while len(_sizes) > _SIZES_KEPT:
            _sizes.popitem(last=False)
    return sizes


def check_codeword(codeword: Sequence[int], slots: Sequence[Slot]) -> None:
    if len(codeword) != len(slots):
        raise CarrierError(f"codeword has {len(codeword)} symbols but the artifact has {len(slots)} slots")
    if not slots:
        return
    symbols = np.asarray(codeword)
    if symbols.dtype.kind in "iu":  # the usual case, checked at once; else slot by slot below
        sizes = _alphabet_sizes(slots)
        outside = np.flatnonzero((symbols < 0) | (symbols >= sizes))
        if not outside.size:
            return
        first = int(outside[0])
        raise CarrierError(f"symbol {codeword[first]} at slot {first} ({slots[first].key}) "
                           f"is outside 0..{slots[first].q - 1}")
    for i, (sym, slot) in enumerate(zip(codeword, slots, strict=True)):
        if not 0 <= int(sym) < slot.q:
            raise CarrierError(f"symbol {sym} at slot {i} ({slot.key}) is outside 0..{slot.q - 1}")


def decode_leak(data: bytes | str) -> str:
    """Decode leaked text: UTF-8 (with or without BOM), UTF-16/32 with BOM, else a
    confident guess by charset-normalizer (forum pages are often GBK, Shift-JIS, cp1251).
    Raises UnreadableLeakError when no encoding fits."""
    if isinstance(data, str):
        return data
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"),
                     (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc)
            except UnicodeDecodeError as exc:
                raise UnreadableLeakError(f"starts with a {enc} byte-order mark but is not valid {enc}: {exc}") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.chaos > 0.2:
        raise UnreadableLeakError("leaked material is not text in any encoding Headstart recognises")
    return str(best)


class Carrier(abc.ABC):
    """One kind of artifact: find slots in an original, render copies, read leaks."""

    kind: ClassVar[str]

    @property
    @abc.abstractmethod
    def slots(self) -> list[Slot]:
        """The slots found in the original, in a fixed order."""

    @property
    def alphabet_sizes(self) -> list[int]:
        return [s.q for s in self.slots]

    @abc.abstractmethod
    def render(self, codeword: Sequence[int]) -> bytes:
        """The copy carrying ``codeword``; raises RenderError if the copy fails its check."""

    @abc.abstractmethod
    def read(self, leak: bytes | str) -> Reading:
        """Symbols (or erasures) for every slot, read from leaked material."""
