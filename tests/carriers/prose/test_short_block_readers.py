"""A slot in a block too short for its own unique context (a heading, a "key: value" list
item) is read with context borrowed from the neighbouring blocks, in document order."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from headstart.carriers.base import ERASED
from headstart.carriers.prose import ProseCarrier
from headstart.leaks.text import excerpt_lines, excerpt_paragraphs, markdown_html_text, paragraphs

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus"

HEADING = """The driver frees the buffer twice when the queue is torn down early.

## {{Setup|Set-up}}

Build the module with debugging enabled and load it on the test machine.
"""

# The same heading and the same sentence after it, twice: only the text before tells them apart.
TWO_SECTIONS = """Run the first test on a machine with a single processor and wait.

## {{Setup|Set-up}}

Build the module with debugging enabled and load it.

Run the second test on a machine with many processors and then wait.

## {{Setup|Set-up}}

Build the module with debugging enabled and load it.
"""

BETWEEN_CODE = """The driver frees the buffer twice when the queue is torn down early.

```
make -C build modules
```

## {{Setup|Set-up}}

```
insmod build/driver.ko debug=1
```
"""


def rewrapped(text: str) -> str:
    """Re-filled to 40 columns as a mail client does it (no word, URL or hash cut)."""
    fill = textwrap.TextWrapper(40, break_long_words=False, break_on_hyphens=False).fill
    return "\n\n".join(fill(p) for p in paragraphs(text)) + "\n"


def author_slot(carrier: ProseCarrier) -> list[int]:
    return [i for i, s in enumerate(carrier.slots) if s.key.startswith("author@")]


@pytest.mark.parametrize("copy_form", [markdown_html_text, rewrapped, lambda t: t])
def test_a_heading_with_no_words_of_its_own_is_read_back_from_its_neighbours(copy_form):
    carrier = ProseCarrier(HEADING)
    assert len(author_slot(carrier)) == 1
    for j in range(2):
        codeword = [min(j, s.q - 1) for s in carrier.slots]
        leak = copy_form(markdown_html_text(carrier.render_text(codeword)))
        assert carrier.read(leak).symbols.tolist() == codeword


def test_a_heading_whose_neighbour_is_not_in_the_leak_stays_erased():
    carrier = ProseCarrier(HEADING)
    (slot,) = author_slot(carrier)
    for j in range(2):
        copy = markdown_html_text(carrier.render_text([j] * len(carrier.slots)))
        without_first_paragraph = copy.split("\n", 1)[1]
        assert carrier.read(without_first_paragraph).symbols[slot] == ERASED


def test_two_look_alike_sections_are_told_apart_by_the_text_before_them():
    carrier = ProseCarrier(TWO_SECTIONS)
    assert len(author_slot(carrier)) == 2
    for codeword in ([0, 1], [1, 0], [1, 1]):
        copy = markdown_html_text(carrier.render_text(codeword))
        assert carrier.read(copy).symbols.tolist() == codeword
        # One section alone, its first sentence dropped: its own sentence matches both
        # sections, so neither heading is read.
        section = copy[copy.index("Setup" if codeword[1] == 0 else "Set-up", copy.index("second")) :]
        assert (carrier.read(section).symbols == ERASED).all()


def test_code_lends_no_context_to_a_heading_between_code_blocks():
    carrier = ProseCarrier(BETWEEN_CODE)
    assert author_slot(carrier) == []


@pytest.mark.parametrize(
    "path", ["CVE-2023-6560_mitigation/vulnerability.md", "CVE-2023-4921_lts_cos_mitigation/vulnerability.md"]
)
def test_corpus_labels_and_short_list_items_are_read_after_a_forum_copy_and_never_wrong_in_an_excerpt(path):
    """Before borrowing, CVE-2023-6560's vulnerability.md kept 1 slot (its labels and
    short items all died), CVE-2023-4921's 19; now 6 and 26, all read after a forum copy."""
    carrier = ProseCarrier((CORPUS / path).read_text(encoding="utf-8"))
    borrowed = [i for i, rs in enumerate(carrier._readers) if any(r.across_blocks for r in rs)]
    assert borrowed
    rng = np.random.default_rng(17)
    for _ in range(4):
        codeword = [int(rng.integers(s.q)) for s in carrier.slots]
        forum = markdown_html_text(carrier.render_text(codeword))
        for leak in (forum, rewrapped(forum), carrier.render_text(codeword)):
            assert carrier.read(leak).symbols.tolist() == codeword
        for seed in range(4):
            for excerpt in (excerpt_paragraphs(forum, seed), excerpt_lines(forum, seed)):
                symbols = carrier.read(excerpt).symbols
                read = symbols != ERASED
                assert (symbols[read] == np.asarray(codeword)[read]).all()
