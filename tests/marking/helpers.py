"""Small builders shared by the marking tests."""

import numpy as np

from headstart.marking import Codebook


def innocent_p_values(result, colluders) -> np.ndarray:
    gang = set(colluders)
    return np.array([row.p_value for row in result.ranking if row.partner not in gang])


def make_book(seed: int, layout, partners, coalition: int = 3) -> Codebook:
    return Codebook(seed.to_bytes(8, "big") * 4, f"test/{seed}", layout, partners, design_coalition=coalition)
