"""The token stream: one reduction for raw Markdown and for everything a leak turns into."""

from __future__ import annotations

import sys
import unicodedata

import markdown

from headstart.carriers.prose.normalize import (
    _FORMAT_CHARS,
    drop_format_chars,
    html_to_text,
    looks_like_html,
    tokens,
)
from headstart.leaks.text import html_to_text_pandoc

SAMPLE = """# The *decoder* does not check

Some **bold** text with `code_span()`, a [link](https://example.com/x "title") and e.g. e-mail.
It's "quoted", 16,384 and 0x3FFF; _emphasis_ too.

- first item of the list
- second item

1. ordered one
2. ordered two

| cell | other cell |
|---|---|
| a b | c d |

> quoted block text
"""


def test_markdown_and_its_rendered_text_give_the_same_tokens():
    html = markdown.markdown(SAMPLE, extensions=["extra"])
    assert tokens(html_to_text(html)) == tokens(SAMPLE)
    assert tokens(html_to_text_pandoc(html)) == tokens(SAMPLE)


def test_tokens_keep_case_and_the_punctuation_slots_use():
    assert tokens("It's 0x3FFF, e.g. 16,384; e-mail!") == [
        "It",
        "'",
        "s",
        "0x3FFF",
        ",",
        "e",
        ".",
        "g",
        ".",
        "16",
        ",",
        "384",
        ";",
        "e",
        "-",
        "mail",
        "!",
    ]


def test_smart_quotes_dashes_and_invisible_characters_do_not_matter():
    plain = "It's the \"decoder\" -- it doesn't check e-mail."
    fancy = "It\u2019s the \u201cdecoder\u201d \u2014 it\u00a0doesn\u2019t che\u200bck e\u2011mail.\ufeff"
    assert tokens(fancy) == tokens(plain)


def test_rewrapping_and_hyphenated_line_breaks_do_not_matter():
    assert tokens("a heap-\nbased   overflow\n\n  in the   decoder") == tokens(
        "a heap-based overflow in the decoder"
    )


def test_list_markers_and_emphasis_are_markup():
    assert tokens("- *one* item\n2. __two__ items\n# heading") == ["one", "item", "two", "items", "heading"]


def test_links_keep_their_text_and_lose_their_target():
    assert tokens("see [the write-up](http://example.com/a_b) now") == [
        "see",
        "the",
        "write",
        "-",
        "up",
        "now",
    ]


def test_html_is_recognised_and_block_elements_are_separated():
    page = "<html><body><p>first</p><p>second</p><ul><li>x</li></ul><script>bad()</script></body></html>"
    assert looks_like_html(page)
    assert tokens(html_to_text(page)) == ["first", "second", "x"]
    assert not looks_like_html("Plain text that mentions <b> once, and a < b comparison.")


def test_format_character_table_matches_unicodedata():
    mismatched = [
        cp
        for cp in range(sys.maxunicode + 1)
        if (unicodedata.category(chr(cp)) == "Cf") != bool(_FORMAT_CHARS.match(chr(cp)))
    ]
    assert mismatched == []
    assert drop_format_chars("a\u200bb\u2060c\ufeffd\u00ade") == "abcde"
