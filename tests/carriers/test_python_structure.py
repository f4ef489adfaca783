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
    assert bits > 38


def test_the_first_lines_of_a_copy_read_the_start_of_each_order(carrier):
    cw = random_codeword(carrier, 40)
    lines = carrier.render(cw).decode().splitlines(keepends=True)
    reading = carrier.read("".join(lines[:60]))
    read = reading.symbols != ERASED
    assert np.array_equal(reading.symbols[read], cw[read])
    assert np.count_nonzero(read & order_slots(carrier)) >= 10  # imports, constants, first functions


def test_a_copy_with_a_function_deleted_reads_no_order_of_the_functions(carrier):
    cw = random_codeword(carrier, 41)
    copy = carrier.render(cw).decode()
    lines = copy.splitlines(keepends=True)
    fourth = [s for s in ast.parse(copy).body if isinstance(s, ast.FunctionDef)][3]
    del lines[fourth.lineno - 1 : fourth.end_lineno]
    reading = carrier.read("".join(lines))
    keys = [s.key for s in carrier.slots]
    functions = [k for k, key in enumerate(keys) if key.startswith("order:3:")]
    assert functions and all(reading.symbols[k] == ERASED for k in functions)
    read = reading.symbols != ERASED
    assert np.array_equal(reading.symbols[read], cw[read])


def test_statements_that_depend_on_each_other_stay_in_order():
    source = (
        "import os\nimport sys\n\nA = 1\nB = A + 1\nC = 3\n\n\n"
        "def f(x=None):\n    return x\n\n\ndef g(y=f):\n    return y\n\n\ndef h():\n    return g()\n"
    )
    runs = find_runs(ast.parse(source), source)
    assert [(r.kind, len(r.blocks)) for r in runs] == [("import", 2)]  # B reads A; g's default reads f


def test_a_def_whose_default_reads_a_later_function_ends_the_run():
    source = "def f():\n    return 1\n\n\ndef g():\n    return 2\n\n\ndef h(x=f):\n    return x\n"
    runs = find_runs(ast.parse(source), source)
    assert [len(r.blocks) for r in runs] == [2]


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
