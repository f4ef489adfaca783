"""The hand-made German translations of corpus write-ups (tests/fixtures/corpus_leaks),
each made into one partner's leak as the benchmark makes it
(``headstart.leaks.translation.leak_for_copy``), read by the write-up's prose carrier."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from headstart.carriers.prose import ProseCarrier
from headstart.leaks.translation import leak_for_copy
from headstart.marking import Codebook, Leak, attribute, design_for

TESTS = Path(__file__).resolve().parents[2]
CORPUS = TESTS.parents[1] / "shared" / "corpus"
FIXTURES = TESTS / "fixtures" / "corpus_leaks"
PARTNERS = [f"partner-{i:03d}" for i in range(100)]
ENTRIES = {e["fixture"]: e for e in json.loads((FIXTURES / "fixtures.json").read_text(encoding="utf-8"))}
TRANSLATIONS = sorted(name for name, e in ENTRIES.items() if e["kind"] == "translation")


@cache
def material(fixture: str) -> tuple[ProseCarrier, Codebook, str, str]:
    entry = ENTRIES[fixture]
    original = (CORPUS / entry["source"]).read_text(encoding="utf-8")
    carrier = ProseCarrier(original)
    sizes = [s.q for s in carrier.slots]
    book = Codebook(
        b"corpus-fixture-key", f"HS-TEST/{fixture}/v1", sizes, PARTNERS, design_coalition=design_for(sizes)
    )
    return carrier, book, original, (FIXTURES / fixture).read_text(encoding="utf-8")


def leak(fixture: str, partner: str) -> str:
    carrier, book, original, text = material(fixture)
    entry = ENTRIES[fixture]
    copy = carrier.render_text(book.codeword(partner))
    return leak_for_copy(text, original, copy, entry["first_line"], entry["last_line"])


@pytest.mark.parametrize("fixture", TRANSLATIONS)
def test_a_translated_leak_reads_no_wrong_symbol_and_accuses_no_innocent(fixture):
    carrier, book, _original, _text = material(fixture)
    for leaker in PARTNERS[:4]:
        reading = carrier.read(leak(fixture, leaker))
        read = reading.symbols != -1
        assert read.any()
        assert (reading.symbols[read] == np.asarray(book.codeword(leaker))[read]).all()
        accused = attribute(book, Leak(reading.symbols, reading.confidence), threshold=1e-6).accused
        assert set(accused) <= {leaker}


def test_the_german_translation_of_the_rop_chain_write_up_names_its_partner_among_a_hundred():
    """CVE-2023-0461: 40% of the write-up, its ROP chain quoted in code blocks (each gadget
    address's order and spelling a choice of the copy)."""
    fixture = "CVE-2023-0461_mitigation.exploit.de.md"
    carrier, book, _original, _text = material(fixture)
    for leaker in PARTNERS[20:24]:
        reading = carrier.read(leak(fixture, leaker))
        assert attribute(book, Leak(reading.symbols, reading.confidence), threshold=1e-6).accused == [leaker]
