"""Binary PoCs: copies differ only where the trigger specification allows.

A copy varies free fields and the slack inside trigger conditions (see
``headstart.triggers.marks``); after every render all checksums are recomputed and the
copy is parsed again and checked against every trigger condition and checksum, so no
copy goes out that would not trigger the bug. Reading parses a leaked file leniently
(bad checksums, truncation, trailing bytes) and also accepts the file posted as a hex
dump or base64.
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
    bytes_from_text,
    check,
    find_slots,
    load_spec,
    read_slots,
    render_procedure,
)

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
    from bytes covered by a checksum that is wrong in the leak (the file was edited).
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
        first = self.spec.root.fields[0]
        self.magic = first.contents if first.contents is not None else b""

    @property
    def slots(self) -> list[Slot]:
        return self._slots

    @property
    def procedure(self) -> str:
        """The Markdown procedure partners receive (it never names the marked fields)."""
        return render_procedure(self.spec)

    def render(self, codeword: Sequence[int]) -> bytes:
        check_codeword(codeword, self._slots)
        copy = self._writer.write(codeword)
        problems = self._writer.verify(copy)
        if problems:
            raise RenderError("the rendered copy no longer meets its specification: " + "; ".join(problems))
        return copy

    def read(self, leak: bytes | str) -> Reading:
        data = self.as_file(leak)
        symbols, confidence, _parsed = read_slots(self.spec, self.marks, data)
        return Reading(symbols, confidence)

    def as_file(self, leak: bytes | str) -> bytes:
        """The leaked file as bytes: the file itself, the file inside other bytes, or a dump of it."""
        if isinstance(leak, (bytearray, memoryview)):
            leak = bytes(leak)
        if isinstance(leak, bytes):
            if leak.startswith(self.magic):
                return leak
            try:
                dumped = bytes_from_text(leak.decode("utf-8-sig"), self.magic)
            except UnicodeDecodeError:
                dumped = None
            if dumped is not None:
                return dumped
            at = leak.find(self.magic) if self.magic else -1
            if at > 0:
                return leak[at:]  # the file inside other bytes (a mail, an archive stored uncompressed)
            raise self._unreadable()
        if not isinstance(leak, str):
            raise CarrierError(f"a leak is bytes or text, not {type(leak).__name__}")
        data = bytes_from_text(leak, self.magic)
        if data is None:
            raise self._unreadable()
        return data

    def _unreadable(self) -> UnreadableLeakError:
        magic = f" start with {self.magic!r}" if self.magic else " parse"
        return UnreadableLeakError(
            f"the leak is not a {self.spec.id} file: it does not{magic}, and it is not a hex dump or base64 of one")
