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
  guilty mean is at least the capacity). Arcsine designs: interleaving,
  log(1 + (1-pi)/(c pi)) on a match, log(1 - 1/c) otherwise. q-ary slots: interleaving
  mixed with the unrestricted attack (unheld symbols where the colluders differ), the mix
  estimated online from the leak (_adaptive_qary_llr). Weights depend on the leak and the
  biases only, never on a partner's symbols, so p-values stay exact for any attack.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
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
_QARY_BLOCK = 16  # read q-ary slots between two estimates of the unheld-symbol share
_LAMBDAS = np.linspace(0.0, 1.0, 21)  # candidate shares of contested slots showing an unheld symbol
_TINY_MASS = 1e-300
UNHELD_MAX_Q = 256


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


def _unheld_model(probs: np.ndarray, y: np.ndarray, c: int) -> tuple[np.ndarray, ...]:
    """Per slot of one alphabet size: the parts of P(Y = y) and P(X_1 = y, Y = y) by kind of slot.

    probs: (n, q) bias vectors, y: (n,) leaked symbols. Returns (p_y, unanimous, held,
    held_match, unheld): P(all c colluders hold y); P(Y = y, slot contested) and
    P(X_1 = y, Y = y, slot contested) when a contested slot shows a random colluder's symbol
    (interleaving); P(Y = y, slot contested) when it shows a symbol none of them holds, taken
    as proportional to P(y unheld, slot contested) (within a few % of uniform among the
    unheld symbols for q = 4, c = 3; the model only shapes weights, never p-values).
    """
    rows = np.arange(y.size)
    p_y = probs[rows, y]
    power = probs**c
    unanimous_any = power.sum(axis=1)
    unheld_contested = np.maximum((1.0 - probs) ** c - (unanimous_any[:, None] - power), 0.0)
    share = unheld_contested[rows, y] / np.maximum(unheld_contested.sum(axis=1), _TINY_MASS)
    unanimous = power[rows, y]
    held = p_y - unanimous
    held_match = p_y * (1.0 + (c - 1) * p_y) / c - unanimous
    unheld = share * (1.0 - unanimous_any)
    return p_y, unanimous, held, held_match, unheld


def _adaptive_qary_llr(probs: Sequence[np.ndarray], y: np.ndarray, coalition: int) -> tuple[np.ndarray, np.ndarray]:
    """Online LLR for the read q-ary slots (q > 2), in slot order, against a mixed attack.

    Where the colluders' symbols differ, the model shows a random colluder's symbol with
    probability 1 - lam and a valid symbol none of them holds with probability lam (the
    unrestricted attack). With biased symbols the two leave different traces in which
    symbols a leak shows (unheld symbols tend to be the rare ones), so lam is estimated
    from the leak alone: a block's weights use the smallest lam on a grid whose likelihood
    over the leak's q-ary slots before the block is within half the 95% chi-square quantile
    (1 degree of freedom) of the best; the first block uses lam = 0 (interleaving, the
    universal decoder for attacks that keep to the colluders' symbols). A leak that cannot
    tell the two apart (uniform biases) keeps lam = 0. Weights depend on the leak and the
    biases only, and only on earlier slots, so p-values stay exact and prefix-stable.
    """
    c = llr_coalition(coalition)
    n = y.size
    parts = np.empty((5, n))
    sizes = np.fromiter((p.size for p in probs), dtype=np.int64, count=n)
    for q in np.unique(sizes).tolist():
        idx = np.nonzero(sizes == q)[0]
        matrix = np.stack([probs[i] for i in idx.tolist()])
        parts[:, idx] = np.stack(_unheld_model(matrix, y[idx], c))
    p_y, unanimous, held, held_match, unheld = parts
    lam = _LAMBDAS[None, :]
    shown = unanimous[:, None] + (1.0 - lam) * held[:, None] + lam * unheld[:, None]  # P(Y = y)
    loglik = np.log(np.maximum(shown, _TINY_MASS))
    blocks = (n + _QARY_BLOCK - 1) // _QARY_BLOCK
    before = np.vstack([np.zeros((1, _LAMBDAS.size)), np.cumsum(loglik, axis=0)[_QARY_BLOCK - 1::_QARY_BLOCK]])
    before = before[:blocks]
    consistent = before >= before.max(axis=1, keepdims=True) - _CONSISTENT[1]
    pick = consistent.argmax(axis=1)  # the smallest consistent lam; block 0: all tie, lam = 0
    chosen = pick[np.arange(n) // _QARY_BLOCK]
    rows = np.arange(n)
    joint = unanimous + (1.0 - _LAMBDAS[chosen]) * held_match  # P(X_1 = y, Y = y)
    a = np.clip(joint / shown[rows, chosen], _CLIP, 1 - _CLIP)  # P(X_1 = y | Y = y)
    return np.log(a / p_y), np.log((1.0 - a) / (1.0 - p_y))


def unheld_modelled(alphabet_sizes: np.ndarray) -> np.ndarray:
    """Which slots the LLR scores against the unrestricted attack too: 2 < q <= 256 (larger
    alphabets keep interleaving, so a leak never expands huge bias vectors)."""
    return (alphabet_sizes > 2) & (alphabet_sizes <= UNHELD_MAX_Q)


def slot_values(score: str, pi: np.ndarray, p_one: np.ndarray, binary: np.ndarray, y: np.ndarray,
                coalition: int, qary_probs: Sequence[np.ndarray] | None = None,
                modelled: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(value on a match, value on a mismatch) per read slot (in slot order), 0 < pi < 1.

    qary_probs: the bias vectors of the read slots where ``modelled`` (see unheld_modelled)
    is True, in slot order; without them every q-ary slot is scored against interleaving
    (as with ADAPTIVE off).
    """
    if score == "tardos":
        return np.sqrt((1 - pi) / pi), -np.sqrt(pi / (1 - pi))
    c = llr_coalition(coalition)
    match = np.log1p((1 - pi) / (c * pi))
    mismatch = np.full(pi.shape, math.log1p(-1.0 / c))
    if ADAPTIVE and qary_probs is not None and modelled is not None and modelled.any():
        if len(qary_probs) != int(modelled.sum()):
            raise MarkingError(f"{len(qary_probs)} bias vectors for {int(modelled.sum())} q-ary slots")
        qm, qx = _adaptive_qary_llr(qary_probs, y[modelled], coalition)
        match[modelled] = qm
        mismatch[modelled] = qx
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
