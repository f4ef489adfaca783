"""The codebook: who gets which symbol at which slot, derived on demand, never stored."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cached_property

import numpy as np

from ._bias import MAX_ALPHABET, BiasTable, derive_bias_table
from ._errors import MarkingError
from ._prf import key_fingerprint, partner_seed, partner_uniforms

_ROWS_PER_BLOCK = 1024  # partners expanded at once by codewords(); bounds the uint32 scratch


def _check_key(key: object) -> bytes:
    if not isinstance(key, (bytes, bytearray, memoryview)):
        raise MarkingError(f"key must be bytes, not {type(key).__name__}")
    key = bytes(key)
    if not key:
        raise MarkingError("key is empty: a marking key needs secret bytes (32 recommended)")
    return key


def _check_alphabet_sizes(alphabet_sizes: Iterable[int]) -> np.ndarray:
    try:
        sizes = list(alphabet_sizes)
    except TypeError:
        raise MarkingError("alphabet_sizes must be a sequence of integers") from None
    if not sizes:
        raise MarkingError("alphabet_sizes is empty: a codebook needs at least one slot")
    # All integers within bounds, checked at once (a bool is 0 or 1 and fails the bound, a float
    # or an object gives another dtype); anything else is looked at slot by slot for its message.
    fast = np.array(sizes)
    if fast.ndim == 1 and fast.dtype.kind in "iu" and fast.min() >= 2 and fast.max() <= MAX_ALPHABET:
        return fast.astype(np.int64)
    return _checked(sizes)


def _checked(sizes: Sequence[object]) -> np.ndarray:
    out = np.empty(len(sizes), dtype=np.int64)
    for i, q in enumerate(sizes):
        if isinstance(q, bool) or not isinstance(q, (int, np.integer)):
            raise MarkingError(f"alphabet size at slot {i} is {q!r}, not an integer")
        if q < 2:
            raise MarkingError(f"alphabet size at slot {i} is {q}: a slot needs at least 2 alternatives (q >= 2)")
        if q > MAX_ALPHABET:
            raise MarkingError(f"alphabet size at slot {i} is {q}: at most {MAX_ALPHABET} alternatives per slot")
        out[i] = q
    return out


def _check_partners(partners: Iterable[str]) -> tuple[str, ...]:
    if isinstance(partners, str):
        raise MarkingError("partners must be a sequence of partner ids, not a single string")
    out = tuple(partners)
    if not out:
        raise MarkingError("partners is empty: a codebook needs at least one partner")
    seen: set[str] = set()
    for p in out:
        if not isinstance(p, str) or not p:
            raise MarkingError(f"partner ids must be non-empty strings, got {p!r}")
        if p in seen:
            raise MarkingError(f"duplicate partner id {p!r}: each partner must appear once")
        seen.add(p)
    return out


class Codebook:
    """Codewords of every partner for one marked artifact (one scope).

    A partner's symbol at slot i depends only on (key, scope, i, partner id) and the slot's
    bias only on (key, scope, i, q_i, design_coalition): adding partners or slots later
    changes no existing codeword. ``design_coalition`` is the coalition size the code is
    tuned for (the bias distribution and the LLR score follow it); p-values stay rigorous
    whatever the real coalition is.
    """

    def __init__(self, key: bytes, scope: str, alphabet_sizes: Sequence[int], partners: Sequence[str],
                 *, design_coalition: int = 3) -> None:
        self._key = _check_key(key)
        if not isinstance(scope, str) or not scope:
            raise MarkingError("scope must be a non-empty string naming the artifact, e.g. 'HS-2026-0001/writeup/v1'")
        if isinstance(design_coalition, bool) or not isinstance(design_coalition, (int, np.integer)) \
                or design_coalition < 1:
            raise MarkingError(f"design_coalition must be a positive integer, got {design_coalition!r}")
        self.scope = scope
        self._q = _check_alphabet_sizes(alphabet_sizes)
        self._q.flags.writeable = False
        self.partners = _check_partners(partners)
        self.design_coalition = int(design_coalition)
        self._index = {p: i for i, p in enumerate(self.partners)}
        self._codewords: np.ndarray | None = None

    def __repr__(self) -> str:
        return (f"Codebook(scope={self.scope!r}, slots={self.m}, partners={len(self.partners)}, "
                f"design_coalition={self.design_coalition}, key={self.key_fingerprint[:12]}...)")

    @property
    def m(self) -> int:
        """Number of slots."""
        return int(self._q.size)

    @property
    def alphabet_sizes(self) -> tuple[int, ...]:
        return tuple(self._q.tolist())

    @cached_property
    def key_fingerprint(self) -> str:
        """HMAC of a fixed label under the key: names the key without revealing it."""
        return key_fingerprint(self._key)

    @cached_property
    def _table(self) -> BiasTable:
        return derive_bias_table(self._key, self.scope, self._q, self.design_coalition)

    @property
    def biases(self) -> list[np.ndarray]:
        """Per slot, the exact probability of each symbol (length q_i, sums to 1)."""
        return self._table.probabilities()

    def __contains__(self, partner: object) -> bool:
        return partner in self._index

    def codeword(self, partner: str) -> np.ndarray:
        """The partner's symbol (0..q_i-1) at every slot, as an int64 array."""
        if partner not in self._index:
            raise MarkingError(f"unknown partner {partner!r}: not in this codebook ({self.scope})")
        if self._codewords is not None:
            return self._codewords[self._index[partner]].astype(np.int64)
        u = partner_uniforms(partner_seed(self._key, self.scope, partner), self.m)
        return self._table.symbols(u[None, :])[0].astype(np.int64)

    def codewords(self) -> np.ndarray:
        """(partners, m) matrix of every codeword, rows in ``partners`` order; computed once.

        The dtype is the smallest unsigned integer holding q-1 (uint8 for q <= 256), so
        10,000 partners x 5,000 slots take 50 MB. The array is read-only.
        """
        if self._codewords is None:
            n, m = len(self.partners), self.m
            out = np.empty((n, m), dtype=self._table.dtype)
            scratch = np.empty((min(n, _ROWS_PER_BLOCK), m), dtype=np.uint32)
            for start in range(0, n, _ROWS_PER_BLOCK):
                block = self.partners[start:start + _ROWS_PER_BLOCK]
                for r, partner in enumerate(block):
                    scratch[r] = partner_uniforms(partner_seed(self._key, self.scope, partner), m)
                out[start:start + len(block)] = self._table.symbols(scratch[:len(block)])
            out.flags.writeable = False
            self._codewords = out
        return self._codewords
