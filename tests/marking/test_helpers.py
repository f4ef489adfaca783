"""The coalition score: each partner scored given its two strongest fellow suspects."""

import itertools

import numpy as np
import pytest

from headstart.marking import Codebook, Leak, MarkingError, attribute, simulate
from headstart.marking._helpers import CANDIDATES, SHARES, _judge_helpers, _prepare, helper_weights
from headstart.marking._pvalues import tail_p_values

PARTNERS = [f"partner-{i:03d}" for i in range(100)]


def _uniform_book(seed: int, m: int, partners=PARTNERS) -> Codebook:
    return Codebook(seed.to_bytes(8, "big") * 4, f"helpers/{seed}", [2] * m, partners, design_coalition=2)


def test_an_innocents_helper_p_value_is_exact_over_every_codeword_it_could_hold():
    """For a fixed leak and fixed helpers, enumerate every codeword an innocent could hold
    (each with its probability): the share with p <= alpha is at most alpha, for every alpha."""
    rng = np.random.default_rng(3)
    m = 10
    for _ in range(20):
        q = rng.integers(2, 4, m)
        y, a, c = (rng.integers(0, q) for _ in range(3))
        probs = [rng.dirichlet(np.ones(int(s))) for s in q]
        pi = np.array([p[s] for p, s in zip(probs, y, strict=True)])
        pa = np.array([p[s] for p, s in zip(probs, a, strict=True)])
        pc = np.array([p[s] for p, s in zip(probs, c, strict=True)])
        k, flip = helper_weights(y, a, c, pi, pa, pc, np.ones(m))
        pi_high = np.where(flip, 1 - pi, pi)
        earned, chance = [], []
        for x in itertools.product(*[range(int(s)) for s in q]):
            xa = np.array(x)
            earned.append(int(k[np.where(flip, xa != y, xa == y)].sum()))
            chance.append(float(np.prod([p[s] for p, s in zip(probs, xa, strict=True)])))
        p, _ = tail_p_values(k, pi_high, np.array(earned))
        chance_arr = np.array(chance)
        for alpha in np.unique(p):
            assert chance_arr[p <= alpha].sum() <= alpha * (1 + 1e-9)


def test_innocents_p_values_stay_calibrated_when_colluders_are_strong_helpers():
    """Coalitions of three with strong evidence, so every partner's helpers are suspects:
    over all innocents, the count at p <= alpha stays within Binomial(N, alpha)'s range."""
    innocent = []
    for seed in range(12):
        book = _uniform_book(seed, 300)
        gang = simulate.coalition(book, 3, rng=seed)
        attack = ("interleave", "majority", "random")[seed % 3]
        result = attribute(book, simulate.leak(book, gang, attack, rng=seed))
        assert set(result.accused) <= set(gang)
        innocent += [row.p_value for row in result.ranking if row.partner not in gang]
    p = np.array(innocent)
    for alpha in (0.5, 0.1, 0.02):
        mean = alpha * p.size
        assert np.count_nonzero(p <= alpha) <= mean + 4.5 * np.sqrt(mean) + 1


def test_the_coalition_score_names_interleaving_colluders_the_slot_score_misses():
    named_slot = named_both = 0
    for seed in range(20):
        book = _uniform_book(seed, 160)
        gang = simulate.coalition(book, 3, rng=seed)
        leak = simulate.leak(book, gang, "interleave", rng=seed)
        slot_only = attribute(book, leak, coalition=False)
        both = attribute(book, leak)
        assert set(both.accused) <= set(gang)
        named_slot += bool(slot_only.accused)
        named_both += bool(both.accused)
    assert named_both >= named_slot + 4


def test_a_partner_with_suspect_helpers_pays_the_bonferroni_share_even_when_not_rescored():
    book = _uniform_book(7, 300, [f"partner-{i:03d}" for i in range(500)])
    gang = simulate.coalition(book, 3, rng=7)
    leak = simulate.leak(book, gang, "majority", rng=7)
    slot_only = attribute(book, leak, coalition=False)
    both = attribute(book, leak)
    ranked = [row.partner for row in slot_only.ranking]
    # beyond the rescored candidates (its helpers are the top two), suspicious enough to show the division
    last = next(p for p in ranked[CANDIDATES:] if slot_only.for_partner(p).p_value < 0.1)
    p = slot_only.for_partner(last).p_value
    assert both.for_partner(last).p_value == min(1.0, p / (1 - SHARES[0]))
    assert both.for_partner(last).helpers == ()
    rescored = [row for row in both.ranking if row.helpers]
    assert rescored and all(set(row.helpers) <= set(ranked[:3]) for row in rescored)


def test_a_leak_of_unanimous_units_leaves_the_larger_share_to_the_slot_score():
    """Colluders who delete whatever differs show only symbols all of them hold."""
    book = _uniform_book(19, 300)
    gang = simulate.coalition(book, 3, rng=19)
    words = np.stack([book.codeword(p) for p in gang])
    unanimous = np.where((words == words[0]).all(axis=0), words[0], -1)
    assert _judge_helpers((gang[1], gang[2]), _prepare([(book, Leak(unanimous))])) == SHARES[1]
    mixed = simulate.leak(book, gang, "interleave", rng=19)
    assert _judge_helpers((gang[1], gang[2]), _prepare([(book, mixed)])) == SHARES[0]


def test_a_single_leaker_keeps_its_slot_score_p_value():
    """Alone, a leaker's fellow suspects are innocents, who rarely look like accomplices."""
    book = _uniform_book(11, 60)
    leak = simulate.leak(book, ["partner-042"], "interleave", rng=11)
    slot_only = attribute(book, leak, coalition=False)
    both = attribute(book, leak)
    assert both.accused == ["partner-042"]
    assert both.for_partner("partner-042").p_value == slot_only.for_partner("partner-042").p_value


def test_only_partners_whose_helpers_look_like_accomplices_get_the_second_score():
    book = _uniform_book(13, 300)
    gang = simulate.coalition(book, 3, rng=13)
    coalition_leak = simulate.leak(book, gang, "majority", rng=13)
    single_leak = simulate.leak(book, [gang[0]], "interleave", rng=13)
    innocents = tuple(p for p in PARTNERS if p not in gang)[:2]
    assert _judge_helpers((gang[1], gang[2]), _prepare([(book, coalition_leak)])) is not None
    assert _judge_helpers((innocents[0], innocents[1]), _prepare([(book, single_leak)])) is None


def test_coalition_must_be_a_boolean():
    book = _uniform_book(17, 40)
    leak = simulate.leak(book, ["partner-001"], "interleave", rng=17)
    with pytest.raises(MarkingError, match="coalition must be True or False"):
        attribute(book, leak, coalition="yes")
