"""Codebook commitments and exact-copy matching."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping

from ._codebook import Codebook
from ._errors import MarkingError
from ._prf import DOMAIN

SCHEME = "headstart.marking/v1"
_HEX64 = re.compile(r"[0-9a-f]{64}")


def commitment(book: Codebook) -> str:
    """SHA-256 (hex) over the key fingerprint, scope, slot layout, design, sorted partners
    and scheme version: fixed before any copy goes out, checkable after a leak."""
    if not isinstance(book, Codebook):
        raise MarkingError(f"commitment() needs a Codebook, got {type(book).__name__}")
    payload = {
        "scheme": SCHEME,
        "key_fingerprint": book.key_fingerprint,
        "scope": book.scope,
        "alphabet_sizes": list(book.alphabet_sizes),
        "design_coalition": book.design_coalition,
        "partners": sorted(book.partners),
    }
    data = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(DOMAIN + b"/commitment\x00" + data).hexdigest()


def verify_commitment(book: Codebook, digest: str) -> bool:
    """True iff ``digest`` is the commitment of exactly this codebook."""
    if not isinstance(digest, str):
        raise MarkingError(f"digest must be a hex string, got {type(digest).__name__}")
    return hmac.compare_digest(commitment(book), digest.strip().lower())


def match_exact_copy(data: bytes, digests: Mapping[str, str]) -> str | None:
    """The partner whose recorded copy digest (SHA-256 hex) equals sha256(data), else None."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise MarkingError(f"data must be bytes, got {type(data).__name__}")
    if not isinstance(digests, Mapping):
        raise MarkingError("digests must map partner ids to SHA-256 hex digests")
    found = hashlib.sha256(bytes(data)).hexdigest()
    hits = []
    for partner, digest in digests.items():
        if not isinstance(digest, str) or not _HEX64.fullmatch(digest.strip().lower()):
            raise MarkingError(f"recorded digest for {partner!r} is not a SHA-256 hex digest: {digest!r}")
        if hmac.compare_digest(digest.strip().lower(), found):
            hits.append(partner)
    if len(hits) > 1:
        raise MarkingError(f"several partners recorded the same digest ({', '.join(map(str, hits))}): "
                           "the copies are not distinguishable")
    return hits[0] if hits else None
