"""Would a leaked copy of this artifact name its leaker? Measured with the real marking code.

For each marked deliverable: render real partners' copies (the codebook delivery commits to),
send them down the leak path that keeps the least of what a forum keeps, read them back with
the carrier and attribute them with headstart.marking at the program's accusation threshold.

- prose (write-up, guidance, procedure): Markdown -> HTML -> text (headstart.leaks.text);
- source code: comments stripped, then reformatted (clang-format LLVM style for C, black for
  Python; comments stripped only if the formatter rejects the file);
- binary PoC: the copy itself (a binary is passed on whole or not at all).

``robust_bits`` sums log2 q over the slots read back correctly from one partner's forum copy.
``smallest_excerpt`` is the smallest contiguous excerpt (words of the copy for prose, lines of
the forum copy for code) that names the single leaker, and only the leaker, at every one of
``POSITIONS`` evenly spaced places, each cut from a different partner's copy; the size is found
by bisection on a ladder of sizes. Nothing here is cached: codewords are derived again on
every check.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from django.conf import settings

from headstart.apps.advisories.access import latest_artifacts
from headstart.apps.advisories.models import Advisory
from headstart.apps.delivery.copies import Deliverable, deliverables, original_bytes, render
from headstart.carriers import Carrier, CarrierError
from headstart.carriers.prose import ProseCarrier
from headstart.carriers.prose.markdown_scan import scan_blocks
from headstart.carriers.registry import carrier_family
from headstart.errors import Invalid, NotFound
from headstart.leaks.code import (
    CodeTransformError,
    black_format,
    clang_format,
    strip_c_comments,
    strip_python_comments,
    tool_available,
)
from headstart.leaks.text import markdown_html_text
from headstart.marking import Leak, MarkingError, attribute

if TYPE_CHECKING:  # suggesting imports the prose finders, which only building needs
    from headstart.carriers.prose.suggest import Suggestions

DEFAULT_THRESHOLD = 1e-6
POSITIONS = 4  # excerpt places tried per size; a size counts only if every one names the leaker
WORD_SIZES = (25, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 4000, 6000, 8000, 12000)
LINE_SIZES = (5, 10, 15, 20, 30, 40, 60, 80, 100, 150, 200, 300, 400, 600, 800, 1200, 1600)
WEAKEST = 5  # weakest places reported per artifact
MIN_PLACE_WORDS = 20  # a shorter paragraph (a heading, a one-line note) is not worth a proposal
MIN_PLACE_LINES = 5
PLACEHOLDER = "check-placeholder-"  # pads a program with fewer than two partners

_WORD = re.compile(r"\S+")
_LINE_IN_WHERE = re.compile(r"\bline (\d+)")
_BLANK_LINES = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class Place:
    """One paragraph (prose) or blank-line separated block (code) of the original."""

    line: int  # first line in the original
    size: int  # words or lines
    robust_bits: float
    preview: str

    @property
    def bits_per_unit(self) -> float:
        return self.robust_bits / self.size if self.size else 0.0


@dataclass
class Traceability:
    unit: str  # "words", "lines" or "bytes"
    size: int  # the artifact's length in that unit
    robust_bits: float
    leak_path: str
    names_leaker: bool  # the whole forum copy names its leaker, and only it
    smallest_excerpt: int | None  # in ``unit``; None when no excerpt (or, for a binary, not measured)
    weakest: list[Place] = field(default_factory=list)
    robust_keys: frozenset[str] = frozenset()  # keys of the slots read back correctly

    @property
    def robust_bits_per_unit(self) -> float:
        return self.robust_bits / self.size if self.size else 0.0


def accusation_threshold() -> float:
    """HEADSTART_ACCUSATION_THRESHOLD, else 1e-6 (as investigations read it)."""
    value = settings.HEADSTART_ACCUSATION_THRESHOLD
    if not value:
        return DEFAULT_THRESHOLD
    try:
        t = float(value)
    except ValueError:
        raise Invalid(f"HEADSTART_ACCUSATION_THRESHOLD={value!r} is not a number") from None
    if not 0.0 < t < 1.0:
        raise Invalid(f"HEADSTART_ACCUSATION_THRESHOLD={value!r}: must lie strictly between 0 and 1")
    return t


def check_partners(uids: list[str]) -> list[str]:
    """The program's partners, padded to two: one partner alone is named by any reading."""
    out = sorted(uids)
    i = 1
    while len(out) < 2:
        out.append(f"{PLACEHOLDER}{i}")
        i += 1
    return out


def analyse(d: Deliverable, key: bytes, partners: list[str], threshold: float, *,
            excerpts: bool = True) -> Traceability:
    """What survives of ``d``'s copies on a forum, and how small a leak still names its leaker.
    ``excerpts=False`` skips the smallest-excerpt search (scheduling needs only the whole copy)."""
    carrier = d.carrier
    if carrier is None:
        raise ValueError(f"{d.file_name} is not marked")
    partners = check_partners(partners)
    book = d.codebook(key, partners)
    family = "prose" if isinstance(carrier, ProseCarrier) else carrier_family(d.kind, d.file_name)
    sizes = np.asarray(carrier.alphabet_sizes)

    def copy_of(i: int) -> bytes:
        return render(d, key, partners[i % len(partners)])

    def named(leak_text: bytes | str, i: int) -> bool:
        try:
            reading = carrier.read(leak_text)
            result = attribute(book, Leak(reading.symbols, reading.confidence), threshold=threshold)
        except (CarrierError, MarkingError):  # nothing readable, or nothing read
            return False
        return result.accused == [partners[i % len(partners)]]

    to_forum, path, unit = _leak_path(family)
    posted: dict[bytes, str | bytes] = {}  # this check's forum copies (a formatter run is slow)

    def forum(copy: bytes) -> str | bytes:
        if copy not in posted:
            posted[copy] = to_forum(copy)
        return posted[copy]

    first = copy_of(0)
    leaked = forum(first)
    codeword = book.codeword(partners[0])
    try:
        reading = carrier.read(leaked)
        right = (reading.symbols == codeword) & (reading.confidence > 0)
    except CarrierError:  # the forum copy cannot be read at all: nothing survives
        right = np.zeros(len(sizes), dtype=bool)
    robust_keys = frozenset(s.key for s, ok in zip(carrier.slots, right.tolist(), strict=True) if ok)
    robust_bits = float(np.log2(sizes[right]).sum())
    whole = named(leaked, 0)
    original = _original_text(d, carrier)
    if family == "binary":
        return Traceability("bytes", len(first), robust_bits, path, whole, None, [], robust_keys)
    size = len(_WORD.findall(original)) if unit == "words" else len(original.splitlines())
    smallest = None
    if whole and excerpts:
        smallest = _smallest_excerpt(copy_of, forum, named, unit)
    weakest = _weakest(original, carrier, right, unit)
    return Traceability(unit, size, robust_bits, path, whole, smallest, weakest, robust_keys)


def _leak_path(family: str) -> tuple[Callable[[bytes], str | bytes], str, str]:
    """(the forum path, its description, the unit excerpts are counted in)."""
    if family == "prose":
        return (lambda b: markdown_html_text(b.decode("utf-8")),
                "Markdown rendered to HTML, copied as text", "words")
    if family in ("c", "python"):
        strip, formatter, tool = ((strip_c_comments, clang_format, "clang-format (LLVM)") if family == "c"
                                  else (strip_python_comments, black_format, "black"))
        if not tool_available(tool.split()[0]):  # a server without the formatter still checks
            return (lambda b: strip(b.decode("utf-8")), f"comments stripped ({tool} is not installed)", "lines")
        return (lambda b: _formatted(strip(b.decode("utf-8")), formatter),
                f"comments stripped, reformatted by {tool}", "lines")
    return (lambda b: b, "the copy itself", "bytes")


def _formatted(source: str, formatter: Callable[[str], str]) -> str:
    try:
        return formatter(source)
    except CodeTransformError:  # a file the formatter rejects is still posted, comments gone
        return source


def _original_text(d: Deliverable, carrier: Carrier) -> str:
    if isinstance(carrier, ProseCarrier):
        return carrier.original  # a procedure's original is rendered from its specification
    if d.kind == "poc-binary":
        return ""
    return original_bytes(d.artifact).decode("utf-8")


def _smallest_excerpt(copy_of: Callable[[int], bytes], forum: Callable[[bytes], str | bytes],
                      named: Callable[[bytes | str, int], bool], unit: str) -> int | None:
    """The smallest size (in ``unit``) whose every tried excerpt names its leaker."""
    if unit == "words":
        copies = [copy_of(i).decode("utf-8") for i in range(POSITIONS)]
        spans = [[m.span() for m in _WORD.finditer(c)] for c in copies]

        def cut(i: int, start: int, n: int) -> str | bytes:
            return forum(copies[i][spans[i][start][0]:spans[i][start + n - 1][1]].encode("utf-8"))

        total = min(len(s) for s in spans)
        ladder: tuple[int, ...] = WORD_SIZES
    else:
        # Code: cut from the forum copy (a formatter may reject a fragment of a file).
        posted = [forum(copy_of(i)) for i in range(POSITIONS)]
        lines = [(p.decode("utf-8") if isinstance(p, bytes) else p).splitlines(keepends=True) for p in posted]

        def cut(i: int, start: int, n: int) -> str | bytes:
            return "".join(lines[i][start:start + n])

        total = min(len(ls) for ls in lines)
        ladder = LINE_SIZES
    sizes = [s for s in ladder if s < total] + [total]

    def names_everywhere(n: int) -> bool:
        starts = sorted({round(j * (total - n) / max(POSITIONS - 1, 1)) for j in range(POSITIONS)})
        return all(named(cut(i, start, n), i) for i, start in enumerate(starts))

    # Bisection on the ladder (a longer excerpt shows the same slots and more): reading is the
    # slow part, and a source carrier reads for most of a second.
    lo, hi = 0, len(sizes) - 1
    if not names_everywhere(sizes[hi]):
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        if names_everywhere(sizes[mid]):
            hi = mid
        else:
            lo = mid + 1
    return sizes[hi]


def _weakest(original: str, carrier: Carrier, right: np.ndarray, unit: str) -> list[Place]:
    """The paragraphs (blocks of code) with the fewest robust bits per word (line)."""
    bits_by_line: dict[int, float] = {}
    for slot, ok in zip(carrier.slots, right.tolist(), strict=True):
        m = _LINE_IN_WHERE.search(slot.where)
        if ok and m:
            line = int(m.group(1))
            bits_by_line[line] = bits_by_line.get(line, 0.0) + math.log2(slot.q)
    places = []
    for line, block in _blocks(original, unit):
        n_lines = block.strip("\n").count("\n") + 1
        size = len(_WORD.findall(block)) if unit == "words" else n_lines
        if size < (MIN_PLACE_WORDS if unit == "words" else MIN_PLACE_LINES):
            continue
        bits = sum(b for at, b in bits_by_line.items() if line <= at < line + n_lines)
        places.append(Place(line, size, bits, " ".join(block.split()[:12])))
    places.sort(key=lambda p: (p.bits_per_unit, -p.size, p.line))
    return places[:WEAKEST]


def _blocks(original: str, unit: str) -> list[tuple[int, str]]:
    """(first line, text) of every prose block of a Markdown original (code blocks are not
    places an author rewords), or of every blank-line separated block of source code."""
    if unit == "words":
        return [(b.line, original[b.start:b.end]) for b in scan_blocks(original) if b.prose]
    out = []
    pos = 0
    for block in _BLANK_LINES.split(original):
        start = original.find(block, pos)
        pos = start + len(block)
        if block.strip():
            lead = len(block) - len(block.lstrip("\n"))
            out.append((original.count("\n", 0, start + lead) + 1, block.strip("\n")))
    return out


def suggestions_for(advisory: Advisory, name: str, key: bytes, partners: list[str], threshold: float) -> Suggestions:
    """Proposals for a write-up or guidance: every sentence no robust slot survives in."""
    from headstart.carriers.prose.suggest import suggest  # imports the finders, which only this needs

    for d in deliverables(advisory):
        if d.artifact.name != name:
            continue
        if d.kind not in ("writeup", "guidance"):
            raise Invalid(f"{name} is a {d.kind}; `advisory suggest` proposes alternatives for Markdown write-ups "
                          "and guidance")
        original = original_bytes(d.artifact).decode("utf-8")
        if d.carrier is None:
            return suggest(original, ())
        return suggest(original, analyse(d, key, partners, threshold, excerpts=False).robust_keys)
    names = ", ".join(sorted(a.name for a in latest_artifacts(advisory)))
    raise NotFound(f"advisory {advisory.ident} has no artifact {name!r} (it has: {names})")
