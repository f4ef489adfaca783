"""Marks in a Python PoC survive the leak paths of the battery: the real formatters,
comment stripping, renaming by a leaker, and excerpts."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
from marking.helpers import random_codeword

import headstart.samples
from headstart.carriers._lexers import lex_python
from headstart.carriers._python_structure import fingerprint
from headstart.carriers.base import ERASED
from headstart.carriers.python_source import PythonCarrier
from headstart.leaks.code import keep_half_python_definitions, rename_python_identifiers, transforms_for

SOURCE = (Path(headstart.samples.__file__).parent / "tim_overflow" / "poc_tim_overflow.py").read_text()
FORMATTERS = ["black", "ruff-format", "autopep8", "autopep8-aggressive", "strip-comments-python"]


@pytest.fixture(scope="module")
def carrier() -> PythonCarrier:
    return PythonCarrier(SOURCE)


@pytest.mark.parametrize("name", FORMATTERS)
def test_formatted_copies_read_back_with_no_wrong_symbol(carrier, name):
    transform = transforms_for("python")[name]
    for seed in (1, 2):
        cw = random_codeword(carrier, seed)
        reading = carrier.read(transform(carrier.render(cw).decode()))
        read = reading.symbols != ERASED
        assert np.array_equal(reading.symbols[read], cw[read]), name
        assert reading.read >= 0.9 * len(cw), name


def test_robust_capacity_after_black_is_at_least_one_bit_per_five_lines(carrier):
    black = transforms_for("python")["black"]
    cw = random_codeword(carrier, 3)
    reading = carrier.read(black(carrier.render(cw).decode()))
    bits = sum(np.log2(carrier.slots[i].q) for i in np.flatnonzero(reading.symbols == cw))
    assert bits >= SOURCE.count("\n") / 5


def test_renaming_some_identifiers_erases_only_their_slots(carrier):
    cw = random_codeword(carrier, 4)
    copy = carrier.render(cw).decode()
    leak = rename_python_identifiers(copy, share=0.3, seed=5)
    reading = carrier.read(leak)
    read = reading.symbols != ERASED
    assert np.array_equal(reading.symbols[read], cw[read])
    before = [t.text for t in lex_python(copy) if t.kind == "name"]
    after = [t.text for t in lex_python(leak) if t.kind == "name"]
    changed = {a for a, b in zip(before, after, strict=True) if a != b}
    assert changed
    for i in np.flatnonzero(~read):
        assert carrier.slots[i].alternatives[cw[i]] in changed, carrier.slots[i].key
    assert reading.read >= 0.5 * len(cw)


@pytest.mark.parametrize("keep", [0, 1])
def test_an_excerpt_of_half_the_functions_reads_those_functions_slots(carrier, keep):
    cw = random_codeword(carrier, 6 + keep)
    excerpt = keep_half_python_definitions(carrier.render(cw).decode(), keep)
    reading = carrier.read(excerpt)
    read = reading.symbols != ERASED
    assert np.array_equal(reading.symbols[read], cw[read])
    # Every other function of the copy, whose order may differ from the original's.
    shown = {fingerprint(n) for n in ast.parse(excerpt).body}
    kept = {
        n.name for n in ast.parse(SOURCE).body if isinstance(n, ast.FunctionDef) and fingerprint(n) in shown
    }
    assert len(kept) == 5
    inside = [
        i
        for i, s in enumerate(carrier.slots)
        if s.key.startswith("name:<module>.") and s.key.split(".")[1] in kept
    ]
    assert inside and all(reading.symbols[i] == cw[i] for i in inside)
