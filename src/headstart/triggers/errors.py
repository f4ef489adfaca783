"""The errors of the trigger specification language; all are ValueErrors."""

from __future__ import annotations

from collections.abc import Sequence


class TriggerError(ValueError):
    """Base class of every error raised by ``headstart.triggers``."""


class SpecError(TriggerError):
    """A malformed specification; ``line`` is the 1-based line of the problem (0 if unknown)."""

    def __init__(self, message: str, line: int = 0) -> None:
        self.line = line
        self.problem = message
        super().__init__(f"line {line}: {message}" if line else message)


class ParseError(TriggerError):
    """Data that does not match the specification, at ``field`` (a path) and byte ``offset``."""

    def __init__(self, message: str, field: str = "", offset: int = 0) -> None:
        self.field = field
        self.offset = offset
        self.problem = message
        where = f"{field} at offset {offset:#x}" if field else f"offset {offset:#x}"
        super().__init__(f"{where}: {message}")


class TriggerNotMetError(TriggerError):
    """A file that parses but does not meet every trigger condition or checksum.

    ``failures`` holds the failing ConditionResult and ChecksumResult objects.
    """

    def __init__(self, failures: Sequence[object], message: str | None = None) -> None:
        self.failures = list(failures)
        if message is None:
            lines = [getattr(f, "explanation", str(f)) for f in self.failures]
            message = "the file does not meet its trigger: " + "; ".join(lines)
        super().__init__(message)
