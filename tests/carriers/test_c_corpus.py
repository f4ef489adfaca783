"""The C carrier on the real PoCs of ../shared/corpus: every one gets a carrier, copies of
those that compile here compile to the original's code, and a retyped copy (other names,
clang-format, no comments) still reads its structure and never a wrong symbol."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from headstart.carriers._c_compile import check_codewords, compile_error, object_code
from headstart.carriers.base import ERASED
from headstart.carriers.c_source import CCarrier
from headstart.carriers.source_syntax import lex_c
from headstart.leaks.code import retype_c

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
POCS = [
    *sorted(CORPUS.glob("CVE-*/exploit.c")),
    CORPUS / "bleedingtooth" / "exploit.c",
    CORPUS / "zenbleed" / "zenbleed.c",
]
needs_tools = pytest.mark.skipif(
    not (shutil.which("gcc") and shutil.which("objdump") and shutil.which("clang-format")),
    reason="gcc, objdump and clang-format are needed",
)


def test_the_corpus_has_its_fourteen_c_pocs():
    assert len(POCS) == 14 and all(p.exists() for p in POCS), "the corpus of ../shared/corpus is missing"


@needs_tools
@pytest.mark.parametrize("path", POCS, ids=lambda p: p.parent.name)
def test_every_corpus_c_poc_gets_a_carrier(path):
    carrier = CCarrier(path.read_text())
    kinds = {k for k in carrier.struct_kinds() if k}
    assert len(carrier.slots) >= 20
    assert {"commute", "definitions"} <= kinds
    compiles = compile_error(path.read_text()) is None
    assert carrier.compiler_check.startswith("gcc -O0" if compiles else "not compiled")


@needs_tools
@pytest.mark.parametrize("path", POCS, ids=lambda p: p.parent.name)
def test_copies_compile_to_the_same_code_as_the_original(path):
    source = path.read_text()
    if compile_error(source) is not None:
        # Most need headers a machine may lack (libmnl, libnl, keyutils, bluez, liburing...).
        pytest.skip(f"{path.parent.name} does not compile here: {compile_error(source)}")
    carrier = CCarrier(source, compiler_check=False)
    original = object_code(source)
    for codeword in check_codewords(carrier.alphabet_sizes, seed=7, random_ones=3):
        code = object_code(carrier.render(codeword).decode(), renamed=carrier.renamed_symbols(codeword))
        assert set(code) == set(original)
        differing = {s for s in original if code[s] != original[s]}
        # Only a function holding a reordered operand, flipped branch or swapped assignment
        # may compile to other instructions (their analysis proves them; see _c_structure).
        allowed = {f".text.{f}" for f in carrier.functions_changed_by_analysis(codeword)}
        assert differing <= allowed


@needs_tools
def test_the_compiler_check_notices_a_copy_that_is_another_program():
    source = (CORPUS / "CVE-2023-4623_lts_cos" / "exploit.c").read_text()
    changed = source.replace("rta->rta_len = RTA_LENGTH(len);", "rta->rta_len = RTA_LENGTH(len) - 1;")
    assert changed != source
    assert object_code(changed)[".text.add_rtattr"] != object_code(source)[".text.add_rtattr"]


@needs_tools
@pytest.mark.parametrize("name", ["CVE-2023-4623_lts_cos", "CVE-2023-52433_mitigation", "zenbleed"])
def test_retyped_copy_reads_structural_slots_and_no_wrong_name_symbols(name):
    path = CORPUS / name / ("zenbleed.c" if name == "zenbleed" else "exploit.c")
    carrier = CCarrier(path.read_text(), compiler_check=False)
    kinds = carrier.struct_kinds()
    rng = np.random.default_rng(11)
    codeword = np.array([rng.integers(s.q) for s in carrier.slots])
    leak = retype_c(carrier.render(codeword).decode(), seed=2)
    reading = carrier.read(leak)
    read = reading.symbols != ERASED
    assert np.array_equal(reading.symbols[read], codeword[read]), "a wrong symbol was read"
    structural = np.array([k is not None for k in kinds])
    assert np.mean(reading.symbols[structural] == codeword[structural]) >= 0.75
    names = np.array([s.key.startswith("name:") for s in carrier.slots])
    leaked_names = {t.text for t in lex_c(leak) if t.kind == "name"}
    for i in np.flatnonzero(names & read):
        assert carrier.slots[i].alternatives[codeword[i]] in leaked_names
