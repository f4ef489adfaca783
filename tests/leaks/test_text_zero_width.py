"""The zero-width-character baseline (text-blind-watermark's encoding), on the same leak paths."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import headstart.samples
from headstart.leaks.text import (
    TEXT_TRANSFORMS,
    strip_format_characters,
    zero_width_embed,
    zero_width_extract,
)

WRITEUP = (Path(headstart.samples.__file__).parent / "tim_overflow" / "writeup.md").read_text(
    encoding="utf-8"
)
BITS = [int(b) for b in np.random.default_rng(3).integers(0, 2, 61)]


def test_zero_width_marks_are_invisible():
    marked = zero_width_embed(WRITEUP, BITS)
    assert marked != WRITEUP
    assert strip_format_characters(marked) == WRITEUP


def test_zero_width_marks_read_back_exactly():
    reading = zero_width_extract(zero_width_embed(WRITEUP, BITS), len(BITS))
    assert reading.symbols.tolist() == BITS
    assert (reading.confidence == 1).all()


def test_the_package_decodes_our_marks():
    # Faithful to text-blind-watermark: its own extractor reads the first copy we embed.
    from text_blind_watermark import TextBlindWatermark

    from headstart.leaks.text import ZW_KEY, _bits_to_bytes

    marked = zero_width_embed(WRITEUP, BITS)
    assert TextBlindWatermark(pwd=ZW_KEY).extract(marked) == _bits_to_bytes(BITS)


def test_a_different_key_reads_noise_not_the_marks():
    marked = zero_width_embed(WRITEUP, BITS)
    other = zero_width_extract(marked, len(BITS), key=b"another program")
    assert other.symbols.tolist() != BITS


def test_stripping_format_characters_erases_every_zero_width_bit():
    reading = zero_width_extract(strip_format_characters(zero_width_embed(WRITEUP, BITS)), len(BITS))
    assert reading.read == 0


@pytest.mark.parametrize("name", sorted(TEXT_TRANSFORMS))
def test_zero_width_marks_are_never_misread(name):
    leak = TEXT_TRANSFORMS[name](zero_width_embed(WRITEUP, BITS), seed=1)
    reading = zero_width_extract(leak, len(BITS))
    read = reading.symbols != -1
    assert (reading.symbols[read] == np.asarray(BITS)[read]).all()


def test_bits_must_be_bits():
    with pytest.raises(ValueError):
        zero_width_embed(WRITEUP, [0, 1, 2])
