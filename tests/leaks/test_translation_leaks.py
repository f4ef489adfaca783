"""A translated leak of one partner's copy, from a fixture written once from the original:
the code, inline code and numbers the translator kept are the copy's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from headstart.leaks.translation import OffsetMap, kept_elements, leak_for_copy, line_span

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "corpus_leaks"
CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
MANIFEST = json.loads((FIXTURES / "fixtures.json").read_text())

ORIGINAL = """# Title

The buffer holds 512 bytes, see `struct foo`.

```c
int size = 512;
```

Freeing it twice is the bug.
"""
FIXTURE = """# Titel

Der Puffer fasst 512 Byte, siehe `struct foo`.

```c
int size = 512;
```

Der Fehler ist, ihn zweimal freizugeben.
"""


def test_a_copy_whose_code_block_differs_yields_a_leak_carrying_the_copys_code_block() -> None:
    copy = ORIGINAL.replace("int size = 512;", "int size = 0x200;")
    leak = leak_for_copy(FIXTURE, ORIGINAL, copy, 1, 9)
    assert "```c\nint size = 0x200;\n```" in leak
    assert "Der Puffer fasst 512 Byte" in leak  # the prose number did not change in this copy


def test_a_number_the_copy_writes_differently_is_the_copys_in_the_leak() -> None:
    copy = ORIGINAL.replace("holds 512 bytes", "holds 0x200 bytes")
    leak = leak_for_copy(FIXTURE, ORIGINAL, copy, 1, 9)
    assert "Der Puffer fasst 0x200 Byte" in leak
    assert "int size = 512;" in leak


def test_inline_code_the_copy_changed_is_the_copys_in_the_leak() -> None:
    copy = ORIGINAL.replace("`struct foo`", "`struct  foo`")
    assert "siehe `struct  foo`." in leak_for_copy(FIXTURE, ORIGINAL, copy, 1, 9)


def test_the_prose_of_the_leak_is_the_fixtures() -> None:
    copy = ORIGINAL.replace("Freeing it twice is the bug.", "The bug is freeing it twice.")
    leak = leak_for_copy(FIXTURE, ORIGINAL, copy, 1, 9)
    assert leak.endswith("Der Fehler ist, ihn zweimal freizugeben.\n")
    assert "bug" not in leak


def test_an_element_outside_the_span_stays_as_the_fixture_has_it() -> None:
    copy = ORIGINAL.replace("int size = 512;", "int size = 0x200;")
    leak = leak_for_copy(FIXTURE, ORIGINAL, copy, 1, 3)  # the code block is not in lines 1-3
    assert "int size = 512;" in leak


def test_an_equal_region_maps_exactly_and_a_replaced_one_as_a_whole() -> None:
    offsets = OffsetMap("alpha beta gamma", "alpha BETA two gamma")
    assert offsets.span(0, 5) == (0, 5)
    assert offsets.span(6, 10) == (6, 14)  # "beta" became "BETA two"
    assert offsets.span(11, 16) == (15, 20)


def test_kept_elements_are_code_blocks_then_inline_code_then_numbers_outside_them() -> None:
    kinds = [(e.kind, e.text) for e in kept_elements(FIXTURE)]
    assert kinds == [
        ("number", "512"),
        ("inline-code", "`struct foo`"),
        ("code-block", "```c\nint size = 512;\n```"),
    ]


def test_line_span_covers_whole_lines() -> None:
    text = "one\ntwo\nthree\n"
    a, b = line_span(text, 2, 3)
    assert text[a:b] == "two\nthree"
    with pytest.raises(ValueError):
        line_span(text, 3, 9)


@pytest.mark.parametrize("entry", MANIFEST, ids=lambda e: e["fixture"])
def test_a_corpus_fixture_made_from_the_original_is_itself(entry: dict[str, object]) -> None:
    source = CORPUS / str(entry["source"])
    if not source.exists():
        pytest.skip(f"the corpus is not at {CORPUS}")
    fixture = (FIXTURES / str(entry["fixture"])).read_text()
    original = source.read_text()
    first, last = int(str(entry["first_line"])), int(str(entry["last_line"]))
    assert leak_for_copy(fixture, original, original, first, last) == fixture
    # Every code block the fixture keeps is the original's, character for character.
    span = original[slice(*line_span(original, first, last))]
    for element in kept_elements(fixture):
        if element.kind == "code-block":
            assert element.text in span
