"""Small builders shared by the marking tests, and the random codeword every carrier test draws."""

from __future__ import annotations

import numpy as np

from headstart.marking import Codebook


def innocent_p_values(result, colluders) -> np.ndarray:
    gang = set(colluders)
    return np.array([row.p_value for row in result.ranking if row.partner not in gang])


def make_book(seed: int, layout, partners, coalition: int = 3) -> Codebook:
    return Codebook(seed.to_bytes(8, "big") * 4, f"test/{seed}", layout, partners, design_coalition=coalition)


def random_codeword(carrier, seed) -> np.ndarray:
    """A codeword for the carrier's slots, each symbol drawn uniformly; the same seed gives the
    same codeword. The seed may be a tuple, e.g. (seed, k) for the k-th copy of a coalition."""
    return np.random.default_rng(seed).integers(0, carrier.alphabet_sizes)
