"""Simulated attacks respect the marking assumption; noise does what its rate says."""

import numpy as np
import pytest

from headstart.marking import simulate

from .helpers import make_book


@pytest.mark.parametrize("attack", simulate.RESTRICTED)
def test_colluders_only_output_symbols_they_hold(partners_500, attack):
    book = make_book(1, [2] * 300 + [3] * 50 + [5] * 50, partners_500[:30])
    gang = simulate.coalition(book, 3, rng=1)
    words = np.stack([book.codeword(p) for p in gang])
    leak = simulate.leak(book, gang, attack, rng=2)
    assert np.all((words == leak.symbols).any(axis=0))


def test_majority_minority_and_fixed_attacks_choose_as_named(partners_500):
    book = make_book(2, [2] * 400, partners_500[:30])
    gang = simulate.coalition(book, 3, rng=3)
    ones = np.stack([book.codeword(p) for p in gang]).sum(axis=0)
    assert np.array_equal(simulate.leak(book, gang, "majority", rng=1).symbols, (ones >= 2).astype(int))
    minority = simulate.leak(book, gang, "minority", rng=1).symbols
    assert np.array_equal(minority[(ones == 1) | (ones == 2)], (ones[(ones == 1) | (ones == 2)] == 1).astype(int))
    assert np.array_equal(simulate.leak(book, gang, "all-ones", rng=1).symbols, (ones > 0).astype(int))
    assert np.array_equal(simulate.leak(book, gang, "all-zero", rng=1).symbols, (ones == 3).astype(int))


def test_unrestricted_colluders_write_a_symbol_none_of_them_holds_where_they_differ(partners_500):
    book = make_book(5, [4] * 400 + [2] * 100, partners_500[:30])
    gang = simulate.coalition(book, 3, rng=4)
    words = np.stack([book.codeword(p) for p in gang])
    leak = simulate.leak(book, gang, "unrestricted", rng=5).symbols
    unanimous = (words == words[0]).all(axis=0)
    q4 = np.arange(500) < 400
    assert np.array_equal(leak[unanimous], words[0][unanimous])  # nothing to see there: kept
    contested = ~unanimous & q4
    assert contested.sum() > 100
    assert not (words[:, contested] == leak[contested]).any()  # never one of their own
    assert leak[q4].max() <= 3
    # binary slots where they differ hold both symbols: one of them, as the assumption says
    binary = ~unanimous & ~q4
    assert (words[:, binary] == leak[binary]).any(axis=0).all()


def test_erasures_and_flips_follow_their_rates(partners_500):
    book = make_book(3, [2] * 5000 + [4] * 5000, partners_500[:10])
    clean = simulate.leak(book, ["partner-001"], rng=1)
    noisy = simulate.leak(book, ["partner-001"], rng=1, erasure_rate=0.2, flip_rate=0.1)
    erased = noisy.symbols == -1
    assert abs(erased.mean() - 0.2) < 0.02
    changed = noisy.symbols[~erased] != clean.symbols[~erased]
    assert abs(changed.mean() - 0.1) < 0.015
    assert noisy.positions_read == int((~erased).sum())


def test_coalitions_are_distinct_partners_of_the_book(partners_500):
    book = make_book(4, [2] * 10, partners_500)
    gang = simulate.coalition(book, 7, rng=9)
    assert len(set(gang)) == 7 and set(gang) <= set(book.partners)
    assert gang == simulate.coalition(book, 7, rng=9)
