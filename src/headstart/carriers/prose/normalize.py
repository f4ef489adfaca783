"""One token stream for an original in Markdown and for whatever a leak has become.

Raw Markdown, the same Markdown rendered to HTML and copied back as text, a forum
post with curly quotes, a re-wrapped e-mail: all of them reduce to the same tokens.
Tokens are words (case kept: hex case is a mark), the punctuation marks that carry
slots (, ; : . ! ? %), and apostrophes and hyphens *inside* words. Markup (list
markers, emphasis, headings, link targets, HTML tags and comments, table pipes) and
everything invisible (zero-width and other format characters) is dropped.
"""

from __future__ import annotations

import html
import re
import unicodedata

from bs4 import BeautifulSoup

# Stands for one slot while an original is cut into its token skeleton. A private-use
# character: NFKC keeps it, no step below removes it, and no real text contains it.
SENTINEL = "\ue000"

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        # A hyphen stays a hyphen; a dash (a word processor's "--") never joins two words.
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "--",
        "\u2013": "--",
        "\u2014": "--",
        "\u2015": "--",
        "\u2212": "-",
    }
)

# Multi-line constructs never cross a blank line: a leak is cut into paragraphs, and
# the original's paragraphs are tokenised one by one, so both must agree.
_SOFT_NL = r"\n(?![ \t]*(?:[-*+][ \t]|\d{1,3}[.)][ \t]|#|>|\||\n))"  # a line break inside a paragraph
_NOT_BLANK = r"(?:[^\n]|" + _SOFT_NL + ")"
_COMMENT = re.compile(r"<!--" + _NOT_BLANK + r"*?-->")
_AUTOLINK = re.compile(r"<((?:[A-Za-z][\w+.-]*:|www\.)[^\s<>]*|[^\s@<>]+@[^\s@<>]+)>")
_TAG = re.compile(r"</?[A-Za-z][\w-]*(?:(?:[ \t]|" + _SOFT_NL + r")(?:[^<>\n]|" + _SOFT_NL + r")*)?/?>")
_IMAGE = re.compile(r"!\[[^\]\n]*\]\((?:[^()\s]|\([^()\n]*\))*(?:[ \t]+[\"'(][^\n]*?[\"')])?\)")
_LINK = re.compile(
    r"\[((?:[^\]\n]|" + _SOFT_NL + r")*)\]\((?:[^()\s]|\([^()\n]*\))*(?:[ \t]+[\"'(][^\n]*?[\"')])?\)"
)
_REF_LINK = re.compile(r"\[([^\]\n]+)\]\[[^\]\n]*\]")
_REF_DEF = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*\S.*$", re.MULTILINE)
_FOOTNOTE = re.compile(r"\[\^[^\]\n]+\]")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_BULLET = re.compile(r"^[ \t>]*[-*+][ \t]+", re.MULTILINE)
_NUMBERED = re.compile(r"^[ \t>]*\d{1,3}[.)][ \t]+")
_AFTER_WHICH_A_LIST_MAY_START = re.compile(r"^(?:[ \t>]*$|[ \t>]*(?:[-*+]|\d{1,3}[.)])[ \t]|[ \t]+\S)")


def _strip_list_markers(text: str) -> str:
    """Drop list markers, which HTML-to-text drops too. A number followed by a period
    counts as a marker only where a list can be (first line, after a blank line, a list
    line or an indented continuation): re-wrapped prose may start a line with "65535."."""
    lines = _BULLET.sub(" ", text).split("\n")
    for i, line in enumerate(lines):
        if _NUMBERED.match(line) and (i == 0 or _AFTER_WHICH_A_LIST_MAY_START.match(lines[i - 1])):
            lines[i] = _NUMBERED.sub(" ", line, count=1)
    return "\n".join(lines)


_SOFT_HYPHEN_BREAK = re.compile(r"(\w)-[ \t]*\n[ \t>]*(\w)")
_TOKEN = re.compile(SENTINEL + r"|\w+|(?<=\w)['-](?=\w)|[,;:.!?%]")


def _format_char_class() -> re.Pattern[str]:
    """Unicode general category Cf ("format"): zero-width spaces and joiners, BOMs, bidi
    marks, soft hyphens. Invisible, and the first thing a sanitiser or a retyping strips.
    Built from unicodedata (Cf lives in planes 0, 1 and 14) so it follows Python's Unicode."""
    ranges: list[list[int]] = []
    for cp in [*range(0x20000), *range(0xE0000, 0xE1000)]:
        if unicodedata.category(chr(cp)) == "Cf":
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
    return re.compile("[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges) + "]")


_FORMAT_CHARS = _format_char_class()


def drop_format_chars(text: str) -> str:
    return text if text.isascii() else _FORMAT_CHARS.sub("", text)


def clean(text: str) -> str:
    """Unicode-normalised text with markup reduced to its readable words."""
    text = unicodedata.normalize("NFKC", text)
    text = drop_format_chars(text).translate(_QUOTES)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = html.unescape(text)
    text = _COMMENT.sub(" ", text)
    text = _AUTOLINK.sub(r" \1 ", text)
    text = _TAG.sub(" ", text)
    text = _IMAGE.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = _REF_LINK.sub(r"\1", text)
    text = _REF_DEF.sub(" ", text)
    text = _FOOTNOTE.sub(" ", text)
    text = _ESCAPE.sub(r"\1", text)
    text = _SOFT_HYPHEN_BREAK.sub(r"\1-\2", text)
    text = _strip_list_markers(text)
    return text


def tokens(text: str) -> list[str]:
    """The token stream of ``text`` (see the module docstring)."""
    return tokens_and_breaks(text)[0]


_BLANK_LINE = re.compile(r"\n[ \t>]*\n")


def tokens_and_breaks(text: str) -> tuple[list[str], list[bool], list[bool]]:
    """Tokens, and for each whether it is the first on its line and whether it is the
    first of its paragraph (after a blank line)."""
    out: list[str] = []
    line_starts: list[bool] = []
    paragraph_starts: list[bool] = []
    cleaned = clean(text)
    last = 0
    for m in _TOKEN.finditer(cleaned):
        tok = m.group()
        if "_" in tok:
            # Markdown emphasis written with underscores (_word_) renders as "word".
            tok = tok.strip("_")
            if not tok:
                continue
        gap = cleaned[last : m.start()]
        line_starts.append(not out or "\n" in gap)
        paragraph_starts.append(not out or bool(_BLANK_LINE.search(gap)))
        out.append(tok)
        last = m.end()
    return out, line_starts, paragraph_starts


def fold(tok: str) -> str:
    return tok.casefold()


# --- HTML leaks -------------------------------------------------------------------------

_HTML_HINT = re.compile(
    r"</?(?:p|div|span|br|h[1-6]|ul|ol|li|table|tr|td|th|pre|code|a|em|strong|b|i|"
    r"blockquote|body|article|section|main|header|footer)\b[^>]*>",
    re.IGNORECASE,
)
_BLOCK_TAGS = (
    "p",
    "div",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "pre",
    "blockquote",
    "article",
    "section",
    "main",
    "header",
    "footer",
    "nav",
    "aside",
    "figure",
    "figcaption",
    "details",
    "summary",
    "title",
)


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    if head.startswith(("<!doctype html", "<html", "<?xml")):
        return True
    hints = len(_HTML_HINT.findall(text, 0, 200_000))
    return hints >= 3 and (head.startswith("<") or hints >= 10)


def html_to_text(markup: str) -> str:
    """The text a reader sees in a page: block elements on their own lines."""
    soup = BeautifulSoup(markup, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "svg"]):
        tag.decompose()
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    for tag in soup.find_all(["td", "th"]):
        # A table row is one block, as its Markdown line is: cells side by side.
        tag.insert_before(" ")
        tag.insert_after(" ")
    return soup.get_text()
