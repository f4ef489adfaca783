"""The sample advisory's write-up and guidance: realistic, consistent with the story, and rich in slots."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import markdown
import numpy as np
import pytest
from bs4 import BeautifulSoup

from headstart.leaks.text import markdown_html_text, paragraphs

SAMPLE = Path(__file__).resolve().parents[3] / "src" / "headstart" / "samples" / "tim_overflow"


def prose_words(md: str) -> int:
    """Words a reader sees, code blocks excluded (code never carries marks)."""
    return len(markdown_html_text(re.sub(r"```.*?```", "", md, flags=re.DOTALL)).split())


def headings(md: str) -> list[str]:
    return [
        h.get_text().lower()
        for h in BeautifulSoup(markdown.markdown(md), "html.parser").find_all(["h1", "h2"])
    ]


def test_writeup_is_a_full_psirt_writeup(writeup_text):
    assert len(markdown_html_text(writeup_text).split()) >= 1200
    found = " | ".join(headings(writeup_text))
    for section in (
        "summary",
        "affected",
        "root cause",
        "exploitation",
        "trigger walkthrough",
        "mitigations",
        "timeline",
    ):
        assert section in found, section
    assert "```c" in writeup_text and "tim_decode_rows" in writeup_text


def test_writeup_tells_the_shared_story(writeup_text):
    for fact in (
        "CVE-2026-99001",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H",
        "8.8",
        "Northwind Imaging",
        "4.2.0",
        "4.7.3",
        "4.7.4",
        "timcodec.dll",
        "libtimcodec.so",
        "Lumen Thumbnailer",
        "0x3fff",
        "0x400",
    ):
        assert fact in writeup_text, fact


def test_guidance_has_what_detection_teams_need(guidance_text):
    assert "```yara" in guidance_text and "rule HS_2026_0001" in guidance_text
    for indicator in (
        "Event ID:      1000",
        "0xc0000374",
        "timcodec.dll",
        "malloc(): corrupted top size",
        "heap-buffer-overflow",
        "timcodec!tim_decode_rows",
    ):
        assert indicator in guidance_text, indicator
    found = " | ".join(headings(guidance_text))
    for section in ("network and intrusion prevention", "windows", "linux", "file indicators"):
        assert section in found


def test_guidance_rule_matches_the_shipped_poc():
    # The YARA conditions, evaluated on the real PoC file at the offsets the rule uses.
    data = (SAMPLE / "poc.tim").read_bytes()
    def u32(off: int) -> int:
        return int(struct.unpack_from("<I", data, off)[0])

    def u16(off: int) -> int:
        return int(struct.unpack_from("<H", data, off)[0])

    assert u32(0) == 0x314D4954
    assert u32(4) > 0x3FFF
    assert 1 <= u32(8) <= 0x400
    assert u16(32) in (1, 2)
    assert u16(34) >= u32(8) * 2
    assert len(data) < 16384


@pytest.mark.parametrize("name", ["writeup_text", "guidance_text"])
def test_samples_use_author_syntax_and_shuffled_lists(request, name):
    text = request.getfixturevalue(name)
    assert len(re.findall(r"\{\{[^{}]*\|[^{}]*\}\}", text)) >= 2
    assert text.count("<!-- hs:shuffle -->") >= 1


def robust_bits(carrier, codeword, leak) -> float:
    """Bits of the slots read correctly from ``leak``."""
    correct = carrier.read(leak).symbols == np.asarray(codeword)
    return float(sum(np.log2(carrier.slots[i].q) for i in np.flatnonzero(correct)))


# A single leaker is named (100 partners, family-wise p <= 1e-6) from a fifth of a
# document: bench/carriers.py measures it; these floors keep the samples where it works.
@pytest.mark.parametrize("name, min_bits, min_density", [("writeup", 450, 0.15), ("guidance", 370, 0.2)])
def test_samples_carry_enough_robust_bits(request, random_codeword, name, min_bits, min_density):
    carrier = request.getfixturevalue(name)
    cw = random_codeword(carrier, 11)
    leak = markdown_html_text(carrier.render_text(cw))
    bits = robust_bits(carrier, cw, leak)
    assert bits >= min_bits
    assert bits / len(leak.split()) >= min_density  # every word of the leak, code included


@pytest.mark.parametrize("name", ["writeup", "guidance"])
def test_every_section_of_a_sample_names_its_leaker_alone(request, random_codeword, name):
    # Any run of 30% of the paragraphs (someone quotes a section) carries the 55 or more
    # bits that name a leaker reliably; paragraphs are read one by one, so every window
    # is checked.
    carrier = request.getfixturevalue(name)
    cw = random_codeword(carrier, 13)
    paras = paragraphs(carrier.render_text(cw))
    per_paragraph = [robust_bits(carrier, cw, p + "\n") for p in paras]
    k = round(0.3 * len(paras))
    assert min(sum(per_paragraph[i : i + k]) for i in range(len(paras) - k + 1)) >= 55
