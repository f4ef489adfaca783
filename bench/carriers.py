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
2. Speed: per carrier, building it (carrier_for), rendering one copy (with the carrier's
   own check) and reading one delivered copy; the fastest of a few rounds.
3. Single leaker, per artifact and per transformation of the leak battery that applies
   to it (headstart.leaks: TEXT_TRANSFORMS for prose, transforms_for(language) for code,
   battery(spec) for the binary PoC; "identity" is the copy as delivered): a random
   partner's copy is transformed and read back. Reported: the share of slots read
   correctly, erased and read wrongly; robust bits (sum of log2 q over the slots read
   correctly) per word of the leak (prose) or per 5 lines of the leak (code); and
   attribute(book, Leak) over the 100 partners: the share of trials where the leaker is
   accused at family-wise p <= 1e-6, and where an innocent is.
4. Harsher code paths, beyond the battery (the middle half of the lines, indentation
   lost in a forum, all whitespace collapsed, formatter + comment stripping + excerpt or
   renaming): the same measures for the Python and C PoCs; reported, not targeted.
5. Coalitions of 2 and 3 of the 100 partners pool their copies of the whole advisory
   and mix them (per paragraph, per line, per slot, and per line followed by a leak
   path), every artifact is read, and attribute([(book, leak), ...]) combines them; also
   the share of symbols read that are a colluder's.
6. Baseline: a zero-width-character watermark (headstart.leaks.text.zero_width_embed,
   the text-blind-watermark package's encoding) carrying each partner's 64-bit id in the
   same prose artifacts, on the same text transformations; a partner is named when the
   64 bits read back equal its id exactly.
7. What if: the cells where a single leaker is not always named in an artifact with the
   c = 3 design, re-run with uniform codes (design_coalition=2), to tell the code's bias
   from the carrier's capacity; and the floor log2(partners / threshold) below which no
   code can name anyone.

Then the targets of bench/_carriers_report.py with pass/fail and, when one fails, the
cells that fall short and the slot kinds they lose. P-values come from attribute()
through bench/_pvalues.py.

    PYTHONPATH=src .venv/bin/python bench/carriers.py --quick   # a few minutes
    PYTHONPATH=src .venv/bin/python bench/carriers.py           # tens of minutes

Prints tables and writes bench/results/carriers.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np
from _carriers_advisory import (
    ADVISORY,
    HARSHER_CODE_PATHS,
    KEY,
    MIX_NOTES,
    MIXES,
    PARTNERS,
    Artifact,
    Transform,
    density,
    judge_readings,
    load_advisory,
    prose_words,
    read,
    size_of,
    slot_kind,
    transformations,
    words,
)
from _carriers_report import (
    print_baseline,
    print_capacity,
    print_coalitions,
    print_shortfalls,
    print_single,
    print_speed,
    print_targets,
    print_what_if,
    shortfalls,
    targets,
)
from _pvalues import THRESHOLD, evidence_floor_bits

from headstart.carriers import ERASED
from headstart.leaks.mixing import mix_lines, mix_paragraphs
from headstart.leaks.text import TEXT_TRANSFORMS, zero_width_embed, zero_width_extract
from headstart.marking import Codebook
from headstart.samples import SAMPLE_DIR

RESULTS = Path(__file__).resolve().parent / "results" / "carriers.json"

BASELINE_BITS = 64
# Every module and sample file these figures describe: their digests go in the JSON,
# so a later reader can tell whether the figures are stale.
_SRC = SAMPLE_DIR.parent.parent
WATCHED = [
    *[
        str(p.relative_to(_SRC))
        for package in ("carriers", "triggers", "leaks", "marking")
        for p in sorted((_SRC / package).rglob("*.py"))
    ],
    *[f"samples/tim_overflow/{p.name}" for p in sorted(SAMPLE_DIR.iterdir()) if p.is_file()],
]


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
        "alphabet_sizes": {str(k): int(v) for k, v in zip(*np.unique(q, return_counts=True), strict=True)},
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


# --- 2. speed ---------------------------------------------------------------------------------------------


def _best_ms(fn: Callable[[], object], rounds: int, calls: int = 1) -> float:
    """The fastest of ``rounds`` runs of fn, in milliseconds per call (fn makes ``calls`` calls)."""
    best = math.inf
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best * 1000 / calls


def speed(artifact: Artifact, rounds: int, copies: int = 10) -> dict:
    """What the artifact's carrier costs: building it (carrier_for), rendering one copy (with
    the carrier's own check) and reading one delivered copy, the fastest of ``rounds`` rounds;
    and the first build in this process, imports included (a fresh worker pays that)."""
    codewords = [[int(s) for s in cw] for cw in artifact.codewords[:copies]]
    delivered = artifact.copies[:copies]
    return {
        "artifact": artifact.label,
        "first_build_ms": artifact.first_build_ms,
        "build_ms": _best_ms(artifact.build, rounds),
        "render_ms_per_copy": _best_ms(
            lambda: [artifact.carrier.render(cw) for cw in codewords], rounds, len(codewords)
        ),
        "read_ms_per_leak": _best_ms(
            lambda: [artifact.carrier.read(c) for c in delivered], rounds, len(delivered)
        ),
        "rounds": rounds,
    }


# --- 3. and 4. single leaker, per artifact x leak path ----------------------------------------------------


def single_leaker(
    artifact: Artifact, paths: dict[str, Transform], trials: int, rng: np.random.Generator
) -> list[dict]:
    """Per leak path: a random partner's copy goes down the path and is read back."""
    rows = []
    log2q = artifact.log2q
    kinds = [slot_kind(s.key) for s in artifact.carrier.slots]
    kind_names = sorted(set(kinds))
    kind_index = np.array([kind_names.index(k) for k in kinds])
    for name, transform in paths.items():
        correct = erased = wrong = size = named = innocent = 0.0
        kind_correct = np.zeros(len(kind_names))
        robust: list[float] = []
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
            robust.append(float(log2q[ok].sum()))
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
                "robust_bits": sum(robust) / n,
                "robust_bits_min": min(robust, default=0.0),
                "leak_size": size / n,
                "density": density(artifact, sum(robust) / n, size / n),
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


# --- 5. coalitions over the whole advisory ----------------------------------------------------------------


def coalitions(
    artifacts: list[Artifact], sizes: tuple[int, ...], trials: int, rng: np.random.Generator
) -> list[dict]:
    """Per mix and coalition size: random coalitions mix their copies of every artifact,
    everything is read, and attribute() combines all six books (and each book alone)."""
    rows = []
    for mode, mixers in MIXES.items():
        for size in sizes:
            named = innocent = accused_colluders = named_text = innocent_text = 0.0
            alone = defaultdict(float)
            from_colluder = defaultdict(list)
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
                    read_slots = reading.symbols != ERASED
                    if read_slots.any():  # the marking assumption: every symbol read is a colluder's
                        theirs = (artifact.codewords[members] == reading.symbols).any(axis=0)
                        from_colluder[artifact.label].append(float(theirs[read_slots].mean()))
                    alone[artifact.label] += bool(
                        judge_readings([(artifact.book, reading)], guilty).guilty_accused
                    )
                verdict = judge_readings(pairs, guilty)
                text_only = judge_readings(
                    [pr for a, pr in zip(artifacts, pairs, strict=True) if a.family != "binary"], guilty
                )
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
                    "read_from_a_colluder": {k: float(np.mean(v)) for k, v in from_colluder.items()},
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


# --- 6. the zero-width baseline ---------------------------------------------------------------------------


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


# --- 7. what-if: the single-leaker cells that fall short, with uniform codes ---------------------------


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
        uniform = artifact.with_book(book)
        paths = {k: v for k, v in transformations(uniform).items() if k in short}
        before = {r["transformation"]: r for r in single[artifact.label]}
        for r in single_leaker(uniform, paths, trials, rng):
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


# --- main -------------------------------------------------------------------------------------------------


def watched_digests() -> dict[str, str]:
    return {
        rel: hashlib.sha256((_SRC / rel).read_bytes()).hexdigest()[:16]
        for rel in WATCHED
        if (_SRC / rel).exists()
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="few trials (a few minutes)")
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
    speed_rounds = 2 if args.quick else 5
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
    speed_rows = [speed(a, speed_rounds) for a in artifacts]
    print_speed(speed_rows)

    print(
        "\n== 3. Single leaker, per artifact and transformation ==\n"
        "(correct/erased/wrong: share of slots; robust: bits read correctly; density against the target; "
        "named/innoc.: share of trials;\n log10 p: median log10 family-wise p of the leaker)"
    )
    single: dict[str, list[dict]] = {}
    for artifact in artifacts:
        single[artifact.label] = single_leaker(artifact, transformations(artifact), single_trials, rng)
        print_single(artifact.label, artifact.family, single[artifact.label])
        sys.stdout.flush()

    print("\n== 4. Harsher code paths, beyond the battery (reported, not targeted) ==")
    harsher: dict[str, list[dict]] = {}
    for artifact in artifacts:
        if artifact.family in HARSHER_CODE_PATHS:
            harsher[artifact.label] = single_leaker(
                artifact, HARSHER_CODE_PATHS[artifact.family], single_trials, rng
            )
            print_single(artifact.label, artifact.family, harsher[artifact.label])
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
                    "speed_rounds": speed_rounds,
                },
                "seed": args.seed,
                "seconds": elapsed,
                "capacity": cap_rows,
                "speed": speed_rows,
                "single_leaker": single,
                "harsher_code_paths": harsher,
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
                    "robust_bits": "sum of log2 q over the slots read correctly, averaged over trials "
                    "(robust_bits_min: the fewest in any trial)",
                    "speed": "milliseconds, the fastest of speed_rounds rounds over 10 copies; "
                    "first_build_ms is the first carrier_for call of the process (imports included)",
                    "read_from_a_colluder": "coalitions: share of the slots read (not erased) whose symbol is one "
                    "of the colluders' symbols there, averaged over trials",
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
