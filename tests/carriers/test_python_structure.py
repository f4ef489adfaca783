"""Python copies reorder independent top-level statements; a retyped leak still reads the order."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import numpy as np
import pytest
from marking.helpers import random_codeword

import headstart.samples
from headstart.carriers._line_orders import read_runs
from headstart.carriers._python_structure import find_runs, leak_statements
from headstart.carriers.base import ERASED
from headstart.carriers.python_source import PythonCarrier
from headstart.leaks.code import retype_python

SOURCE = (Path(headstart.samples.__file__).parent / "tim_overflow" / "poc_tim_overflow.py").read_text()


@pytest.fixture(scope="module")
def carrier() -> PythonCarrier:
    return PythonCarrier(SOURCE)


def order_slots(carrier: PythonCarrier) -> np.ndarray:
    return np.array([s.key.startswith("order:") for s in carrier.slots])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_retyped_copy_reads_the_order_of_its_statements(carrier, seed):
    cw = random_codeword(carrier, 30 + seed)
    leak = retype_python(carrier.render(cw).decode(), seed=seed)
    reading = carrier.read(leak)
    read = reading.symbols != ERASED
    assert np.array_equal(reading.symbols[read], cw[read])
    order = order_slots(carrier)
    assert np.all(read[order])
    bits = sum(math.log2(s.q) for s, ok in zip(carrier.slots, read & order, strict=True) if ok)
    assert bits > 16


def test_the_first_lines_of_a_copy_read_the_start_of_each_order(carrier):
    cw = random_codeword(carrier, 40)
    lines = carrier.render(cw).decode().splitlines(keepends=True)
    reading = carrier.read("".join(lines[:60]))
    read = reading.symbols != ERASED
    assert np.array_equal(reading.symbols[read], cw[read])
    assert np.all(read[order_slots(carrier)])  # the imports and constants come first


def test_a_copy_with_a_constant_deleted_reads_no_order_of_its_block(carrier):
    cw = random_codeword(carrier, 41)
    lines = carrier.render(cw).decode().splitlines(keepends=True)
    del lines[next(k for k, line in enumerate(lines) if line.startswith("CHUNK_RLE = "))]
    reading = carrier.read("".join(lines))
    keys = [s.key for s in carrier.slots]
    block = [k for k, key in enumerate(keys) if key.startswith("order:1:")]
    assert block and all(reading.symbols[k] == ERASED for k in block)
    read = reading.symbols != ERASED
    assert np.array_equal(reading.symbols[read], cw[read])


def test_only_one_line_imports_and_constants_of_one_block_trade_places():
    source = (
        "import os\nimport sys\n\nA = 1\nB = A + 1\nC = 3\nD = (\n    4,\n)\nE = 5\n\n\n"
        "def f(x=None):\n    return x\n\n\ndef g():\n    return f()\n"
    )
    runs = find_runs(ast.parse(source), source)
    # B reads A; D spans lines (a line-by-line mix of two copies would not parse); functions
    # keep their place.
    assert [(r.kind, len(r.blocks)) for r in runs] == [("import", 2)]


def test_copies_mixed_line_by_line_still_parse(carrier):
    a, b = random_codeword(carrier, 90), random_codeword(carrier, 91)
    la = carrier.render(a).decode().splitlines(keepends=True)
    lb = carrier.render(b).decode().splitlines(keepends=True)
    for seed in range(5):
        rng = np.random.default_rng(seed)
        ast.parse("".join(x if rng.random() < 0.5 else y for x, y in zip(la, lb, strict=True)))


def test_a_leak_that_does_not_parse_reads_no_order():
    source = "import os\nimport sys\n"
    runs = find_runs(ast.parse(source), source)
    assert read_runs(leak_statements("import sys\n  import os\n)"), runs) == [[None]]


def test_every_copy_runs_like_the_original(carrier, tmp_path):
    for seed in range(5):
        copy = carrier.render(random_codeword(carrier, 50 + seed)).decode()
        namespace: dict[str, object] = {"__name__": "poc"}
        exec(compile(copy, "<copy>", "exec"), namespace)
        out = tmp_path / f"poc{seed}.tim"
        assert namespace["main"](["-o", str(out)]) == 0
        assert out.read_bytes()[:4] == b"TIM1"
