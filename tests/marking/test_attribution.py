"""Accusations: the guilty are named, with evidence that combines across artifacts."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headstart.marking import Codebook, Leak, PartnerScore, attribute, simulate

from .helpers import make_book


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 3000), eps_exp=st.integers(2, 12), seed=st.integers(0, 2**32))
def test_a_single_leaker_with_a_clean_copy_is_accused_from_log2_n_over_eps_slots(n, eps_exp, seed):
    eps = 10.0**-eps_exp
    m = math.ceil(math.log2(n / eps))
    partners = [f"p{i}" for i in range(n)]
    leaker = partners[seed % n]
    # design_coalition=1: uniform binary symbols, one bit of evidence per slot
    book = Codebook(seed.to_bytes(8, "big"), "clean", [2] * m, partners, design_coalition=1)
    result = attribute(book, Leak(book.codeword(leaker)), threshold=eps, coalition=False)
    assert leaker in result.accused
    assert result.for_partner(leaker).family_p_value <= eps
    shorter = Codebook(seed.to_bytes(8, "big"), "clean", [2] * (m - 1), partners, design_coalition=1)
    # one slot fewer: even a perfect match is not rare enough among n partners, under any score
    assert leaker not in attribute(shorter, Leak(shorter.codeword(leaker)), threshold=eps).accused
    # With the coalition score (the default), two innocents who happen to match the leak
    # well can look like accomplices; the leaker then pays at most the slot score's share,
    # a factor 5 (under 3 bits), so three slots more always suffice.
    longer = Codebook(seed.to_bytes(8, "big"), "clean", [2] * (m + 3), partners, design_coalition=1)
    assert leaker in attribute(longer, Leak(longer.codeword(leaker)), threshold=eps).accused


@pytest.mark.parametrize("attack", simulate.ATTACKS[:6])
@pytest.mark.parametrize("score", ["llr", "tardos"])
def test_a_coalition_of_three_is_caught_under_every_attack(partners_500, attack, score):
    book = make_book(77, [2] * 900, partners_500)
    gang = simulate.coalition(book, 3, rng=77)
    result = attribute(book, simulate.leak(book, gang, attack, rng=78), threshold=1e-6, score=score)
    assert result.accused and set(result.accused) <= set(gang)
    assert result.score_name == score


def test_unrestricted_coalition_is_caught_on_q4_slots():
    """Three colluders who, where their symbols differ, write a valid symbol none of them
    received never match there; scored against interleaving they were never caught (0 of 60
    at this size). The leak's own symbols give the attack away (unheld symbols are the
    rare ones), and the weights follow."""
    partners = [f"partner-{i:03d}" for i in range(300)]
    caught = 0
    for seed in range(10):
        book = make_book(500 + seed, [4] * 600, partners)
        gang = simulate.coalition(book, 3, rng=seed)
        result = attribute(book, simulate.leak(book, gang, "unrestricted", rng=seed), threshold=1e-6)
        assert set(result.accused) <= set(gang)
        caught += bool(result.accused)
    assert caught == 10


def test_q_ary_and_binary_slots_mix(partners_500):
    book = make_book(5, [2] * 300 + [3] * 60 + [4] * 60 + [8] * 30 + [40] * 5, partners_500)
    gang = simulate.coalition(book, 2, rng=5)
    result = attribute(book, simulate.leak(book, gang, "interleave", rng=6))
    assert result.accused and set(result.accused) <= set(gang)
    qary_only = np.where(np.asarray(book.alphabet_sizes) > 2, simulate.leak(book, gang, rng=6).symbols, -1)
    assert set(attribute(book, Leak(qary_only)).accused) <= set(gang)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32), c=st.integers(1, 2),
       layout=st.lists(st.sampled_from([2, 2, 2, 3, 4, 8]), min_size=900, max_size=900))
def test_colluders_are_caught_on_any_mix_of_binary_and_q_ary_slots(partners_500, seed, c, layout):
    book = make_book(seed, layout, partners_500[:200])
    gang = simulate.coalition(book, c, rng=seed)
    result = attribute(book, simulate.leak(book, gang, "interleave", rng=seed), threshold=1e-6)
    assert result.accused and set(result.accused) <= set(gang)


def test_accused_are_exactly_those_at_or_below_the_threshold(partners_500):
    book = make_book(9, [2] * 400, partners_500)
    gang = simulate.coalition(book, 4, rng=9)
    result = attribute(book, simulate.leak(book, gang, "random", rng=9), threshold=1e-4)
    assert result.accused == [r.partner for r in result.ranking if r.family_p_value <= 1e-4]
    assert result.partners_considered == 500 and result.positions_read == 400 and result.threshold == 1e-4
    for row in result.ranking:
        assert row.family_p_value == pytest.approx(min(1.0, row.p_value * 500))
        assert row.method in ("exact", "chernoff")
    p = [r.p_value for r in result.ranking]
    assert p == sorted(p)


def test_ranking_rows_unpack_as_partner_score_p_and_family_p(partners_500):
    book = make_book(10, [2] * 200, partners_500[:20])
    row = attribute(book, simulate.leak(book, ["partner-003"], rng=1)).ranking[0]
    assert isinstance(row, PartnerScore)
    partner, score, p, family = row
    assert (partner, score, p, family) == (row.partner, row.score, row.p_value, row.family_p_value)
    assert row[0] == "partner-003" and len(row) == 4


def test_a_partner_who_leaks_twice_is_caught_with_less_per_leak(partners_500):
    first = make_book(21, [2] * 160, partners_500)
    second = make_book(22, [2] * 160, partners_500)
    gang = ["partner-010", "partner-020", "partner-030"]
    leaks = [simulate.leak(b, gang, "interleave", rng=i) for i, b in enumerate((first, second))]
    single = [attribute(b, lk, threshold=1e-6) for b, lk in zip((first, second), leaks, strict=True)]
    both = attribute(list(zip((first, second), leaks, strict=True)), threshold=1e-6)
    best_single = min(r.ranking[0].p_value for r in single)
    assert both.ranking[0].partner in gang
    assert both.ranking[0].p_value < best_single
    assert both.positions_read == 320 and both.partners_considered == 500


def test_combined_scores_add_up_and_absent_partners_get_nothing_from_a_book(partners_500):
    one = make_book(31, [2] * 200, partners_500[:50])
    two = make_book(32, [2] * 150 + [4] * 10, partners_500[25:80])  # 25 shared partners
    leak_one = simulate.leak(one, ["partner-030"], rng=1)
    leak_two = simulate.leak(two, ["partner-030"], rng=2)
    both = attribute([(one, leak_one), (two, leak_two)])
    alone_one, alone_two = attribute(one, leak_one), attribute(two, leak_two)
    assert both.partners_considered == 80
    for name in ("partner-030", "partner-040"):  # in both books
        assert both.for_partner(name).score == pytest.approx(
            alone_one.for_partner(name).score + alone_two.for_partner(name).score)
    assert both.for_partner("partner-005").score == pytest.approx(alone_one.for_partner("partner-005").score)
    assert both.for_partner("partner-070").score == pytest.approx(alone_two.for_partner("partner-070").score)
    assert both.accused[0] == "partner-030"


def test_combined_p_values_of_innocents_are_valid(partners_500):
    rng = np.random.default_rng(3)
    pooled = []
    for seed in range(6):
        a = make_book(200 + seed, [2] * 60, partners_500[:300])
        b = make_book(300 + seed, [2] * 50 + [3] * 10, partners_500[200:])
        la = Leak(rng.integers(0, 2, 60))
        lb = Leak(np.array([rng.integers(0, q) for q in b.alphabet_sizes]))
        pooled += [r.p_value for r in attribute([(a, la), (b, lb)]).ranking]
    p = np.array(pooled)
    for alpha in (0.2, 0.05, 0.01):
        assert np.count_nonzero(p <= alpha) <= alpha * p.size + 4.5 * np.sqrt(alpha * p.size) + 1


def test_a_leak_may_be_given_as_a_plain_array(partners_500):
    book = make_book(40, [2] * 100, partners_500[:10])
    symbols = book.codeword("partner-004")
    assert attribute(book, symbols).ranking == attribute(book, Leak(symbols)).ranking


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**32), cut=st.integers(40, 399), attack=st.sampled_from(simulate.ATTACKS[:5]))
def test_a_leak_erased_after_slot_m_scores_like_a_code_of_length_m(partners_500, seed, cut, attack):
    """The LLR's online attack estimate uses only earlier slots, so evidence is prefix-stable."""
    layout = [2] * 380 + [4] * 20
    long_book = make_book(seed, layout, partners_500[:100])
    short_book = make_book(seed, layout[:cut], partners_500[:100])
    leak = simulate.leak(long_book, simulate.coalition(long_book, 3, rng=seed), attack, rng=seed)
    tail_erased = np.where(np.arange(400) < cut, leak.symbols, -1)
    a = attribute(long_book, Leak(tail_erased))
    b = attribute(short_book, Leak(leak.symbols[:cut]))
    assert [(r.partner, r.p_value) for r in a.ranking] == [(r.partner, r.p_value) for r in b.ranking]
    assert [r.score for r in a.ranking] == pytest.approx([r.score for r in b.ranking])


def test_overwhelming_evidence_gives_a_tiny_but_positive_p_value(partners_500):
    """2^-3000 underflows a double; the reported bound must stay a true upper bound (> 0)."""
    book = Codebook(b"k" * 32, "long", [2] * 3000, partners_500[:20], design_coalition=1)
    top = attribute(book, Leak(book.codeword("partner-007"))).ranking[0]
    assert top.partner == "partner-007" and 0.0 < top.p_value <= 1e-299
