"""attribute(): scores, exact p-values and accusations for one or several (book, leak) pairs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from ._codebook import Codebook
from ._errors import MarkingError
from ._helpers import helper_scores
from ._leak import Leak
from ._pvalues import tail_p_values
from ._scores import DEFAULT_SCORE, check_score, lattice_step, slot_values, unheld_modelled

_ROWS_PER_BLOCK = 2048
P_FLOOR = 1e-300  # smallest reported p-value: an underflowed 0 would be no upper bound


@dataclass(frozen=True)
class PartnerScore:
    """One partner's evidence. Unpacks as (partner, score, p_value, family_p_value).

    ``p_value`` is a rigorous upper bound on the chance that an innocent partner (whose
    codeword is independent of the leak) scores at least this high; ``family_p_value`` is
    min(1, p_value x partners considered). ``method`` is "exact" or "chernoff". ``helpers``:
    the two other partners whose symbols weighted the score that gave ``p_value`` (the
    coalition score of _helpers.py, its p-value divided by the score's share), empty for the
    slot-by-slot score.
    """

    partner: str
    score: float
    p_value: float
    family_p_value: float
    method: str
    helpers: tuple[str, ...] = ()

    def _fields(self) -> tuple[str, float, float, float]:
        return (self.partner, self.score, self.p_value, self.family_p_value)

    def __iter__(self) -> Iterator:
        return iter(self._fields())

    def __len__(self) -> int:
        return 4

    def __getitem__(self, index: int) -> str | float:
        return self._fields()[index]


@dataclass(frozen=True)
class Attribution:
    """The outcome of attribute(): accused partners and everyone's evidence, best first."""

    accused: list[str]
    ranking: list[PartnerScore]
    partners_considered: int
    positions_read: int
    threshold: float
    score_name: str

    def for_partner(self, partner: str) -> PartnerScore:
        for row in self.ranking:
            if row.partner == partner:
                return row
        raise MarkingError(f"unknown partner {partner!r}: not in any codebook of this attribution")


@dataclass
class _Evidence:
    """What one (book, leak) pair says, on the shared lattice."""

    k: np.ndarray  # lattice increment of each informative slot
    pi_high: np.ndarray  # P(an innocent earns the increment) at that slot
    lattice: np.ndarray  # per partner of the book: sum of increments earned
    score: np.ndarray  # per partner: the score in the score's own units
    read: int


Pair = tuple[Codebook, Leak | np.ndarray | Sequence[int]]


def _as_leak(leak: object, where: str) -> Leak:
    if isinstance(leak, Leak):
        return leak
    if isinstance(leak, (np.ndarray, list, tuple)):
        return Leak(np.asarray(leak))
    raise MarkingError(f"{where}: expected a Leak (or an array of symbols), got {type(leak).__name__}")


def _pairs(books: object, leak: object) -> list[tuple[Codebook, Leak]]:
    if isinstance(books, Codebook):
        if leak is None:
            raise MarkingError("attribute(book, leak): the leak is missing")
        return [(books, _as_leak(leak, "leak"))]
    if leak is not None:
        raise MarkingError("pass either attribute(book, leak) or attribute([(book, leak), ...]), not both")
    not_pairs = f"expected a Codebook or a list of (book, leak) pairs, got {type(books).__name__}"
    if not isinstance(books, Iterable):
        raise MarkingError(not_pairs)
    try:
        items = list(books)
    except TypeError:
        raise MarkingError(not_pairs) from None
    if not items:
        raise MarkingError("no (book, leak) pairs to attribute")
    out = []
    for i, item in enumerate(items):
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], Codebook)):
            raise MarkingError(f"pair {i} is not a (Codebook, Leak) tuple")
        out.append((item[0], _as_leak(item[1], f"pair {i}")))
    return out


def _check_threshold(threshold: object) -> float:
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.floating)):
        raise MarkingError(f"threshold must be a number in (0, 1), got {threshold!r}")
    t = float(threshold)
    if not 0.0 < t < 1.0:
        raise MarkingError(f"threshold must lie strictly between 0 and 1, got {threshold!r}")
    return t


def _check_leak(book: Codebook, leak: Leak, where: str) -> None:
    if len(leak) != book.m:
        raise MarkingError(f"{where}: the leak has {len(leak)} slots but the codebook {book.scope!r} has {book.m}")
    sizes = np.asarray(book.alphabet_sizes)
    bad = np.nonzero(leak.symbols >= sizes)[0]
    if bad.size:
        i = int(bad[0])
        raise MarkingError(f"{where}: symbol {int(leak.symbols[i])} at slot {i} is outside 0..{sizes[i] - 1}")
    if leak.positions_read == 0:
        raise MarkingError(f"{where}: the leak shows no slot (every slot is erased or has zero confidence)")


def _lattice_scores(codewords: np.ndarray, y: np.ndarray, signed: np.ndarray, constant: int) -> np.ndarray:
    """Per partner: constant + sum_i signed_i [codeword_i == y_i], exactly (integers)."""
    exact32 = float(np.abs(signed).sum()) < 2**24
    dtype = np.float32 if exact32 else np.float64
    w = signed.astype(dtype)
    target = y.astype(codewords.dtype)
    out = np.empty(codewords.shape[0], dtype=np.int64)
    for start in range(0, codewords.shape[0], _ROWS_PER_BLOCK):
        block = codewords[start:start + _ROWS_PER_BLOCK] == target
        out[start:start + block.shape[0]] = np.rint(block.astype(dtype) @ w).astype(np.int64)
    return out + constant


@dataclass
class SlotLattice:
    """Per-slot scoring of one (book, leak) pair on the lattice (independent of partners)."""

    read: np.ndarray  # indices of the slots that carry evidence
    y: np.ndarray  # leaked symbol per slot (0 where unread; its weight is 0 there)
    k: np.ndarray  # per read slot: lattice increment between the low and the high value
    pi_high: np.ndarray  # per read slot: P(an innocent earns the increment)
    flip: np.ndarray  # per read slot: True if the increment goes to a mismatch
    offset: float  # sum over read slots of the low value (score units)
    signed: np.ndarray  # per slot: +k (match earns k), -k (mismatch earns k) or 0


def slot_lattice(book: Codebook, leak: Leak, score: str, step: float) -> SlotLattice:
    weights = leak.weights
    read_mask = weights > 0
    read = np.nonzero(read_mask)[0]
    y = np.where(read_mask, leak.symbols, 0)
    table = book._table
    pi = table.match_probability(y)[read]
    sizes = np.asarray(book.alphabet_sizes)[read]
    binary = sizes == 2
    modelled = unheld_modelled(sizes)
    qary_probs = table.rows(read[modelled]) if score == "llr" and modelled.any() else None
    match, mismatch = slot_values(score, pi, table.p_one()[read], binary, y[read], book.design_coalition,
                                  qary_probs, modelled)
    w = weights[read]
    high, low = np.maximum(match, mismatch), np.minimum(match, mismatch)
    flip = match < mismatch  # the high value goes to a mismatch (possible for odd attack models)
    k = np.rint(w * (high - low) / step).astype(np.int64)
    signed = np.zeros(book.m, dtype=np.int64)
    signed[read] = np.where(flip, -k, k)
    return SlotLattice(read=read, y=y, k=k, pi_high=np.where(flip, 1.0 - pi, pi), flip=flip,
                       offset=float(np.sum(w * low)), signed=signed)


def _evidence(book: Codebook, leak: Leak, score: str, step: float) -> _Evidence:
    sl = slot_lattice(book, leak, score, step)
    lattice = _lattice_scores(book.codewords(), sl.y, sl.signed, int(sl.k[sl.flip].sum()))
    return _Evidence(k=sl.k, pi_high=sl.pi_high, lattice=lattice, score=sl.offset + step * lattice,
                     read=int(sl.read.size))


def attribute(books: Codebook | Sequence[Pair], leak: Leak | np.ndarray | None = None, *,
              threshold: float = 1e-6, score: str = DEFAULT_SCORE, coalition: bool = True) -> Attribution:
    """Score every partner against the leak(s), bound each innocent's chance, accuse.

    ``attribute(book, leak)`` or ``attribute([(book1, leak1), (book2, leak2), ...])``: scores
    add up over all pairs (a partner absent from a book gets nothing from it) and the p-value
    is that of the combined score, computed from the independent per-slot distributions.
    Accused: exactly the partners whose family-wise p-value is at most ``threshold``.
    With ``coalition`` (the default), a partner whose two strongest fellow suspects look like
    its accomplices is also scored given their symbols (_helpers.py); its p-value is then the
    weighted Bonferroni bound over the two scores.
    """
    t = _check_threshold(threshold)
    score = check_score(score)
    if not isinstance(coalition, bool):
        raise MarkingError(f"coalition must be True or False, got {coalition!r}")
    pairs = _pairs(books, leak)
    seen_scopes: dict[tuple[str, str], int] = {}
    for i, (book, lk) in enumerate(pairs):
        _check_leak(book, lk, "leak" if len(pairs) == 1 else f"pair {i}")
        scope = (book.key_fingerprint, book.scope)
        if scope in seen_scopes:  # same streams: the slots would not be independent evidence
            raise MarkingError(f"pairs {seen_scopes[scope]} and {i} use the same scope {book.scope!r} "
                               "under the same key; merge their readings into one leak instead")
        seen_scopes[scope] = i
    step = min(lattice_step(score, book.design_coalition) for book, _ in pairs)
    evidence = [_evidence(book, lk, score, step) for book, lk in pairs]

    partners: dict[str, int] = {}
    for book, _ in pairs:
        for p in book.partners:
            partners.setdefault(p, len(partners))
    names = list(partners)
    n = len(names)
    lattice = np.zeros(n, dtype=np.int64)
    total = np.zeros(n)
    membership: list[tuple[int, ...]] = [()] * n
    for j, ((book, _), ev) in enumerate(zip(pairs, evidence, strict=True)):
        rows = np.fromiter((partners[p] for p in book.partners), dtype=np.int64, count=len(book.partners))
        lattice[rows] += ev.lattice
        total[rows] += ev.score
        for r in rows.tolist():
            membership[r] = membership[r] + (j,)

    p_values = np.ones(n)
    exact = np.ones(n, dtype=bool)
    groups: dict[tuple[int, ...], list[int]] = {}
    for r in range(n):
        groups.setdefault(membership[r], []).append(r)
    for members, group in groups.items():
        k = np.concatenate([evidence[j].k for j in members])
        pi = np.concatenate([evidence[j].pi_high for j in members])
        idx = np.asarray(group)
        p_values[idx], exact[idx] = tail_p_values(k, pi, lattice[idx])

    helped: list[tuple[str, ...]] = [()] * n
    if coalition and n >= 3:
        first = sorted(range(n), key=lambda r: (p_values[r], -total[r], names[r]))
        second = helper_scores(pairs, [names[r] for r in first], {names[r]: float(p_values[r]) for r in range(n)})
        for name, hs in second.items():
            r = partners[name]
            # weighted Bonferroni over the two scores, the share fixed by the leak and the helpers
            slot_p, helper_p = p_values[r] / (1.0 - hs.share), hs.p_value / hs.share
            if helper_p < slot_p and hs.p_value < 1.0:
                p_values[r], exact[r], helped[r] = min(1.0, helper_p), hs.exact, hs.helpers
            else:
                p_values[r] = min(1.0, slot_p)

    # Bounds below 1e-300 would underflow towards 0, which is no upper bound at all; any
    # larger number still is one, so tiny p-values are reported as P_FLOOR.
    p_values = np.maximum(p_values, P_FLOOR)
    family = np.minimum(1.0, p_values * n)
    order = sorted(range(n), key=lambda r: (p_values[r], -total[r], names[r]))
    ranking = [PartnerScore(names[r], float(total[r]), float(p_values[r]), float(family[r]),
                            "exact" if exact[r] else "chernoff", helped[r]) for r in order]
    accused = [row.partner for row in ranking if row.family_p_value <= t]
    return Attribution(accused=accused, ranking=ranking, partners_considered=n,
                       positions_read=sum(ev.read for ev in evidence), threshold=t, score_name=score)
