"""Colluders mixing their copies are caught; material that came from no copy accuses nobody."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from investigation_helpers import accused, tar_bytes, zip_bytes

from headstart.leaks import binary as binary_leaks
from headstart.leaks.code import black_format, clang_format
from headstart.leaks.mixing import mix_lines, mix_paragraphs
from headstart.leaks.text import forum_repost, rewrap
from headstart.samples import SAMPLE_DIR

pytestmark = pytest.mark.django_db
COLLUDERS = ("Bravo IPS", "Echo Security")
TEXT_FILES = ("writeup.md", "guidance.md", "tim-procedure.md", "poc_tim_overflow.py", "poc_tim_overflow.c")


@pytest.mark.slow
def test_two_colluders_mixing_the_whole_advisory_are_caught_and_no_innocent_is_named(delivered, investigate_leak):
    copies = {f: [delivered.text(p, f) for p in COLLUDERS] for f in TEXT_FILES}
    spec = (SAMPLE_DIR / "tim.ksy.yaml").read_text()
    leaked = {
        "writeup.txt": rewrap(mix_paragraphs(copies["writeup.md"], seed=1)),
        "guidance.txt": forum_repost(mix_paragraphs(copies["guidance.md"], seed=2)),
        "procedure.md": mix_lines(copies["tim-procedure.md"], seed=3),
        "poc.py": black_format(mix_lines(copies["poc_tim_overflow.py"], seed=4)),
        "poc.c": clang_format(mix_lines(copies["poc_tim_overflow.c"], seed=5)),
        "crash.tim": binary_leaks.mix_fields(spec, [delivered.copy(p, "poc.tim") for p in COLLUDERS], seed=6),
    }
    result = investigate_leak(("dump.tar.gz", tar_bytes({n: d.encode() if isinstance(d, str) else d
                                                         for n, d in leaked.items()})))
    named = accused(result)
    assert named and set(named) <= set(COLLUDERS)
    assert len(result["artifacts"]) == 6 and result["partners_considered"] == 6


def test_two_colluders_mixing_only_the_writeup_byte_for_byte_in_the_binary_are_not_mistaken_for_others(
        delivered, investigate_leak):
    writeup = mix_lines([delivered.text(p, "writeup.md") for p in COLLUDERS], seed=9)
    poc = binary_leaks.mix_bytes([delivered.copy(p, "poc.tim") for p in COLLUDERS], seed=9)
    result = investigate_leak(("w.md", writeup), ("p.tim", poc))
    assert accused(result) and set(accused(result)) <= set(COLLUDERS)


def test_the_unmarked_originals_accuse_nobody(delivered, investigate_leak):
    originals = {f: (SAMPLE_DIR / f).read_bytes()
                 for f in ("writeup.md", "guidance.md", "poc_tim_overflow.py", "poc_tim_overflow.c", "poc.tim")}
    result = investigate_leak(("originals.zip", zip_bytes(originals)))
    assert result["advisory"] == "HS-2026-0001"
    assert {a["file"] for a in result["artifacts"]} == {"writeup.md", "guidance.md", "poc_tim_overflow.py",
                                                         "poc_tim_overflow.c", "poc.tim"}
    assert result["positions_read"] > 1000 and result["partners_considered"] == 6
    assert accused(result) == [] and result["exact_match"] is None
    assert "Nobody is accused" in result["verdict"]


def test_unrelated_documents_match_nothing_and_accuse_nobody(delivered, investigate_leak):
    docs = Path(__file__).resolve().parents[3] / "docs"
    unrelated = [("trigger-spec.md", (docs / "trigger-spec.md").read_bytes()),
                 ("notes.txt", "Meeting notes: the quarterly review moved to Thursday; bring the slides.\n" * 20),
                 ("random.bin", os.urandom(5000)),
                 ("hello.c", '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n')]
    result = investigate_leak(*unrelated)
    assert result["advisory"] is None and result["advisories"] == []
    assert accused(result) == [] and result["ranking"] == [] and result["partners_considered"] == 0
    assert all(p["matches"] == [] for p in result["pieces"])
    assert "matches none of the program's advisories" in result["verdict"]
