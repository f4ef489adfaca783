"""Binary PoCs: copies differ only where the trigger specification allows.

A copy varies free fields and the slack inside trigger conditions (see
``headstart.triggers.marks``); after every render all checksums are recomputed and the
copy is parsed again and checked against every trigger condition and checksum, so no
copy goes out that would not trigger the bug. Reading parses a leaked file leniently
(bad checksums, truncation, trailing bytes, a damaged length), also accepts the file
posted as a hex dump or base64, and reads a file whose magic lost up to a quarter of its
bytes when the rest of the file's skeleton is the original's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from headstart.triggers import (
    MarkSlot,
    ParsedFile,
    ParseError,
    SlotWriter,
    Spec,
    SpecError,
    TriggerNotMetError,
    check,
    find_slots,
    load_spec,
    render_procedure,
)
from headstart.triggers.dumps import candidates
from headstart.triggers.marks import SlotReader

from .base import (
    Carrier,
    CarrierError,
    NoSlotsError,
    Reading,
    RenderError,
    Slot,
    UnreadableLeakError,
    check_codeword,
)


# The trigger language's errors, as CarrierErrors too: callers may catch either.
class BinarySpecError(SpecError, CarrierError):
    """The trigger specification is malformed (``line`` names where)."""


class BinaryParseError(ParseError, CarrierError):
    """The original PoC does not parse against its specification."""


class BinaryTriggerNotMetError(TriggerNotMetError, CarrierError):
    """The original PoC does not meet its own trigger conditions or checksums."""


class BinaryCarrier(Carrier):
    """Marks a binary PoC file through its trigger specification.

    Raises (subclasses of both the trigger error and CarrierError) BinarySpecError for a
    malformed specification, BinaryParseError if the original does not parse,
    BinaryTriggerNotMetError if it does not meet its own trigger or checksums; and
    NoSlotsError if nothing in it may vary.

    ``read`` gives confidence 1 to a symbol read from intact data and 0.5 to one read
    from bytes covered by a checksum that is wrong in the leak (the file was edited) or
    read at the original's offset because a damaged length moved the leak's fields. A
    leak whose magic is damaged (at most a quarter of its bytes wrong) is read when the
    rest of its skeleton (lengths and other fields no copy changes) agrees with the
    original's in at least three quarters of its bytes; anything else that does not
    start with the magic is refused (UnreadableLeakError).
    """

    kind: ClassVar[str] = "poc-binary"

    def __init__(self, spec_text: str, original: bytes) -> None:
        if not isinstance(original, (bytes, bytearray, memoryview)):
            raise CarrierError(f"a binary PoC is bytes, not {type(original).__name__}")
        try:
            self.spec: Spec = load_spec(spec_text)
        except SpecError as exc:
            raise BinarySpecError(exc.problem, exc.line) from None
        self.original = bytes(original)
        try:
            parsed: ParsedFile = check(self.spec, self.original)
        except ParseError as exc:
            raise BinaryParseError(exc.problem, exc.field, exc.offset) from None
        except TriggerNotMetError as exc:
            raise BinaryTriggerNotMetError(exc.failures, str(exc)) from None
        self.marks: list[MarkSlot] = find_slots(self.spec, parsed)
        if not self.marks:
            raise NoSlotsError(
                f"{self.spec.id}: the specification leaves nothing free in this file (no free field, no slack "
                "in a trigger condition), so every copy would be identical")
        self._slots = [Slot(m.key, m.alternatives, m.where) for m in self.marks]
        self._writer = SlotWriter(self.spec, self.original, self.marks)
        self._reader = SlotReader(self.spec, self.marks, parsed)
        first = self.spec.root.fields[0]
        self.magic = first.contents if first.contents is not None else b""

    @property
    def slots(self) -> list[Slot]:
        return self._slots

    @property
    def procedure(self) -> str:
        """The Markdown procedure as sent unmarked: the first wording of each alternative (never names the marked fields)."""
        return render_procedure(self.spec, marks=False)

    def render(self, codeword: Sequence[int]) -> bytes:
        check_codeword(codeword, self._slots)
        copy = self._writer.write(codeword)
        problems = self._writer.verify(copy)
        if problems:
            raise RenderError("the rendered copy no longer meets its specification: " + "; ".join(problems))
        return copy

    def read(self, leak: bytes | str) -> Reading:
        data = self.as_file(leak)
        if self.magic and not data.startswith(self.magic):
            data = self.magic + data[len(self.magic):]  # a damaged magic (as_file vouched for the rest)
        symbols, confidence, _parsed = self._reader.read(data)
        return Reading(symbols, confidence)

    def is_this_format(self, data: bytes) -> bool:
        """Whether bytes are a file of this format: they start with the magic, or with a magic
        at most a quarter of whose bytes are wrong and the rest of the original's skeleton."""
        if data.startswith(self.magic):
            return True
        head = data[:len(self.magic)]
        if len(head) < len(self.magic):
            return False
        wrong = sum(a != b for a, b in zip(head, self.magic, strict=True))
        return 4 * wrong <= len(self.magic) and self.skeleton_fits(data)

    def skeleton_fits(self, data: bytes) -> bool:
        """Whether the original's skeleton past the magic (lengths, fixed integers) is in
        ``data``, at least two bytes of it, three quarters of them as in the original."""
        same, total = self._reader.skeleton_agreement(data, skip=1)  # the magic is the skeleton's first field
        return total >= 2 and 4 * same >= 3 * total

    def as_file(self, leak: bytes | str) -> bytes:
        """The leaked file as bytes: the file itself (its magic may be slightly damaged), a dump
        of it, or the file inside other bytes (when the original's skeleton follows its magic)."""
        if isinstance(leak, (bytearray, memoryview)):
            leak = bytes(leak)
        if isinstance(leak, bytes):
            if self.is_this_format(leak):
                return leak
            try:
                dumped = self._from_text(leak.decode("utf-8-sig"))
            except UnicodeDecodeError:
                dumped = None
            if dumped is not None:
                return dumped
            at = leak.find(self.magic) if self.magic else -1
            if at > 0 and self.skeleton_fits(leak[at:]):
                return leak[at:]  # the file inside other bytes (a mail, an archive stored uncompressed)
            raise self._unreadable()
        if not isinstance(leak, str):
            raise CarrierError(f"a leak is bytes or text, not {type(leak).__name__}")
        data = self._from_text(leak)
        if data is None:
            raise self._unreadable()
        return data

    def _from_text(self, text: str) -> bytes | None:
        """The file a hex dump or base64 text holds (the first reading of it in this format)."""
        return next((data for data in candidates(text) if self.is_this_format(data)), None)

    def _unreadable(self) -> UnreadableLeakError:
        magic = (f" start with {self.magic!r} (nor with a slightly damaged {self.magic!r} followed by the "
                 "original's lengths and fixed fields)") if self.magic else " parse"
        return UnreadableLeakError(
            f"the leak is not a {self.spec.id} file: it does not{magic}, and it is not a hex dump or base64 of one")
