"""Per-slot bias vectors: how likely each symbol of a slot is, derived from (key, scope, slot).

Uniforms are 32-bit, so a slot's symbol probabilities are exactly multiples of 2^-32: the
thresholds T_0 < ... < T_{q-2} below are integers, symbol = #{j : u >= T_j}, and
P(symbol = s) = (T_s - T_{s-1}) / 2^32 with T_{-1} = 0, T_{q-1} = 2^32. The p-values use these
exact probabilities, never the real-valued bias they approximate.

Distributions (chosen by bench/marking_design.py and bench/marking_codes.py):
- design coalition c <= 2, any q: uniform (1/q). Max-min optimal for c <= 2.
- binary, 3 <= c <= 8: the discrete distribution that maximises the worst-case (over all
  collusion attacks) information per slot, i.e. attains the uninformed simple-decoder
  capacity; the LLR score uses the matching worst-case attack theta*.
- binary, c > 8: arcsine with cutoff 1/(50c) (the cutoff that maximised the worst case).
- q >= 3, c >= 3: symmetric Dirichlet(1/2) (the q-ary arcsine), rejecting vectors with a
  component below 1/(25 c q).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ._prf import BIAS_WORDS, bias_extension_words, bias_words, to_unit

ONE = 1 << 32
MAX_ALPHABET = 1 << 16


@dataclass(frozen=True)
class BinaryDesign:
    """A discrete bias distribution and the attack model its LLR score is built against."""

    support: tuple[float, ...]
    weights: tuple[float, ...]
    theta: tuple[float, ...]  # P(leak shows 1 | z of c colluders hold 1), z = 0..c


# Output of bench/marking_design.py (rounded to 4 decimals); changing any number changes
# every codeword, so these are part of scheme version v1.
DISCRETE_DESIGNS: dict[int, BinaryDesign] = {
    3: BinaryDesign((0.1754, 0.8246), (0.5, 0.5), (0.0, 0.4441, 0.5559, 1.0)),
    4: BinaryDesign((0.1715, 0.8285), (0.5, 0.5), (0.0, 0.3222, 0.5, 0.6778, 1.0)),
    5: BinaryDesign((0.0855, 0.5, 0.9145), (0.3517, 0.2966, 0.3517),
                    (0.0, 0.3164, 0.3187, 0.6813, 0.6837, 1.0)),
    6: BinaryDesign((0.0841, 0.5, 0.9159), (0.3502, 0.2995, 0.3503),
                    (0.0, 0.257, 0.3189, 0.4992, 0.6821, 0.743, 1.0)),
    7: BinaryDesign((0.0505, 0.3168, 0.6832, 0.9495), (0.2758, 0.2242, 0.2242, 0.2758),
                    (0.0, 0.261, 0.1886, 0.613, 0.3869, 0.8114, 0.739, 1.0)),
    8: BinaryDesign((0.0498, 0.3163, 0.6837, 0.9502), (0.2748, 0.2252, 0.2252, 0.2748),
                    (0.0, 0.2214, 0.2066, 0.4522, 0.5, 0.5479, 0.7934, 0.7785, 1.0)),
}


def binary_cutoff(coalition: int) -> float:
    return 1.0 / (50 * coalition)


def qary_cutoff(coalition: int, q: int) -> float:
    return 1.0 / (25 * coalition * q)


def llr_coalition(coalition: int) -> int:
    """The coalition size the LLR score assumes (at least 2: c = 1 would give -inf weights)."""
    return max(2, coalition)


def binary_theta(coalition: int) -> np.ndarray:
    """Attack model of the binary LLR score: theta* of the discrete designs, else interleaving."""
    c = llr_coalition(coalition)
    if c in DISCRETE_DESIGNS:
        return np.array(DISCRETE_DESIGNS[c].theta)
    return np.arange(c + 1) / c  # interleaving: 1 if z = c, else z / c


@dataclass(frozen=True)
class SlotGroup:
    """The slots sharing one alphabet size q, with their integer thresholds (ncols, q-1)."""

    q: int
    cols: np.ndarray
    thresholds: np.ndarray


class BiasTable:
    """Thresholds of every slot, grouped by alphabet size, with fast symbol lookup."""

    def __init__(self, alphabet_sizes: np.ndarray, groups: list[SlotGroup]) -> None:
        self.alphabet_sizes = alphabet_sizes
        self.groups = groups
        self.m = int(alphabet_sizes.size)
        self.max_q = int(alphabet_sizes.max())
        self.dtype = np.uint8 if self.max_q <= 256 else np.uint16

    def symbols(self, uniforms: np.ndarray) -> np.ndarray:
        """Symbols for a (rows, m) block of uint32 uniforms."""
        out = np.empty(uniforms.shape, dtype=self.dtype)
        for g in self.groups:
            whole = g.cols.size == self.m
            sub = uniforms if whole else uniforms[:, g.cols]
            if g.q == 2:
                res = sub >= g.thresholds[:, 0].astype(np.uint32)
            elif g.q <= 32:
                res = np.zeros(sub.shape, dtype=self.dtype)
                for j in range(g.q - 1):
                    res += sub >= g.thresholds[:, j].astype(np.uint32)
            else:
                res = np.empty(sub.shape, dtype=self.dtype)
                for i in range(sub.shape[1]):
                    res[:, i] = np.searchsorted(g.thresholds[i], sub[:, i], side="right")
            if whole:
                out[...] = res
            else:
                out[:, g.cols] = res
        return out

    def match_probability(self, symbols: np.ndarray) -> np.ndarray:
        """P(an innocent holds symbols[i] at slot i), exactly; symbols must be valid (>= 0)."""
        out = np.empty(self.m, dtype=np.float64)
        for g in self.groups:
            y = symbols[g.cols].astype(np.int64)
            ext = np.hstack([np.zeros((g.cols.size, 1), np.int64), g.thresholds,
                             np.full((g.cols.size, 1), ONE, np.int64)])
            rows = np.arange(g.cols.size)
            out[g.cols] = (ext[rows, y + 1] - ext[rows, y]) / ONE
        return out

    def probabilities(self) -> list[np.ndarray]:
        out: list[np.ndarray] = [np.empty(0)] * self.m
        for g in self.groups:
            ext = np.hstack([np.zeros((g.cols.size, 1), np.int64), g.thresholds,
                             np.full((g.cols.size, 1), ONE, np.int64)])
            probs = np.diff(ext, axis=1) / ONE
            for r, col in enumerate(g.cols.tolist()):
                out[col] = probs[r]
        return out

    def rows(self, slots: np.ndarray) -> list[np.ndarray]:
        """The exact bias vectors of the given slots (in the order given)."""
        slots = np.asarray(slots, dtype=np.int64)
        out: list[np.ndarray] = [np.empty(0)] * slots.size
        for g in self.groups:
            where = np.nonzero(np.isin(slots, g.cols))[0]
            if not where.size:
                continue
            local = np.searchsorted(g.cols, slots[where])
            th = g.thresholds[local]
            ext = np.hstack([np.zeros((where.size, 1), np.int64), th, np.full((where.size, 1), ONE, np.int64)])
            probs = np.diff(ext, axis=1) / ONE
            for r, i in enumerate(where.tolist()):
                out[i] = probs[r]
        return out

    def p_one(self) -> np.ndarray:
        """P(symbol 1) for binary slots, NaN for the others."""
        out = np.full(self.m, np.nan)
        for g in self.groups:
            if g.q == 2:
                out[g.cols] = (ONE - g.thresholds[:, 0]) / ONE
        return out


def _thresholds_from_probs(probs: np.ndarray) -> np.ndarray:
    """(rows, q) probability vectors -> (rows, q-1) strictly increasing integer thresholds."""
    cum = np.cumsum(probs, axis=1)[:, :-1]
    t = np.rint(cum * ONE).astype(np.int64)
    t[:, 0] = np.maximum(t[:, 0], 1)
    for j in range(1, t.shape[1]):
        t[:, j] = np.maximum(t[:, j], t[:, j - 1] + 1)
    return np.minimum(t, ONE - (t.shape[1] - np.arange(t.shape[1])))


def _binary_p_one(words: np.ndarray, coalition: int) -> np.ndarray:
    u = to_unit(words[:, 0])
    if coalition <= 2:
        return np.full(u.size, 0.5)
    if coalition in DISCRETE_DESIGNS:
        d = DISCRETE_DESIGNS[coalition]
        edges = np.cumsum(d.weights)[:-1]
        return np.asarray(d.support)[np.searchsorted(edges, u, side="right")]
    r0 = math.asin(math.sqrt(binary_cutoff(coalition)))
    return np.sin(r0 + u * (math.pi / 2 - 2 * r0)) ** 2


def _dirichlet_candidates(words: np.ndarray, q: int) -> np.ndarray:
    """(rows, k * 2 * ceil(q/2)) words -> (rows, k, q) Dirichlet(1/2) vectors (squared normals)."""
    pairs = (q + 1) // 2
    rows = words.shape[0]
    k = words.shape[1] // (2 * pairs)
    u = to_unit(words[:, : k * 2 * pairs]).reshape(rows, k, pairs, 2)
    radius = -2.0 * np.log(u[..., 0])
    angle = 2.0 * math.pi * u[..., 1]
    g = np.stack([radius * np.cos(angle) ** 2, radius * np.sin(angle) ** 2], axis=-1)
    g = g.reshape(rows, k, 2 * pairs)[..., :q]
    return g / g.sum(axis=-1, keepdims=True)


def _qary_probs(key: bytes, scope: str, cols: np.ndarray, words: np.ndarray, q: int, coalition: int) -> np.ndarray:
    if coalition <= 2:
        return np.full((cols.size, q), 1.0 / q)
    cutoff = qary_cutoff(coalition, q)
    out = np.empty((cols.size, q))
    done = np.zeros(cols.size, dtype=bool)
    if 2 * ((q + 1) // 2) <= BIAS_WORDS:
        cand = _dirichlet_candidates(words, q)
        ok = cand.min(axis=-1) >= cutoff
        for j in range(cand.shape[1]):
            take = ok[:, j] & ~done
            out[take] = cand[take, j]
            done |= take
    for r in np.nonzero(~done)[0].tolist():
        extra = bias_extension_words(key, scope, int(cols[r]), 64 * 2 * ((q + 1) // 2))
        cand = _dirichlet_candidates(extra[None, :], q)[0]
        good = np.nonzero(cand.min(axis=-1) >= cutoff)[0]
        if good.size:
            out[r] = cand[good[0]]
        else:  # practically unreachable: clamp the last candidate to the cutoff
            clamped = np.maximum(cand[-1], cutoff)
            out[r] = clamped / clamped.sum()
    return out


def derive_bias_table(key: bytes, scope: str, alphabet_sizes: np.ndarray, coalition: int) -> BiasTable:
    """The slots' biases: a pure function of its arguments, so one derivation serves every
    codebook of a scope (rendering each partner's copy makes a codebook of one partner)."""
    sizes = np.ascontiguousarray(alphabet_sizes, dtype=np.int64)
    return _derived_bias_table(key, scope, sizes.tobytes(), coalition)


@lru_cache(maxsize=64)
def _derived_bias_table(key: bytes, scope: str, sizes_bytes: bytes, coalition: int) -> BiasTable:
    alphabet_sizes = np.frombuffer(sizes_bytes, dtype=np.int64)
    words = bias_words(key, scope, int(alphabet_sizes.size))
    groups: list[SlotGroup] = []
    for q in np.unique(alphabet_sizes).tolist():
        cols = np.nonzero(alphabet_sizes == q)[0]
        if q == 2:
            p1 = _binary_p_one(words[cols], coalition)
            probs = np.stack([1.0 - p1, p1], axis=1)
        else:
            probs = _qary_probs(key, scope, cols, words[cols], q, coalition)
        groups.append(SlotGroup(q, cols, _thresholds_from_probs(probs)))
    for group in groups:  # shared by every codebook of the scope: nobody may write to it
        group.cols.flags.writeable = False
        group.thresholds.flags.writeable = False
    return BiasTable(alphabet_sizes, groups)
