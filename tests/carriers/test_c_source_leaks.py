"""Marks in a C PoC survive the leak paths of the battery: clang-format in every
predefined style, comment stripping, renaming by a leaker, and excerpts."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from marking.helpers import random_codeword

import headstart.samples
from headstart.carriers.base import ERASED
from headstart.carriers.c_source import CCarrier
from headstart.carriers.source_syntax import lex_c
from headstart.leaks.code import c_function_spans, keep_half_c_functions, rename_c_identifiers, transforms_for

SOURCE = (Path(headstart.samples.__file__).parent / "tim_overflow" / "poc_tim_overflow.c").read_text()
PATHS = [
    "clang-format-llvm",
    "clang-format-google",
    "clang-format-gnu",
    "clang-format-webkit",
    "clang-format-mozilla",
    "strip-comments-c",
]


@pytest.fixture(scope="module")
def carrier() -> CCarrier:
    return CCarrier(SOURCE)


@pytest.mark.parametrize("name", PATHS)
def test_formatted_copies_read_back_exactly(carrier, name):
    transform = transforms_for("c")[name]
    for seed in (1, 2):
        cw = random_codeword(carrier, seed)
        reading = carrier.read(transform(carrier.render(cw).decode()))
        assert np.array_equal(reading.symbols, cw), name


def test_formatting_then_stripping_comments_still_reads_everything(carrier):
    paths = transforms_for("c")
    cw = random_codeword(carrier, 3)
    leak = paths["strip-comments-c"](paths["clang-format-gnu"](carrier.render(cw).decode()))
    assert np.array_equal(carrier.read(leak).symbols, cw)


def test_renaming_some_identifiers_erases_only_their_slots(carrier):
    cw = random_codeword(carrier, 4)
    copy = carrier.render(cw).decode()
    leak = rename_c_identifiers(copy, share=0.3, seed=6)
    reading = carrier.read(leak)
    read = reading.symbols != ERASED
    assert np.array_equal(reading.symbols[read], cw[read])
    before = [t.text for t in lex_c(copy) if t.kind == "name"]
    after = [t.text for t in lex_c(leak) if t.kind == "name"]
    changed = {a for a, b in zip(before, after, strict=True) if a != b}
    for i in np.flatnonzero(~read):
        assert carrier.slots[i].alternatives[cw[i]] in changed, carrier.slots[i].key
    assert reading.read >= 0.5 * len(cw)


@pytest.mark.parametrize("keep", [0, 1])
def test_an_excerpt_of_half_the_functions_reads_those_functions_slots(carrier, keep):
    cw = random_codeword(carrier, 7 + keep)
    copy = carrier.render(cw).decode()
    excerpt = keep_half_c_functions(copy, keep)
    reading = carrier.read(excerpt)
    read = reading.symbols != ERASED
    assert np.array_equal(reading.symbols[read], cw[read])
    # The copy may define its functions in another order, under other static names.
    original_name = carrier.renamed_symbols(cw)
    names = [re.search(r"(\w+)\s*\(", copy[a:b]).group(1) for a, b in c_function_spans(copy)]
    kept = {original_name.get(n, n) for n in names[keep::2]}
    inside = [
        i
        for i, s in enumerate(carrier.slots)
        if s.key.startswith("name:") and s.key[5:].split(".")[0] in kept
    ]
    assert inside and all(reading.symbols[i] == cw[i] for i in inside)
