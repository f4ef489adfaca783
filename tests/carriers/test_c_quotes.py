"""The PoC's carrier and a write-up that quotes the PoC: the quotes are the write-up copy's
choices, never read as the PoC copy's symbols; the PoC posted with prose around it is."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np

from headstart.carriers.base import ERASED
from headstart.carriers.c_source import CCarrier
from headstart.carriers.prose import ProseCarrier
from headstart.leaks.translation import leak_for_copy
from headstart.marking import Codebook, design_for

TESTS = Path(__file__).resolve().parents[1]
CORPUS = TESTS.parents[1] / "shared" / "corpus"
FIXTURES = TESTS / "fixtures" / "corpus_leaks"
FIXTURE = "CVE-2023-0461_mitigation.exploit.de.md"
PARTNERS = [f"partner-{i:03d}" for i in range(20)]
PROSE = ("We found this program on a paste site last night and it looks like the exploit for the "
         "bug the vendor has not fixed yet. It runs on the kernel versions listed in the thread, "
         "needs user namespaces, and takes a minute or two before it gets a root shell on our test "
         "machine. Here is the whole thing as it was posted, please do not run it on anything you care about.\n\n")


@cache
def poc() -> tuple[CCarrier, Codebook]:
    carrier = CCarrier((CORPUS / "CVE-2023-0461_mitigation" / "exploit.c").read_text(encoding="utf-8"))
    sizes = [s.q for s in carrier.slots]
    return carrier, Codebook(b"c-quotes-key", "HS-TEST/c-quotes/v1", sizes, PARTNERS, design_coalition=design_for(sizes))


def translated_writeup_leak(partner: str) -> str:
    entry = next(e for e in json.loads((FIXTURES / "fixtures.json").read_text(encoding="utf-8"))
                 if e["fixture"] == FIXTURE)
    original = (CORPUS / entry["source"]).read_text(encoding="utf-8")
    prose = ProseCarrier(original)
    sizes = [s.q for s in prose.slots]
    book = Codebook(b"c-quotes-key", "HS-TEST/c-quotes-writeup/v1", sizes, PARTNERS,
                    design_coalition=design_for(sizes))
    copy = prose.render_text(book.codeword(partner))
    return leak_for_copy((FIXTURES / FIXTURE).read_text(encoding="utf-8"), original, copy,
                         entry["first_line"], entry["last_line"])


def test_the_pocs_carrier_reads_nothing_from_a_translated_write_up_that_quotes_the_poc():
    carrier, _book = poc()
    for partner in PARTNERS[:3]:
        reading = carrier.read(translated_writeup_leak(partner))
        assert (reading.symbols == ERASED).all()


def test_the_poc_posted_whole_under_a_paragraph_of_prose_is_read_as_the_copy():
    carrier, book = poc()
    partner = PARTNERS[5]
    copy = carrier.render(book.codeword(partner)).decode("utf-8")
    reading = carrier.read(PROSE + copy)
    read = reading.symbols != ERASED
    assert read.sum() > 0.8 * len(carrier.slots)
    assert (reading.symbols[read] == np.asarray(book.codeword(partner))[read]).all()
