"""The p-values bound an innocent's chance of scoring as high: exactly, or by Chernoff."""

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from headstart.marking import Leak, attribute, simulate
from headstart.marking._pvalues import ExactTail, chernoff, tail_p_values

from .helpers import innocent_p_values, make_book


def _brute_force_survival(k: np.ndarray, pi: np.ndarray, xs: np.ndarray) -> np.ndarray:
    dist: dict[int, float] = {}
    for bits in itertools.product([0, 1], repeat=k.size):
        b = np.array(bits)
        dist[int(k @ b)] = dist.get(int(k @ b), 0.0) + float(np.prod(np.where(b == 1, pi, 1 - pi)))
    return np.array([sum(p for v, p in dist.items() if v >= x) for x in xs])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 40), st.floats(0.001, 0.999)), min_size=1, max_size=11))
def test_exact_tail_and_chernoff_bound_the_true_survival_function(slots):
    k = np.array([s[0] for s in slots])
    pi = np.array([s[1] for s in slots])
    xs = np.arange(-2, int(k.sum()) + 3)
    truth = _brute_force_survival(k, pi, xs)
    tail = ExactTail()
    tail.add(k, pi)
    exact = tail.survival(xs)
    bound = chernoff(k, pi, xs)
    assert np.all(exact >= truth * (1 - 1e-12))
    assert np.all(exact <= truth * (1 + 1e-9) + 1e-40)  # tight, not just valid
    assert np.all(bound >= truth * (1 - 1e-12))


def test_the_exact_method_holds_in_the_far_tail_where_chernoff_takes_over():
    rng = np.random.default_rng(5)
    k = rng.integers(5, 60, 3000)
    pi = np.where(rng.random(3000) < 0.5, 0.1754, 0.8246)
    top = int(k.sum())
    xs = np.array([int(k @ pi), int(k @ pi) + 2000, top - 50, top - 1, top, top + 1])
    p, exact = tail_p_values(k, pi, xs)
    assert p[0] > 0.3 and p[1] < p[0] and np.all(np.diff(p) <= 0)
    assert exact[0] and exact[1] and not exact[3]
    assert np.prod(pi) <= p[4] <= np.prod(pi) * (1 + 1e-6)  # P(innocent matches everywhere)
    assert p[5] == 0.0


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 2**32), attack=st.sampled_from(simulate.ATTACKS[:6]), c=st.integers(1, 5),
       erasure=st.sampled_from([0.0, 0.3]), flip=st.sampled_from([0.0, 0.1]), score=st.sampled_from(["llr", "tardos"]))
def test_p_values_of_innocents_are_valid(partners_500, seed, attack, c, erasure, flip, score):
    layout = [2] * 150 + [3] * 10 + [4] * 10
    book = make_book(seed, layout, partners_500)
    gang = simulate.coalition(book, c, rng=seed)
    leak = simulate.leak(book, gang, attack, rng=seed, erasure_rate=erasure, flip_rate=flip)
    p = innocent_p_values(attribute(book, leak, score=score), gang)
    for alpha in (0.5, 0.2, 0.05, 0.01):
        mean = alpha * p.size
        assert np.count_nonzero(p <= alpha) <= mean + 4.5 * np.sqrt(mean) + 1


def test_p_values_of_innocents_are_valid_pooled_over_many_random_leaks(partners_500):
    """Random leaks (no coalition at all): every partner is innocent."""
    rng = np.random.default_rng(11)
    pooled = []
    for seed in range(12):
        layout = [2] * 80 + [5] * 8
        book = make_book(1000 + seed, layout, partners_500)
        symbols = np.array([rng.integers(0, q) for q in layout])
        conf = rng.random(len(layout))
        pooled.append([r.p_value for r in attribute(book, Leak(symbols, conf)).ranking])
    p = np.concatenate(pooled)
    for alpha in (0.3, 0.1, 0.03, 0.01, 0.003):
        mean = alpha * p.size
        assert np.count_nonzero(p <= alpha) <= mean + 4.5 * np.sqrt(mean) + 1


def test_innocent_p_values_stay_valid_under_unrestricted_attack(partners_500):
    """The weights of q-ary slots follow the attack the leak shows, never a partner's symbols,
    so innocents' p-values stay exact. Pooled over 24 leaks (11,928 innocents) the count at
    p <= alpha stays within 4.5 standard deviations of alpha's share, an allowance below
    1.5 alpha: a rate twice alpha would fail at every level."""
    pooled = []
    for seed in range(24):
        book = make_book(700 + seed, [4] * 400 + [2] * 100 + [3] * 50, partners_500)
        gang = simulate.coalition(book, 1 + seed % 4, rng=seed)
        noisy = seed % 3 == 0
        leak = simulate.leak(book, gang, "unrestricted", rng=seed, erasure_rate=0.2 if noisy else 0.0,
                             flip_rate=0.05 if noisy else 0.0)
        pooled.append(innocent_p_values(attribute(book, leak), gang))
    p = np.concatenate(pooled)
    for alpha in (0.1, 0.03, 0.01):
        mean = alpha * p.size
        allowance = mean + 4.5 * np.sqrt(mean) + 1
        assert allowance < 1.5 * mean
        assert np.count_nonzero(p <= alpha) <= allowance


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32), erasure=st.floats(0.05, 0.9), c=st.integers(1, 4),
       attack=st.sampled_from(simulate.ATTACKS[:5]), score=st.sampled_from(["llr", "tardos"]))
def test_erasures_never_push_innocents_below_their_bound(partners_500, seed, erasure, c, attack, score):
    """However much of the leak is erased, innocents' p-values stay valid."""
    book = make_book(seed, [2] * 200 + [3] * 20, partners_500)
    gang = simulate.coalition(book, c, rng=seed)
    leak = simulate.leak(book, gang, attack, rng=seed, erasure_rate=erasure)
    if leak.positions_read == 0:
        return
    p = innocent_p_values(attribute(book, leak, score=score), gang)
    for alpha in (0.3, 0.1, 0.02):
        mean = alpha * p.size
        assert np.count_nonzero(p <= alpha) <= mean + 4.5 * np.sqrt(mean) + 1


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32), erase=st.integers(1, 40),
       score_and_design=st.sampled_from([("tardos", 3), ("llr", 12), ("tardos", 1)]))
def test_erasing_slots_a_partner_matched_never_lowers_its_p_value(partners_500, seed, erase, score_and_design):
    """For fixed slot weights (Tardos, the interleaving LLR of arcsine designs), erasing
    a slot where a partner matched can only make that partner look less guilty. (The
    adaptive LLR reweighs later slots after an erasure, so only validity holds there; the
    8 q-ary slots here fit in the first block of its unheld-symbol estimate, whose weights
    are the interleaving ones.)"""
    score, design = score_and_design
    book = make_book(seed, [2] * 120 + [4] * 8, partners_500[:60], coalition=design)
    gang = simulate.coalition(book, 2, rng=seed)
    leak = simulate.leak(book, gang, "interleave", rng=seed)
    before = attribute(book, leak, score=score, coalition=False)
    rng = np.random.default_rng(seed)
    for partner in rng.choice(book.partners, 5, replace=False).tolist():
        matched = np.nonzero(book.codeword(partner) == leak.symbols)[0]
        gone = rng.choice(matched, min(erase, matched.size - 1), replace=False)
        symbols = leak.symbols.copy()
        symbols[gone] = -1
        after = attribute(book, Leak(symbols), score=score, coalition=False)
        assert after.for_partner(partner).p_value >= before.for_partner(partner).p_value * (1 - 1e-9)


def test_erased_slots_contribute_nothing(partners_500):
    book = make_book(3, [2] * 200, partners_500[:50])
    leak = simulate.leak(book, ["partner-007"], "interleave", rng=3)
    symbols = leak.symbols.copy()
    symbols[100:] = -1
    half = attribute(book, Leak(symbols))
    other = symbols.copy()
    other[100:] = 1 - leak.symbols[100:]  # different symbols at the erased slots ...
    other[100:] = -1  # ... erased again: nothing about them may matter
    assert [(r.partner, r.p_value) for r in half.ranking] == [(r.partner, r.p_value) for r in attribute(book, Leak(other)).ranking]
    assert half.positions_read == 100


def test_zero_confidence_is_an_erasure_and_partial_confidence_weakens_the_case(partners_500):
    book = make_book(4, [2] * 300, partners_500[:40])
    leak = simulate.leak(book, ["partner-001"], "interleave", rng=4, flip_rate=0.15)
    conf = np.ones(300)
    conf[150:] = 0.0
    erased = leak.symbols.copy()
    erased[150:] = -1
    a = attribute(book, Leak(leak.symbols, conf)).for_partner("partner-001")
    b = attribute(book, Leak(erased)).for_partner("partner-001")
    assert a.p_value == b.p_value
    full = attribute(book, leak).for_partner("partner-001").p_value
    doubtful = np.where(np.arange(300) % 2 == 0, 1.0, 0.2)  # every other reading is shaky
    damped = attribute(book, Leak(leak.symbols, doubtful)).for_partner("partner-001").p_value
    assert full < damped < 1e-10
