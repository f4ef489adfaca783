"""Accusations and p-values for the benchmarks, in one place, all from headstart.marking.

The benchmarks never compute a p-value themselves: `attribute()` gives every partner's
p-value and family-wise p-value (min(1, p x partners)) and the accused at a threshold.
This module reads an Attribution against the partners known to be guilty, and puts
p-values on the log10 scale the tables print.

    verdict = judge([(book, Leak(symbols))], guilty={"partner-007"})
    verdict.accused, verdict.guilty_log10_family_p, fmt_log10_p(verdict.guilty_log10_family_p)
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from headstart.marking import Attribution, Codebook, Leak, MarkingError, attribute
from headstart.marking._attribution import P_FLOOR

THRESHOLD = 1e-6  # family-wise p at or below which a partner is accused, as in the program


def log10_p(p: float) -> float:
    """log10 of a p-value from attribute() (which never reports less than P_FLOOR)."""
    return math.log10(max(p, P_FLOOR))


def fmt_log10_p(x: float | None) -> str:
    """A log10 p-value for a table: '-' when there is none, '<-300' at the library's floor."""
    if x is None:
        return "-"
    return "<-300" if x <= math.log10(P_FLOOR) else f"{x:.0f}"


def evidence_floor_bits(partners: int, threshold: float = THRESHOLD) -> float:
    """Bits a single leaker's copy must show, read perfectly, for family-wise p <= threshold
    with the most favourable code (uniform symbols: an innocent matches b bits with
    probability 2^-b): log2(partners / threshold)."""
    return math.log2(partners / threshold)


@dataclass
class Verdict:
    """An Attribution read against the partners known to be guilty."""

    accused: set[str]
    guilty: frozenset[str]
    guilty_log10_family_p: float  # the best-placed guilty partner's family-wise p (log10)
    best_innocent_log10_family_p: float  # the most suspicious innocent's family-wise p (log10)
    innocent_p_values: np.ndarray  # every innocent's single-partner p-value

    @property
    def guilty_accused(self) -> set[str]:
        return self.accused & self.guilty

    @property
    def innocents_accused(self) -> set[str]:
        return self.accused - self.guilty


def verdict(result: Attribution, guilty: Collection[str]) -> Verdict:
    guilty = frozenset(guilty)
    innocents = [row for row in result.ranking if row.partner not in guilty]
    guilty_rows = [row for row in result.ranking if row.partner in guilty]
    return Verdict(
        set(result.accused),
        guilty,
        log10_p(min(row.family_p_value for row in guilty_rows)) if guilty_rows else 0.0,
        log10_p(min(row.family_p_value for row in innocents)) if innocents else 0.0,
        np.array([row.p_value for row in innocents]),
    )


def judge(
    pairs: Sequence[tuple[Codebook, Leak]], guilty: Collection[str], threshold: float = THRESHOLD
) -> Verdict:
    """attribute() over the (book, leak) pairs, read against the guilty; nobody accused
    when there is no pair or attribute() finds nothing to score."""
    if pairs:
        try:
            return verdict(attribute(list(pairs), threshold=threshold), guilty)
        except MarkingError:
            pass
    return Verdict(set(), frozenset(guilty), 0.0, 0.0, np.ones(0))
