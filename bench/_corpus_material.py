"""The corpus as bench/corpus.py sees it: write-ups, PoCs and advisories built with the
product's carriers, each with a real codebook for 100 partners, copies rendered on demand.

An advisory is one corpus folder: its write-up (exploit.md; bleedingtooth/writeup.md,
zenbleed/README.md) and its PoC (exploit.c; zenbleed/zenbleed.c), as the corpus README
suggests. Carriers come from headstart.carriers.carrier_for exactly as delivery builds them;
a file whose carrier cannot be built is kept with the reason, never dropped silently.
Reading and attribution are _carriers_advisory.read and judge_readings (headstart.marking's
attribute through _pvalues.judge).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from _carriers_advisory import PARTNERS, Artifact, Material, judge_readings, read
from _pvalues import Verdict

from headstart.carriers import Reading, carrier_for
from headstart.marking import Codebook, design_for
from headstart.samples import SAMPLE_DIR

KEY = hashlib.sha256(b"headstart bench/corpus.py program key").digest()
DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
PYTHON_POC = SAMPLE_DIR / "poc_tim_overflow.py"


@dataclass
class Built:
    """One corpus file and its carrier, or why it has none."""

    path: str  # relative to the corpus (the Python PoC: relative to the repository's samples)
    kind: str  # writeup, poc-source
    family: str  # prose, c, python
    artifact: Artifact | None
    note: str = ""  # why there is no carrier, or what it found
    build_s: float = 0.0
    _copies: dict[int, Material] = field(default_factory=dict)

    @property
    def slots(self) -> int:
        return len(self.artifact.carrier.slots) if self.artifact else 0

    @property
    def bits(self) -> float:
        return float(self.artifact.log2q.sum()) if self.artifact else 0.0

    def codeword(self, partner: int) -> np.ndarray:
        assert self.artifact is not None
        return self.artifact.book.codeword(PARTNERS[partner])

    def copy(self, partner: int) -> str:
        """Partner ``partner``'s copy (an index into PARTNERS), rendered once."""
        assert self.artifact is not None
        if partner not in self._copies:
            self._copies[partner] = self.artifact.render(self.codeword(partner))
        copy = self._copies[partner]
        assert isinstance(copy, str)
        return copy

    def original_text(self) -> str:
        assert self.artifact is not None
        return self.artifact.original.decode("utf-8")


def build(corpus: Path, relative: str, kind: str, advisory: str, original: bytes | None = None) -> Built:
    """carrier_for on the file, a Codebook for 100 partners (delivery's design); the
    failure, if any, as a note."""
    path = corpus / relative if original is None else Path(relative)
    data = path.read_bytes() if original is None else original
    family = "prose" if kind == "writeup" else ("python" if path.suffix == ".py" else "c")
    t0 = time.perf_counter()
    try:
        carrier = carrier_for(kind, path.name, data)
    except Exception as exc:  # noqa: BLE001 - whatever the carrier raises is this file's note, not a crash
        return Built(relative, kind, family, None, f"no carrier: {type(exc).__name__}: {exc}"[:240],
                     time.perf_counter() - t0)
    build_s = time.perf_counter() - t0
    book = Codebook(KEY, f"{advisory}/{path.name}/v1", carrier.alphabet_sizes, PARTNERS,
                    design_coalition=design_for(carrier.alphabet_sizes))
    artifact = Artifact(relative, path.name, kind, family, data, carrier, book)
    return Built(relative, kind, family, artifact, "", build_s)


def writeup_paths(corpus: Path) -> list[str]:
    """Every corpus write-up, each alone: vulnerability.md and exploit.md of each CVE folder,
    bleedingtooth/writeup.md, zenbleed/README.md."""
    out = []
    for folder in sorted(p for p in corpus.iterdir() if p.is_dir() and p.name.startswith("CVE-")):
        out += [f"{folder.name}/{name}" for name in ("vulnerability.md", "exploit.md") if (folder / name).exists()]
    return [*out, "bleedingtooth/writeup.md", "zenbleed/README.md"]


def advisory_plan(corpus: Path) -> dict[str, tuple[str, str]]:
    """folder -> (write-up, PoC), each relative to the corpus."""
    plan = {
        folder.name: (f"{folder.name}/exploit.md", f"{folder.name}/exploit.c")
        for folder in sorted(p for p in corpus.iterdir() if p.is_dir() and p.name.startswith("CVE-"))
    }
    plan["bleedingtooth"] = ("bleedingtooth/writeup.md", "bleedingtooth/exploit.c")
    plan["zenbleed"] = ("zenbleed/README.md", "zenbleed/zenbleed.c")
    return plan


class Corpus:
    """Every file the benchmark needs, each built once, on first use."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._built: dict[tuple[str, str], Built] = {}
        self.advisories = advisory_plan(root)

    def advisory_of(self, relative: str) -> str:
        return "CORPUS-" + relative.split("/")[0]

    def get(self, relative: str, kind: str) -> Built:
        key = (relative, kind)
        if key not in self._built:
            if relative == "samples/poc_tim_overflow.py":
                self._built[key] = build(self.root, str(PYTHON_POC), kind, "HS-2026-0001", PYTHON_POC.read_bytes())
                self._built[key].path = relative
            else:
                self._built[key] = build(self.root, relative, kind, self.advisory_of(relative))
        return self._built[key]

    def writeup(self, relative: str) -> Built:
        return self.get(relative, "writeup")

    def poc(self, relative: str) -> Built:
        return self.get(relative, "poc-source")

    def advisory(self, folder: str) -> list[Built]:
        writeup, poc = self.advisories[folder]
        return [self.writeup(writeup), self.poc(poc)]

    def built(self) -> list[Built]:
        return list(self._built.values())


@dataclass
class Investigation:
    """A leak read by every carrier of an advisory and attributed over all of them at once."""

    verdict: Verdict
    readings: dict[str, dict]  # file -> slots, read, right, wrong, problem


def investigate(files: list[Built], leak: str, guilty: set[int]) -> Investigation:
    """What `headstart investigate` does with a leak of one advisory, in the pure libraries:
    every file of the advisory with a carrier reads the leak, and attribute() combines every
    reading that shows evidence into one family-wise bound over the 100 partners. The
    product's matcher is not applied: it reads only the files it matches, so a file the leak
    did not come from reads noise here (a lower score for the leaker, never an innocent
    accused), and a file the matcher would miss is read here anyway."""
    pairs: list[tuple[Codebook, Reading]] = []
    rows: dict[str, dict] = {}
    guilty_ids = {PARTNERS[i] for i in guilty}
    for built in files:
        if built.artifact is None:
            rows[built.path] = {"slots": 0, "problem": built.note}
            continue
        reading, problem = read(built.artifact, leak)
        pairs.append((built.artifact.book, reading))
        rows[built.path] = reading_row(built, reading, guilty, problem)
    return Investigation(judge_readings(pairs, guilty_ids), rows)


def reading_row(built: Built, reading: Reading, guilty: set[int], problem: str | None = None) -> dict:
    """Slots read, read right (a guilty partner's symbol), wrong, and the robust bits."""
    seen = (reading.symbols >= 0) & (reading.confidence > 0)
    right = np.zeros_like(seen)
    for partner in guilty:
        right |= seen & (reading.symbols == built.codeword(partner))
    assert built.artifact is not None
    return {
        "slots": built.slots,
        "read": int(seen.sum()),
        "right": int(right.sum()),
        "wrong": int((seen & ~right).sum()),
        "robust_bits": float(built.artifact.log2q[right].sum()),
        "problem": problem or "",
    }
