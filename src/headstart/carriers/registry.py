"""Which carrier marks which artifact, chosen by kind and file name."""

from __future__ import annotations

from headstart.carriers.base import Carrier, CarrierError

PYTHON_SUFFIXES = (".py", ".pyw")
C_SUFFIXES = (".c", ".h")


def carrier_family(kind: str, name: str) -> str:
    """Which carrier marks a file: "prose", "python", "c" or "binary". Two files of one family
    with the same bytes get the same carrier, whatever their names."""
    if kind in ("writeup", "guidance", "procedure"):
        return "prose"
    if kind == "poc-source":
        lowered = name.lower()
        if lowered.endswith(PYTHON_SUFFIXES):
            return "python"
        if lowered.endswith(C_SUFFIXES):
            return "c"
        raise CarrierError(f"{name}: no carrier for this kind of source (Python and C are supported)")
    if kind == "poc-binary":
        return "binary"
    raise CarrierError(f"{name}: no carrier for artifact kind {kind!r}")


def carrier_for(kind: str, name: str, original: bytes, *, spec_text: str | None = None) -> Carrier:
    """The carrier for one original. ``kind`` is an artifact kind (writeup, guidance,
    poc-source, poc-binary) or "procedure" (a trigger procedure rendered to Markdown)."""
    family = carrier_family(kind, name)
    if family == "prose":
        from headstart.carriers.base import decode_leak
        from headstart.carriers.prose import ProseCarrier

        return ProseCarrier(decode_leak(original))
    if family == "binary":
        if spec_text is None:
            raise CarrierError(f"{name}: a binary PoC is marked through its trigger specification; none was given")
        from headstart.carriers.binary import BinaryCarrier

        return BinaryCarrier(spec_text, original)
    try:
        text = original.decode("utf-8")
    except UnicodeDecodeError:
        raise CarrierError(f"{name}: source code must be UTF-8") from None
    if family == "python":
        from headstart.carriers.python_source import PythonCarrier

        return PythonCarrier(text)
    from headstart.carriers.c_source import CCarrier

    return CCarrier(text)
