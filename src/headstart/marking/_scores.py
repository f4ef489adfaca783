"""Per-slot scores: what a partner earns at a slot when its symbol matches the leak or not.

Both scores depend on a partner's symbol only through "matches the leaked symbol or not",
so an innocent's score at slot i is a two-point variable: the high value with probability
pi_i (or 1 - pi_i), the low one otherwise, where pi_i is the exact probability that an
innocent holds the leaked symbol. That is what makes exact p-values cheap (_pvalues.py).

- "tardos": symmetric Tardos score, q-ary version (Skoric, Katzenbeisser, Celik 2008):
  +sqrt((1-pi)/pi) on a match, -sqrt(pi/(1-pi)) otherwise; innocent mean 0, variance 1.
- "llr": log-likelihood ratio log P(x | y, colluder) / P(x) (Neyman-Pearson; Laarhoven 2014,
  Oosterwijk-Skoric-Doumen 2013) against an attack model theta (theta_z = P(leak shows 1 |
  z of c colluders hold 1)). Binary slots of the discrete designs: the model is estimated
  online from the leak itself - slot j's weights use the least informative attack (smallest
  I(X_1; Y | P)) still consistent with the leak's slots before j, starting from the design's
  worst-case attack theta* (a saddle point of the capacity game: under every attack the
  guilty mean is at least the capacity). Arcsine designs and q-ary slots: interleaving,
  log(1 + (1-pi)/(c pi)) on a match, log(1 - 1/c) otherwise. Weights depend on the leak and
  the biases only, never on a partner's symbols, so p-values stay exact for any attack.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from ._bias import DISCRETE_DESIGNS, binary_cutoff, binary_theta, llr_coalition
from ._errors import MarkingError

SCORES = ("llr", "tardos")
DEFAULT_SCORE = "llr"
RESOLUTION = 16  # lattice steps per smallest per-slot increment; quantisation error <= 1/32
_CLIP = 1e-4  # keeps LLR weights finite when a leak breaks the attack model (noise)
ADAPTIVE = True  # estimate the attack online for the discrete designs (bench ablations flip it)
_BLOCK = 32  # binary slots between two estimates of the attack
_NOISE_LEVELS = (0.0, 0.05)  # symmetric flip rates among the candidate attacks
_CANDIDATES = 20000  # clean attack candidates per design (a grid over theta_1..theta_{c-1})
# half the 95% chi-square quantile with K degrees of freedom (K = support points): the
# likelihood-ratio region of attacks consistent with the leak
_CONSISTENT = {1: 1.92, 2: 3.00, 3: 3.91, 4: 4.74}


def check_score(score: object) -> str:
    if score not in SCORES:
        raise MarkingError(f"unknown score {score!r}: choose one of {', '.join(SCORES)}")
    return str(score)


def _bernstein(c: int, p: np.ndarray, coef: np.ndarray) -> np.ndarray:
    z = np.arange(c + 1)
    binom = np.array([math.comb(c, k) for k in z], dtype=float)
    return (binom * p[:, None] ** z * (1 - p[:, None]) ** (c - z)) @ coef


def _binary_llr(p_one: np.ndarray, y: np.ndarray, coalition: int) -> tuple[np.ndarray, np.ndarray]:
    c = llr_coalition(coalition)
    theta = binary_theta(coalition)
    a1 = np.clip(_bernstein(c - 1, p_one, theta[1:]), _CLIP, 1 - _CLIP)  # P(y=1 | colluder holds 1)
    a0 = np.clip(_bernstein(c - 1, p_one, theta[:-1]), _CLIP, 1 - _CLIP)  # P(y=1 | colluder holds 0)
    a = p_one * a1 + (1 - p_one) * a0
    one = y == 1
    match = np.where(one, np.log(a1 / a), np.log((1 - a0) / (1 - a)))
    mismatch = np.where(one, np.log(a0 / a), np.log((1 - a1) / (1 - a)))
    return match, mismatch


def _support(coalition: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Support points and weights of a discrete binary design, None for arcsine designs."""
    if coalition <= 2:
        return np.array([0.5]), np.array([1.0])
    if coalition in DISCRETE_DESIGNS:
        d = DISCRETE_DESIGNS[coalition]
        return np.array(d.support), np.array(d.weights)
    return None


def _discrete_support(coalition: int) -> tuple[np.ndarray, np.ndarray]:
    """_support() where the design is known to be discrete (the adaptive score is used only then)."""
    found = _support(coalition)
    if found is None:
        raise MarkingError(f"coalition {coalition} has an arcsine design, not a discrete one")
    return found


def _kl(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a * np.log(a / b) + (1 - a) * np.log((1 - a) / (1 - b))


@lru_cache(maxsize=16)
def _attack_table(coalition: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Candidate attacks for a discrete design: (info, a, a1, a0).

    info[n] = I(X_1; Y | P) of attack n; a, a1, a0 are (n, K): P(y=1), P(y=1 | colluder
    holds 1), P(y=1 | colluder holds 0) at each support point. Candidate 0 is theta*; the
    others are a grid over theta_1..theta_{c-1}, clean and with symmetric flips.
    """
    c = llr_coalition(coalition)
    support, weights = _discrete_support(coalition)
    per_dim = max(3, min(21, round(_CANDIDATES ** (1.0 / max(1, c - 1)))))
    grid = np.linspace(0.0, 1.0, per_dim)
    inner = np.stack(np.meshgrid(*([grid] * (c - 1)), indexing="ij"), axis=-1).reshape(-1, c - 1)
    clean = np.hstack([np.zeros((inner.shape[0], 1)), inner, np.ones((inner.shape[0], 1))])
    thetas = [binary_theta(coalition)[None, :]]
    thetas += [(1 - 2 * nu) * clean + nu for nu in _NOISE_LEVELS]
    theta = np.vstack(thetas)
    a1 = np.clip(_bernstein(c - 1, support, theta[:, 1:].T).T, _CLIP, 1 - _CLIP)
    a0 = np.clip(_bernstein(c - 1, support, theta[:, :-1].T).T, _CLIP, 1 - _CLIP)
    a = support * a1 + (1 - support) * a0
    info = (support * _kl(a1, a) + (1 - support) * _kl(a0, a)) @ weights
    return info, a, a1, a0


def _adaptive_binary_llr(p_one: np.ndarray, y: np.ndarray, coalition: int) -> tuple[np.ndarray, np.ndarray]:
    """Online attack-adaptive LLR for the read binary slots of a discrete design, in slot order.

    Slot j's weights use only the leak's slots before the start of j's block, so the weights
    never depend on partners and a prefix of the leak is scored like a shorter code.
    """
    support, _ = _discrete_support(coalition)
    info, a, a1, a0 = _attack_table(coalition)
    point = np.abs(p_one[:, None] - support[None, :]).argmin(axis=1)
    blocks = (p_one.size + _BLOCK - 1) // _BLOCK
    onehot = np.zeros((p_one.size, support.size))
    onehot[np.arange(p_one.size), point] = 1.0
    seen = np.vstack([np.zeros((1, support.size)), np.cumsum(onehot, axis=0)[_BLOCK - 1::_BLOCK]])[:blocks]
    ones = np.vstack([np.zeros((1, support.size)),
                      np.cumsum(onehot * (y == 1)[:, None], axis=0)[_BLOCK - 1::_BLOCK]])[:blocks]
    # log-likelihood of each candidate minus that of the best fit at each support point
    fit = np.where(seen > 0, ones / np.maximum(seen, 1), 0.5)
    with np.errstate(divide="ignore", invalid="ignore"):
        best = np.nan_to_num(ones * np.log(fit)) + np.nan_to_num((seen - ones) * np.log1p(-fit))
    ll = ones @ np.log(a).T + (seen - ones) @ np.log1p(-a).T
    gap = best.sum(axis=1, keepdims=True) - ll
    consistent = gap <= _CONSISTENT.get(support.size, 0.5 * (support.size + 2.0))
    # the least informative attack the leak cannot rule out: its LLR is the robust choice
    pick = np.where(consistent, info[None, :], np.inf).argmin(axis=1)
    pick = np.where(consistent.any(axis=1), pick, gap.argmin(axis=1))
    pick[0] = 0  # nothing seen yet: the worst-case attack theta*
    n = pick[np.arange(p_one.size) // _BLOCK]
    b1, b0 = a1[n, point], a0[n, point]
    bb = support[point] * b1 + (1 - support[point]) * b0
    one = y == 1
    match = np.where(one, np.log(b1 / bb), np.log((1 - b0) / (1 - bb)))
    mismatch = np.where(one, np.log(b0 / bb), np.log((1 - b1) / (1 - bb)))
    return match, mismatch


def slot_values(score: str, pi: np.ndarray, p_one: np.ndarray, binary: np.ndarray, y: np.ndarray,
                coalition: int) -> tuple[np.ndarray, np.ndarray]:
    """(value on a match, value on a mismatch) per read slot (in slot order), 0 < pi < 1."""
    if score == "tardos":
        return np.sqrt((1 - pi) / pi), -np.sqrt(pi / (1 - pi))
    c = llr_coalition(coalition)
    match = np.log1p((1 - pi) / (c * pi))
    mismatch = np.full(pi.shape, math.log1p(-1.0 / c))
    if binary.any():
        if ADAPTIVE and _support(coalition) is not None:
            bm, bx = _adaptive_binary_llr(p_one[binary], y[binary], coalition)
        else:
            bm, bx = _binary_llr(p_one[binary], y[binary], coalition)
        match[binary] = bm
        mismatch[binary] = bx
    return match, mismatch


def lattice_step(score: str, coalition: int) -> float:
    """Score units per lattice step: the smallest typical increment / RESOLUTION.

    Depends only on (score, design), so books of one design share a lattice and a code's
    prefix is scored exactly like a shorter code.
    """
    if score == "tardos":
        return 2.0 / RESOLUTION
    c = llr_coalition(coalition)
    if coalition <= 2:
        p = np.array([0.5])
    elif coalition in DISCRETE_DESIGNS:
        p = np.array(DISCRETE_DESIGNS[coalition].support)
    else:
        d = binary_cutoff(coalition)
        p = d + (1 - 2 * d) * np.linspace(0, 1, 257)
    pp = np.concatenate([p, p])
    yy = np.concatenate([np.ones(p.size, np.int64), np.zeros(p.size, np.int64)])
    match, mismatch = _binary_llr(pp, yy, coalition)
    gaps = np.abs(match - mismatch)
    smallest = min(float(gaps[gaps > 0].min()), -math.log1p(-1.0 / c))
    return smallest / RESOLUTION
