"""Keyed derivation: every secret quantity comes from the marking key through HMAC-SHA256.

A seed is HMAC-SHA256(key, domain || length-prefixed identifiers); SHAKE-256 expands a seed
into as many bytes as needed. Position i of an expansion never depends on how many bytes
were asked for, so slot i of a partner's codeword depends only on (key, scope, i, partner)
and slot i's bias only on (key, scope, i): lengthening a layout or adding partners changes
nothing already derived.
"""

from __future__ import annotations

import hashlib
import hmac

import numpy as np

DOMAIN = b"headstart.marking/v1"
BIAS_WORDS = 8  # 64-bit words reserved per slot in the bias stream


def _lp(text: str) -> bytes:
    raw = text.encode("utf-8")
    return len(raw).to_bytes(4, "big") + raw


def key_fingerprint(key: bytes) -> str:
    """A keyed hash that identifies the key without revealing it."""
    return hmac.new(key, DOMAIN + b"/key-fingerprint", hashlib.sha256).hexdigest()


def partner_seed(key: bytes, scope: str, partner: str) -> bytes:
    return hmac.digest(key, DOMAIN + b"/codeword" + _lp(scope) + _lp(partner), "sha256")


def partner_uniforms(seed: bytes, m: int) -> np.ndarray:
    """m independent 32-bit uniforms (uint32), one per slot, from a partner's seed."""
    return np.frombuffer(hashlib.shake_256(seed).digest(4 * m), dtype="<u4")


def bias_words(key: bytes, scope: str, m: int) -> np.ndarray:
    """(m, BIAS_WORDS) uint64: a fixed block of pseudorandom words per slot."""
    seed = hmac.digest(key, DOMAIN + b"/bias" + _lp(scope), "sha256")
    raw = hashlib.shake_256(seed).digest(8 * BIAS_WORDS * m)
    return np.frombuffer(raw, dtype="<u8").reshape(m, BIAS_WORDS)


def bias_extension_words(key: bytes, scope: str, slot: int, count: int) -> np.ndarray:
    """More words for one slot, for the rare slot whose block ran out (rejection sampling)."""
    seed = hmac.digest(key, DOMAIN + b"/bias-extension" + _lp(scope) + slot.to_bytes(8, "big"), "sha256")
    return np.frombuffer(hashlib.shake_256(seed).digest(8 * count), dtype="<u8")


def to_unit(words: np.ndarray) -> np.ndarray:
    """uint64 words -> floats strictly inside (0, 1), 53 bits each."""
    return ((words >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0**-53
