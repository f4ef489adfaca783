"""Look-alike functions whose order a leak does not settle: their names are read only where
either order gives the same reading, never from the other function's tokens."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from headstart.carriers.base import ERASED
from headstart.carriers.c_source import CCarrier

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
POC = CORPUS / "CVE-2023-4569_lts" / "exploit.c"
pytestmark = [
    pytest.mark.skipif(not POC.is_file(), reason="the corpus is not here"),
    pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed"),
]


@pytest.fixture(scope="module")
def carrier() -> CCarrier:
    return CCarrier(POC.read_text(), compiler_check=False)


@pytest.mark.parametrize("seed", range(4))
def test_a_copy_and_its_first_lines_read_no_wrong_symbol_when_look_alike_functions_traded_places(
    carrier, seed
):
    pair = next(
        k
        for k, s in enumerate(carrier.slots)
        if s.where.startswith("definitions of nl_callback_leak_ops and")
    )
    rng = np.random.default_rng(seed)
    cw = np.array([int(rng.integers(s.q)) for s in carrier.slots])
    cw[pair] = 1
    copy = carrier.render(cw).decode()
    lines = copy.splitlines(keepends=True)
    for leak in (copy, "".join(lines[: math.ceil(0.4 * len(lines))])):
        reading = carrier.read(leak)
        read = reading.symbols != ERASED
        assert np.array_equal(reading.symbols[read], cw[read])


ZENBLEED = CORPUS / "zenbleed" / "zenbleed.c"


@pytest.mark.skipif(not ZENBLEED.is_file(), reason="the corpus is not here")
def test_a_leak_cut_inside_a_moved_function_lends_no_name_to_a_look_alike_further_down():
    carrier = CCarrier(ZENBLEED.read_text(), compiler_check=False)
    pair = next(
        k for k, s in enumerate(carrier.slots) if s.where.startswith("definitions of thread_leak_consumer")
    )
    rng = np.random.default_rng(4)
    cw = np.array([int(rng.integers(s.q)) for s in carrier.slots])
    cw[pair] = 1  # the producer first; the first 40% ends inside the consumer
    lines = carrier.render(cw).decode().splitlines(keepends=True)
    reading = carrier.read("".join(lines[: math.ceil(0.4 * len(lines))]))
    read = reading.symbols != ERASED
    assert np.array_equal(reading.symbols[read], cw[read])
