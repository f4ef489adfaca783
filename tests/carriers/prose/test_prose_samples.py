"""The sample advisory's write-up and guidance: realistic, consistent with the story, and rich in slots."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import markdown
import numpy as np
import pytest
from bs4 import BeautifulSoup

from headstart.leaks.text import markdown_html_text

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
    u32 = lambda off: struct.unpack_from("<I", data, off)[0]
    u16 = lambda off: struct.unpack_from("<H", data, off)[0]
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


def test_writeup_carries_enough_robust_bits(writeup_text, writeup, random_codeword):
    assert len(writeup.slots) >= 150
    cw = random_codeword(writeup, 11)
    leak = markdown_html_text(writeup.render_text(cw))
    reading = writeup.read(leak)
    correct = reading.symbols == np.asarray(cw)
    bits = sum(np.log2(writeup.slots[i].q) for i in np.flatnonzero(correct))
    assert correct.sum() >= 150
    assert bits / len(leak.split()) >= 0.095
    assert bits / prose_words(writeup_text) >= 0.1


def test_guidance_carries_enough_robust_bits(guidance_text, guidance, random_codeword):
    cw = random_codeword(guidance, 12)
    reading = guidance.read(markdown_html_text(guidance.render_text(cw)))
    correct = reading.symbols == np.asarray(cw)
    bits = sum(np.log2(guidance.slots[i].q) for i in np.flatnonzero(correct))
    assert bits / prose_words(guidance_text) >= 0.1
