"""Benchmark of the carriers on the sample advisory, with the real marking codes.

Artifacts: everything a partner receives of src/headstart/samples/tim_overflow - the
write-up, the detection guidance, the trigger procedure (rendered from tim.ksy.yaml by
headstart.triggers.render_procedure and marked by the prose carrier), the Python PoC,
the C PoC and the binary PoC (marked through tim.ksy.yaml). Each is built with
headstart.carriers.carrier_for as delivery builds it, and each gets a real
headstart.marking.Codebook (scope "HS-2026-0001/<file>/v1", 100 partners, the design
delivery uses: headstart.marking.design_for, uniform below 2,048 bits, c = 3 above);
every partner's copy is rendered by its carrier.

1. Capacity: slots found, bits (sum of log2 q), words (prose), lines (code) or bytes.
2. Single leaker, per artifact and per transformation of the leak battery that applies
   to it (headstart.leaks: TEXT_TRANSFORMS for prose, transforms_for(language) for code,
   battery(spec) for the binary PoC; "identity" is the copy as delivered): a random
   partner's copy is transformed and read back. Reported: the share of slots read
   correctly, erased and read wrongly; robust bits (sum of log2 q over the slots read
   correctly) per word of the leak (prose) or per 5 lines of the leak (code); and
   attribute(book, Leak) over the 100 partners: the share of trials where the leaker is
   accused at family-wise p <= 1e-6, and where an innocent is.
3. Coalitions of 2 and 3 of the 100 partners pool their copies of the whole advisory
   and mix them (per paragraph, per line, per slot, and per line followed by a leak
   path), every artifact is read, and attribute([(book, leak), ...]) combines them.
4. Baseline: a zero-width-character watermark (headstart.leaks.text.zero_width_embed,
   the text-blind-watermark package's encoding) carrying each partner's 64-bit id in the
   same prose artifacts, on the same text transformations; a partner is named when the
   64 bits read back equal its id exactly.
5. What if: the cells where a single leaker is not always named in an artifact with the
   c = 3 design, re-run with uniform codes (design_coalition=2), to tell the code's bias
   from the carrier's capacity; and the floor log2(partners / threshold) below which no
   code can name anyone.

Targets (issue 4): prose >= 0.1 robust bits per word after every text transformation;
code >= 1 robust bit per 5 lines after every formatter; a single leaker named from any
one artifact after any single transformation; one of 2 colluders named from the whole
advisory; never an innocent accused. Each is reported with pass/fail and, when it
fails, the cells that fall short and the slot kinds they lose.

    PYTHONPATH=src .venv/bin/python bench/carriers.py --quick   # under a minute
    PYTHONPATH=src .venv/bin/python bench/carriers.py           # about 7 minutes

Prints tables and writes bench/results/carriers.json.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from _pvalues import THRESHOLD, Verdict, evidence_floor_bits, fmt_log10_p, judge

from headstart.carriers import ERASED, Carrier, CarrierError, Reading, carrier_for
from headstart.leaks.binary import battery, mix_bytes, mix_fields
from headstart.leaks.code import black_format, clang_format, transforms_for
from headstart.leaks.mixing import mix_lines, mix_paragraphs, mix_symbols
from headstart.leaks.text import (
    TEXT_TRANSFORMS,
    forum_repost,
    html_to_text_bs4,
    zero_width_embed,
    zero_width_extract,
)
from headstart.marking import Codebook, Leak, design_for
from headstart.samples import SAMPLE_DIR
from headstart.triggers import TriggerError, load_spec, render_procedure

RESULTS = Path(__file__).resolve().parent / "results" / "carriers.json"
ADVISORY = "HS-2026-0001"
KEY = hashlib.sha256(b"headstart bench/carriers.py program key").digest()
PARTNERS = [f"partner-{i:03d}" for i in range(100)]
PROSE_TARGET = 0.1  # robust bits per word
CODE_TARGET = 1.0  # robust bits per 5 lines
FORMATTERS = (
    "black",
    "ruff-format",
    "autopep8",
    "autopep8-aggressive",
    "clang-format-llvm",
    "clang-format-google",
    "clang-format-gnu",
    "clang-format-webkit",
    "clang-format-mozilla",
)
BASELINE_BITS = 64
# Every module and sample file these figures describe: their digests go in the JSON,
# so a later reader can tell whether the figures are stale.
WATCHED = [
    "carriers/base.py",
    "carriers/binary.py",
    "carriers/python_source.py",
    "carriers/c_source.py",
    "carriers/source_common.py",
    "carriers/_c_scope.py",
    "carriers/_lexers.py",
    "carriers/_names.py",
    *[
        f"carriers/prose/{p.name}"
        for p in sorted((SAMPLE_DIR.parent.parent / "carriers" / "prose").glob("*.py"))
    ],
    "triggers/marks.py",
    "triggers/slack.py",
    "triggers/examples.py",
    "triggers/procedure.py",
    "leaks/text.py",
    "leaks/code.py",
    "leaks/binary.py",
    "leaks/mixing.py",
    *[f"samples/tim_overflow/{p.name}" for p in sorted(SAMPLE_DIR.iterdir()) if p.is_file()],
]

Material = str | bytes
Transform = Callable[[Material, int], Material]


@dataclass
class Artifact:
    """One file a partner receives, its carrier, its codebook and every partner's copy."""

    label: str  # what the tables call it
    file_name: str
    family: str  # prose, python, c or binary
    carrier: Carrier
    book: Codebook
    copies: list[Material] = field(default_factory=list)  # str for text, bytes for the binary PoC
    spec_text: str | None = None

    @property
    def q(self) -> np.ndarray:
        return np.asarray(self.carrier.alphabet_sizes)

    @property
    def log2q(self) -> np.ndarray:
        return np.log2(self.q)

    @property
    def codewords(self) -> np.ndarray:
        return self.book.codewords()

    def render(self, codeword) -> Material:
        copy = self.carrier.render([int(s) for s in codeword])
        return copy if self.family == "binary" else copy.decode("utf-8")


# --- the sample advisory ----------------------------------------------------------------------------------


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
        carrier = carrier_for(kind, file_name, original, spec_text=spec)
        book = Codebook(KEY, f"{ADVISORY}/{file_name}/v1", carrier.alphabet_sizes, PARTNERS,
                        design_coalition=design_for(carrier.alphabet_sizes))
        artifact = Artifact(label, file_name, family, carrier, book, spec_text=spec)
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


# --- 2. single leaker, per artifact x transformation ------------------------------------------------------


def single_leaker(
    artifact: Artifact, trials: int, rng: np.random.Generator, only: set[str] | None = None
) -> list[dict]:
    rows = []
    log2q = artifact.log2q
    kinds = [slot_kind(s.key) for s in artifact.carrier.slots]
    kind_names = sorted(set(kinds))
    kind_index = np.array([kind_names.index(k) for k in kinds])
    for name, transform in transformations(artifact).items():
        if only is not None and name not in only:
            continue
        correct = erased = wrong = robust = size = named = innocent = 0.0
        kind_correct = np.zeros(len(kind_names))
        guilty_p, innocent_p, failures = [], [], []
        t0 = time.perf_counter()
        for trial in range(trials):
            who = int(rng.integers(len(PARTNERS)))
            truth = artifact.codewords[who].astype(np.int64)
            try:
                leaked = transform(artifact.copies[who], trial)
            except Exception as exc:  # noqa: BLE001 - a tool that fails is a finding, reported below
                failures.append(f"transform: {type(exc).__name__}: {exc}"[:200])
                continue
            reading, problem = read(artifact, leaked)
            if problem:
                failures.append(problem)
            sym = reading.symbols
            ok = sym == truth
            correct += ok.mean()
            erased += (sym == ERASED).mean()
            wrong += ((sym != ERASED) & ~ok).mean()
            robust += float(log2q[ok].sum())
            size += size_of(artifact, leaked)
            kind_correct += np.bincount(kind_index[ok], minlength=len(kind_names))
            verdict = judge_readings([(artifact.book, reading)], {PARTNERS[who]})
            named += PARTNERS[who] in verdict.accused
            innocent += bool(verdict.innocents_accused)
            guilty_p.append(verdict.guilty_log10_family_p)
            innocent_p.append(verdict.best_innocent_log10_family_p)
        done = trials - sum(1 for f in failures if f.startswith("transform:"))
        n = max(done, 1)
        per_kind_total = np.bincount(kind_index, minlength=len(kind_names)) * n
        rows.append(
            {
                "transformation": name,
                "trials": done,
                "correct": correct / n,
                "erased": erased / n,
                "wrong": wrong / n,
                "robust_bits": robust / n,
                "leak_size": size / n,
                "density": density(artifact, robust / n, size / n),
                "leaker_named": named / n,
                "innocent_accused": innocent / n,
                "leaker_log10_family_p_median": float(np.median(guilty_p)) if guilty_p else None,
                "leaker_log10_family_p_worst": float(np.max(guilty_p)) if guilty_p else None,
                "innocent_log10_family_p_best": float(np.min(innocent_p)) if innocent_p else None,
                "correct_by_slot_kind": {
                    k: float(kind_correct[i] / per_kind_total[i]) for i, k in enumerate(kind_names)
                },
                "problems": sorted(set(failures))[:3],
                "seconds": time.perf_counter() - t0,
            }
        )
    return rows


def density(artifact: Artifact, bits: float, size: float) -> float | None:
    """Robust bits per word (prose), per 5 lines (code) or per byte (binary)."""
    if size <= 0:
        return None
    return bits / size * (5 if artifact.family in ("python", "c") else 1)


# --- 3. coalitions over the whole advisory ----------------------------------------------------------------


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
        from headstart.leaks.binary import hex_dump

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
    "per slot": {f: _slot_mix for f in ("prose", "python", "c", "binary")},
    "per line, then reposted": {f: _mixed_then_reposted for f in ("prose", "python", "c", "binary")},
}
MIX_NOTES = {
    "per paragraph": "prose and code: each blank-line separated block from a random colluder; binary: each field",
    "per line": "prose and code: each line from a random colluder; binary: each field (checksums fixed)",
    "per slot": "each slot's symbol from a random colluder (leaks.mixing.mix_symbols), then rendered",
    "per line, then reposted": "mixed per line, then prose: forum_repost; Python: black; C: clang-format Google; "
    "binary: mixed per byte, posted as an xxd dump",
}


def coalitions(
    artifacts: list[Artifact], sizes: tuple[int, ...], trials: int, rng: np.random.Generator
) -> list[dict]:
    rows = []
    for mode, mixers in MIXES.items():
        for size in sizes:
            named = innocent = accused_colluders = named_text = innocent_text = 0.0
            alone = defaultdict(float)
            guilty_p, innocent_p, problems = [], [], set()
            t0 = time.perf_counter()
            for trial in range(trials):
                members = sorted(int(m) for m in rng.choice(len(PARTNERS), size, replace=False))
                guilty = {PARTNERS[m] for m in members}
                pairs = []
                for artifact in artifacts:
                    reading, problem = read(
                        artifact, mixers[artifact.family](artifact, members, 1000 * trial + size)
                    )
                    if problem:
                        problems.add(f"{artifact.label}: {problem}")
                    pairs.append((artifact.book, reading))
                    alone[artifact.label] += bool(judge_readings([(artifact.book, reading)], guilty).guilty_accused)
                verdict = judge_readings(pairs, guilty)
                text_only = judge_readings([pr for a, pr in zip(artifacts, pairs) if a.family != "binary"], guilty)
                named_text += bool(text_only.guilty_accused)
                innocent_text += bool(text_only.innocents_accused)
                named += bool(verdict.guilty_accused)
                innocent += bool(verdict.innocents_accused)
                accused_colluders += len(verdict.guilty_accused)
                guilty_p.append(verdict.guilty_log10_family_p)
                innocent_p.append(verdict.best_innocent_log10_family_p)
            rows.append(
                {
                    "mix": mode,
                    "colluders": size,
                    "trials": trials,
                    "colluder_named": named / trials,
                    "innocent_accused": innocent / trials,
                    "colluders_accused_mean": accused_colluders / trials,
                    "named_from_one_artifact_alone": {k: v / trials for k, v in alone.items()},
                    "colluder_named_without_binary": named_text / trials,
                    "innocent_accused_without_binary": innocent_text / trials,
                    "best_colluder_log10_family_p_median": float(np.median(guilty_p)),
                    "best_colluder_log10_family_p_worst": float(np.max(guilty_p)),
                    "innocent_log10_family_p_best": float(np.min(innocent_p)),
                    "problems": sorted(problems)[:3],
                    "seconds": time.perf_counter() - t0,
                }
            )
    return rows


# --- 4. the zero-width baseline ---------------------------------------------------------------------------


def partner_id_bits(partner: str) -> list[int]:
    """The baseline's code: the partner's 64-bit id, keyed like everything else."""
    digest = hashlib.sha256(KEY + b"/baseline-id/" + partner.encode()).digest()
    return [int(b) for byte in digest[: BASELINE_BITS // 8] for b in format(byte, "08b")]


class Baseline:
    """Zero-width marks for every partner in the original prose, identified by exact match."""

    def __init__(self, artifacts: list[Artifact]) -> None:
        self.ids = np.array([partner_id_bits(p) for p in PARTNERS])
        self.copies: dict[str, list[str]] = {}
        for a in artifacts:
            if a.family == "prose":
                original = a.carrier.original
                self.copies[a.label] = [zero_width_embed(original, list(bits)) for bits in self.ids]

    def identify(self, text: str) -> tuple[set[str], float, np.ndarray]:
        """Partners whose id equals the bits read (erasures match nobody), and the bits read."""
        reading = zero_width_extract(text, BASELINE_BITS)
        bits = reading.symbols
        if np.any(bits == ERASED):
            return set(), float(np.mean(bits != ERASED)), bits
        hits = np.nonzero((self.ids == bits).all(axis=1))[0]
        return {PARTNERS[i] for i in hits}, 1.0, bits

    def single(self, label: str, trials: int, rng: np.random.Generator) -> list[dict]:
        rows = []
        for name, fn in TEXT_TRANSFORMS.items():
            correct = named = innocent = 0.0
            for trial in range(trials):
                who = int(rng.integers(len(PARTNERS)))
                leaked = fn(self.copies[label][who], seed=trial)
                accused, _, bits = self.identify(leaked)
                correct += float(np.mean(bits == self.ids[who]))
                named += PARTNERS[who] in accused
                innocent += bool(accused - {PARTNERS[who]})
            rows.append(
                {
                    "transformation": name,
                    "bits_correct": correct / trials,
                    "leaker_named": named / trials,
                    "innocent_accused": innocent / trials,
                }
            )
        return rows

    def coalitions(self, sizes: tuple[int, ...], trials: int, rng: np.random.Generator) -> list[dict]:
        """Colluders mix their zero-width-marked prose per paragraph or per line; a colluder
        is named when any prose artifact's bits equal a colluder's id."""
        rows = []
        for mode, mixer in (("per paragraph", mix_paragraphs), ("per line", mix_lines)):
            for size in sizes:
                named = innocent = 0.0
                for trial in range(trials):
                    members = sorted(int(m) for m in rng.choice(len(PARTNERS), size, replace=False))
                    guilty = {PARTNERS[m] for m in members}
                    accused: set[str] = set()
                    for copies in self.copies.values():
                        accused |= self.identify(mixer([copies[m] for m in members], trial))[0]
                    named += bool(accused & guilty)
                    innocent += bool(accused - guilty)
                rows.append(
                    {
                        "mix": mode,
                        "colluders": size,
                        "colluder_named": named / trials,
                        "innocent_accused": innocent / trials,
                    }
                )
        return rows


# --- 5. what-if: the single-leaker cells that fall short, with uniform codes ---------------------------


def uniform_code_what_if(
    artifacts: list[Artifact], single: dict[str, list[dict]], trials: int, rng: np.random.Generator
) -> list[dict]:
    """The cells where the leaker is not always named, again with codebooks of design
    coalition 2 (uniform symbols: the most evidence per slot against one leaker) instead of
    the default. Shows how much of a shortfall is the code's bias rather than the carrier."""
    rows = []
    for artifact in artifacts:
        short = {r["transformation"] for r in single[artifact.label] if r["leaker_named"] < 1.0}
        if not short:
            continue
        bits = float(artifact.log2q.sum())
        if bits < evidence_floor_bits(len(PARTNERS)):
            rows.append(
                {
                    "artifact": artifact.label,
                    "transformation": "(every one)",
                    "capacity_bits": bits,
                    "note": f"{bits:.0f} bits in all, below the floor: no code can name a leaker",
                }
            )
            continue
        if artifact.book.design_coalition <= 2:
            rows.append(
                {
                    "artifact": artifact.label,
                    "transformation": ", ".join(sorted(short)),
                    "note": "already uniform: the shortfall is the carrier's capacity",
                }
            )
            continue
        book = Codebook(
            KEY, artifact.book.scope, artifact.carrier.alphabet_sizes, PARTNERS, design_coalition=2
        )
        uniform = Artifact(
            artifact.label,
            artifact.file_name,
            artifact.family,
            artifact.carrier,
            book,
            spec_text=artifact.spec_text,
        )
        uniform.copies = [uniform.render(cw) for cw in book.codewords()]
        before = {r["transformation"]: r for r in single[artifact.label]}
        for r in single_leaker(uniform, trials, rng, only=short):
            b = before[r["transformation"]]
            rows.append(
                {
                    "artifact": artifact.label,
                    "transformation": r["transformation"],
                    "robust_bits": b["robust_bits"],
                    "default_named": b["leaker_named"],
                    "default_log10_p_median": b["leaker_log10_family_p_median"],
                    "uniform_named": r["leaker_named"],
                    "uniform_log10_p_median": r["leaker_log10_family_p_median"],
                    "uniform_innocent_accused": r["innocent_accused"],
                    "trials": r["trials"],
                }
            )
    return rows


def print_what_if(rows: list[dict]) -> None:
    if not rows:
        return
    print(
        "\n== 5. What if: the cells where a single leaker is not always named, with uniform codes "
        "(design_coalition=2) instead of the c = 3 design =="
    )
    print(
        f"(no code can name a leaker from fewer than log2(partners / threshold) = {evidence_floor_bits(len(PARTNERS)):.1f} "
        f"bits read correctly)"
    )
    print(
        f"{'artifact':11s} {'transformation':28s} {'robust':>7s} {'default: named':>15s} {'log10 p':>8s} "
        f"{'uniform: named':>15s} {'log10 p':>8s} {'innoc.':>6s}"
    )
    for r in rows:
        if "note" in r:
            print(f"{r['artifact']:11s} {r['transformation']:28s} {r['note']}")
            continue
        print(
            f"{r['artifact']:11s} {r['transformation']:28s} {r['robust_bits']:7.1f} {r['default_named']:15.2f} "
            f"{fmt_log10_p(r['default_log10_p_median']):>8s} {r['uniform_named']:15.2f} "
            f"{fmt_log10_p(r['uniform_log10_p_median']):>8s} {r['uniform_innocent_accused']:6.2f}"
        )


# --- 1. capacity ------------------------------------------------------------------------------------------


def capacity(artifact: Artifact) -> dict:
    q = artifact.q
    bits = float(artifact.log2q.sum())
    row = {
        "artifact": artifact.label,
        "file": artifact.file_name,
        "family": artifact.family,
        "slots": len(q),
        "bits": bits,
        "design_coalition": artifact.book.design_coalition,
        "alphabet_sizes": {str(k): int(v) for k, v in zip(*np.unique(q, return_counts=True))},
        "slot_kinds": dict(
            sorted(_count(slot_kind(s.key) for s in artifact.carrier.slots).items(), key=lambda kv: -kv[1])
        ),
    }
    if artifact.family == "prose":
        # Words of a delivered copy: the original also spells out every alternative
        # (the procedure's examples offer 256 each), which no reader ever sees.
        copy = artifact.copies[0]
        row.update(
            words=words(copy),
            prose_words=prose_words(copy),
            bits_per_word=bits / words(copy),
            bits_per_prose_word=bits / prose_words(copy),
        )
    elif artifact.family in ("python", "c"):
        lines = len(artifact.copies[0].splitlines())
        row.update(lines=lines, lines_per_bit=lines / bits, bits_per_5_lines=5 * bits / lines)
    else:
        row.update(bytes=len(artifact.copies[0]), bits_per_byte=bits / len(artifact.copies[0]))
    return row


def _count(items) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for it in items:
        out[it] += 1
    return dict(out)


# --- targets ----------------------------------------------------------------------------------------------


def targets(
    single: dict[str, list[dict]], families: dict[str, str], coalition_rows: list[dict], baseline_rows: dict
) -> list[dict]:
    out = []

    def target(name: str, cells: list[tuple[str, float, bool]], rule: str) -> None:
        failing = [{"cell": where, "value": value} for where, value, ok in cells if not ok]
        groups: dict[str, int] = defaultdict(int)
        for where, _, _ in cells:
            groups[where.split(" / ")[0]] += 1
        out.append(
            {
                "target": name,
                "rule": rule,
                "pass": not failing,
                "cells": len(cells),
                "cells_per_group": dict(groups),
                "failing": failing,
            }
        )

    prose = [
        (f"{a} / {r['transformation']}", r["density"] or 0.0, (r["density"] or 0.0) >= PROSE_TARGET)
        for a, rows in single.items()
        if families[a] == "prose"
        for r in rows
    ]
    target(
        "prose >= 0.1 robust bits per word",
        prose,
        "every prose artifact after every text transformation (bits read correctly / words of the leak)",
    )
    code = [
        (f"{a} / {r['transformation']}", r["density"] or 0.0, (r["density"] or 0.0) >= CODE_TARGET)
        for a, rows in single.items()
        if families[a] in ("python", "c")
        for r in rows
        if r["transformation"] in FORMATTERS
    ]
    target(
        "code >= 1 robust bit per 5 lines after every formatter",
        code,
        "Python and C PoCs after black, ruff format, autopep8 (two levels), clang-format (5 styles)",
    )
    code_all = [
        (f"{a} / {r['transformation']}", r["density"] or 0.0, (r["density"] or 0.0) >= CODE_TARGET)
        for a, rows in single.items()
        if families[a] in ("python", "c")
        for r in rows
    ]
    target(
        "(extra) code >= 1 robust bit per 5 lines after every code transformation",
        code_all,
        "also comment stripping, renaming, excerpts",
    )
    leaker = [
        (f"{a} / {r['transformation']}", r["leaker_named"], r["leaker_named"] == 1.0)
        for a, rows in single.items()
        for r in rows
    ]
    target(
        "a single leaker named from any one artifact after any single transformation",
        leaker,
        "leaker accused at family-wise p <= 1e-6 in every trial of every cell",
    )
    two = [
        (f"{r['mix']}", r["colluder_named"], r["colluder_named"] == 1.0)
        for r in coalition_rows
        if r["colluders"] == 2
    ]
    target("one of 2 colluders named from the whole advisory", two, "in every trial of every mixing mode")
    innocent = (
        [
            (f"{a} / {r['transformation']}", r["innocent_accused"], r["innocent_accused"] == 0)
            for a, rows in single.items()
            for r in rows
        ]
        + [
            (f"{r['colluders']} colluders {r['mix']}", r["innocent_accused"], r["innocent_accused"] == 0)
            for r in coalition_rows
        ]
        + [
            (
                f"{r['colluders']} colluders {r['mix']} (no binary)",
                r["innocent_accused_without_binary"],
                r["innocent_accused_without_binary"] == 0,
            )
            for r in coalition_rows
        ]
    )
    target("no innocent ever accused", innocent, "share of trials with an innocent accused is 0 everywhere")
    base = [
        (f"zero-width {a} / {r['transformation']}", r["innocent_accused"], r["innocent_accused"] == 0)
        for a, rows in baseline_rows["single"].items()
        for r in rows
    ]
    target("(baseline) no innocent accused by the zero-width baseline", base, "exact 64-bit id match")
    return out


# --- printing ---------------------------------------------------------------------------------------------


def print_capacity(rows: list[dict]) -> None:
    print("\n== 1. Capacity (slots found in the sample advisory) ==")
    print(f"{'artifact':12s} {'slots':>6s} {'bits':>8s} {'size':>14s} {'density':>26s}  q: slots")
    for r in rows:
        if r["family"] == "prose":
            dens = f"{r['bits_per_word']:.3f} bits/word ({r['bits_per_prose_word']:.3f}/prose w.)"
            size = f"{r['words']} w ({r['prose_words']})"
        elif r["family"] in ("python", "c"):
            size = f"{r['lines']} lines"
            dens = f"{r['lines_per_bit']:.2f} lines/bit ({r['bits_per_5_lines']:.1f}/5 l.)"
        else:
            size = f"{r['bytes']} bytes"
            dens = f"{r['bits_per_byte']:.2f} bits/byte"
        qs = ", ".join(f"{k}:{v}" for k, v in r["alphabet_sizes"].items())
        print(f"{r['artifact']:12s} {r['slots']:6d} {r['bits']:8.1f} {size:>14s} {dens:>26s}  {qs}")


def print_single(label: str, family: str, rows: list[dict]) -> None:
    unit = {"prose": "bits/word", "python": "bits/5 lines", "c": "bits/5 lines", "binary": "bits/byte"}[
        family
    ]
    target = {"prose": PROSE_TARGET, "python": CODE_TARGET, "c": CODE_TARGET}.get(family)
    print(f"\n-- {label}: single leaker, {rows[0]['trials']} trials per row --")
    print(
        f"{'transformation':40s} {'correct':>7s} {'erased':>7s} {'wrong':>7s} {'robust':>7s} {unit:>12s} "
        f"{'named':>6s} {'innoc.':>6s} {'log10 p':>8s}"
    )
    for r in rows:
        d = r["density"]
        mark = ""
        if target is not None and (family == "prose" or r["transformation"] in FORMATTERS):
            mark = " ok" if d is not None and d >= target else " LOW"
        print(
            f"{r['transformation']:40s} {r['correct']:7.3f} {r['erased']:7.3f} {r['wrong']:7.3f} "
            f"{r['robust_bits']:7.1f} {('-' if d is None else f'{d:.3f}') + mark:>12s} {r['leaker_named']:6.2f} "
            f"{r['innocent_accused']:6.2f} {fmt_log10_p(r['leaker_log10_family_p_median']):>8s}"
        )
        for problem in r["problems"]:
            print(f"{'':40s}   ! {problem}")


def print_coalitions(rows: list[dict], labels: list[str]) -> None:
    print("\n== 3. Coalitions of the 100 partners, whole advisory (attribute over all six books) ==")
    short = {lab: lab.split()[0][:6] for lab in labels}
    head = " ".join(f"{short[lab]:>6s}" for lab in labels)
    print(
        f"{'mix':26s} {'c':>2s} {'named':>6s} {'innoc.':>6s} {'#accused':>8s} {'log10 p':>8s} "
        f"{'no bin.':>7s}   alone: {head}"
    )
    for r in rows:
        alone = " ".join(f"{r['named_from_one_artifact_alone'][lab]:6.2f}" for lab in labels)
        print(
            f"{r['mix']:26s} {r['colluders']:2d} {r['colluder_named']:6.2f} {r['innocent_accused']:6.2f} "
            f"{r['colluders_accused_mean']:8.2f} {fmt_log10_p(r['best_colluder_log10_family_p_median']):>8s} "
            f"{r['colluder_named_without_binary']:7.2f}          {alone}"
        )
        for problem in r["problems"]:
            print(f"{'':26s}   ! {problem}")
    print(
        "  named / innoc.: share of trials with a colluder / an innocent accused from all six artifacts;\n"
        "  #accused: colluders accused on average; log10 p: median of the best colluder's log10 family-wise p;\n"
        "  no bin.: a colluder named from the five text artifacts (everything but the binary PoC);\n"
        "  alone: a colluder named from that one artifact's mixed copy"
    )
    for mode, note in MIX_NOTES.items():
        print(f"  {mode}: {note}")


def print_baseline(single: dict[str, list[dict]], baseline: dict) -> None:
    print("\n== 4. Side by side: the prose carrier and the zero-width baseline (64-bit id, exact match) ==")
    for label, rows in baseline["single"].items():
        ours = {r["transformation"]: r for r in single[label]}
        print(f"\n-- {label} --")
        print(
            f"{'transformation':24s} | {'carrier: correct':>16s} {'named':>6s} {'innoc.':>6s} | "
            f"{'zero-width: bits ok':>19s} {'named':>6s} {'innoc.':>6s}"
        )
        for r in rows:
            o = ours[r["transformation"]]
            print(
                f"{r['transformation']:24s} | {o['correct']:16.3f} {o['leaker_named']:6.2f} "
                f"{o['innocent_accused']:6.2f} | {r['bits_correct']:19.3f} {r['leaker_named']:6.2f} "
                f"{r['innocent_accused']:6.2f}"
            )
    print(
        "\nzero-width baseline, coalitions mixing the prose artifacts (named: any artifact's id is a colluder's):"
    )
    for r in baseline["coalitions"]:
        print(
            f"  {r['mix']:14s} c={r['colluders']}: colluder named {r['colluder_named']:.2f}, "
            f"innocent accused {r['innocent_accused']:.2f}"
        )


def print_targets(rows: list[dict]) -> None:
    print("\n== Targets ==")
    for r in rows:
        print(f"[{'PASS' if r['pass'] else 'FAIL'}] {r['target']}  ({r['cells']} cells; {r['rule']})")
        by_group: dict[str, list[dict]] = defaultdict(list)
        for f in r["failing"]:
            by_group[f["cell"].split(" / ")[0]].append(f)
        for group, fails in by_group.items():
            values = [f["value"] for f in fails]
            if len(fails) == r["cells_per_group"].get(group) and len(fails) > 1:
                print(
                    f"         short: {group}: all {len(fails)} cells ({min(values):.3g} to {max(values):.3g})"
                )
            else:
                cells = ", ".join(f"{f['cell'].split(' / ', 1)[-1]} ({f['value']:.3g})" for f in fails)
                print(f"         short: {group}: {cells}")


def shortfalls(
    single: dict[str, list[dict]], families: dict[str, str], capacity_rows: list[dict]
) -> list[dict]:
    """Why each artifact misses a target: its capacity when even the delivered copy falls
    short, then every transformation that does worse than the copy, with the slot kinds it
    loses (the share of that kind's slots no longer read correctly)."""
    out = []
    caps = {r["artifact"]: r for r in capacity_rows}
    for label, rows in single.items():
        fam = families[label]
        goal = PROSE_TARGET if fam == "prose" else CODE_TARGET if fam in ("python", "c") else None
        identity = next(r for r in rows if r["transformation"] == "identity")

        def dense_enough(r: dict, fam: str = fam, goal: float | None = goal) -> bool:
            if goal is None or (fam != "prose" and r["transformation"] not in FORMATTERS):
                return True
            return (r["density"] or 0.0) >= goal

        cells = []
        for r in rows:
            if r["leaker_named"] == 1.0 and dense_enough(r) and r["innocent_accused"] == 0:
                continue
            if (
                r is not identity
                and r["leaker_named"] >= identity["leaker_named"]
                and (dense_enough(r) or not dense_enough(identity))
                and r["innocent_accused"] == 0
            ):
                continue  # no worse than the delivered copy: the capacity line says why
            lost = {
                k: round(identity["correct_by_slot_kind"][k] - v, 3)
                for k, v in r["correct_by_slot_kind"].items()
                if identity["correct_by_slot_kind"][k] - v > 0.05
            }
            cells.append(
                {
                    "transformation": r["transformation"],
                    "leaker_named": r["leaker_named"],
                    "innocent_accused": r["innocent_accused"],
                    "density": r["density"],
                    "robust_bits": r["robust_bits"],
                    "correct": r["correct"],
                    "erased": r["erased"],
                    "wrong": r["wrong"],
                    "leaker_log10_family_p_median": r["leaker_log10_family_p_median"],
                    "slot_kinds_lost": dict(sorted(lost.items(), key=lambda kv: -kv[1])),
                }
            )
        if not cells:
            continue
        failing_as_delivered = not dense_enough(identity) or identity["leaker_named"] < 1.0
        cap = caps[label]
        out.append(
            {
                "artifact": label,
                "slots": cap["slots"],
                "bits": cap["bits"],
                "size": cap.get("words") or cap.get("lines") or cap.get("bytes"),
                "delivered_copy_falls_short": failing_as_delivered,
                "delivered_density": identity["density"],
                "delivered_leaker_named": identity["leaker_named"],
                "delivered_log10_family_p_median": identity["leaker_log10_family_p_median"],
                "cells": cells,
            }
        )
    return out


def print_shortfalls(rows: list[dict]) -> None:
    if not rows:
        return
    print("\n== Where targets are missed ==")
    for a in rows:
        d = "-" if a["delivered_density"] is None else f"{a['delivered_density']:.3f}"
        head = (
            f"{a['artifact']}: {a['slots']} slots, {a['bits']:.0f} bits in {a['size']} words/lines/bytes; "
            f"the delivered copy: density {d}, leaker named {a['delivered_leaker_named']:.2f} "
            f"(median log10 family p {fmt_log10_p(a['delivered_log10_family_p_median'])})"
        )
        print(head + ("  <- short as delivered: capacity" if a["delivered_copy_falls_short"] else ""))
        for r in a["cells"]:
            if r["transformation"] == "identity":
                continue
            d = "-" if r["density"] is None else f"{r['density']:.3f}"
            lost = ", ".join(f"{k} -{v:.2f}" for k, v in list(r["slot_kinds_lost"].items())[:6]) or "-"
            print(
                f"    {r['transformation']:28s} named {r['leaker_named']:.2f} density {d:>6s} "
                f"robust {r['robust_bits']:6.1f} bits, median log10 p {fmt_log10_p(r['leaker_log10_family_p_median'])};"
                f" kinds lost: {lost}"
            )


# --- main -------------------------------------------------------------------------------------------------


def watched_digests() -> dict[str, str]:
    root = SAMPLE_DIR.parent.parent
    return {
        rel: hashlib.sha256((root / rel).read_bytes()).hexdigest()[:16]
        for rel in WATCHED
        if (root / rel).exists()
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="few trials (under a minute)")
    ap.add_argument(
        "--single-trials", type=int, help="trials per artifact x transformation (default 50; quick 5)"
    )
    ap.add_argument("--coalition-trials", type=int, help="trials per coalition cell (default 150; quick 10)")
    ap.add_argument("--baseline-trials", type=int, help="trials per baseline cell (default 20; quick 3)")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()
    single_trials = args.single_trials or (5 if args.quick else 50)
    coalition_trials = args.coalition_trials or (10 if args.quick else 150)
    baseline_trials = args.baseline_trials or (3 if args.quick else 20)
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    digests_before = watched_digests()

    t0 = time.perf_counter()
    artifacts = load_advisory()
    setup_s = time.perf_counter() - t0
    families = {a.label: a.family for a in artifacts}
    cap_rows = [capacity(a) for a in artifacts]
    print(
        f"sample advisory {ADVISORY}: {len(artifacts)} artifacts, {len(PARTNERS)} partners, carriers, codebooks "
        f"and {len(PARTNERS) * len(artifacts)} copies built in {setup_s:.1f} s; threshold family-wise p <= {THRESHOLD}"
    )
    print_capacity(cap_rows)

    print(
        "\n== 2. Single leaker, per artifact and transformation ==\n"
        "(correct/erased/wrong: share of slots; robust: bits read correctly; density against the target; "
        "named/innoc.: share of trials;\n log10 p: median log10 family-wise p of the leaker)"
    )
    single: dict[str, list[dict]] = {}
    for artifact in artifacts:
        single[artifact.label] = single_leaker(artifact, single_trials, rng)
        print_single(artifact.label, artifact.family, single[artifact.label])
        sys.stdout.flush()

    coalition_rows = coalitions(artifacts, (2, 3), coalition_trials, rng)
    print_coalitions(coalition_rows, [a.label for a in artifacts])

    base = Baseline(artifacts)
    baseline_rows = {
        "single": {label: base.single(label, baseline_trials, rng) for label in base.copies},
        "coalitions": base.coalitions((2, 3), coalition_trials, rng),
    }
    print_baseline(single, baseline_rows)

    what_if = uniform_code_what_if(artifacts, single, single_trials, rng)
    print_what_if(what_if)

    target_rows = targets(single, families, coalition_rows, baseline_rows)
    short = shortfalls(single, families, cap_rows)
    print_shortfalls(short)
    print_targets(target_rows)

    digests_after = watched_digests()
    changed = sorted(k for k in digests_after if digests_before.get(k) != digests_after[k])
    if changed:
        print(f"\nWARNING: carrier sources changed during the run ({', '.join(changed)}): run again")
    elapsed = time.perf_counter() - started
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "quick": args.quick,
                "advisory": ADVISORY,
                "partners": len(PARTNERS),
                "threshold": THRESHOLD,
                "design_coalition": {a.label: a.book.design_coalition for a in artifacts},
                "trials": {
                    "single_leaker": single_trials,
                    "coalition": coalition_trials,
                    "baseline": baseline_trials,
                },
                "seed": args.seed,
                "seconds": elapsed,
                "capacity": cap_rows,
                "single_leaker": single,
                "coalitions": coalition_rows,
                "coalition_mixes": MIX_NOTES,
                "zero_width_baseline": baseline_rows,
                "targets": target_rows,
                "shortfalls": short,
                "what_if_uniform_codes": what_if,
                "evidence_floor_bits": evidence_floor_bits(len(PARTNERS)),
                "sources": digests_after,
                "sources_changed_during_run": changed,
                "notes": {
                    "robust_bits": "sum of log2 q over the slots read correctly, averaged over trials",
                    "density": "prose: robust bits per word of the leak (tokens with a letter or digit, HTML reduced to "
                    "text); code: robust bits per 5 lines of the leak (all lines); binary: per byte",
                    "codewords": "real headstart.marking codewords (the design delivery uses, marking.design_for), the leaker chosen at random",
                    "baseline": "zero-width marks (text-blind-watermark encoding) after the first word of every paragraph "
                    "of the unmarked original, carrying a keyed 64-bit partner id; named = exact match",
                },
            },
            indent=2,
        )
    )
    print(f"\n{elapsed:.0f} s; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
