"""Which design an artifact's codebook uses, chosen from its capacity alone.

A short artifact cannot resist a coalition of three on its own: the c = 3 design needs
hundreds of clean slots at 1e-6 (bench/README.md), and an excerpt keeps a fraction of
them. What a short artifact can do is name a single leaker, or one of two, from a small
excerpt, and for that the uniform code (design c <= 2) is max-min optimal and carries about
twice the evidence per slot of the biased c = 3 code against one leaker. A large artifact
(a binary PoC with thousands of slots) keeps hundreds of slots even after a heavy leak, so
it takes the c = 3 design. Attribution over a whole advisory sums every artifact's evidence,
so the large artifacts carry the collusion resistance and the small ones the reach.

The choice depends only on the alphabet sizes, so delivery and investigation derive the same
design; delivery also writes it into the signed commitment, and investigation reads it from
there, so a later change of this policy never changes an old attribution.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ._errors import MarkingError

# Bits of capacity from which an artifact takes the c = 3 design: a 20% excerpt of such an
# artifact still holds about 400 bits.
COLLUSION_DESIGN_MIN_BITS = 2048
SHORT_DESIGN = 2
LONG_DESIGN = 3


def design_for(alphabet_sizes: Sequence[int]) -> int:
    """The design coalition for a codebook with these slots: 3 from 2,048 bits, else 2."""
    try:
        bits = sum(math.log2(int(q)) for q in alphabet_sizes)
    except (TypeError, ValueError):
        raise MarkingError("alphabet_sizes must be a sequence of integers >= 2") from None
    return LONG_DESIGN if bits >= COLLUSION_DESIGN_MIN_BITS else SHORT_DESIGN
