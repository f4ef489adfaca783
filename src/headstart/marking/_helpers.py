"""A second score for coalitions: each partner scored given the two strongest other suspects.

When several partners mix their copies, the leak at a slot shows one of their symbols, and
which one depends on the others' symbols: where the two other colluders both hold a symbol
the leak does not show, the third must hold it; where they disagree, a majority vote shows
the third's symbol. The slot-by-slot score of _scores.py cannot see that (it knows nobody's
symbols but the partner's own), so it credits a colluder with the average match rate only.

For partner j this score takes as helpers the two partners ranked highest by the slot-by-slot
p-values among everyone but j, and gives each read slot the weights of the log-likelihood
ratio P(x_j | leak, helpers' symbols, j colludes with them) / P(x_j), under a mix of
interleaving and majority voting by the three (plus a little noise), the mix fitted to the
leak and the helpers' symbols with j's averaged out. Those weights depend on
the leak, the biases and other partners' codewords, never on j's: an innocent's codeword is
independent of all three, so its score is again a sum of independent two-point variables
with known probabilities and its p-value is exact (_pvalues.py), conditionally on the others.

The helper score is tried only for a partner whose two helpers look like its accomplices:
the first with a slot-by-slot family-wise p-value of at most 0.01, the second of at most 1,
and the leak showing a symbol neither holds at no more than 22% of the read slots (a third
colluder supplies at most a third of the slots and differs from both at a quarter of those
on uniform binary slots; two innocents differ from a leak together at a quarter of all
slots). All three are facts about others and the leak only; a single leaker gets the
second score in under 1% of leaks. Such a partner's p-value is the weighted Bonferroni
bound min(p_slot / (1 - s), p_coalition / s) over the two scores, where the coalition
score's share s is 0.8, or 0.2 for a leak where both helpers hold the shown symbol at 90%
of the read slots or more (colluders who kept only the units they all have alike: there
the slot score carries the evidence). s too depends on the leak and the helpers only.
Everyone else keeps the slot-by-slot p-value unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._codebook import Codebook
from ._leak import Leak
from ._pvalues import tail_p_values

HELPER_FAMILY_P = (0.01, 1.0)  # how suspicious (p-value x partners) the first and the second helper must be
OUTSIDE_SHARE = 0.22  # at most this share of read slots shows a symbol neither helper holds
CANDIDATES = 20  # partners (best first by the slot-by-slot p-value) given the second score
SHARES = (0.8, 0.2)  # the coalition score's part of the budget: usually, and for a leak of unanimous units
UNANIMOUS = 0.9  # a leak is of unanimous units when both helpers hold the shown symbol at this share of slots
_STEP = 0.02  # nats per lattice step
_INTERLEAVE = 0.8  # share of interleaving (each slot or unit from a random colluder) when not fitted
_SHARES = np.linspace(0.0, 1.0, 11)  # candidate shares of interleaving, fitted to the leak
_NOISE = 0.02  # chance a slot shows anything at all (a misread, an unheld symbol)
_CLIP = 1e-4


@dataclass(frozen=True)
class HelperScore:
    p_value: float
    exact: bool
    helpers: tuple[str, str]
    share: float  # the part of the partner's false-accusation budget given to this score


def _likelihoods(pi: np.ndarray, n: np.ndarray, helpers_agree: np.ndarray, p_other: np.ndarray,
                 interleave: float) -> tuple[np.ndarray, np.ndarray]:
    """P(the leak shows y | x_j = y) and P(... | x_j != y) per read slot, given the helpers."""
    same_i, other_i = (1.0 + n) / 3.0, n / 3.0  # interleaving: the shown symbol is a random colluder's
    # majority of three, a random one of the three where all differ
    same_m = np.where(n >= 1, 1.0, np.where(helpers_agree, 0.0, 1.0 / 3.0))
    rest = np.maximum(1.0 - pi - p_other, 0.0) / np.maximum(1.0 - pi, 1e-12) / 3.0
    other_m = np.where(n == 2, 1.0, np.where(n == 1, rest, 0.0))
    same = (1 - _NOISE) * (interleave * same_i + (1 - interleave) * same_m) + _NOISE
    other = (1 - _NOISE) * (interleave * other_i + (1 - interleave) * other_m) + _NOISE
    return same, other


def posterior_match(pi: np.ndarray, n: np.ndarray, helpers_agree: np.ndarray, p_other: np.ndarray,
                    interleave: float = _INTERLEAVE) -> np.ndarray:
    """P(x_j = y | y, helpers, j colludes with them) per read slot.

    pi: P(an innocent holds y); n: how many helpers hold y (0..2); helpers_agree: the two
    hold the same symbol; p_other: P(symbol of the helper that does not hold y) where n = 1;
    interleave: the share of interleaving in the attack mix (the rest is majority voting).
    """
    same, other = _likelihoods(pi, n, helpers_agree, p_other, interleave)
    return pi * same / (pi * same + (1.0 - pi) * other)


def estimate_interleave(pi: np.ndarray, n: np.ndarray, helpers_agree: np.ndarray, p_other: np.ndarray) -> float:
    """The attack mix that best explains the leak given the helpers, with j's symbols
    averaged out (each with its bias): a fact about the leak and the helpers only."""
    best, share = -np.inf, _INTERLEAVE
    for candidate in _SHARES:
        same, other = _likelihoods(pi, n, helpers_agree, p_other, float(candidate))
        fit = float(np.sum(np.log(pi * same + (1.0 - pi) * other)))
        if fit > best + 1e-9:
            best, share = fit, float(candidate)
    return share


@dataclass
class _Book:
    book: Codebook
    leak: Leak
    rows: dict[str, int]
    read: np.ndarray
    y: np.ndarray
    w: np.ndarray
    pi: np.ndarray


def _prepare(pairs: Sequence[tuple[Codebook, Leak]]) -> list[_Book]:
    out = []
    for book, leak in pairs:
        weights = leak.weights
        read = np.nonzero(weights > 0)[0]
        y = np.where(weights > 0, leak.symbols, 0)
        pi = book._table.match_probability(y)[read]
        out.append(_Book(book, leak, {p: i for i, p in enumerate(book.partners)}, read, y[read], weights[read], pi))
    return out


def _slot_facts(y: np.ndarray, a: np.ndarray, c: np.ndarray, pa: np.ndarray,
                pc: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(n, helpers agree, p_other) per read slot (see posterior_match)."""
    n = (a == y).astype(np.int64) + (c == y)
    return n, a == c, np.where((n == 1) & (a == y), pc, np.where(n == 1, pa, 0.0))


def helper_weights(y: np.ndarray, a: np.ndarray, c: np.ndarray, pi: np.ndarray, pa: np.ndarray,
                   pc: np.ndarray, w: np.ndarray, interleave: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(k, flip) per read slot: the lattice increment a partner earns, on a match with the
    leaked symbol y (flip False) or on a mismatch (flip True). a, c: the helpers' symbols;
    pi, pa, pc: P(an innocent holds y, a, c); w: the leak's confidence; interleave: the
    attack mix, fitted to these slots when None."""
    n, agree, p_other = _slot_facts(y, a, c, pa, pc)
    if interleave is None:
        interleave = estimate_interleave(pi, n, agree, p_other)
    g = np.clip(posterior_match(pi, n, agree, p_other, interleave), _CLIP, 1 - _CLIP)
    high, low = np.log(g / pi), np.log((1 - g) / (1 - pi))
    return np.rint(w * np.abs(high - low) / _STEP).astype(np.int64), high < low


def _parts(j: str | None, helpers: tuple[str, str], books: list[_Book]) -> list[tuple]:
    """Per book holding j (None: any) and both helpers: (book, a, c, P(a), P(c)) at read slots."""
    parts = []
    for b in books:
        if (j is not None and j not in b.rows) or helpers[0] not in b.rows or helpers[1] not in b.rows \
                or not b.read.size:
            continue
        words = b.book.codewords()
        a = words[b.rows[helpers[0]], b.read].astype(np.int64)
        c = words[b.rows[helpers[1]], b.read].astype(np.int64)
        parts.append((b, a, c, _held(b, a), _held(b, c)))
    return parts


def _one(j: str, helpers: tuple[str, str], books: list[_Book], share: float) -> HelperScore:
    parts = _parts(j, helpers, books)
    # one attack mix for the whole leak, fitted to every book's slots
    facts = [_slot_facts(b.y, a, c, pa, pc) for b, a, c, pa, pc in parts]
    interleave = estimate_interleave(np.concatenate([b.pi for b, *_ in parts]),
                                     *(np.concatenate(f) for f in zip(*facts, strict=True)))
    ks, pis, earned = [], [], 0
    for b, a, c, pa, pc in parts:
        x = b.book.codewords()[b.rows[j], b.read].astype(np.int64)
        k, flip = helper_weights(b.y, a, c, b.pi, pa, pc, b.w, interleave)
        earned += int(k[np.where(flip, x != b.y, x == b.y)].sum())
        ks.append(k)
        pis.append(np.where(flip, 1.0 - b.pi, b.pi))
    p, exact = tail_p_values(np.concatenate(ks), np.concatenate(pis), np.array([earned]))
    return HelperScore(float(p[0]), bool(exact[0]), helpers, share)


def _held(b: _Book, symbols: np.ndarray) -> np.ndarray:
    """P(an innocent holds ``symbols``) at the book's read slots."""
    full = np.zeros(b.book.m, dtype=np.int64)
    full[b.read] = symbols
    return b.book._table.match_probability(full)[b.read]


def _judge_helpers(helpers: tuple[str, str], books: list[_Book]) -> float | None:
    """The coalition score's share of the budget for partners with these helpers, or None
    when the two do not look like accomplices: when the leak shows a symbol neither holds
    at more than OUTSIDE_SHARE of the read slots. A leak where both hold the shown symbol
    at UNANIMOUS of the slots or more is one of unanimous units (the colluders deleted
    what differs): the slot score then carries the evidence and gets the larger share."""
    shown = outside = both = 0
    for b, a, c, _, _ in _parts(None, helpers, books):
        shown += b.read.size
        outside += int(np.count_nonzero((a != b.y) & (c != b.y)))
        both += int(np.count_nonzero((a == b.y) & (c == b.y)))
    if not shown or outside > OUTSIDE_SHARE * shown:
        return None
    return SHARES[1] if both >= UNANIMOUS * shown else SHARES[0]


def helper_scores(pairs: Sequence[tuple[Codebook, Leak]], order: Sequence[str],
                  single_p: dict[str, float]) -> dict[str, HelperScore]:
    """The partners given the second score, each with its helper p-value and share.

    ``order``: every partner, best first by the slot-by-slot score; ``single_p``: the
    slot-by-slot p-values. A partner is given the second score when its two helpers look
    like accomplices and some book holds it with both (facts about others and the leak only).
    Beyond the CANDIDATES best the second score is not worked out (p-value 1): the
    weighted Bonferroni bound still applies to them, with the same share, since whether a
    partner is among the best depends on its own codeword.
    """
    books = _prepare(pairs)
    out: dict[str, HelperScore] = {}
    judged: dict[tuple[str, str], float | None] = {}
    for rank, j in enumerate(order):
        others = [p for p in order[:3] if p != j][:2]
        if len(others) < 2 or any(single_p[h] * len(order) > bound for h, bound in zip(others, HELPER_FAMILY_P, strict=True)):
            continue
        helpers = (others[0], others[1])
        if not any(j in b.rows and helpers[0] in b.rows and helpers[1] in b.rows and b.read.size for b in books):
            continue
        if helpers not in judged:
            judged[helpers] = _judge_helpers(helpers, books)
        share = judged[helpers]
        if share is None:
            continue
        out[j] = _one(j, helpers, books, share) if rank < CANDIDATES else HelperScore(1.0, True, helpers, share)
    return out
