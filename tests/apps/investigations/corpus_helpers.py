"""Corpus write-ups scheduled as advisories, and translated leaks of one partner's copy.

The leaks are the hand-made fixtures (tests/carriers/prose/fixtures, tests/fixtures/corpus_leaks)
turned into what the translation of one partner's copy would be, with
headstart.leaks.translation.leak_for_copy, as bench/prose_translation.py does. Tests here and
the CLI's import the fixture from this module.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from django.utils import timezone
from factories import ACTOR

from headstart.carriers.prose.code_blocks import is_code_kind
from headstart.leaks.translation import leak_for_copy

TESTS = Path(__file__).resolve().parents[2]
CORPUS = TESTS.parent.parent / "shared" / "corpus"
PROSE_FIXTURES = TESTS / "carriers" / "prose" / "fixtures"
CORPUS_LEAKS = TESTS / "fixtures" / "corpus_leaks"
PARTNERS = ("Alpha AV", "Bravo IPS", "Charlie EDR", "Delta Labs", "Echo Security", "Foxtrot Defense")
LEAKER = "Delta Labs"

# (fixture, source in the corpus, first and last line of the original it translates)
Spec = tuple[Path, str, int, int]
GERMAN_52433: Spec = (PROSE_FIXTURES / "de_cve_2023_52433_exploit.md", "CVE-2023-52433_mitigation/exploit.md", 61, 113)
PARAPHRASE_52433: Spec = (PROSE_FIXTURES / "en_paraphrase_cve_2023_52433_exploit.md",
                          "CVE-2023-52433_mitigation/exploit.md", 61, 113)
CHINESE_0461: Spec = (PROSE_FIXTURES / "zh_cve_2023_0461_exploit.md", "CVE-2023-0461_mitigation/exploit.md", 161, 201)
GERMAN_4921: Spec = (CORPUS_LEAKS / "CVE-2023-4921_lts_cos_mitigation.exploit.de.md",
                     "CVE-2023-4921_lts_cos_mitigation/exploit.md", 44, 116)
PARAPHRASE_4921: Spec = (CORPUS_LEAKS / "CVE-2023-4921_lts_cos_mitigation.exploit.paraphrase.md",
                         "CVE-2023-4921_lts_cos_mitigation/exploit.md", 1, 42)
GERMAN_0461: Spec = (CORPUS_LEAKS / "CVE-2023-0461_mitigation.exploit.de.md", "CVE-2023-0461_mitigation/exploit.md",
                     103, 199)
GERMAN_4015: Spec = (CORPUS_LEAKS / "CVE-2023-4015_lts.exploit.de.md", "CVE-2023-4015_lts/exploit.md", 113, 208)


def leak_of(spec: Spec, copy: str) -> str:
    fixture, source, first, last = spec
    return leak_for_copy(fixture.read_text(encoding="utf-8"), (CORPUS / source).read_text(encoding="utf-8"),
                         copy, first, last)


class CorpusProgram:
    """Corpus write-ups scheduled as advisories (each its own, the file named exploit.md) and
    downloaded by every partner."""

    def __init__(self, keyed: dict) -> None:
        self.keyed = keyed
        self.idents: dict[str, str] = {}

    def schedule(self, *sources: str) -> None:
        from headstart.apps.advisories.services import ArtifactInput, create_advisory
        from headstart.apps.audit.services import Actor
        from headstart.apps.delivery.services import fetch_package, schedule

        for source in sources:
            ident = f"HS-2026-{310 + len(self.idents):04d}"
            advisory = create_advisory(ident, title=f"Corpus {source}", patch_at=timezone.now() + dt.timedelta(hours=48),
                                       artifacts=[ArtifactInput("writeup", "exploit.md", (CORPUS / source).read_bytes())],
                                       actor=ACTOR)
            schedule(advisory, actor=ACTOR)
            self.idents[source] = ident
            for i, (name, k) in enumerate(self.keyed.items()):
                fetch_package(k.analyst, ident, actor=Actor(name=k.analyst.email, partner=name, ip=f"198.51.100.{i + 10}"))

    def reading(self, spec: Spec, partner: str, leak: str) -> tuple[np.ndarray, np.ndarray, set[int]]:
        """The delivered write-up's carrier reading ``leak`` as an investigation does: (the symbols
        read, -1 where erased; the partner's codeword; the slots a translation can show)."""
        from headstart.apps.advisories.models import Advisory
        from headstart.apps.delivery import copies
        from headstart.apps.program import keys

        [deliverable] = copies.deliverables(Advisory.objects.get(ident=self.idents[spec[1]]))
        carrier = deliverable.carrier
        assert carrier is not None
        symbols = carrier.read(leak).symbols
        codeword = copies.codeword(deliverable, keys.marking_key(), str(self.keyed[partner].partner.uid))
        # What a translation can show (as bench/prose_translation.py counts it): slots in code,
        # and slots with a pattern in survivor tokens.
        code = {i for i, slot in enumerate(carrier.slots) if is_code_kind(slot.key.split("@")[0])}
        return symbols, codeword, code | set(carrier.survivor_slots())  # type: ignore[attr-defined]

    def leak(self, spec: Spec, partner: str) -> str:
        """The fixture as the translation of ``partner``'s copy of the write-up."""
        from headstart.apps.advisories.models import Advisory
        from headstart.apps.audit.services import Actor
        from headstart.apps.delivery.services import render_package

        advisory = Advisory.objects.get(ident=self.idents[spec[1]])
        package = render_package(advisory, self.keyed[partner].partner, actor=Actor(name="psirt@vendor.example"))
        copy = next(e.content for e in package.entries if e.name == "exploit.md").decode("utf-8")
        return leak_of(spec, copy)


@pytest.fixture
def corpus_program(make_keyed_partner, program) -> CorpusProgram:  # type: ignore[no-untyped-def]
    """Six partners holding keys; schedule corpus write-ups with ``.schedule(source, ...)``."""
    return CorpusProgram({name: make_keyed_partner(name) for name in PARTNERS})
