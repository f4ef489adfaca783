"""Every text leak path against the prose carrier, on the sample write-up and guidance.

Misreads are what matters: a transformed copy must read back with (almost) no wrong
symbols, and with most of the slots that are still in the leak read.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from marking.helpers import random_codeword

import headstart.samples
from headstart.carriers.prose import ProseCarrier
from headstart.leaks.text import TEXT_TRANSFORMS, paragraphs

SAMPLE = Path(headstart.samples.__file__).parent / "tim_overflow"
EXCERPTS = {"excerpt_paragraphs_50", "excerpt_paragraphs_20", "excerpt_lines_50", "excerpt_window_30"}


@pytest.fixture(scope="module", params=["writeup.md", "guidance.md"])
def carrier(request) -> ProseCarrier:
    return ProseCarrier((SAMPLE / request.param).read_text(encoding="utf-8"))


def kept_slots(carrier: ProseCarrier, cw: np.ndarray, copy: str, leak: str) -> set[int]:
    """Slots every occurrence of which lies in a paragraph or line the excerpt kept."""
    pieces = paragraphs(leak) + [ln for ln in leak.splitlines() if ln.strip()]
    present: dict[int, bool] = {}
    for slot, start, end in carrier.slot_spans(list(cw)):
        line_start = copy.rfind("\n", 0, start) + 1
        line_end = copy.find("\n", end)
        line = copy[line_start : line_end if line_end >= 0 else len(copy)]
        inside = any(line.strip() and line.strip() in p for p in pieces)
        present[slot] = present.get(slot, True) and inside
    return {s for s, ok in present.items() if ok}


@pytest.mark.parametrize("name", sorted(TEXT_TRANSFORMS))
def test_a_transformed_copy_reads_back_with_almost_no_wrong_symbols(carrier, name):
    for seed in (0, 1):
        cw = random_codeword(carrier, seed)
        copy = carrier.render_text(list(cw))
        leak = TEXT_TRANSFORMS[name](copy, seed=seed)
        reading = carrier.read(leak)
        read = reading.symbols != -1
        wrong = read & (reading.symbols != cw)
        assert wrong.sum() <= max(1, 0.02 * read.sum()), f"{name}: {wrong.sum()} wrong of {read.sum()}"
        if name in EXCERPTS:
            expected = kept_slots(carrier, cw, copy, leak)
            assert len(expected) > 0
            assert read[list(expected)].mean() >= 0.9, name
        else:
            assert read.mean() >= 0.97, f"{name}: read {read.mean():.2f}"


def test_the_wrong_share_over_the_whole_battery_is_zero_on_the_samples(carrier):
    wrong_total = read_total = 0
    for f in TEXT_TRANSFORMS.values():
        cw = random_codeword(carrier, 7)
        reading = carrier.read(f(carrier.render_text(list(cw)), seed=7))
        read = reading.symbols != -1
        wrong_total += int((read & (reading.symbols != cw)).sum())
        read_total += int(read.sum())
    assert read_total > 1000
    assert wrong_total == 0
