"""Benchmark of headstart.marking: code lengths, false accusations, speed, design choices.

For each case (coalition size c, partners n, threshold, attack) the smallest code length m
at which at least one colluder is accused (family-wise p <= threshold) in >= 99.9% of trials,
next to the Stein bound ln(n/threshold) / C_c of the uninformed simple-decoder capacity C_c
(bench/marking_design.py) and the per-attack Stein bound of our code.

Method. Slot i of a codebook does not depend on the code length (codewords and biases are
prefix-stable), and the attacks act slot by slot, so one trial of length M contains a fresh
trial of every length m <= M. Each trial builds a real Codebook (fresh random key), lets a
random coalition attack it with headstart.marking.simulate, scores the slots with the
library's own lattice, and feeds the slots one by one into the library's exact tail
computation, checking the colluders' p-values every `step` slots. That yields the detection
rate at every m on the grid at once - an exact scan instead of a bisection over m. A
self-check confirms that the decisions equal those of attribute() on truncated codebooks.

False accusations: end-to-end attribute() calls on codebooks of 10,000 partners, counting
innocents with p <= alpha; given the leak, innocents' p-values are independent with
P(p <= alpha) <= alpha, so the count is dominated by Binomial(N, alpha): a one-sided
binomial test says whether the observed count exceeds the nominal rate.

Unrestricted attack (issue 17): three colluders among 300 partners, 600 4-ary slots; where
their symbols differ they write a valid symbol none of them received. The share of trials
in which a colluder is accused at m = 600 (target >= 95%), beside the restricted attacks on
the same code and the same attack scored with the interleaving weights alone; then the
false-accusation count on q-ary codes under every attack, the unrestricted one included.

    PYTHONPATH=src .venv/bin/python bench/marking_codes.py --quick   # < 2 minutes
    PYTHONPATH=src .venv/bin/python bench/marking_codes.py           # full: tens of minutes

Prints tables and writes bench/results/marking_codes.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.stats import binom

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pvalues import THRESHOLD, verdict
from marking_design import information

from headstart.marking import (
    Codebook,
    Leak,
    _bias,
    _scores,
    attribute,
    simulate,
)
from headstart.marking._attribution import slot_lattice
from headstart.marking._pvalues import ExactTail
from headstart.marking._scores import lattice_step

RESULTS = Path(__file__).resolve().parent / "results" / "marking_codes.json"
ATTACKS = ("interleave", "majority", "minority", "random", "all-ones")
QARY_ATTACKS = (*ATTACKS, "unrestricted")
UNRESTRICTED_TARGET = 0.95  # issue 17: share of trials with a colluder accused, q = 4, n = 300, m = 600
CAPACITY = {2: 0.130812, 3: 0.045695, 4: 0.026340}  # nats, from bench/marking_design.py
TARGET_RATE = 0.999
SECTIONS = ("lengths", "ablations", "false", "unrestricted", "speed")


@dataclass
class Case:
    name: str
    c: int
    n: int
    threshold: float
    attack: str
    max_m: int
    step: int
    design: int
    score: str = "llr"
    erasure: float = 0.0
    flip: float = 0.0
    slot_q: int = 2
    target: int | None = None
    variant: str = ""  # which design patch (see design_variant)
    adaptive: bool = True  # the LLR's online attack estimate (False: fixed worst-case attack)
    extra: dict = field(default_factory=dict)


@contextlib.contextmanager
def adaptive_llr(on: bool) -> Iterator[None]:
    saved = _scores.ADAPTIVE
    _scores.ADAPTIVE = on
    try:
        yield
    finally:
        _scores.ADAPTIVE = saved


@contextlib.contextmanager
def design_variant(name: str) -> Iterator[None]:
    """Temporarily swap the binary bias distribution, for ablations only.

    "" : the library's default (discrete max-min distributions for 3 <= c <= 8).
    "arcsine/k" : arcsine with cutoff 1/(k c) and the interleaving LLR, for every c.
    """
    if not name:
        yield
        return
    saved = (dict(_bias.DISCRETE_DESIGNS), _bias.binary_cutoff)
    k = float(name.split("/")[1])
    _bias.DISCRETE_DESIGNS.clear()
    _bias.binary_cutoff = lambda c: 1.0 / (k * c)  # type: ignore[assignment]
    try:
        yield
    finally:
        _bias.DISCRETE_DESIGNS.update(saved[0])
        _bias.binary_cutoff = saved[1]  # type: ignore[assignment]


def partner_ids(n: int) -> list[str]:
    return [f"partner-{i:05d}" for i in range(n)]


def trial_detection(case: Case, partners: list[str], rng: np.random.Generator, checkpoints: np.ndarray
                    ) -> tuple[np.ndarray, Codebook, list[str], Leak]:
    """One trial: detection (bool) at every checkpoint m."""
    key = rng.bytes(32)
    book = Codebook(key, f"bench/{case.name}/{rng.integers(1 << 62)}", [case.slot_q] * case.max_m, partners,
                    design_coalition=case.design)
    gang = simulate.coalition(book, case.c, rng=rng)
    leak = simulate.leak(book, gang, case.attack, rng=rng, erasure_rate=case.erasure, flip_rate=case.flip)
    if "mixed_with" in case.extra:  # each slot from the other attack with probability 1 - share
        other = simulate.leak(book, gang, case.extra["mixed_with"], rng=rng, erasure_rate=case.erasure,
                              flip_rate=case.flip)
        own = rng.random(case.max_m) < case.extra["share"]
        leak = Leak(np.where(own, leak.symbols, other.symbols))
    step = lattice_step(case.score, case.design)
    sl = slot_lattice(book, leak, case.score, step)
    words = np.stack([book.codeword(p) for p in gang])[:, sl.read]
    earned = ((words == sl.y[sl.read]) ^ sl.flip) * sl.k  # (c, read slots)
    cum = np.cumsum(earned, axis=1)
    keep = (sl.k > 0) & (sl.pi_high > 0)  # exactly the slots attribute() convolves
    bounds = np.searchsorted(sl.read, checkpoints)  # read slots before each checkpoint
    tail = ExactTail()
    done = 0
    out = np.zeros(checkpoints.size, dtype=bool)
    limit = case.threshold / case.n
    for i, b in enumerate(bounds.tolist()):
        sel = keep[done:b]
        tail.add(sl.k[done:b][sel], sl.pi_high[done:b][sel])
        done = b
        if b == 0:
            continue
        best = int(cum[:, b - 1].max())
        out[i] = tail.survival(np.array([best]))[0] <= limit
    return out, book, gang, leak


def self_check(case: Case, partners: list[str], seed: int, checkpoints: np.ndarray) -> int:
    """Compare prefix decisions with attribute() on truncated codebooks; returns checks done."""
    rng = np.random.default_rng(seed)
    det, book, gang, leak = trial_detection(case, partners, rng, checkpoints)
    done = 0
    for i in np.linspace(0, checkpoints.size - 1, 3).astype(int).tolist():
        m = int(checkpoints[i])
        short = Codebook(book._key, book.scope, [case.slot_q] * m, partners, design_coalition=case.design)
        symbols = leak.symbols[:m]
        if np.all(symbols == -1):
            continue
        res = attribute(short, Leak(symbols), threshold=case.threshold, score=case.score)
        accused = bool(set(res.accused) & set(gang))
        if accused != bool(det[i]):
            raise AssertionError(f"{case.name}: prefix decision {det[i]} != attribute() {accused} at m={m}")
        done += 1
    return done


def run_case(case: Case, trials: int, seed: int) -> dict:
    partners = partner_ids(case.n)
    checkpoints = np.arange(case.step, case.max_m + 1, case.step)
    hits = np.zeros(checkpoints.size, dtype=np.int64)
    rng = np.random.default_rng(seed)
    t0 = time.time()
    with design_variant(case.variant), adaptive_llr(case.adaptive):
        checks = self_check(case, partners, seed + 1, checkpoints)
        for _ in range(trials):
            hits += trial_detection(case, partners, rng, checkpoints)[0]
    rate = hits / trials
    ok = np.nonzero(rate >= TARGET_RATE)[0]
    # smallest m from which the rate stays >= target on the rest of the grid
    stable = None
    for j in range(checkpoints.size - 1, -1, -1):
        if rate[j] < TARGET_RATE:
            break
        stable = int(checkpoints[j])
    half = np.nonzero(rate >= 0.5)[0]
    most = np.nonzero(rate >= UNRESTRICTED_TARGET)[0]
    return {
        "case": case.name, "c": case.c, "n": case.n, "threshold": case.threshold, "attack": case.attack,
        "design": case.design, "score": case.score, "erasure": case.erasure, "flip": case.flip,
        "slot_q": case.slot_q, "variant": case.variant or "default", "adaptive_llr": case.adaptive,
        "trials": trials,
        "m_999": int(checkpoints[ok[0]]) if ok.size else None, "m_999_stable": stable,
        "m_50": int(checkpoints[half[0]]) if half.size else None,
        "m_95": int(checkpoints[most[0]]) if most.size else None,
        "accused_share_at_max_m": float(rate[-1]), "max_m": case.max_m, "step": case.step,
        "target": case.target, "self_checks": checks, "seconds": round(time.time() - t0, 1),
        **case.extra,
    }


# ---------------------------------------------------------------------------- Stein bounds

def attack_theta(c: int, attack: str) -> np.ndarray:
    z = np.arange(c + 1)
    if attack == "interleave":
        return z / c
    if attack == "majority":
        return np.where(2 * z > c, 1.0, np.where(2 * z < c, 0.0, 0.5))
    if attack == "minority":
        t = np.where(2 * z < c, 1.0, np.where(2 * z > c, 0.0, 0.5))
    elif attack == "random":
        t = np.full(c + 1, 0.5)
    else:  # all-ones
        t = np.ones(c + 1)
    t[0], t[c] = 0.0, 1.0
    return t


def design_bias_points(design: int) -> tuple[np.ndarray, np.ndarray]:
    if design <= 2:
        return np.array([0.5]), np.array([1.0])
    if design in _bias.DISCRETE_DESIGNS:
        d = _bias.DISCRETE_DESIGNS[design]
        return np.array(d.support), np.array(d.weights)
    cut = _bias.binary_cutoff(design)
    r0 = math.asin(math.sqrt(cut))
    r = r0 + (np.arange(2000) + 0.5) / 2000 * (math.pi / 2 - 2 * r0)
    return np.sin(r) ** 2, np.full(2000, 1 / 2000)


def stein_for_attack(case: Case) -> float | None:
    """ln(n/threshold) / I(X_1; Y | P) for our bias distribution and this attack and noise."""
    if case.slot_q != 2:
        return None
    with design_variant(case.variant):
        p, w = design_bias_points(case.design)
    if case.c == 1:
        info = float(w @ (-(p * np.log(p) + (1 - p) * np.log(1 - p))))
    else:
        theta = attack_theta(case.c, case.attack)
        theta = (1 - 2 * case.flip) * theta + case.flip
        info = float(w @ information(case.c, p, theta[None])[:, 0])
    info *= 1 - case.erasure
    return math.log(case.n / case.threshold) / info


def capacity_stein(c: int, n: int, threshold: float) -> float | None:
    if c == 1:
        return math.log2(n / threshold)
    return math.log(n / threshold) / CAPACITY[c] if c in CAPACITY else None


# ------------------------------------------------------------------ false accusations

def false_accusations(target_tests: int, n: int, m: int, seed: int, layout: list[int] | None = None,
                      attacks: tuple[str, ...] = ATTACKS) -> dict:
    """Innocents' p-values against Binomial(N, alpha); layout defaults to m - 20 binary and
    20 4-ary slots; attacks are used in turn, every third leak noisy."""
    rng = np.random.default_rng(seed)
    layout = layout or [2] * (m - 20) + [4] * 20
    partners = partner_ids(n)
    alphas = [10.0**-k for k in range(1, 8)]
    counts = np.zeros(len(alphas), dtype=np.int64)
    tests = 0
    trials = 0
    accused_innocents = 0
    family_hits = 0
    smallest = 1.0
    t0 = time.time()
    while tests < target_tests:
        c = int(rng.integers(1, 6))
        book = Codebook(rng.bytes(32), f"bench/innocents/{trials}", layout, partners)
        gang = simulate.coalition(book, c, rng=rng)
        attack = attacks[trials % len(attacks)]
        noisy = trials % 3 == 0
        leak = simulate.leak(book, gang, attack, rng=rng, erasure_rate=0.2 if noisy else 0.0,
                             flip_rate=0.05 if noisy else 0.0)
        v = verdict(attribute(book, leak, threshold=THRESHOLD), gang)
        p = v.innocent_p_values
        counts += np.array([np.count_nonzero(p <= a) for a in alphas])
        accused_innocents += len(v.innocents_accused)
        family_hits += bool(v.innocents_accused)  # an innocent's family-wise p <= THRESHOLD
        smallest = min(smallest, float(p.min()))
        tests += p.size
        trials += 1
    rows = []
    for a, k in zip(alphas, counts.tolist(), strict=True):
        rows.append({"alpha": a, "expected_max": a * tests, "observed": k,
                     "ratio": k / (a * tests), "binomial_p_of_excess": float(binom.sf(k - 1, tests, a))})
    return {"innocent_tests": tests, "trials": trials, "partners_per_trial": n, "slots": len(layout),
            "alphabet_sizes": {str(q): layout.count(q) for q in sorted(set(layout))}, "attacks": list(attacks),
            "innocents_accused_at_1e-6": accused_innocents, "trials_with_family_p_le_1e-6": family_hits,
            "smallest_innocent_p": smallest, "levels": rows, "seconds": round(time.time() - t0, 1)}


# ----------------------------------------------------------------------------- speed

def speed(repeats: int) -> dict:
    def best(fn) -> float:
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return min(times)

    key = b"\x01" * 32
    p1k, p10k = partner_ids(1000), partner_ids(10000)
    out = {"codewords_1000x5000_s": best(lambda: Codebook(key, "speed/a", [2] * 5000, p1k).codewords()),
           "codewords_1000x5000_mixed_q_s": best(
               lambda: Codebook(key, "speed/b", [2] * 4800 + [4] * 200, p1k).codewords()),
           "codewords_10000x5000_s": best(lambda: Codebook(key, "speed/c", [2] * 5000, p10k).codewords())}
    book = Codebook(key, "speed/d", [2] * 5000, p10k)
    book.codewords()
    gang = simulate.coalition(book, 3, rng=1)
    leak = simulate.leak(book, gang, "interleave", rng=1, erasure_rate=0.1)
    for score in ("llr", "tardos"):
        out[f"attribute_10000x5000_{score}_s"] = best(lambda s=score: attribute(book, leak, score=s))
    other = Codebook(key, "speed/e", [2] * 2500 + [4] * 100, p10k[:8000] + partner_ids(12000)[10000:])
    other.codewords()
    leak2 = simulate.leak(other, [*gang[:1], other.partners[-1]], "majority", rng=2)
    out["attribute_two_books_10000+8000_partners_7600_slots_s"] = best(
        lambda: attribute([(book, leak), (other, leak2)]))
    return out


# ------------------------------------------------------------------------------ main

def main_cases() -> list[Case]:
    cases: list[Case] = []
    cases.append(Case("c1", 1, 10000, 1e-9, "interleave", 80, 1, design=1, target=50))
    cases.append(Case("c1-design3", 1, 10000, 1e-9, "interleave", 160, 2, design=3))
    for attack in ATTACKS:
        cases.append(Case("c2", 2, 1000, 1e-9, attack, 500, 5, design=2, target=340))
    for attack in ATTACKS:
        cases.append(Case("c3", 3, 1000, THRESHOLD, attack, 800, 5, design=3, target=570))
    for attack in ATTACKS:
        cases.append(Case("c4", 4, 1000, 1e-9, attack, 1600, 10, design=4, target=1400))
    for attack in ATTACKS:
        cases.append(Case("c3-noisy", 3, 1000, THRESHOLD, attack, 1400, 10, design=3, erasure=0.2, flip=0.05))
    return cases


def ablation_cases() -> list[Case]:
    cases: list[Case] = []
    for attack in ATTACKS:
        cases.append(Case("c3-tardos", 3, 1000, THRESHOLD, attack, 1100, 5, design=3, score="tardos"))
    for attack in ATTACKS:
        cases.append(Case("c3-llr-fixed", 3, 1000, THRESHOLD, attack, 900, 5, design=3, adaptive=False))
    for attack in ATTACKS:
        cases.append(Case("c3-noisy-llr-fixed", 3, 1000, THRESHOLD, attack, 1400, 10, design=3, erasure=0.2,
                          flip=0.05, adaptive=False))
    for k in (15, 50):
        for attack in ATTACKS:
            cases.append(Case(f"c3-arcsine-1/{k}c", 3, 1000, THRESHOLD, attack, 1100, 5, design=3,
                              variant=f"arcsine/{k}"))
    for attack in ATTACKS:
        cases.append(Case("c3-q4", 3, 1000, THRESHOLD, attack, 500, 5, design=3, slot_q=4))
    for c in (2, 4):
        cases.append(Case(f"c{c}-on-design3", c, 1000, THRESHOLD, "interleave", 1600, 10, design=3))
    return cases


def fmt(v: object) -> str:
    return "-" if v is None else (f"{v:.1f}" if isinstance(v, float) else str(v))


def print_header() -> None:
    print(f"{'case':<18} {'attack':<11} {'trials':>6} {'m50':>5} {'m99.9':>6} {'stable':>6} {'target':>6} "
          f"{'Stein(C)':>8} {'Stein(att)':>10} {'sec':>6}")


def print_table(rows: list[dict]) -> None:
    for r in rows:
        print(f"{r['case']:<18} {r['attack']:<11} {r['trials']:>6} {fmt(r['m_50']):>5} {fmt(r['m_999']):>6} "
              f"{fmt(r['m_999_stable']):>6} {fmt(r['target']):>6} {fmt(r['stein_capacity']):>8} "
              f"{fmt(r['stein_attack']):>10} {r['seconds']:>6}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small trial counts: a sanity run in < 2 minutes")
    ap.add_argument("--trials", type=int, help="trials per case (default 2000 full, 60 quick)")
    ap.add_argument("--innocent-tests", type=float, help="innocent-partner tests (default 1e8 full, 2e5 quick)")
    ap.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS),
                    help="sections to run; the others keep their figures from the results file")
    ap.add_argument("--seed", type=int, default=20260101)
    args = ap.parse_args()
    quick = args.quick
    trials = args.trials or (60 if quick else 2000)
    innocent_tests = int(args.innocent_tests or (2e5 if quick else 1e8))
    t_start = time.time()
    out: dict = {"mode": "quick" if quick else "full", "trials_per_case": trials, "target_rate": TARGET_RATE,
                 "machine": {"cpus": os.cpu_count()}, "cases": [], "ablations": []}
    partial = set(args.only) != set(SECTIONS) and RESULTS.exists()
    if partial:
        # a partial run replaces only its own sections and says so in sections_run
        previous = json.loads(RESULTS.read_text())
        out = {**previous, "sections_run": {"sections": args.only, "mode": out["mode"], "trials_per_case": trials}}

    def save() -> None:
        (out["sections_run"] if partial else out)["seconds"] = round(time.time() - t_start, 1)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(out, indent=2))

    def finish(rows: list[dict], case: Case, row: dict) -> None:
        row["stein_capacity"] = None if case.variant or case.design != case.c or case.slot_q != 2 \
            else capacity_stein(case.c, case.n, case.threshold)
        row["stein_attack"] = stein_for_attack(case)
        rows.append(row)
        save()

    if "lengths" in args.only:
        lengths(args, trials, out, finish)
    if "ablations" in args.only:
        abl_trials = max(40, trials // 4)
        print(f"\n== Design choices ({abl_trials} trials per case; m99.9 is noisier here)")
        arows: list[dict] = []
        out["ablations"] = arows
        print_header()
        for i, case in enumerate(ablation_cases() if not quick else ablation_cases()[:5]):
            finish(arows, case, run_case(case, abl_trials, args.seed + 1000 + i))
            print_table(arows[-1:])
    if "false" in args.only:
        false_section(innocent_tests, quick, args.seed, out)
        save()
    if "unrestricted" in args.only:
        unrestricted_section(trials, max(innocent_tests // 10, 100000), quick, args.seed, out, save)
        save()
    if "speed" in args.only:
        print("\n== Speed (best of 3)")
        out["speed"] = speed(1 if quick else 3)
        for k, v in out["speed"].items():
            print(f"{k:<55} {v:.3f}")
    save()
    print(f"\nwrote {RESULTS} ({round(time.time() - t_start, 1)} s)")


def lengths(args: argparse.Namespace, trials: int, out: dict, finish) -> None:  # type: ignore[no-untyped-def]
    print(f"== Code length for >= {TARGET_RATE:.1%} detection ({trials} trials per case)")
    rows: list[dict] = []
    out["cases"] = rows
    print_header()
    for i, case in enumerate(main_cases()):
        finish(rows, case, run_case(case, trials, args.seed + i))
        print_table(rows[-1:])
    out["cases"] = rows
    # ratios use the stable figure (rate >= 99.9% from there on up to max_m)
    by_attack = {r["attack"]: r["m_999_stable"] for r in rows if r["case"] == "c3"}
    for r in rows:
        if r["case"] == "c3-noisy" and r["m_999_stable"] and by_attack.get(r["attack"]):
            r["ratio_to_noiseless"] = round(r["m_999_stable"] / by_attack[r["attack"]], 3)
    worst3 = max((r["m_999_stable"] or 10**9) for r in rows if r["case"] == "c3")
    worst_noisy = max((r["m_999_stable"] or 10**9) for r in rows if r["case"] == "c3-noisy")
    out["noisy_ratio_worst_case"] = round(worst_noisy / worst3, 3)
    print("noisy / noiseless, per attack:",
          {r["attack"]: r.get("ratio_to_noiseless") for r in rows if r["case"] == "c3-noisy"},
          f"worst case {out['noisy_ratio_worst_case']}")



def print_false(fa: dict) -> None:
    print(f"{fa['innocent_tests']} innocent tests in {fa['trials']} leaks; innocents accused at 1e-6: "
          f"{fa['innocents_accused_at_1e-6']}; smallest innocent p: {fa['smallest_innocent_p']:.3g}")
    print(f"{'alpha':>8} {'expected<=':>12} {'observed':>9} {'ratio':>6} {'P(>=obs | nominal)':>19}")
    for r in fa["levels"]:
        print(f"{r['alpha']:>8.0e} {r['expected_max']:>12.1f} {r['observed']:>9} {r['ratio']:>6.3f} "
              f"{r['binomial_p_of_excess']:>19.3g}")


def false_section(innocent_tests: int, quick: bool, seed: int, out: dict) -> None:
    print(f"\n== False accusations ({innocent_tests:.0e} innocent-partner tests, attribute() end to end)")
    fa = false_accusations(innocent_tests, 10000 if not quick else 2000, 256, seed + 7)
    out["false_accusations"] = fa
    print_false(fa)


# ------------------------------------------------------------- the unrestricted attack

def unrestricted_cases() -> list[Case]:
    """q = 4, n = 300, c = 3 up to m = 600: every attack; the unrestricted one scored with the
    interleaving weights alone (what q-ary slots had before the estimate); and leaks that
    take half their slots from the unrestricted attack and half from a restricted one."""
    cases = [Case("q4-n300", 3, 300, THRESHOLD, attack, 600, 10, design=3, slot_q=4) for attack in QARY_ATTACKS]
    cases.append(Case("q4-n300-interleaving-weights", 3, 300, THRESHOLD, "unrestricted", 600, 10, design=3,
                      slot_q=4, adaptive=False))
    for other in ("interleave", "minority"):  # half the slots each way: the estimate is harder
        cases.append(Case(f"q4-n300-half-{other}", 3, 300, THRESHOLD, "unrestricted", 600, 10, design=3,
                          slot_q=4, extra={"mixed_with": other, "share": 0.5}))
    return cases


def unrestricted_section(trials: int, innocent_tests: int, quick: bool, seed: int, out: dict,
                         save) -> None:  # type: ignore[no-untyped-def]
    print(f"\n== q = 4 slots, n = 300, c = 3, m = 600: share of trials with a colluder accused "
          f"(family-wise p <= {THRESHOLD:g}; {trials} trials a case)")
    print(f"{'case':<30} {'attack':<13} {'trials':>6} {'m50':>5} {'m95':>5} {'m99.9':>6} {'at m=600':>9} "
          f"{'target':>7} {'':>5}")
    rows: list[dict] = []
    section = {"mode": "quick" if quick else "full", "trials_per_case": trials, "target_share": UNRESTRICTED_TARGET, "rows": rows}
    out["unrestricted"] = section
    for i, case in enumerate(unrestricted_cases()):
        row = run_case(case, trials, seed + 2000 + i)
        carries_target = case.attack == "unrestricted" and case.adaptive and not case.extra
        row["target_share"] = UNRESTRICTED_TARGET if carries_target else None
        row["meets_target"] = row["accused_share_at_max_m"] >= UNRESTRICTED_TARGET if carries_target else None
        rows.append(row)
        save()
        verdict_text = "" if row["meets_target"] is None else ("pass" if row["meets_target"] else "FAIL")
        print(f"{case.name:<30} {case.attack:<13} {trials:>6} {fmt(row['m_50']):>5} {fmt(row['m_95']):>5} "
              f"{fmt(row['m_999']):>6} {row['accused_share_at_max_m']:>9.1%} "
              f"{'>= 95%' if carries_target else '':>7} {verdict_text:>5}", flush=True)
    print(f"\n== False accusations on q-ary codes, every attack including the unrestricted one "
          f"({innocent_tests:.0e} innocent-partner tests)")
    fa = false_accusations(innocent_tests, 1000, 600, seed + 3000, layout=[4] * 500 + [3] * 50 + [2] * 50,
                           attacks=QARY_ATTACKS)
    section["false_accusations"] = fa
    print_false(fa)


if __name__ == "__main__":
    main()
