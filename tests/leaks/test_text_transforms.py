"""The text leak paths do what their names say, with real renderers and converters."""

from __future__ import annotations

import unicodedata

import pytest

from headstart.leaks.text import (
    TEXT_TRANSFORMS,
    collapse_whitespace,
    excerpt_lines,
    excerpt_paragraphs,
    excerpt_window,
    markdown_html_pandoc,
    markdown_html_text,
    markdown_to_html,
    paragraphs,
    rewrap,
    shuffle_paragraphs,
    smart_quotes,
    strip_format_characters,
    unicode_nfkc,
)

DOC = """# Title with *emphasis*

First paragraph: it's "quoted", with a [link](https://example.com) and `code()`.
It goes on -- and on... for a while.

- item one
- item two

Second paragraph, a bit longer than the first one, so that re-wrapping has something to do
with it when the width is small.

Third paragraph.

Fourth paragraph.
"""


def test_every_transformation_takes_text_and_a_seed_and_returns_text():
    for name, f in TEXT_TRANSFORMS.items():
        out = f(DOC, seed=3)
        assert isinstance(out, str) and out.strip(), name
        assert f(DOC, seed=3) == out, f"{name} is not deterministic for a fixed seed"


def test_markdown_to_text_drops_the_markup():
    for convert in (markdown_html_text, markdown_html_pandoc):
        text = convert(DOC)
        assert "Title with emphasis" in text
        assert "*" not in text and "](" not in text and "`" not in text and "# " not in text
        assert "code()" in text and "item two" in text


def test_markdown_to_html_is_a_page():
    html = markdown_to_html(DOC)
    assert "<h1>" in html and "<li>item one</li>" in html and 'href="https://example.com"' in html


def test_smart_quotes_curl_quotes_and_dashes():
    out = smart_quotes(DOC)
    assert "it\u2019s" in out and "\u201cquoted\u201d" in out and "\u2013" in out and "\u2026" in out
    assert '"' not in out and "'" not in out


def test_whitespace_collapse_leaves_one_line():
    assert "\n" not in collapse_whitespace(DOC)
    assert "  " not in collapse_whitespace(DOC)


def test_rewrap_fills_paragraphs_to_the_width():
    out = rewrap(DOC, width=30)
    assert max(len(line) for line in out.splitlines()) <= 30 or any(" " not in ln for ln in out.splitlines())
    assert out.split() == DOC.split()


def test_nfkc_folds_compatibility_characters():
    assert unicode_nfkc("\ufb01le \u00bd \uff21") == "file 1\u20442 A"
    assert unicodedata.is_normalized("NFKC", unicode_nfkc(DOC))


def test_strip_format_characters_removes_invisible_characters_only():
    assert strip_format_characters("a\u200bb\u2060c\ufeffd\u00ade f") == "abcde f"


def test_excerpts_keep_the_share_asked_for_in_order():
    paras = paragraphs(DOC)
    kept = paragraphs(excerpt_paragraphs(DOC, seed=1, keep=0.5))
    assert len(kept) == round(0.5 * len(paras))
    assert [paras.index(p) for p in kept] == sorted(paras.index(p) for p in kept)
    lines = [ln for ln in DOC.splitlines() if ln.strip()]
    kept_lines = excerpt_lines(DOC, seed=1, keep=0.5).splitlines()
    assert len(kept_lines) == round(0.5 * len(lines)) and set(kept_lines) <= set(lines)
    window = paragraphs(excerpt_window(DOC, seed=2, keep=0.4))
    start = paras.index(window[0])
    assert window == paras[start : start + len(window)]


def test_different_seeds_give_different_excerpts_and_orders():
    assert len({excerpt_paragraphs(DOC, seed=s) for s in range(10)}) > 1
    assert len({shuffle_paragraphs(DOC, seed=s) for s in range(10)}) > 1
    assert sorted(paragraphs(shuffle_paragraphs(DOC, seed=4))) == sorted(paragraphs(DOC))


@pytest.mark.parametrize("name", ["markdown_html_text", "markdown_html_pandoc", "forum_repost"])
def test_the_text_paths_keep_every_word_of_the_prose(name):
    out = TEXT_TRANSFORMS[name](DOC)
    for word in ("First", "paragraph", "quoted", "link", "Second", "Fourth", "item"):
        assert word in out
