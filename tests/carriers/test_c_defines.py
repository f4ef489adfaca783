"""The order of a block of #define lines as a mark in C copies: the same program in every
order, and read back from a retyped copy by the shape of each line."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import numpy as np
import pytest
from marking.helpers import random_codeword

from headstart.carriers._c_defines import find_define_runs
from headstart.carriers.base import ERASED
from headstart.carriers.c_source import CCarrier
from headstart.leaks.code import retype_c

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
needs_tools = pytest.mark.skipif(
    shutil.which("gcc") is None or shutil.which("clang-format") is None,
    reason="gcc and clang-format are needed",
)

SOURCE = textwrap.dedent(
    """
    #include <stdio.h>

    /* offsets */
    #define OFF_A 0x10
    #define OFF_B 0x28
    #define OFF_C (OFF_A + 8)
    #define OFF_D 0x40

    #define SIZE 64
    #define COUNT 3

    int main(void) {
        int total = OFF_A + OFF_B + OFF_C + OFF_D;
        printf("%d %d\\n", total, SIZE * COUNT);
        return 0;
    }
    """
)


def define_slots(carrier: CCarrier) -> np.ndarray:
    return np.array([s.key.startswith("defines:") for s in carrier.slots])


def test_adjacent_defines_form_runs_and_blank_lines_keep_the_authors_blocks():
    runs = find_define_runs(SOURCE)
    assert [len(r.blocks) for r in runs] == [4, 2]


def test_function_like_continued_and_look_alike_defines_break_a_run():
    source = "#define A 1\n#define F(x) ((x) + 1)\n#define B 2\n#define C \\\n  3\n#define D 2\n#define E 4\n"
    # F is function-like, C continues on the next line; D and E form the only run.
    assert [[b[0] for b in r.blocks] for r in find_define_runs(source)] == [[5, 6]]
    assert find_define_runs("#define A 32\n#define B 32\n") == []  # alike once renamed


@needs_tools
def test_copies_reorder_the_defines_and_compile_to_the_same_code():
    carrier = CCarrier(SOURCE)
    assert carrier.compiler_check.startswith("gcc -O0: the original and ")
    assert define_slots(carrier).sum() == 3 + 1
    copies = {carrier.render(random_codeword(carrier, seed)).decode() for seed in range(8)}
    assert len({tuple(line for line in c.splitlines() if line.startswith("#define")) for c in copies}) > 4


@needs_tools
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_retyped_copy_reads_the_order_of_its_defines(seed):
    carrier = CCarrier(SOURCE)
    cw = random_codeword(carrier, 60 + seed)
    reading = carrier.read(retype_c(carrier.render(cw).decode(), seed=seed))
    read = reading.symbols != ERASED
    assert np.array_equal(reading.symbols[read], cw[read])
    assert np.all(read[define_slots(carrier)])


@needs_tools
def test_a_copy_missing_a_define_reads_nothing_of_its_run():
    carrier = CCarrier(SOURCE)
    cw = random_codeword(carrier, 70)
    lines = carrier.render(cw).decode().splitlines(keepends=True)
    del lines[next(k for k, line in enumerate(lines) if line.startswith("#define OFF_B"))]
    reading = carrier.read("".join(lines))
    first_run = [k for k, s in enumerate(carrier.slots) if s.key.startswith("defines:0:")]
    assert all(reading.symbols[k] == ERASED for k in first_run)
    read = reading.symbols != ERASED
    assert np.array_equal(reading.symbols[read], cw[read])


@needs_tools
@pytest.mark.skipif(not (CORPUS / "CVE-2023-52433_mitigation").is_dir(), reason="the corpus is not here")
def test_the_first_lines_of_a_corpus_poc_read_its_defines_orders():
    source = (CORPUS / "CVE-2023-52433_mitigation" / "exploit.c").read_text()
    carrier = CCarrier(source)
    cw = random_codeword(carrier, 80)
    copy = carrier.render(cw).decode()
    reading = carrier.read("".join(copy.splitlines(keepends=True)[:160]))
    read = reading.symbols != ERASED
    assert np.array_equal(reading.symbols[read], cw[read])
    assert np.all(read[define_slots(carrier)])
