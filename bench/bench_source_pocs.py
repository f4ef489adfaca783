"""The Python and C source carriers on the sample PoCs: capacity, speed, robustness.

For poc_tim_overflow.py and poc_tim_overflow.c: slots and bits of capacity, the cost of
building the carrier, rendering (with its check) and reading one copy; then for every
code transformation of the leak battery (real black, ruff, autopep8, clang-format) and
a few harsher paths (excerpts, lost layout, combinations) the share of slots read
correctly, erased and read wrongly, the robust bits left (bits of the slots read
correctly) per line of the original, and identification with 100 partners holding
independent uniform random codewords (a stand-in for the marking layer's codes, so this
bench stands alone): an innocent's number of matching slots is a sum of independent
Bernoulli(1/q) variables, whose exact tail gives the p-value; family-wise p = 100 * p.
Coalitions of 2 and 3 mix their copies line by line (then, for Python, run black).

    PYTHONPATH=src .venv/bin/python bench/bench_source_pocs.py [--trials N]

Writes bench/results/source_pocs.json.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

import headstart.samples
from headstart.carriers.c_source import CCarrier
from headstart.carriers.python_source import PythonCarrier
from headstart.leaks.code import keep_half_c_functions, keep_half_python_definitions, transforms_for
from headstart.leaks.mixing import mix_lines

SAMPLE = Path(headstart.samples.__file__).parent / "tim_overflow"
RESULTS = Path(__file__).resolve().parent / "results" / "source_pocs.json"
PARTNERS = 100
THRESHOLD = 1e-6


def log10_tail(matches: int, probs: np.ndarray) -> float:
    """log10 P(sum of Bernoulli(probs) >= matches), exactly (by convolution)."""
    dist = np.zeros(len(probs) + 1)
    dist[0] = 1.0
    for i, p in enumerate(probs):
        dist[1 : i + 2] = dist[1 : i + 2] * (1 - p) + dist[0 : i + 1] * p
        dist[0] *= 1 - p
    tail = dist[matches:].sum()
    return float(np.log10(tail)) if tail > 0 else -np.inf


def accuse(symbols: np.ndarray, codebook: np.ndarray, q: np.ndarray) -> list[int]:
    read = symbols != -1
    if not read.any():
        return []
    probs = 1.0 / q[read]
    matches = (codebook[:, read] == symbols[read]).sum(axis=1)
    accused = []
    for partner in np.argsort(-matches)[:5]:
        if log10_tail(int(matches[partner]), probs) + np.log10(PARTNERS) <= np.log10(THRESHOLD):
            accused.append(int(partner))
    return accused


def middle_half(text: str) -> str:
    lines = text.splitlines()
    return "\n".join(lines[len(lines) // 4 : 3 * len(lines) // 4])


def forum_paste(text: str) -> str:
    flat = "\n".join(line.strip() for line in text.splitlines())
    return "Posted on a forum, indentation lost:\n\n" + flat + "\n\nworks on 4.7.2, have fun\n"


def collapse(text: str) -> str:
    return " ".join(text.split())


def paths_for(language: str) -> dict[str, Callable[[str], str]]:
    battery = transforms_for(language)
    paths: dict[str, Callable[[str], str]] = {"identity": lambda t: t}
    paths.update({k: v for k, v in battery.items() if not k.startswith("excerpt")})
    paths["excerpt-half-definitions"] = (
        keep_half_python_definitions if language == "python" else keep_half_c_functions
    )
    paths["excerpt-middle-half-lines"] = middle_half
    paths["forum-paste-lost-indentation"] = forum_paste
    paths["collapse-all-whitespace"] = collapse
    if language == "python":
        paths["black+strip+excerpt"] = lambda t: middle_half(
            battery["strip-comments-python"](battery["black"](t))
        )
        paths["ruff+rename"] = lambda t: battery["rename-identifiers-python"](battery["ruff-format"](t))
    else:
        paths["gnu+strip+rename"] = lambda t: battery["rename-identifiers-c"](
            battery["strip-comments-c"](battery["clang-format-gnu"](t))
        )
        paths["mozilla+excerpt"] = lambda t: middle_half(battery["clang-format-mozilla"](t))
    return paths


def bench_artifact(
    name: str, source: str, carrier_cls, language: str, trials: int, rng: np.random.Generator
) -> dict:
    t0 = time.perf_counter()
    carrier = carrier_cls(source)
    build_ms = (time.perf_counter() - t0) * 1000
    q = np.array(carrier.alphabet_sizes)
    bits = float(np.log2(q).sum())
    lines = source.count("\n")
    codebook = np.stack([rng.integers(0, q) for _ in range(PARTNERS)])
    t0 = time.perf_counter()
    copies = [carrier.render(cw).decode() for cw in codebook]
    render_ms = (time.perf_counter() - t0) * 1000 / PARTNERS
    t0 = time.perf_counter()
    for c in copies[:20]:
        carrier.read(c)
    read_ms = (time.perf_counter() - t0) * 1000 / 20

    rows = []
    for path, transform in paths_for(language).items():
        correct = erased = wrong = robust_bits = 0.0
        named = innocent = 0
        for trial in range(trials):
            leaker = int(rng.integers(0, PARTNERS))
            sym = carrier.read(transform(copies[leaker])).symbols
            ok = sym == codebook[leaker]
            correct += float(ok.mean())
            erased += float((sym == -1).mean())
            wrong += float(((sym != -1) & ~ok).mean())
            robust_bits += float(np.log2(q[ok]).sum())
            accused = accuse(sym, codebook, q)
            named += leaker in accused
            innocent += any(a != leaker for a in accused)
        rows.append(
            {
                "transformation": path,
                "correct": correct / trials,
                "erased": erased / trials,
                "wrong": wrong / trials,
                "robust_bits": robust_bits / trials,
                "bits_per_line": robust_bits / trials / lines,
                "leaker_named": named / trials,
                "innocent_accused": innocent / trials,
            }
        )

    coalitions = []
    black = transforms_for("python").get("black")
    for size in (2, 3):
        mixes = [("line", lambda cs, s: mix_lines(cs, s))]
        if language == "python":
            mixes.append(("line+black", lambda cs, s: black(mix_lines(cs, s))))
        for label, mixer in mixes:
            named = innocent = 0
            consistent = 0.0
            for trial in range(trials):
                members = [int(x) for x in rng.choice(PARTNERS, size, replace=False)]
                sym = carrier.read(mixer([copies[m] for m in members], trial)).symbols
                read = sym != -1
                ok = np.zeros(len(sym), dtype=bool)
                for m in members:
                    ok |= sym == codebook[m]
                consistent += float(ok[read].mean()) if read.any() else 1.0
                accused = accuse(sym, codebook, q)
                named += any(a in members for a in accused)
                innocent += any(a not in members for a in accused)
            coalitions.append(
                {
                    "colluders": size,
                    "mix": label,
                    "colluder_named": named / trials,
                    "innocent_accused": innocent / trials,
                    "reads_from_a_colluder": consistent / trials,
                }
            )

    print(
        f"\n{name}: {lines} lines, {len(carrier.slots)} slots, {bits:.0f} bits ({bits / lines:.2f} per line)"
    )
    print(f"build {build_ms:.0f} ms, render {render_ms:.2f} ms/copy (checked), read {read_ms:.1f} ms/leak\n")
    print(
        f"{'transformation':32s} {'correct':>8s} {'erased':>7s} {'wrong':>7s} {'bits':>6s} {'bit/ln':>6s} {'named':>6s} {'innoc.':>6s}"
    )
    for r in rows:
        print(
            f"{r['transformation']:32s} {r['correct']:8.3f} {r['erased']:7.3f} {r['wrong']:7.4f} "
            f"{r['robust_bits']:6.1f} {r['bits_per_line']:6.2f} {r['leaker_named']:6.2f} {r['innocent_accused']:6.2f}"
        )
    print(
        f"\n{'coalition':26s} {'colluder named':>15s} {'innocent accused':>17s} {'reads from a colluder':>22s}"
    )
    for c in coalitions:
        print(
            f"{c['colluders']} mixing per {c['mix']:12s} {c['colluder_named']:15.2f} {c['innocent_accused']:17.2f} "
            f"{c['reads_from_a_colluder']:22.3f}"
        )
    return {
        "artifact": name,
        "lines": lines,
        "slots": len(carrier.slots),
        "bits": bits,
        "build_ms": build_ms,
        "render_ms_per_copy": render_ms,
        "read_ms_per_leak": read_ms,
        "transformations": rows,
        "coalitions": coalitions,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=10)
    args = ap.parse_args()
    rng = np.random.default_rng(2026)
    random.seed(2026)
    results = [
        bench_artifact(
            "poc_tim_overflow.py",
            (SAMPLE / "poc_tim_overflow.py").read_text(),
            PythonCarrier,
            "python",
            args.trials,
            rng,
        ),
        bench_artifact(
            "poc_tim_overflow.c", (SAMPLE / "poc_tim_overflow.c").read_text(), CCarrier, "c", args.trials, rng
        ),
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "partners": PARTNERS,
                "threshold": THRESHOLD,
                "trials": args.trials,
                "artifacts": results,
                "codes": "uniform random codewords (stand-in for headstart.marking), exact Poisson-binomial tail",
            },
            indent=2,
        )
    )
    print(f"\nwrote {RESULTS}")


if __name__ == "__main__":
    main()
