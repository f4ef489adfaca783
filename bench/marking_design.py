"""Derive the bias distributions and decoder attack models that headstart.marking hard-codes.

For a simple (per-partner) decoder, the best code length against c colluders is set by the
uninformed simple-decoder capacity: the value of the game max over bias distributions F, min
over collusion attacks theta (marking assumption: theta_0 = 0, theta_c = 1), of the mutual
information I(X_1; Y | P). By Stein's lemma an innocent false-positive rate eps/n needs at
least ln(n/eps) / capacity positions, which is the "Stein bound" in marking_codes.py.

This script computes the game numerically (an LP over a fine grid of symmetric bias values,
with cutting planes over the attack space), prints the support, weights and worst-case attack
theta* for c = 2..8, and the arcsine cutoff that maximises the worst-case information for
larger c. headstart/marking/_bias.py carries these numbers (rounded); rerun this script to
check them. Writes bench/results/marking_design.json.

    PYTHONPATH=src .venv/bin/python bench/marking_design.py [--quick]
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import time
from pathlib import Path

import numpy as np
from scipy.optimize import linprog, minimize

RESULTS = Path(__file__).resolve().parent / "results" / "marking_design.json"


def bernstein(c: int, p: np.ndarray) -> np.ndarray:
    z = np.arange(c + 1)
    binom = np.array([math.comb(c, k) for k in z], dtype=float)
    return binom * p[:, None] ** z * (1 - p[:, None]) ** (c - z)


def _kl(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = np.clip(a, 1e-300, 1 - 1e-16)
    b = np.clip(b, 1e-300, 1 - 1e-16)
    return a * np.log(a / b) + (1 - a) * np.log((1 - a) / (1 - b))


def information(c: int, p: np.ndarray, thetas: np.ndarray) -> np.ndarray:
    """I(X_1; Y | P = p) in nats for each bias p (rows) and attack theta (columns)."""
    a = bernstein(c, p) @ thetas.T
    a1 = bernstein(c - 1, p) @ thetas[:, 1:].T
    a0 = bernstein(c - 1, p) @ thetas[:, :-1].T
    return p[:, None] * _kl(a1, a) + (1 - p[:, None]) * _kl(a0, a)


def attack(c: int, inner: np.ndarray, noise: float = 0.0) -> np.ndarray:
    theta = np.concatenate([[0.0], inner, [1.0]])
    return (1 - 2 * noise) * theta + noise


def worst_attack(c: int, support: np.ndarray, weights: np.ndarray, noise: float = 0.0,
                 starts: int = 8) -> tuple[float, np.ndarray]:
    """min over attacks of sum_j w_j I(p_j, theta): convex in theta, so multi-start L-BFGS."""
    def f(t: np.ndarray) -> float:
        return float(weights @ information(c, support, attack(c, t, noise)[None])[:, 0])

    rng = np.random.default_rng(c)
    best = None
    for s in range(starts):
        x0 = np.full(c - 1, 0.5) if s == 0 else (np.arange(1, c) / c if s == 1 else rng.random(c - 1))
        o = minimize(f, x0, bounds=[(0.0, 1.0)] * (c - 1), method="L-BFGS-B")
        if best is None or o.fun < best.fun:
            best = o
    return float(best.fun), attack(c, best.x, noise)


def symmetric_capacity(c: int, grid: int, iterations: int = 80) -> dict:
    """Max-min over symmetric F (mass on p and 1-p equal) by LP with attack cutting planes."""
    r = (np.arange(grid) + 0.5) / grid * (np.pi / 4)
    half = np.sin(r) ** 2  # p in (0, 1/2)
    half = np.append(half, 0.5)
    thetas = [attack(c, np.array(v, float)) for v in itertools.product([0.0, 1.0], repeat=c - 1)]
    thetas += [attack(c, np.arange(1, c) / c), attack(c, np.full(c - 1, 0.5))]
    for _ in range(iterations):
        th = np.array(thetas)
        sym = 0.5 * (information(c, half, th) + information(c, 1 - half, th))
        n_p, n_t = sym.shape
        cost = np.zeros(n_p + 1)
        cost[-1] = -1.0
        res = linprog(cost, A_ub=np.hstack([-sym.T, np.ones((n_t, 1))]), b_ub=np.zeros(n_t),
                      A_eq=np.r_[np.ones(n_p), 0.0][None], b_eq=[1.0],
                      bounds=[(0, None)] * n_p + [(None, None)], method="highs")
        mass, value = res.x[:n_p], -res.fun
        keep = mass > 1e-9
        sup = np.concatenate([half[keep], 1 - half[keep]])
        w = np.concatenate([mass[keep], mass[keep]]) / 2
        low, theta = worst_attack(c, sup, w)
        if low >= value - 1e-8:
            break
        thetas.append(theta)
    # merge neighbouring grid points into single support points
    idx = np.nonzero(mass > 1e-4)[0]
    groups: list[list[int]] = []
    for i in idx:
        if groups and i - groups[-1][-1] <= 2:
            groups[-1].append(i)
        else:
            groups.append([i])
    pts, wts = [], []
    for g in groups:
        m = mass[g]
        pts.append(float(np.dot(half[g], m) / m.sum()))
        wts.append(float(m.sum()))
    wts = np.array(wts) / np.sum(wts)
    support, weights = [], []
    for p, w in zip(pts, wts, strict=True):
        if abs(p - 0.5) < 1e-3:
            support.append(0.5)
            weights.append(float(w))
        else:
            support += [p, 1 - p]
            weights += [float(w) / 2, float(w) / 2]
    order = np.argsort(support)
    support = np.round(np.array(support)[order], 4)
    weights = np.array(weights)[order]
    weights = np.round(weights / weights.sum(), 4)
    weights[-1] = round(1 - weights[:-1].sum(), 4)
    cap, theta = worst_attack(c, support, weights, starts=12)
    return {"c": c, "capacity_nats": cap, "lp_value": float(value), "support": support.tolist(),
            "weights": weights.tolist(), "theta": np.round(theta, 4).tolist()}


def arcsine_worst(c: int, cutoff: float, points: int = 2000) -> float:
    r0 = math.asin(math.sqrt(cutoff))
    r = r0 + (np.arange(points) + 0.5) / points * (math.pi / 2 - 2 * r0)
    p = np.sin(r) ** 2
    return worst_attack(c, p, np.full(points, 1.0 / points), starts=4)[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="coarser grids, c = 2..5 only")
    args = ap.parse_args()
    t0 = time.time()
    grid = 400 if args.quick else 1500
    out: dict = {"discrete": [], "arcsine": []}
    print("Max-min (uninformed simple-decoder) capacity and its bias distribution")
    print(f"{'c':>2} {'capacity nats':>14} {'m(ln 1e9)':>10} {'m(ln 1e12)':>11}  support / weights / theta*")
    for c in range(2, 6 if args.quick else 9):
        d = symmetric_capacity(c, grid)
        out["discrete"].append(d)
        print(f"{c:>2} {d['capacity_nats']:>14.6f} {math.log(1e9) / d['capacity_nats']:>10.1f} "
              f"{math.log(1e12) / d['capacity_nats']:>11.1f}  {d['support']} / {d['weights']} / {d['theta']}",
              flush=True)
    print("\nArcsine with cutoff: worst-case information by cutoff (best marked *)")
    for c in ((3, 9) if args.quick else (3, 9, 12, 16, 24)):
        rows = []
        for k in (3, 6, 10, 15, 25, 50, 100):
            rows.append((k, arcsine_worst(c, 1.0 / (k * c))))
        best = max(rows, key=lambda r: r[1])
        out["arcsine"].append({"c": c, "cutoff_c_times": [r[0] for r in rows], "worst_nats": [r[1] for r in rows],
                               "best_cutoff": 1.0 / (best[0] * c)})
        print(f"c={c:>2}: " + "  ".join(f"1/({k}c){'*' if k == best[0] else ' '} {v:.5f}" for k, v in rows), flush=True)
    out["seconds"] = time.time() - t0
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2))
    print(f"\nwrote {RESULTS} in {out['seconds']:.0f} s")


if __name__ == "__main__":
    main()
