"""Properties on generated Markdown: any original either has slots that read back, or is refused."""

from __future__ import annotations

import markdown
import numpy as np
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marking.helpers import random_codeword

from headstart.carriers.base import CarrierError, NoSlotsError
from headstart.carriers.prose import ProseCarrier
from headstart.leaks.text import TEXT_TRANSFORMS

VOCABULARY = (
    "the decoder does not check the width , and it is not safe e.g. behavior analyze colour",
    "e-mail web site we are not sure that the file is large ; however 16384 bytes 100 percent",
    "two bytes In addition , for example , it is able to prior to `tim_decode_rows()` 0x3fff",
    '4.7.3 CVE-2026-1 https://example.com/a_b "quoted text" which is that is i.e. Therefore ,',
    "but Windows , Linux and macOS the stride wraps heap buffer overflow",
    "it's the reason that's why there's no we'd like to we've seen we'd better it's been",
    "such as because of rather than a make sure that make sure to approximately 5 roughly",
    "stream-based above 0x400 below 16384 at least 2 more than 100 however though Still ,",
    "the files that you observe so that we In any case , Put another way , must not",
    "time stamp non-disclosure hotfix prioritize behaviour grey in addition to",
)
WORDS = st.sampled_from([word for phrase in VOCABULARY for word in phrase.split()])
SENTENCE = st.lists(WORDS, min_size=3, max_size=30).map(" ".join)


@st.composite
def documents(draw) -> str:
    blocks = []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["para", "para", "para", "list", "shuffle", "code", "heading", "author"]))
        if kind == "para":
            blocks.append(draw(SENTENCE) + ".")
        elif kind == "list":
            blocks.append("\n".join("- " + draw(SENTENCE) for _ in range(draw(st.integers(2, 4)))))
        elif kind == "shuffle":
            n = draw(st.integers(2, 5))
            blocks.append(
                "<!-- hs:shuffle -->\n" + "\n".join(f"- step {i}: " + draw(SENTENCE) for i in range(n))
            )
        elif kind == "code":
            blocks.append("```\n" + draw(SENTENCE) + "\n```")
        elif kind == "heading":
            blocks.append("## " + draw(SENTENCE))
        else:
            blocks.append("Use {{" + draw(SENTENCE) + "|alpha beta gamma}} then " + draw(SENTENCE) + ".")
    return "\n\n".join(blocks) + "\n"


def code_blocks(md: str) -> list[str]:
    return [
        p.get_text() for p in BeautifulSoup(markdown.markdown(md, extensions=["extra"]), "html.parser")("pre")
    ]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(), st.integers(0, 2**32 - 1))
def test_any_original_reads_back_through_real_leak_paths(md, seed):
    try:
        carrier = ProseCarrier(md)
    except NoSlotsError:
        return
    except CarrierError as e:
        # Two generated lists in a row form one loose list, which a shuffle may not be.
        assert "must be tight" in str(e)
        return
    cw = random_codeword(carrier, seed)
    copy = carrier.render_text(cw)
    assert "{{" not in copy and "hs:" not in copy
    assert code_blocks(copy) == code_blocks(md)
    verbatim = carrier.read(copy).symbols
    # A verbatim copy never misreads. Degenerate originals (the same words repeated, as
    # hypothesis likes to make) may leave a slot's context ambiguous: that slot erases.
    assert all(got in (want, -1) for got, want in zip(verbatim.tolist(), cw.tolist(), strict=True))
    assert (verbatim != -1).mean() >= 0.5
    for name in (
        "markdown_html_text",
        "rewrap_60",
        "smart_quotes",
        "shuffle_paragraphs",
        "excerpt_paragraphs_50",
        "collapse_whitespace",
    ):
        reading = carrier.read(TEXT_TRANSFORMS[name](copy, seed=seed % 1000))
        read = reading.symbols != -1
        assert (reading.symbols[read] == np.asarray(cw)[read]).all(), name
