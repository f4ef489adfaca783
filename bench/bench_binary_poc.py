"""The binary PoC carrier on the sample advisory: capacity, speed, robustness.

For the sample poc.tim and its trigger specification: slots and bits of capacity by kind
of field, the cost of rendering (with its verification) and reading one copy, and for
every transformation of the binary leak battery the share of slots read correctly,
erased and read wrongly, and the robust bits (sum of log2 q over the slots read
correctly; mean and minimum over the trials). Then identification
with 100 partners holding independent uniform random codewords (a stand-in for the
marking layer's codes, so this bench stands alone): an innocent's number of matching
slots is a sum of independent Bernoulli(1/q) variables, whose exact tail (Poisson-binomial,
by convolution) gives the p-value; family-wise p = 100 * p. Reported per transformation
for a single leaker and for coalitions of 2 and 3 mixing their copies byte by byte.

    PYTHONPATH=src .venv/bin/python bench/bench_binary_poc.py [--trials N]

Writes bench/results/binary_poc.json.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path

import numpy as np

import headstart.samples
from headstart.carriers.binary import BinaryCarrier
from headstart.leaks.binary import battery, mix_bytes, mix_fields

SAMPLE = Path(headstart.samples.__file__).parent / "tim_overflow"
RESULTS = Path(__file__).resolve().parent / "results" / "binary_poc.json"
PARTNERS = 100
THRESHOLD = 1e-6


def log10_tail(matches: int, probs: np.ndarray) -> float:
    """log10 P(sum of Bernoulli(probs) >= matches), exactly (by convolution)."""
    dist = np.zeros(len(probs) + 1)
    dist[0] = 1.0
    for i, p in enumerate(probs):
        dist[1:i + 2] = dist[1:i + 2] * (1 - p) + dist[0:i + 1] * p
        dist[0] *= 1 - p
    tail = dist[matches:].sum()
    return float(np.log10(tail)) if tail > 0 else -np.inf


def accuse(reading_symbols: np.ndarray, codebook: np.ndarray, q: np.ndarray) -> tuple[list[int], float]:
    """Partners whose family-wise p-value is at most THRESHOLD, and the best log10 family p."""
    read = reading_symbols != -1
    probs = 1.0 / q[read]
    matches = (codebook[:, read] == reading_symbols[read]).sum(axis=1)
    accused, best = [], 0.0
    cache: dict[int, float] = {}
    for partner in np.argsort(-matches)[:5]:  # only the top scores can reach the threshold
        m = int(matches[partner])
        if m not in cache:
            cache[m] = log10_tail(m, probs)
        family = cache[m] + np.log10(PARTNERS)
        best = min(best, family)
        if family <= np.log10(THRESHOLD):
            accused.append(int(partner))
    return accused, best


def slot_kinds(carrier: BinaryCarrier) -> dict[str, dict[str, float]]:
    """Slots and bits per field, indices folded (chunks[].body)."""
    kinds: dict[str, dict[str, float]] = {}
    for mark in carrier.marks:
        row = kinds.setdefault(re.sub(r"\[\d+\]", "[]", mark.path), {"slots": 0, "bits": 0.0})
        row["slots"] += 1
        row["bits"] += float(np.log2(mark.q))
    return kinds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=5)
    args = ap.parse_args()
    spec_text = (SAMPLE / "tim.ksy.yaml").read_text()
    original = (SAMPLE / "poc.tim").read_bytes()
    t0 = time.perf_counter()
    carrier = BinaryCarrier(spec_text, original)
    build_ms = (time.perf_counter() - t0) * 1000
    q = np.array(carrier.alphabet_sizes)
    bits = float(np.log2(q).sum())
    rng = np.random.default_rng(2026)

    codebook = np.stack([rng.integers(0, q) for _ in range(PARTNERS)])
    t0 = time.perf_counter()
    copies = [carrier.render(cw) for cw in codebook]
    render_ms = (time.perf_counter() - t0) * 1000 / PARTNERS
    t0 = time.perf_counter()
    for cw in codebook[:3]:
        for _ in range(100):
            carrier.render(cw)
    render_ms = min(render_ms, (time.perf_counter() - t0) * 1000 / 300)  # the steadier of two runs
    t0 = time.perf_counter()
    for c in copies[:20]:
        carrier.read(c)
    read_ms = (time.perf_counter() - t0) * 1000 / 20
    log2q = np.log2(q)

    transforms = battery(spec_text, seed=7)
    rows = []
    for name, transform in transforms.items():
        correct = erased = wrong = 0.0
        named = innocent = 0
        robust: list[float] = []
        for trial in range(args.trials):
            leaker = int(rng.integers(0, PARTNERS))
            reading = carrier.read(transform(copies[leaker]))
            sym = reading.symbols
            robust.append(float(log2q[sym == codebook[leaker]].sum()))
            correct += float((sym == codebook[leaker]).mean())
            erased += float((sym == -1).mean())
            wrong += float(((sym != -1) & (sym != codebook[leaker])).mean())
            accused, _ = accuse(sym, codebook, q)
            named += leaker in accused
            innocent += any(a != leaker for a in accused)
        n = args.trials
        rows.append({"transformation": name, "correct": correct / n, "erased": erased / n, "wrong": wrong / n,
                     "robust_bits_mean": float(np.mean(robust)), "robust_bits_min": min(robust),
                     "leaker_named": named / n, "innocent_accused": innocent / n})

    coalitions = []
    for size in (2, 3):
        for unit, mixer in (("byte", lambda cs, s: mix_bytes(cs, s)),
                            ("field", lambda cs, s: mix_fields(spec_text, cs, s))):
            named = innocent = 0
            for trial in range(args.trials):
                members = [int(x) for x in rng.choice(PARTNERS, size, replace=False)]
                leak = mixer([copies[m] for m in members], trial)
                accused, _ = accuse(carrier.read(leak).symbols, codebook, q)
                named += any(a in members for a in accused)
                innocent += any(a not in members for a in accused)
            coalitions.append({"colluders": size, "mix": unit, "colluder_named": named / args.trials,
                               "innocent_accused": innocent / args.trials})

    kinds = slot_kinds(carrier)
    print(f"sample poc.tim: {len(original)} bytes, {len(carrier.slots)} slots, {bits:.0f} bits")
    print(f"build {build_ms:.1f} ms, render {render_ms:.2f} ms/copy (verified), read {read_ms:.2f} ms/leak\n")
    print(f"{'field':20s} {'slots':>6s} {'bits':>8s}")
    for kind, row in kinds.items():
        print(f"{kind:20s} {row['slots']:6d} {row['bits']:8.1f}")
    print(f"\n{'transformation':42s} {'correct':>8s} {'erased':>8s} {'wrong':>8s} {'bits':>7s} {'min':>7s} "
          f"{'named':>6s} {'innocent':>8s}")
    for r in rows:
        print(f"{r['transformation']:42s} {r['correct']:8.3f} {r['erased']:8.3f} {r['wrong']:8.4f} "
              f"{r['robust_bits_mean']:7.0f} {r['robust_bits_min']:7.0f} "
              f"{r['leaker_named']:6.2f} {r['innocent_accused']:8.2f}")
    print(f"\n{'coalition':20s} {'colluder named':>15s} {'innocent accused':>17s}")
    for c in coalitions:
        print(f"{c['colluders']} mixing per {c['mix']:6s}  {c['colluder_named']:15.2f} {c['innocent_accused']:17.2f}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "artifact": "poc.tim", "bytes": len(original), "slots": len(carrier.slots), "bits": bits,
        "slot_kinds": kinds,
        "build_ms": build_ms, "render_ms_per_copy": render_ms, "read_ms_per_leak": read_ms,
        "partners": PARTNERS, "threshold": THRESHOLD, "trials": args.trials,
        "transformations": rows, "coalitions": coalitions,
        "codes": "uniform random codewords (stand-in for headstart.marking), exact Poisson-binomial tail",
    }, indent=2))
    print(f"\nwrote {RESULTS}")


if __name__ == "__main__":
    main()
