"""The fictional sample advisory shipped for the demo, the tests and the benchmarks."""

from __future__ import annotations

from pathlib import Path

SAMPLE_DIR = Path(__file__).parent / "tim_overflow"
