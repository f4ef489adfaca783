"""Keyed derivation: deterministic, key-separated, independent of who else is in the book."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from headstart.marking import Codebook

keys = st.binary(min_size=1, max_size=48)
scopes = st.text(min_size=1, max_size=40)
partner_ids = st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=8, unique=True)
layouts = st.lists(st.sampled_from([2, 2, 2, 3, 4, 7, 40]), min_size=1, max_size=60)


@settings(max_examples=40, deadline=None)
@given(key=keys, scope=scopes, partners=partner_ids, layout=layouts, coalition=st.integers(1, 12))
def test_the_same_inputs_always_give_the_same_codewords(key, scope, partners, layout, coalition):
    one = Codebook(key, scope, layout, partners, design_coalition=coalition)
    two = Codebook(key, scope, layout, list(reversed(partners)), design_coalition=coalition)
    for p in partners:
        assert np.array_equal(one.codeword(p), two.codeword(p))
        assert np.array_equal(one.codeword(p), one.codewords()[partners.index(p)])
    for a, b in zip(one.biases, two.biases, strict=True):
        assert np.array_equal(a, b)


@settings(max_examples=40, deadline=None)
@given(key=keys, scope=scopes, partners=partner_ids, layout=layouts, coalition=st.integers(1, 12))
def test_symbols_lie_in_each_slots_alphabet_and_biases_are_distributions(key, scope, partners, layout, coalition):
    book = Codebook(key, scope, layout, partners, design_coalition=coalition)
    words = book.codewords()
    assert words.shape == (len(partners), len(layout))
    assert np.all(words < np.asarray(layout))
    for q, bias in zip(layout, book.biases, strict=True):
        assert bias.shape == (q,)
        assert np.all(bias > 0)
        assert abs(bias.sum() - 1.0) < 1e-12


def test_adding_partners_changes_no_existing_codeword():
    small = Codebook(b"k" * 32, "HS-2026-0001/writeup/v1", [2] * 300 + [4] * 20, ["a", "b"])
    large = Codebook(b"k" * 32, "HS-2026-0001/writeup/v1", [2] * 300 + [4] * 20, ["z", "b", "c", "a", "d"])
    assert np.array_equal(small.codeword("a"), large.codeword("a"))
    assert np.array_equal(small.codewords()[1], large.codewords()[1])


def test_a_longer_layout_keeps_the_earlier_slots():
    short = Codebook(b"k" * 32, "scope", [2] * 100, ["a"])
    longer = Codebook(b"k" * 32, "scope", [2] * 100 + [3] * 50, ["a"])
    assert np.array_equal(short.codeword("a"), longer.codeword("a")[:100])
    assert all(np.array_equal(x, y) for x, y in zip(short.biases, longer.biases[:100], strict=True))


def test_different_keys_scopes_and_partners_give_independent_codewords():
    layout = [2] * 4000
    base = Codebook(b"key one", "scope", layout, ["a", "b"]).codeword("a")
    # Another key or scope draws new biases too: symbols then agree with probability
    # E[p p' + (1-p)(1-p')] = 1/2. Another partner of the same book shares the biases:
    # E[p^2 + (1-p)^2] = 0.711 for the c = 3 design. Identical codewords would agree always.
    for other, expected in [
        (Codebook(b"key two", "scope", layout, ["a"]).codeword("a"), 0.5),
        (Codebook(b"key one", "scope2", layout, ["a"]).codeword("a"), 0.5),
        (Codebook(b"key one", "scope", layout, ["a", "b"]).codeword("b"), 0.711),
    ]:
        assert abs(float(np.mean(base == other)) - expected) < 0.04


def test_different_keys_give_different_biases():
    a = Codebook(b"key one", "scope", [2] * 500, ["a"]).biases
    b = Codebook(b"key two", "scope", [2] * 500, ["a"]).biases
    assert sum(np.array_equal(x, y) for x, y in zip(a, b, strict=True)) < 400  # two support points only


def test_symbol_frequencies_follow_the_biases():
    book = Codebook(b"k" * 32, "freq", [2] * 20 + [4] * 20, [f"p{i}" for i in range(4000)])
    words = book.codewords()
    for slot, bias in enumerate(book.biases):
        freq = np.bincount(words[:, slot], minlength=bias.size) / words.shape[0]
        sd = np.sqrt(bias * (1 - bias) / words.shape[0])
        assert np.all(np.abs(freq - bias) < 5 * sd + 1e-9)


def test_the_key_fingerprint_names_the_key_without_revealing_it():
    key = b"a very secret marking key 123456"
    book = Codebook(key, "s", [2], ["a"])
    assert book.key_fingerprint == Codebook(key, "other", [3], ["b"]).key_fingerprint
    assert book.key_fingerprint != Codebook(key + b"!", "s", [2], ["a"]).key_fingerprint
    assert key.hex() not in book.key_fingerprint and "secret" not in repr(book)


def test_design_coalition_sets_the_bias_distribution():
    uniform = Codebook(b"k", "s", [2] * 50 + [5] * 5, ["a"], design_coalition=1).biases
    assert all(np.allclose(b, 1 / b.size) for b in uniform)
    three = {round(float(b[1]), 4) for b in Codebook(b"k", "s", [2] * 200, ["a"]).biases}
    assert three == {0.1754, 0.8246}
    arcsine = np.array([b[1] for b in Codebook(b"k", "s", [2] * 2000, ["a"], design_coalition=12).biases])
    assert arcsine.min() >= 1 / 600 - 1e-9 and arcsine.max() <= 1 - 1 / 600 + 1e-9
    assert len(np.unique(arcsine)) > 1900
