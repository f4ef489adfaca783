"""Bad input raises MarkingError (a ValueError) with a message that says what is wrong."""

import numpy as np
import pytest

from headstart.marking import (
    Codebook,
    Leak,
    MarkingError,
    attribute,
    commitment,
    match_exact_copy,
    simulate,
    verify_commitment,
)

KEY = b"k" * 32


@pytest.fixture()
def book() -> Codebook:
    return Codebook(KEY, "HS-1/writeup", [2] * 10 + [4] * 2, ["a", "b", "c"])


def test_marking_error_is_a_value_error():
    assert issubclass(MarkingError, ValueError)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"key": b""}, "key is empty"),
        ({"key": "text key"}, "key must be bytes"),
        ({"scope": ""}, "scope"),
        ({"alphabet_sizes": []}, "at least one slot"),
        ({"alphabet_sizes": [2, 1, 2]}, "q >= 2"),
        ({"alphabet_sizes": [2, 0]}, "q >= 2"),
        ({"alphabet_sizes": [2, 2.5]}, "not an integer"),
        ({"alphabet_sizes": [2, 1 << 20]}, "at most"),
        ({"partners": []}, "at least one partner"),
        ({"partners": ["a", "b", "a"]}, "duplicate partner id 'a'"),
        ({"partners": ["a", ""]}, "non-empty strings"),
        ({"partners": "abc"}, "not a single string"),
        ({"design_coalition": 0}, "design_coalition"),
    ],
)
def test_bad_codebook_arguments_are_refused(kwargs, message):
    args = {"key": KEY, "scope": "s", "alphabet_sizes": [2, 2], "partners": ["a", "b"]} | kwargs
    with pytest.raises(MarkingError, match=message):
        Codebook(**args)


def test_unknown_partner_is_refused(book):
    with pytest.raises(MarkingError, match="unknown partner 'zed'"):
        book.codeword("zed")
    result = attribute(book, Leak(np.zeros(12, dtype=int)))
    with pytest.raises(MarkingError, match="unknown partner 'zed'"):
        result.for_partner("zed")


@pytest.mark.parametrize(
    "symbols, confidence, message",
    [
        ([[0, 1], [1, 0]], None, "1-D"),
        ([0.5, 1.0], None, "integers"),
        ([0, -2, 1], None, "negative"),
        ([0, 1, 1], [1.0, 0.5], "shape"),
        ([0, 1], [1.0, 1.5], r"\[0, 1\]"),
        ([0, 1], [1.0, float("nan")], r"\[0, 1\]"),
    ],
)
def test_bad_leaks_are_refused(symbols, confidence, message):
    with pytest.raises(MarkingError, match=message):
        Leak(symbols, confidence)


def test_a_leak_of_the_wrong_length_is_refused(book):
    with pytest.raises(MarkingError, match="11 slots but the codebook 'HS-1/writeup' has 12"):
        attribute(book, Leak(np.zeros(11, dtype=int)))


def test_a_symbol_outside_the_slots_alphabet_is_refused(book):
    symbols = np.zeros(12, dtype=int)
    symbols[3] = 2
    with pytest.raises(MarkingError, match=r"symbol 2 at slot 3 is outside 0\.\.1"):
        attribute(book, Leak(symbols))


@pytest.mark.parametrize("symbols, confidence", [([-1] * 12, None), ([0] * 12, [0.0] * 12)])
def test_an_empty_leak_is_refused(book, symbols, confidence):
    with pytest.raises(MarkingError, match="shows no slot"):
        attribute(book, Leak(symbols, confidence))


def test_a_zero_length_leak_is_refused(book):
    with pytest.raises(MarkingError, match="0 slots"):
        attribute(book, Leak([]))


@pytest.mark.parametrize("threshold", [0, 1, -0.1, 1.5, float("nan"), "0.01", True])
def test_thresholds_outside_zero_one_are_refused(book, threshold):
    with pytest.raises(MarkingError, match="threshold"):
        attribute(book, Leak(np.zeros(12, dtype=int)), threshold=threshold)


def test_unknown_scores_and_malformed_pair_lists_are_refused(book):
    leak = Leak(np.zeros(12, dtype=int))
    with pytest.raises(MarkingError, match="unknown score 'gauss'"):
        attribute(book, leak, score="gauss")
    with pytest.raises(MarkingError, match="no \\(book, leak\\) pairs"):
        attribute([])
    with pytest.raises(MarkingError, match="pair 1 is not"):
        attribute([(book, leak), (leak, book)])
    with pytest.raises(MarkingError, match="leak is missing"):
        attribute(book)
    with pytest.raises(MarkingError, match="not both"):
        attribute([(book, leak)], leak)
    with pytest.raises(MarkingError, match="pair 0: the leak shows no slot"):
        attribute([(book, Leak([-1] * 12)), (book, leak)])


def test_the_same_scope_twice_is_refused_as_it_is_not_independent_evidence(book):
    leak = Leak(np.zeros(12, dtype=int))
    twin = Codebook(KEY, "HS-1/writeup", [2] * 12, ["a", "b"])
    with pytest.raises(MarkingError, match="same scope 'HS-1/writeup'"):
        attribute([(book, leak), (twin, leak)])
    other_key = Codebook(b"another key", "HS-1/writeup", [2] * 12, ["a", "b"])
    assert attribute([(book, leak), (other_key, leak)]).partners_considered == 3


def test_bad_commitment_and_copy_inputs_are_refused(book):
    with pytest.raises(MarkingError, match="Codebook"):
        commitment("not a book")
    with pytest.raises(MarkingError, match="hex string"):
        verify_commitment(book, 1234)
    with pytest.raises(MarkingError, match="bytes"):
        match_exact_copy("text", {})
    with pytest.raises(MarkingError, match="not a SHA-256 hex digest"):
        match_exact_copy(b"x", {"a": "abc"})


def test_bad_simulation_arguments_are_refused(book):
    with pytest.raises(MarkingError, match="unknown attack"):
        simulate.leak(book, ["a"], "median")
    with pytest.raises(MarkingError, match="erasure_rate"):
        simulate.leak(book, ["a"], erasure_rate=1.5)
    with pytest.raises(MarkingError, match="coalition size"):
        simulate.coalition(book, 4)
    with pytest.raises(MarkingError, match="unknown partner"):
        simulate.leak(book, ["nobody"])
