"""What a leak shows at each slot: a symbol, or -1 for an erasure, with optional confidence."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._errors import MarkingError

ERASED = -1


class Leak:
    """Symbols read from leaked material, one per slot (-1 = erased / not shown).

    ``confidence`` (optional, same length, each in [0, 1]) down-weights doubtful readings:
    a slot's score is multiplied by it. Weights come from the reading alone, before any
    partner is looked at, so p-values stay rigorous. Erased slots contribute nothing.
    """

    def __init__(self, symbols: Sequence[int] | np.ndarray, confidence: Sequence[float] | np.ndarray | None = None) -> None:
        arr = np.asarray(symbols)
        if arr.ndim != 1:
            raise MarkingError(f"leak symbols must be a 1-D array, got shape {arr.shape}")
        if arr.size and not (np.issubdtype(arr.dtype, np.integer) or arr.dtype == bool):
            if np.issubdtype(arr.dtype, np.floating) and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
                arr = arr.astype(np.int64)
            else:
                raise MarkingError(f"leak symbols must be integers (-1 for an erased slot), got dtype {arr.dtype}")
        arr = arr.astype(np.int64)
        if arr.size and arr.min() < ERASED:
            bad = int(np.nonzero(arr < ERASED)[0][0])
            raise MarkingError(f"leak symbol {int(arr[bad])} at slot {bad} is negative; use -1 for an erased slot")
        arr.flags.writeable = False
        self.symbols = arr
        if confidence is None:
            self.confidence: np.ndarray | None = None
        else:
            conf = np.asarray(confidence, dtype=np.float64)
            if conf.shape != arr.shape:
                raise MarkingError(f"confidence has shape {conf.shape} but symbols have shape {arr.shape}")
            if not np.all(np.isfinite(conf)) or (conf.size and (conf.min() < 0 or conf.max() > 1)):
                raise MarkingError("confidence values must be finite numbers in [0, 1]")
            conf.flags.writeable = False
            self.confidence = conf

    def __len__(self) -> int:
        return int(self.symbols.size)

    def __repr__(self) -> str:
        return f"Leak(slots={len(self)}, read={self.positions_read})"

    @property
    def weights(self) -> np.ndarray:
        """Weight of each slot in the score: 0 where erased, else the confidence (default 1)."""
        w = (self.symbols != ERASED).astype(np.float64)
        return w if self.confidence is None else w * self.confidence

    @property
    def positions_read(self) -> int:
        """Slots that carry evidence: not erased and with non-zero confidence."""
        return int(np.count_nonzero(self.weights > 0))
