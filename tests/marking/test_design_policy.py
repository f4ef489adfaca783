"""Each artifact's codebook design follows from its capacity: short artifacts uniform, long ones c = 3."""

from __future__ import annotations

import pytest

from headstart.marking import Codebook, MarkingError, design_for


def test_a_short_artifact_takes_the_uniform_design() -> None:
    assert design_for([2] * 300) == 2


def test_an_artifact_of_2048_bits_takes_the_collusion_design() -> None:
    assert design_for([2] * 2047) == 2
    assert design_for([2] * 2048) == 3


def test_the_policy_counts_bits_not_slots() -> None:
    assert design_for([4] * 1024) == 3  # 1,024 four-way slots hold 2,048 bits
    assert design_for([4] * 1023) == 2


def test_the_uniform_design_gives_every_symbol_the_same_chance() -> None:
    book = Codebook(b"k" * 32, "HS-1/writeup.md/v1", [2, 3, 4], ["a"], design_coalition=design_for([2, 3, 4]))
    for q, bias in zip((2, 3, 4), book.biases, strict=True):
        assert bias.tolist() == pytest.approx([1 / q] * q, abs=1e-9)


@pytest.mark.parametrize("sizes", [[2, "x"], None, [-1]])
def test_bad_alphabet_sizes_are_refused(sizes: object) -> None:
    with pytest.raises(MarkingError):
        design_for(sizes)  # type: ignore[arg-type]
