"""The sample advisory as bench/carriers.py sees it, and the leak paths that apply to it.

Artifacts (each with its carrier from carrier_for, a real Codebook and every partner's
copy), the leak battery of headstart.leaks per artifact plus the harsher code paths
outside it, the coalition mixes, sizes (words, lines, bytes) and reading a leak.
"""

from __future__ import annotations

import hashlib
import inspect
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from _pvalues import Verdict, judge

from headstart.carriers import ERASED, Carrier, CarrierError, Reading, carrier_for
from headstart.leaks.binary import battery, hex_dump, mix_bytes, mix_fields
from headstart.leaks.code import (
    black_format,
    clang_format,
    rename_c_identifiers,
    rename_python_identifiers,
    ruff_format,
    strip_c_comments,
    strip_python_comments,
    transforms_for,
)
from headstart.leaks.mixing import mix_lines, mix_paragraphs, mix_symbols
from headstart.leaks.text import TEXT_TRANSFORMS, collapse_whitespace, forum_repost, html_to_text_bs4
from headstart.marking import Codebook, Leak, design_for
from headstart.samples import SAMPLE_DIR
from headstart.triggers import TriggerError, load_spec, render_procedure

ADVISORY = "HS-2026-0001"
KEY = hashlib.sha256(b"headstart bench/carriers.py program key").digest()
PARTNERS = [f"partner-{i:03d}" for i in range(100)]

Material = str | bytes
Transform = Callable[[Material, int], Material]


@dataclass
class Artifact:
    """One file a partner receives, its carrier, its codebook and every partner's copy."""

    label: str  # what the tables call it
    file_name: str
    kind: str  # the artifact kind carrier_for takes
    family: str  # prose, python, c or binary
    original: bytes
    carrier: Carrier
    book: Codebook
    copies: list[Material] = field(default_factory=list)  # str for text, bytes for the binary PoC
    spec_text: str | None = None
    first_build_ms: float = 0.0  # carrier_for's first call in this process (imports included)

    @property
    def q(self) -> np.ndarray:
        return np.asarray(self.carrier.alphabet_sizes)

    @property
    def log2q(self) -> np.ndarray:
        return np.log2(self.q)

    @property
    def codewords(self) -> np.ndarray:
        return self.book.codewords()

    def build(self) -> Carrier:
        return carrier_for(self.kind, self.file_name, self.original, spec_text=self.spec_text)

    def render(self, codeword) -> Material:
        copy = self.carrier.render([int(s) for s in codeword])
        return copy if self.family == "binary" else copy.decode("utf-8")

    def with_book(self, book: Codebook) -> Artifact:
        """The same artifact under another codebook, every partner's copy rendered again."""
        other = Artifact(
            self.label,
            self.file_name,
            self.kind,
            self.family,
            self.original,
            self.carrier,
            book,
            spec_text=self.spec_text,
            first_build_ms=self.first_build_ms,
        )
        other.copies = [other.render(cw) for cw in book.codewords()]
        return other


def load_advisory() -> list[Artifact]:
    spec_text = (SAMPLE_DIR / "tim.ksy.yaml").read_text(encoding="utf-8")
    procedure = render_procedure(load_spec(spec_text))
    plan = [
        ("writeup", "writeup.md", "writeup", "prose", (SAMPLE_DIR / "writeup.md").read_bytes(), None),
        ("guidance", "guidance.md", "guidance", "prose", (SAMPLE_DIR / "guidance.md").read_bytes(), None),
        ("procedure", "tim.ksy-procedure.md", "procedure", "prose", procedure.encode("utf-8"), None),
        (
            "python PoC",
            "poc_tim_overflow.py",
            "poc-source",
            "python",
            (SAMPLE_DIR / "poc_tim_overflow.py").read_bytes(),
            None,
        ),
        (
            "C PoC",
            "poc_tim_overflow.c",
            "poc-source",
            "c",
            (SAMPLE_DIR / "poc_tim_overflow.c").read_bytes(),
            None,
        ),
        ("binary PoC", "poc.tim", "poc-binary", "binary", (SAMPLE_DIR / "poc.tim").read_bytes(), spec_text),
    ]
    out = []
    for label, file_name, kind, family, original, spec in plan:
        t0 = time.perf_counter()
        carrier = carrier_for(kind, file_name, original, spec_text=spec)
        first_build_ms = (time.perf_counter() - t0) * 1000
        book = Codebook(
            KEY,
            f"{ADVISORY}/{file_name}/v1",
            carrier.alphabet_sizes,
            PARTNERS,
            design_coalition=design_for(carrier.alphabet_sizes),
        )
        artifact = Artifact(
            label,
            file_name,
            kind,
            family,
            original,
            carrier,
            book,
            spec_text=spec,
            first_build_ms=first_build_ms,
        )
        artifact.copies = [artifact.render(cw) for cw in book.codewords()]
        out.append(artifact)
    return out


# --- the leak battery, per artifact -----------------------------------------------------------------------


def _seeded(fn: Callable) -> Transform:
    """A code transform as f(text, seed): the seed picks the renamed names or the excerpt's half."""
    params = inspect.signature(fn).parameters
    if "seed" in params:
        return lambda text, seed: fn(text, seed=seed)
    if "keep" in params:
        return lambda text, seed: fn(text, keep=seed % 2)
    return lambda text, seed: fn(text)


def transformations(artifact: Artifact) -> dict[str, Transform]:
    """The battery of headstart.leaks that applies to the artifact, each as f(material, seed)."""
    if artifact.family == "prose":
        return {name: (lambda text, seed, fn=fn: fn(text, seed=seed)) for name, fn in TEXT_TRANSFORMS.items()}
    if artifact.family in ("python", "c"):
        return {
            "identity": lambda text, seed: text,
            **{name: _seeded(fn) for name, fn in transforms_for(artifact.family).items()},
        }
    spec = artifact.spec_text
    names = list(battery(spec))
    cache: dict[int, dict] = {}

    def binary_transform(name: str) -> Transform:
        def run(data: Material, seed: int) -> Material:
            if seed not in cache:
                cache[seed] = battery(spec, seed=seed)
            return cache[seed][name](data)

        return run

    return {name: binary_transform(name) for name in names}


# --- harsher code paths: beyond the battery, not part of the targets ----------------------------------------


def middle_half(text: str, seed: int = 0) -> str:
    """An excerpt: the middle half of the lines, in one run (someone quotes the core)."""
    lines = text.splitlines()
    return "\n".join(lines[len(lines) // 4 : 3 * len(lines) // 4])


def forum_paste(text: str, seed: int = 0) -> str:
    """Posted in a forum that drops leading whitespace, with a line of text around it."""
    flat = "\n".join(line.strip() for line in text.splitlines())
    return "Posted on a forum, indentation lost:\n\n" + flat + "\n\nworks on 4.7.2, have fun\n"


_HARSHER_ANY_LANGUAGE: dict[str, Transform] = {
    "middle half of the lines": middle_half,
    "forum paste, indentation lost": forum_paste,
    "all whitespace collapsed": collapse_whitespace,
}
HARSHER_CODE_PATHS: dict[str, dict[str, Transform]] = {
    "python": {
        **_HARSHER_ANY_LANGUAGE,
        "black + strip + middle half": lambda t, seed: middle_half(strip_python_comments(black_format(t))),
        "ruff format + rename": lambda t, seed: rename_python_identifiers(ruff_format(t), seed=seed),
    },
    "c": {
        **_HARSHER_ANY_LANGUAGE,
        "clang-format GNU + strip + rename": lambda t, seed: rename_c_identifiers(
            strip_c_comments(clang_format(t, style="GNU")), seed=seed
        ),
        "clang-format Mozilla + middle half": lambda t, seed: middle_half(clang_format(t, style="Mozilla")),
    },
}


# --- coalition mixes over the whole advisory ----------------------------------------------------------------


def _text_mix(mixer: Callable) -> Callable:
    return lambda artifact, members, seed: mixer([artifact.copies[m] for m in members], seed)


def _binary_field_mix(artifact: Artifact, members: list[int], seed: int) -> Material:
    return mix_fields(artifact.spec_text, [artifact.copies[m] for m in members], seed)


def _slot_mix(artifact: Artifact, members: list[int], seed: int) -> Material:
    mixed = mix_symbols([artifact.codewords[m] for m in members], seed)
    return artifact.render(mixed)


def _mixed_then_reposted(artifact: Artifact, members: list[int], seed: int) -> Material:
    """Mixed per line (per byte for the binary PoC), then sent down a typical leak path."""
    if artifact.family == "binary":
        return hex_dump(mix_bytes([artifact.copies[m] for m in members], seed), "xxd")
    mixed = mix_lines([artifact.copies[m] for m in members], seed)
    if artifact.family == "prose":
        return forum_repost(mixed)
    if artifact.family == "python":
        return black_format(mixed)
    return clang_format(mixed, style="Google")


MIXES: dict[str, dict[str, Callable]] = {
    # mode -> family -> mixer(artifact, members, seed)
    "per paragraph": {
        "prose": _text_mix(mix_paragraphs),
        "python": _text_mix(mix_paragraphs),
        "c": _text_mix(mix_paragraphs),
        "binary": _binary_field_mix,
    },
    "per line": {
        "prose": _text_mix(mix_lines),
        "python": _text_mix(mix_lines),
        "c": _text_mix(mix_lines),
        "binary": _binary_field_mix,
    },
    "per slot": dict.fromkeys(("prose", "python", "c", "binary"), _slot_mix),
    "per line, then reposted": dict.fromkeys(("prose", "python", "c", "binary"), _mixed_then_reposted),
}
MIX_NOTES = {
    "per paragraph": "prose and code: each blank-line separated block from a random colluder; binary: each field",
    "per line": "prose and code: each line from a random colluder; binary: each field (checksums fixed)",
    "per slot": "each slot's symbol from a random colluder (leaks.mixing.mix_symbols), then rendered",
    "per line, then reposted": "mixed per line, then prose: forum_repost; Python: black; C: clang-format Google; "
    "binary: mixed per byte, posted as an xxd dump",
}


# --- sizes: words of prose, lines of code, bytes ----------------------------------------------------------


def words(text: str) -> int:
    """Words a reader sees: whitespace-separated tokens holding a letter or digit (Markdown
    markup such as '|', '#', '```' is not a word; HTML is reduced to its text first)."""
    if text.lstrip().startswith("<"):
        text = html_to_text_bs4(text)
    return sum(1 for tok in text.split() if any(ch.isalnum() for ch in tok))


def prose_words(markdown: str) -> int:
    """Words outside fenced code blocks (what the prose carrier may mark)."""
    return words(re.sub(r"^(```|~~~).*?^\1[^\n]*$", "", markdown, flags=re.MULTILINE | re.DOTALL))


def size_of(artifact: Artifact, material: Material) -> float:
    if artifact.family == "prose":
        return words(material)
    if artifact.family in ("python", "c"):
        return len(material.splitlines())
    if isinstance(material, str):  # a dump of the file: count the file's bytes
        return len(artifact.carrier.as_file(material))
    return len(material)


def slot_kind(key: str) -> str:
    """The kind of choice a slot makes: 'contraction', 'name', 'int' (the prose and code
    carriers put it before '@' or ':'); for the binary PoC, the field without indices or bit."""
    m = re.match(r"([a-z-]+)[@:]", key)
    if m:
        return m.group(1)
    return re.sub(r"\[\d+\]", "[]", key).split("#")[0]


def density(artifact: Artifact, bits: float, size: float) -> float | None:
    """Robust bits per word (prose), per 5 lines (code) or per byte (binary)."""
    if size <= 0:
        return None
    return bits / size * (5 if artifact.family in ("python", "c") else 1)


# --- reading and attribution ------------------------------------------------------------------------------


def read(artifact: Artifact, material: Material) -> tuple[Reading, str | None]:
    """The carrier's reading, or every slot erased (and why) when the leak cannot be read."""
    try:
        return artifact.carrier.read(material), None
    except (CarrierError, TriggerError, ValueError) as exc:
        return Reading.empty(len(artifact.carrier.slots)), f"{type(exc).__name__}: {exc}"[:200]


def judge_readings(pairs: list[tuple[Codebook, Reading]], guilty: set[str]) -> Verdict:
    """attribute() over the readings that show any evidence (symbols read with confidence)."""
    usable = [
        (book, Leak(r.symbols, r.confidence))
        for book, r in pairs
        if np.any((r.symbols != ERASED) & (r.confidence > 0))
    ]
    return judge(usable, guilty)
