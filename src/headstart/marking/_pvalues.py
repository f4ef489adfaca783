"""Rigorous upper bounds on an innocent's tail probability P(K >= x).

K = sum_i k_i B_i with integer k_i >= 1 and independent B_i ~ Bernoulli(pi_i): the lattice
score of an innocent partner (see _attribution.py). Two methods, both upper bounds:

- exact: the distribution of K by convolution, one slot at a time, in non-negative floating
  point. To stay fast it keeps a window of the support: mass above the window is dropped
  and its total added to every tail (so the bound stays an upper bound); mass far below
  the mean is folded up into the window's lowest cell (which only moves mass upwards).
  Rounding of non-negative sums is bounded by a relative factor that is applied at the end,
  plus an absolute slack for underflow. Accurate from 1 down to about 1e-45.
- chernoff: P(K >= x) <= exp(log M(t) - t x) for any t >= 0, with the exact per-slot
  moment generating function M_i(t) = 1 - pi_i + pi_i e^{t k_i}; t is optimised per x.
  Used below the exact method's floor and when the convolution would be too large.
"""

from __future__ import annotations

import numpy as np

_TRIM_EVERY = 16
_DROP = 1e-50  # per trim, mass dropped above the window (added back to every tail)
_FOLD = 1e-40  # per trim, mass folded from the bottom into the window
_U = 2.0**-53
_TINY = 2.0**-1074
EXACT_FLOOR = 1e-30  # below this the exact bound is dominated by dropped mass: try Chernoff
MAX_WORK = 4e9  # slots x window cells beyond which the convolution is skipped


class ExactTail:
    """Incremental distribution of K; add slots in order, query tails at any point."""

    def __init__(self) -> None:
        self._buf = np.zeros(4096)
        self._buf[0] = 1.0
        self._start = 0
        self._size = 1
        self.low = 0  # lattice value of the first cell in the window
        self._dropped = 0.0
        self._steps = 0
        self._max_size = 1

    def add(self, k: np.ndarray, pi: np.ndarray) -> None:
        for kk, p in zip(np.asarray(k, dtype=np.int64).tolist(), np.asarray(pi, dtype=np.float64).tolist(),
                         strict=True):
            self._step(kk, p)

    def _step(self, k: int, p: float) -> None:
        if k > 0 and p > 0.0:
            if p >= 1.0:
                self.low += k
            else:
                s, n = self._start, self._size
                if s + n + k > self._buf.size:
                    self._make_room(n + k)
                    s = self._start
                buf = self._buf
                v = buf[s:s + n]
                moved = v * p
                v *= 1.0 - p
                buf[s + n:s + n + k] = 0.0
                buf[s + k:s + k + n] += moved
                self._size = n + k
                self._max_size = max(self._max_size, self._size)
        self._steps += 1
        if self._steps % _TRIM_EVERY == 0:
            self._trim()

    def _make_room(self, need: int) -> None:
        n = self._size
        cap = self._buf.size
        if need * 2 > cap:
            cap = max(2 * cap, 2 * need + 1024)
        fresh = np.zeros(cap)
        fresh[:n] = self._buf[self._start:self._start + n]
        self._buf, self._start = fresh, 0

    def _trim(self) -> None:
        s, n = self._start, self._size
        v = self._buf[s:s + n]
        slack = 1.0 + 2.0 * n * _U
        top = np.cumsum(v[::-1])
        j = int(np.searchsorted(top, _DROP, side="right"))
        j = min(j, n - 1)
        if j > 0:
            self._dropped += float(top[j - 1]) * slack
            n -= j
        bottom = np.cumsum(v[:n])
        j = min(int(np.searchsorted(bottom, _FOLD, side="right")), n - 1)
        if j > 0:
            folded = float(bottom[j - 1])
            self._buf[s + j] += folded
            self._dropped += folded * 2.0 * n * _U  # rounding of the folded sum
            s += j
            n -= j
            self.low += j
        self._start, self._size = s, n

    @property
    def high(self) -> int:
        """Lattice value just above the window."""
        return self.low + self._size

    def survival(self, x: np.ndarray) -> np.ndarray:
        """Upper bounds of P(K >= x) for integer x (does not change the state)."""
        x = np.asarray(x, dtype=np.int64)
        v = self._buf[self._start:self._start + self._size]
        tail = np.append(np.cumsum(v[::-1])[::-1], 0.0)
        idx = np.clip(x - self.low, 0, self._size)
        rel = 1.0 + 1.01 * (3 * self._steps + 2 * self._max_size + 8) * _U
        slack = self._dropped + 4.0 * self._steps * self._max_size * _TINY
        p = (tail[idx] + slack) * rel
        p[x <= self.low] = 1.0
        return np.minimum(p, 1.0)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _tilted_mean(t: np.ndarray, kf: np.ndarray, logit: np.ndarray) -> np.ndarray:
    return _sigmoid(logit[None, :] + t[:, None] * kf[None, :]) @ kf


def _log_bound(t: np.ndarray, x: np.ndarray, kf: np.ndarray, la: np.ndarray, lb: np.ndarray) -> np.ndarray:
    """log of exp(log M(t) - t x) plus a margin covering rounding, one t per x."""
    terms = np.logaddexp(la[None, :], lb[None, :] + t[:, None] * kf[None, :])
    cgf = terms.sum(axis=1)
    margin = 4.0 * (kf.size + 2) * _U * (np.abs(terms).sum(axis=1) + t * np.abs(x)) + 1e-15
    return cgf - t * x + margin


def _solve_t(targets: np.ndarray, kf: np.ndarray, logit: np.ndarray, iterations: int = 60) -> np.ndarray:
    """t with E_t[K] ~= target (the Chernoff optimum), by bracketing and bisection."""
    lo = np.zeros(targets.size)
    hi = np.full(targets.size, 1.0 / kf.max())
    for _ in range(200):
        short = _tilted_mean(hi, kf, logit) < targets
        if not short.any():
            break
        hi[short] *= 2.0
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        below = _tilted_mean(mid, kf, logit) < targets
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return 0.5 * (lo + hi)


def chernoff(k: np.ndarray, pi: np.ndarray, x: np.ndarray, refine: int = 64) -> np.ndarray:
    """Upper bounds of P(K >= x) from the exact moment generating function."""
    x = np.asarray(x, dtype=np.int64)
    keep = (k > 0) & (pi > 0)
    kf, pi = k[keep].astype(np.float64), pi[keep]
    out = np.ones(x.size)
    if kf.size == 0:
        out[x > 0] = 0.0
        return out
    sure = pi >= 1.0
    base = float(kf[sure].sum())
    kf, pi = kf[~sure], pi[~sure]
    xs = x - base
    if kf.size == 0:
        return np.where(xs > 0, 0.0, 1.0)
    total, mean = float(kf.sum()), float(kf @ pi)
    out[xs > total] = 0.0
    la, lb = np.log1p(-pi), np.log(pi)
    logit = lb - la
    at_top = xs == total
    if at_top.any():  # P(K = total) = prod(pi), exactly; bound its rounding
        out[at_top] = min(1.0, float(np.exp(lb.sum() + 4.0 * (kf.size + 2) * _U * np.abs(lb).sum() + 1e-15)))
    mid = (xs > mean) & (xs < total)
    if not mid.any():
        return out
    targets, inverse = np.unique(xs[mid], return_inverse=True)
    tf = targets.astype(np.float64)
    best = np.zeros(targets.size)  # log bound; t = 0 gives log 1
    grid_x = np.unique(np.quantile(tf, np.linspace(0.0, 1.0, min(32, targets.size))))
    for t in _solve_t(grid_x, kf, logit):
        best = np.minimum(best, _log_bound(np.full(targets.size, t), tf, kf, la, lb))
    top = np.argsort(tf)[-refine:]
    t_top = _solve_t(tf[top], kf, logit)
    best[top] = np.minimum(best[top], _log_bound(t_top, tf[top], kf, la, lb))
    out[np.nonzero(mid)[0]] = np.minimum(1.0, np.exp(best))[inverse]
    return out


def tail_p_values(k: np.ndarray, pi: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(p upper bounds, True where the exact method gave the bound) for lattice scores x."""
    k = np.asarray(k, dtype=np.int64)
    pi = np.asarray(pi, dtype=np.float64)
    x = np.asarray(x, dtype=np.int64)
    keep = (k > 0) & (pi > 0)
    k, pi = k[keep], pi[keep]
    spread = float(np.sqrt(np.sum(k.astype(np.float64) ** 2 * pi * (1 - pi))))
    work = k.size * (60.0 * spread + 4.0 * (k.max() if k.size else 0) + 64.0)
    if work > MAX_WORK:
        return chernoff(k, pi, x), np.zeros(x.size, dtype=bool)
    tail = ExactTail()
    tail.add(k, pi)
    p = tail.survival(x)
    exact = np.ones(x.size, dtype=bool)
    deep = p < EXACT_FLOOR
    if deep.any():
        pc = chernoff(k, pi, x[deep])
        better = pc < p[deep]
        idx = np.nonzero(deep)[0][better]
        p[idx] = pc[better]
        exact[idx] = False
    return p, exact
