"""Simulated coalitions and collusion attacks, for tests and benchmarks.

An attack sees only the colluders' own copies. The restricted attacks keep to the marking
assumption (at each slot they output a symbol one of them holds); the unrestricted attack,
where their symbols differ, writes a valid symbol none of them holds (on q-ary slots a
contested place shows the colluders that it is one, and any other alternative is as
readable). Then noise erases slots or replaces symbols.

    from headstart.marking import simulate
    gang = simulate.coalition(book, 3, rng=7)
    leak = simulate.leak(book, gang, "majority", erasure_rate=0.2, flip_rate=0.05, rng=7)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._codebook import Codebook
from ._errors import MarkingError
from ._leak import ERASED, Leak

ATTACKS = ("interleave", "majority", "minority", "random", "all-ones", "all-zero", "fixed", "unrestricted")
RESTRICTED = ATTACKS[:-1]  # the attacks that output only symbols a colluder holds

RngLike = np.random.Generator | int | None


def _rng(rng: RngLike) -> np.random.Generator:
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def coalition(book: Codebook, size: int, rng: RngLike = None) -> list[str]:
    """``size`` distinct partners of ``book``, drawn uniformly."""
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or not 1 <= size <= len(book.partners):
        raise MarkingError(f"coalition size must be between 1 and {len(book.partners)}, got {size!r}")
    picks = _rng(rng).choice(len(book.partners), size=int(size), replace=False)
    return [book.partners[i] for i in sorted(picks.tolist())]


def _symbol_counts(codewords: np.ndarray, max_q: int) -> np.ndarray:
    counts = np.zeros((codewords.shape[1], max_q), dtype=np.int64)
    cols = np.arange(codewords.shape[1])
    for row in codewords:
        np.add.at(counts, (cols, row), 1)
    return counts


def _pick(scores: np.ndarray, allowed: np.ndarray, rng: np.random.Generator, lowest: bool = False) -> np.ndarray:
    """Per slot, the allowed symbol with the best score, ties broken at random."""
    jitter = rng.random(scores.shape) * 0.5
    s = np.where(allowed, (-scores if lowest else scores) + jitter, -np.inf)
    return np.argmax(s, axis=1)


def collude(codewords: np.ndarray, alphabet_sizes: Sequence[int], attack: str = "interleave", *,
            rng: RngLike = None, erasure_rate: float = 0.0, flip_rate: float = 0.0, symbol: int = 1) -> Leak:
    """Combine the colluders' codewords (rows) into a leak, then add erasures and flips.

    interleave: each slot copied from a random colluder; majority / minority: the most /
    least frequent symbol they hold (ties at random); random: a uniformly random symbol
    among those they hold; all-ones / all-zero / fixed: symbol 1 / 0 / ``symbol`` wherever
    one of them holds it, else a random symbol they hold; unrestricted: where they all hold
    the same symbol that symbol, else a uniformly random valid symbol none of them holds
    (a random one they hold where they hold every symbol, as on binary slots). Then each
    slot is erased with probability ``erasure_rate``, and each remaining slot replaced by a
    different uniformly random symbol with probability ``flip_rate``.
    """
    if attack not in ATTACKS:
        raise MarkingError(f"unknown attack {attack!r}: choose one of {', '.join(ATTACKS)}")
    for name, rate in (("erasure_rate", erasure_rate), ("flip_rate", flip_rate)):
        if not 0.0 <= float(rate) <= 1.0:
            raise MarkingError(f"{name} must lie in [0, 1], got {rate!r}")
    x = np.atleast_2d(np.asarray(codewords, dtype=np.int64))
    q = np.asarray(list(alphabet_sizes), dtype=np.int64)
    if x.shape[1] != q.size or x.shape[0] == 0:
        raise MarkingError(f"codewords have shape {x.shape} but the layout has {q.size} slots")
    g = _rng(rng)
    m = q.size
    if attack == "interleave":
        y = x[g.integers(0, x.shape[0], m), np.arange(m)]
    else:
        counts = _symbol_counts(x, int(q.max()))
        held = counts > 0
        if attack == "majority":
            y = _pick(counts.astype(float), held, g)
        elif attack == "minority":
            y = _pick(counts.astype(float), held, g, lowest=True)
        elif attack == "random":
            y = _pick(np.zeros(counts.shape), held, g)
        elif attack == "unrestricted":
            valid = np.arange(counts.shape[1])[None, :] < q[:, None]
            unheld = valid & ~held
            swap = (held.sum(axis=1) > 1) & unheld.any(axis=1)
            y = _pick(np.zeros(counts.shape), np.where(swap[:, None], unheld, held), g)
        else:
            s = {"all-ones": 1, "all-zero": 0}.get(attack, symbol)
            if not 0 <= s < q.min():
                raise MarkingError(f"fixed symbol {s} is not valid at every slot (smallest alphabet {q.min()})")
            y = np.where(held[:, s], s, _pick(np.zeros(counts.shape), held, g))
    y = y.astype(np.int64)
    if flip_rate > 0:
        flip = g.random(m) < flip_rate
        shift = (g.random(m) * (q - 1)).astype(np.int64) + 1
        y = np.where(flip, (y + shift) % q, y)
    if erasure_rate > 0:
        y = np.where(g.random(m) < erasure_rate, ERASED, y)
    return Leak(y)


def leak(book: Codebook, colluders: Sequence[str], attack: str = "interleave", *, rng: RngLike = None,
         erasure_rate: float = 0.0, flip_rate: float = 0.0, symbol: int = 1) -> Leak:
    """The leak a coalition of ``book``'s partners produces with ``attack`` (see collude)."""
    if isinstance(colluders, str) or not colluders:
        raise MarkingError("colluders must be a non-empty list of partner ids")
    words = np.stack([book.codeword(p) for p in colluders])
    return collude(words, book.alphabet_sizes, attack, rng=rng, erasure_rate=erasure_rate,
                   flip_rate=flip_rate, symbol=symbol)
