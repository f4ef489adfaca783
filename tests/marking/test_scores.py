"""Slot weights: q-ary slots follow the attack a leak shows, from the leak and the biases alone."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headstart.marking import Leak, _scores, attribute, simulate
from headstart.marking._attribution import slot_lattice
from headstart.marking._scores import lattice_step

from .helpers import make_book


def _weights(book, leak):
    sl = slot_lattice(book, leak, "llr", lattice_step("llr", book.design_coalition))
    return sl.signed, sl.offset


def test_an_unrestricted_leak_reweighs_biased_q_ary_slots_after_the_first_block(partners_500, monkeypatch):
    book = make_book(61, [4] * 300, partners_500[:50])
    leak = simulate.leak(book, simulate.coalition(book, 3, rng=61), "unrestricted", rng=61)
    adaptive, _ = _weights(book, leak)
    monkeypatch.setattr(_scores, "ADAPTIVE", False)
    interleaving, _ = _weights(book, leak)
    assert np.array_equal(adaptive[:16], interleaving[:16])  # nothing seen yet: interleaving
    changed = adaptive[16:] != interleaving[16:]
    assert changed.mean() > 0.9
    # against the unrestricted attack a rare leaked symbol is the colluders' choice, not
    # their copy: holding it stops counting for a partner, or counts against it
    assert (adaptive[16:] < 0).any()


def test_uniform_q_ary_slots_keep_the_interleaving_weights(partners_500, monkeypatch):
    """With uniform biases every attack shows each symbol equally often: the leak cannot
    tell an unrestricted coalition from interleaving, so the weights stay those of the
    universal interleaving decoder."""
    book = make_book(62, [4] * 300, partners_500[:50], coalition=2)
    leak = simulate.leak(book, simulate.coalition(book, 3, rng=62), "unrestricted", rng=62)
    adaptive = _weights(book, leak)
    monkeypatch.setattr(_scores, "ADAPTIVE", False)
    fixed = _weights(book, leak)
    assert np.array_equal(adaptive[0], fixed[0]) and adaptive[1] == pytest.approx(fixed[1])


@pytest.mark.parametrize("attack", ["interleave", "random"])
def test_attacks_that_keep_to_the_colluders_symbols_stay_scored_against_interleaving(
        partners_500, monkeypatch, attack):
    """Interleaving and uniform choice show each symbol about as often as the biases say,
    so the estimate stays at (or next to) no unheld symbols: the weights barely move."""
    book = make_book(63, [4] * 400, partners_500[:50])
    leak = simulate.leak(book, simulate.coalition(book, 3, rng=63), attack, rng=63)
    adaptive, _ = _weights(book, leak)
    monkeypatch.setattr(_scores, "ADAPTIVE", False)
    interleaving, _ = _weights(book, leak)
    assert np.mean(adaptive == interleaving) > 0.8


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**32), cut=st.integers(20, 299),
       attack=st.sampled_from(["unrestricted", "interleave", "minority"]))
def test_a_q_ary_leak_erased_after_slot_m_scores_like_a_code_of_length_m(partners_500, seed, cut, attack):
    """The unheld-symbol estimate uses only earlier slots, so q-ary evidence is prefix-stable."""
    layout = [4] * 250 + [3] * 30 + [2] * 20
    long_book = make_book(seed, layout, partners_500[:100])
    short_book = make_book(seed, layout[:cut], partners_500[:100])
    leak = simulate.leak(long_book, simulate.coalition(long_book, 3, rng=seed), attack, rng=seed)
    a = attribute(long_book, Leak(np.where(np.arange(300) < cut, leak.symbols, -1)))
    b = attribute(short_book, Leak(leak.symbols[:cut]))
    assert [(r.partner, r.p_value) for r in a.ranking] == [(r.partner, r.p_value) for r in b.ranking]
    assert [r.score for r in a.ranking] == pytest.approx([r.score for r in b.ranking])


def test_alphabets_above_256_keep_the_interleaving_weights(partners_500, monkeypatch):
    """Their bias vectors are never expanded for the unheld-symbol estimate."""
    book = make_book(64, [300] * 40 + [4] * 200, partners_500[:30])
    leak = simulate.leak(book, simulate.coalition(book, 3, rng=64), "unrestricted", rng=64)
    adaptive, _ = _weights(book, leak)
    monkeypatch.setattr(_scores, "ADAPTIVE", False)
    interleaving, _ = _weights(book, leak)
    assert np.array_equal(adaptive[:40], interleaving[:40])
    assert (adaptive[56:] != interleaving[56:]).mean() > 0.9  # the 4-ary slots after their first block
