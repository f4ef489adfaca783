"""The sample advisory's write-up and guidance, carriers built once (random codewords: tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import headstart.samples
from headstart.carriers.prose import ProseCarrier

SAMPLE = Path(headstart.samples.__file__).parent / "tim_overflow"


@pytest.fixture(scope="session")
def writeup_text() -> str:
    return (SAMPLE / "writeup.md").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def guidance_text() -> str:
    return (SAMPLE / "guidance.md").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def writeup(writeup_text: str) -> ProseCarrier:
    return ProseCarrier(writeup_text)


@pytest.fixture(scope="session")
def guidance(guidance_text: str) -> ProseCarrier:
    return ProseCarrier(guidance_text)


def _wrong_and_read(carrier: ProseCarrier, leak: str | bytes, codeword: list[int]) -> tuple[int, int]:
    reading = carrier.read(leak)
    read = reading.symbols != -1
    wrong = read & (reading.symbols != np.asarray(codeword))
    return int(wrong.sum()), int(read.sum())


@pytest.fixture(scope="session")
def wrong_and_read():
    """wrong_and_read(carrier, leak, codeword) -> (symbols read wrongly, symbols read)."""
    return _wrong_and_read
