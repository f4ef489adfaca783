"""headstart.marking: collusion-secure codewords and attribution with rigorous bounds.

Layer 1 of Headstart: a pure library (numpy only). It decides which symbol each partner's
copy carries at each slot, and, from the symbols a leak shows, who leaked, with a p-value
that bounds the chance of accusing an innocent. It never sees files; carriers do that.

    book = Codebook(key, "HS-2026-0001/writeup/v1", alphabet_sizes=[2] * 500, partners=ids)
    book.codeword("p-1")              # symbols 0..q-1, one per slot
    result = attribute(book, Leak(symbols), threshold=1e-6)
    result.accused, result.ranking    # ranking: PartnerScore(partner, score, p, family p, method)

See docs/marking.md for the scheme, the scores and why the p-values are rigorous.
"""

from . import simulate
from ._attribution import Attribution, PartnerScore, attribute
from ._codebook import Codebook
from ._commitment import commitment, match_exact_copy, verify_commitment
from ._errors import MarkingError
from ._leak import Leak
from ._policy import design_for

__all__ = [
    "Attribution",
    "Codebook",
    "Leak",
    "MarkingError",
    "PartnerScore",
    "attribute",
    "commitment",
    "design_for",
    "match_exact_copy",
    "simulate",
    "verify_commitment",
]
