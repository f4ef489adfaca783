"""The compiler check of C copies: gcc compiles the original and copies, and their code is
compared function by function.

Each file is compiled with ``gcc -c -g0 -w -ffunction-sections -fdata-sections
-fno-asynchronous-unwind-tables``, so every function and every variable sits in a section of
its own and the order of definitions does not change any section. The object is read with
objdump (``-d -r -w`` and ``-s``): per code section, the instructions with their
relocations; a relocation into a string or constant section is replaced by the bytes it
points at (string layout follows definition order), and a renamed static symbol is mapped
back to the original's name. Data sections are compared by content, read-only ones as the
set of their NUL-separated strings. Two objects that agree on all of that are the same
program up to the placement of its functions.

No debug information and no file name enters the code; ``__LINE__`` does, which is why the
choices that move code never move a span that uses it (see ``_c_structure``).
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from headstart.carriers.base import CarrierError, RenderError

GCC_FLAGS = ("-c", "-g0", "-w", "-ffunction-sections", "-fdata-sections", "-fno-asynchronous-unwind-tables")
_TIMEOUT = 120


class CompilerMissingError(CarrierError):
    """gcc or objdump is not installed: C copies cannot be checked, so none is made."""


def tools() -> tuple[str, str]:
    gcc, objdump = shutil.which("gcc"), shutil.which("objdump")
    if gcc is None or objdump is None:
        raise CompilerMissingError(
            "the C carrier checks copies by compiling them with gcc and reading the code with "
            "objdump (binutils); install both (Debian: apt-get install gcc binutils)"
        )
    return gcc, objdump


def compile_error(source: str, opt: str = "-O0") -> str | None:
    """gcc's first error for ``source``, or None when it compiles here."""
    gcc, _ = tools()
    with tempfile.TemporaryDirectory(prefix="headstart-gcc-") as work:
        path = Path(work) / "poc.c"
        path.write_text(source)
        done = _gcc(gcc, opt, work)
    if done.returncode == 0:
        return None
    errors = [line for line in done.stderr.splitlines() if "error" in line]
    return errors[0] if errors else done.stderr.strip()[:300]


def _gcc(gcc: str, opt: str, work: str) -> subprocess.CompletedProcess[str]:
    # Run in the work directory on a relative name: __FILE__ is then "poc.c" for every copy.
    return subprocess.run(
        [gcc, *GCC_FLAGS, opt, "-o", "poc.o", "poc.c"],
        capture_output=True,
        text=True,
        check=False,
        timeout=_TIMEOUT,
        cwd=work,
    )


def object_code(source: str, opt: str = "-O0", renamed: Mapping[str, str] | None = None) -> dict[str, str]:
    """Section name -> normalised contents of the object gcc makes from ``source``.

    ``renamed`` maps a copy's static names back to the original's. Raises CarrierError
    when gcc rejects the file."""
    gcc, objdump = tools()
    with tempfile.TemporaryDirectory(prefix="headstart-gcc-") as work:
        path = Path(work) / "poc.c"
        obj = Path(work) / "poc.o"
        path.write_text(source)
        done = _gcc(gcc, opt, work)
        if done.returncode != 0:
            raise CarrierError(f"gcc rejects the file: {done.stderr.strip()[:300]}")
        dis = _objdump(objdump, "-d", "-r", "-w", str(obj))
        dump = _objdump(objdump, "-s", str(obj))
    contents = _contents(dump)
    rename = _renamer(renamed or {})
    out: dict[str, str] = {}
    # Relocations are read after renaming (``.rodata.note.0`` of a copy that calls it
    # ``message``), so the sections they point into are looked up by their renamed names.
    renamed_contents = {rename(name): data for name, data in contents.items()}
    for name, body in _sections(dis).items():
        out[rename(name)] = _relocations(rename(body), renamed_contents)
    for name, data in contents.items():
        if name.startswith((".text", ".comment", ".note", ".rela", ".eh_frame")):
            continue
        # Padding between strings follows their layout: compare the non-empty pieces.
        value = repr(sorted(p for p in data.split(b"\0") if p)) if name.startswith(".rodata") else data.hex()
        out.setdefault(rename(name), value)
    return out


def _objdump(objdump: str, *argv: str) -> str:
    done = subprocess.run([objdump, *argv], capture_output=True, text=True, check=True, timeout=_TIMEOUT)
    return done.stdout


def _sections(disassembly: str) -> dict[str, str]:
    out: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in disassembly.splitlines():
        m = re.match(r"Disassembly of section (\S+):", line)
        if m:
            current = out.setdefault(m.group(1), [])
            continue
        if current is not None and line.strip():
            current.append(line.strip())
    return {k: "\n".join(v) for k, v in out.items()}


def _contents(dump: str) -> dict[str, bytes]:
    out: dict[str, bytearray] = {}
    current: bytearray | None = None
    for line in dump.splitlines():
        m = re.match(r"Contents of section (\S+):", line)
        if m:
            current = out.setdefault(m.group(1), bytearray())
            continue
        m = re.match(r" [0-9a-f]{4,} ((?:[0-9a-f]{2,8} ){1,4})", line + " ")
        if current is not None and m:
            current.extend(bytes.fromhex(m.group(1).replace(" ", "")))
    return {k: bytes(v) for k, v in out.items()}


_RELOC_INTO = re.compile(r"(R_X86_64_\w+)\s+(\.rodata[\w.]*)([+-]0x[0-9a-f]+)?")


def _relocations(body: str, contents: Mapping[str, bytes]) -> str:
    def target(m: re.Match[str]) -> str:
        kind, section, addend = m.group(1), m.group(2), int(m.group(3) or "0", 16)
        offset = addend + 4 if kind in ("R_X86_64_PC32", "R_X86_64_PLT32") else addend
        data = contents.get(section, b"")
        end = data.find(b"\0", offset)
        return f"{kind} {section}[{data[offset : end if end >= 0 else offset + 16]!r}]"

    # Addresses of relocations into read-only data differ with layout; what they point at does not.
    return _RELOC_INTO.sub(target, body)


def _renamer(renamed: Mapping[str, str]) -> Callable[[str], str]:
    """Map renamed symbols back, only where objdump prints a symbol: section names, ``<name>``
    labels and relocation targets (never inside an instruction: ``ch`` is a register)."""
    if not renamed:
        return lambda text: text
    names = "|".join(map(re.escape, sorted(renamed, key=len, reverse=True)))
    pattern = re.compile(
        r"(?P<pre>^\.[a-z]+\.|<|R_X86_64_\w+\s+(?:\.[a-z]+\.)?)(?P<name>"
        + names
        + r")(?P<post>[.+\->]|$|\s)",
        re.MULTILINE,
    )

    def rename(text: str) -> str:
        return pattern.sub(lambda m: m.group("pre") + renamed[m.group("name")] + m.group("post"), text)

    return rename


class Checkable(Protocol):
    """What the check needs from a C carrier."""

    source: str

    @property
    def alphabet_sizes(self) -> list[int]: ...

    def render(self, codeword: Sequence[int]) -> bytes: ...

    def renamed_symbols(self, codeword: Sequence[int]) -> dict[str, str]: ...

    def functions_changed_by_analysis(self, codeword: Sequence[int]) -> set[str]: ...


# Kinds of choice that change code at -O0 although the program is the same; what proves
# them is their analysis (see _c_structure), and the check lets them change only the
# functions that hold one.
ANALYSIS_PROVEN = frozenset({"commute", "polarity", "order", "comma", "augment"})


def check_codewords(sizes: Sequence[int], seed: int, random_ones: int = 2) -> list[list[int]]:
    """Codewords that exercise every form of every slot: each slot at its 2nd, 3rd and
    last form (clamped to what it has), plus a few random codewords (seeded)."""
    out = [[min(k, q - 1) for q in sizes] for k in (1, 2, 3)]
    rng = random.Random(seed)
    out += [[rng.randrange(q) for q in sizes] for _ in range(random_ones)]
    unique: list[list[int]] = []
    for cw in out:
        if cw not in unique:
            unique.append(cw)
    return unique


def check_with_compiler(carrier: Checkable) -> str:
    """Compile the original and copies that exercise every slot; raise RenderError when a
    copy's code differs where no choice explains it. Returns what was checked, in words.

    Choices are local and independent: each rewrites its own span, whatever the others
    chose (nested ones rewrite inside a piece that moves whole). So a copy's code is the
    original's with each slot's form in place, and exercising every form of every slot,
    together with the others in several combinations, covers every copy; the per-copy
    check (re-lexing) then proves each copy is exactly such a combination."""
    tools()
    error = compile_error(carrier.source)
    if error is not None:
        return (
            f"not compiled: the original does not compile here ({error}); copies are re-lexed, "
            "and the choices rest on their analysis"
        )
    original = object_code(carrier.source)
    sizes = carrier.alphabet_sizes
    codewords = check_codewords(sizes, seed=len(carrier.source))
    by_analysis: set[str] = set()
    for cw in codewords:
        code = object_code(carrier.render(cw).decode("utf-8"), renamed=carrier.renamed_symbols(cw))
        explained = {f".text.{name}" for name in carrier.functions_changed_by_analysis(cw)}
        for section in sorted(set(original) | set(code)):
            if original.get(section) == code.get(section):
                continue
            if section in explained:
                by_analysis.add(section)
                continue
            raise RenderError(
                f"gcc -O0 compiles a copy to different code in {section}, where no choice may change it: "
                "the copy would not be the same program"
            )
    checked = (
        f"gcc -O0: the original and {len(codewords)} copies exercising every slot compile to the same code"
    )
    if by_analysis:
        checked += (
            f", but for {len(by_analysis)} function(s) holding a swapped operand, a flipped branch or "
            "swapped assignments, which gcc emits in the written order (their analysis proves them)"
        )
    return checked
