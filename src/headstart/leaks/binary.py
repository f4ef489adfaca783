"""Leak transformations for binary PoC files (the binary part of the leak battery).

What happens to a PoC file on its way to a forum: fields its documentation calls
ignored are scrubbed (zeroed or blanked), checksums are broken or fixed up again, the
file is cut short or padded, bytes get corrupted, it is posted as a hex dump or base64
(made with the real ``xxd``, ``hexdump`` and ``od`` tools), and colluders mix their copies
byte by byte or field by field. Every function is pure: bytes (or text) in, bytes out.
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from headstart.triggers import Spec, load_spec, parse, recompute_checksums
from headstart.triggers.conditions import checksum_jobs

SpecLike = Spec | str
IGNORED_WORDS = re.compile(
    r"\b(ignored|unused|not used|reserved|not read|never read|does not matter|doesn't matter|padding)\b",
    re.IGNORECASE,
)


class LeakToolError(RuntimeError):
    """A leak transformation needs a tool that is not installed."""


def _spec(spec: SpecLike) -> Spec:
    return spec if isinstance(spec, Spec) else load_spec(spec)


def ignored_fields(spec: SpecLike, data: bytes) -> list[str]:
    """Paths of the fields whose documentation says the decoder ignores them."""
    s = _spec(spec)
    return [f.path for f in parse(s, data).fields if f.decl.doc and IGNORED_WORDS.search(f.decl.doc)]


def scrub_fields(spec: SpecLike, data: bytes, paths: Iterable[str], *, fill: str = "zero",
                 fix_checksums: bool = False) -> bytes:
    """Overwrite fields: integers with 0, text with NULs (``fill="zero"``) or spaces
    (``fill="blank"``), raw bytes with zeros. Optionally recompute checksums afterwards."""
    if fill not in ("zero", "blank"):
        raise ValueError(f"fill must be zero or blank, not {fill!r}")
    s = _spec(spec)
    parsed = parse(s, data, lenient=True)
    buf = bytearray(data)
    for path in paths:
        f = parsed.by_path.get(path)
        if f is None:
            continue
        byte = 0x20 if fill == "blank" and f.decl.kind == "str" else 0
        buf[f.offset:f.end] = bytes([byte]) * f.size
    out = bytes(buf)
    return recompute_checksums(s, out) if fix_checksums else out


def scrub_ignored(spec: SpecLike, data: bytes, *, fill: str = "zero", fix_checksums: bool = False) -> bytes:
    """Scrub every field the procedure's documentation calls ignored."""
    return scrub_fields(spec, data, ignored_fields(spec, data), fill=fill, fix_checksums=fix_checksums)


def scrub_untested(spec: SpecLike, data: bytes, *, fix_checksums: bool = True) -> bytes:
    """Zero every raw-bytes field the trigger does not name (a careful leaker's guess)."""
    s = _spec(spec)
    parsed = parse(s, data, lenient=True)
    tested = {path for c in s.trigger for path, _node in parsed.find(c.path)}  # chunks[*].x names every chunk's
    paths = [f.path for f in parsed.fields if f.decl.kind == "bytes" and f.path not in tested]
    return scrub_fields(s, data, paths, fix_checksums=fix_checksums)


def break_checksums(spec: SpecLike, data: bytes) -> bytes:
    """Invert every checksum field (a file edited by hand without fixing them)."""
    s = _spec(spec)
    buf = bytearray(data)
    for job in checksum_jobs(s, parse(s, data, lenient=True)):
        t = job.target
        buf[t.offset:t.end] = bytes(b ^ 0xFF for b in buf[t.offset:t.end])
    return bytes(buf)


def truncate(data: bytes, keep: float) -> bytes:
    """The first ``keep`` share of the file (0 < keep <= 1)."""
    if not 0 < keep <= 1:
        raise ValueError("keep must be in (0, 1]")
    return data[: max(1, int(len(data) * keep))]


def append_junk(data: bytes, n: int, seed: int = 0) -> bytes:
    """The file with ``n`` random bytes appended (a download padded or glued to something)."""
    rng = np.random.default_rng(seed)
    return data + rng.integers(0, 256, n, dtype=np.uint8).tobytes()


def corrupt_bytes(data: bytes, count: int, seed: int = 0, *, start: int = 0) -> bytes:
    """``count`` random bytes at or after ``start`` replaced by random values."""
    rng = np.random.default_rng(seed)
    buf = np.frombuffer(data, dtype=np.uint8).copy()
    if count and len(buf) > start:
        where = rng.choice(np.arange(start, len(buf)), size=min(count, len(buf) - start), replace=False)
        buf[where] = rng.integers(0, 256, len(where), dtype=np.uint8)
    return buf.tobytes()


def _run(cmd: list[str], data: bytes) -> str:
    if shutil.which(cmd[0]) is None:
        raise LeakToolError(f"{cmd[0]} is not installed")
    done = subprocess.run(cmd, input=data, capture_output=True, check=True, timeout=60)
    return done.stdout.decode("ascii")


def hex_dump(data: bytes, tool: str = "xxd") -> str:
    """The file as a hex dump made by a real tool: xxd, hexdump (-C) or od (-A x -t x1z)."""
    if tool == "xxd":
        return _run(["xxd"], data)
    if tool == "hexdump":
        return _run(["hexdump", "-C"], data)
    if tool == "od":
        return _run(["od", "-A", "x", "-t", "x1z"], data)
    if tool == "plain":
        return data.hex(" ")
    raise ValueError(f"unknown hex dump tool {tool!r} (xxd, hexdump, od, plain)")


def base64_text(data: bytes, wrap: int = 76) -> str:
    """The file in base64, wrapped as the ``base64`` tool and mail clients do."""
    text = base64.b64encode(data).decode("ascii")
    return "\n".join(text[i:i + wrap] for i in range(0, len(text), wrap)) + "\n"


def mix_bytes(copies: Sequence[bytes], seed: int = 0) -> bytes:
    """Colluders' copy: every byte taken from a random one of the copies (same length)."""
    if not copies:
        raise ValueError("no copies to mix")
    n = min(len(c) for c in copies)
    stack = np.stack([np.frombuffer(c[:n], dtype=np.uint8) for c in copies])
    pick = np.random.default_rng(seed).integers(0, len(copies), n)
    return stack[pick, np.arange(n)].tobytes()


def mix_fields(spec: SpecLike, copies: Sequence[bytes], seed: int = 0, *, fix_checksums: bool = True) -> bytes:
    """Colluders' copy: every field taken whole from a random one of the copies."""
    if not copies:
        raise ValueError("no copies to mix")
    s = _spec(spec)
    rng = np.random.default_rng(seed)
    buf = bytearray(copies[0])
    for f in parse(s, copies[0]).fields:
        source = copies[int(rng.integers(0, len(copies)))]
        buf[f.offset:f.end] = source[f.offset:f.end]
    out = bytes(buf)
    return recompute_checksums(s, out) if fix_checksums else out


Transform = Callable[[bytes], bytes | str]


def battery(spec: SpecLike, seed: int = 0) -> dict[str, Transform]:
    """Named single-copy transformations for benchmarks and tests."""
    s = _spec(spec)
    return {
        "identity": lambda d: d,
        "scrub ignored (zero)": lambda d: scrub_ignored(s, d),
        "scrub ignored (blank, checksums fixed)": lambda d: scrub_ignored(s, d, fill="blank", fix_checksums=True),
        "scrub untested bytes": lambda d: scrub_untested(s, d),
        "break checksums": lambda d: break_checksums(s, d),
        "truncate to 60%": lambda d: truncate(d, 0.6),
        "append 100 junk bytes": lambda d: append_junk(d, 100, seed),
        "corrupt 1% of bytes": lambda d: corrupt_bytes(d, max(1, len(d) // 100), seed),
        "xxd dump": lambda d: hex_dump(d, "xxd"),
        "hexdump -C": lambda d: hex_dump(d, "hexdump"),
        "od dump": lambda d: hex_dump(d, "od"),
        "base64": base64_text,
    }
