"""Leak paths for text: what happens to a write-up between a partner and a forum.

Every transformation is a plain function ``f(text, seed=0) -> str``; the deterministic
ones ignore ``seed``. ``TEXT_TRANSFORMS`` names them for tests and benchmarks. Real
parts throughout: python-markdown renders, BeautifulSoup or pandoc extracts the text.

Also here: a zero-width-character watermark, the approach of the ``text-blind-watermark``
package, as the baseline the prose carrier is compared with on the same paths.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import textwrap
import unicodedata
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import markdown as _markdown
import numpy as np
from bs4 import BeautifulSoup

from headstart.carriers.base import ERASED, Reading

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")


class LeakToolError(RuntimeError):
    """A real tool a leak path needs (pandoc) is missing or failed."""


def identity(text: str, seed: int = 0) -> str:
    return text


def collapse_whitespace(text: str, seed: int = 0) -> str:
    """Every run of whitespace, line breaks included, becomes one space (a web form)."""
    return " ".join(text.split())


def collapse_spaces(text: str, seed: int = 0) -> str:
    """Runs of spaces and tabs become one space, blank-line runs one blank line."""
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def unicode_nfc(text: str, seed: int = 0) -> str:
    return unicodedata.normalize("NFC", text)


def unicode_nfkc(text: str, seed: int = 0) -> str:
    return unicodedata.normalize("NFKC", text)


def unicode_nfd(text: str, seed: int = 0) -> str:
    return unicodedata.normalize("NFD", text)


def strip_format_characters(text: str, seed: int = 0) -> str:
    """Drop invisible format characters (zero-width spaces and joiners, BOM, soft hyphen),
    as many sanitisers and most retyping do."""
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def smart_quotes(text: str, seed: int = 0) -> str:
    """A word processor's autocorrect: curly quotes and apostrophes, dashes, ellipses."""
    text = text.replace("---", "\u2014").replace("--", "\u2013").replace("...", "\u2026")
    out = []
    for i, c in enumerate(text):
        prev = text[i - 1] if i else " "
        opening = prev.isspace() or prev in "([{<\u2014\u2013"
        if c == '"':
            out.append("\u201c" if opening else "\u201d")
        elif c == "'":
            out.append("\u2018" if opening else "\u2019")
        else:
            out.append(c)
    return "".join(out)


def rewrap(text: str, seed: int = 0, width: int = 60) -> str:
    """Each paragraph re-filled to ``width`` columns (a mail client or forum editor)."""
    paragraphs = _PARAGRAPH_BREAK.split(text)
    filled = [textwrap.fill(" ".join(p.split()), width=width, break_long_words=False) for p in paragraphs]
    return "\n\n".join(f for f in filled if f) + "\n"


def markdown_to_html(text: str, seed: int = 0) -> str:
    """The page a portal or forum shows (python-markdown with the 'extra' extensions)."""
    return _markdown.markdown(text, extensions=["extra"])


def html_to_text_bs4(html: str) -> str:
    return BeautifulSoup(html, "html.parser").get_text()


def html_to_text_pandoc(html: str) -> str:
    pandoc = shutil.which("pandoc")
    if pandoc is None:
        raise LeakToolError("pandoc is not installed")
    done = subprocess.run(
        [pandoc, "-f", "html", "-t", "plain", "--wrap=auto"],
        input=html.encode("utf-8"),
        capture_output=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0:
        raise LeakToolError(f"pandoc failed: {done.stderr.decode('utf-8', 'replace')[:200]}")
    return done.stdout.decode("utf-8")


def markdown_html_text(text: str, seed: int = 0) -> str:
    """Rendered to HTML, then selected and copied as plain text (BeautifulSoup)."""
    return html_to_text_bs4(markdown_to_html(text))


def markdown_html_pandoc(text: str, seed: int = 0) -> str:
    """Rendered to HTML, then converted to plain text by pandoc."""
    return html_to_text_pandoc(markdown_to_html(text))


def paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs, without their surrounding line breaks."""
    return [p.strip("\n") for p in _PARAGRAPH_BREAK.split(text) if p.strip()]


def excerpt_paragraphs(text: str, seed: int = 0, keep: float = 0.5) -> str:
    """A random ``keep`` share of the paragraphs, in their order."""
    paras = paragraphs(text)
    rng = random.Random(seed)
    k = max(1, round(keep * len(paras)))
    chosen = sorted(rng.sample(range(len(paras)), k))
    return "\n\n".join(paras[i] for i in chosen) + "\n"


def excerpt_lines(text: str, seed: int = 0, keep: float = 0.5) -> str:
    """A random ``keep`` share of the non-blank lines, in their order."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    rng = random.Random(seed)
    k = max(1, round(keep * len(lines)))
    chosen = sorted(rng.sample(range(len(lines)), k))
    return "\n".join(lines[i] for i in chosen) + "\n"


def excerpt_window(text: str, seed: int = 0, keep: float = 0.3) -> str:
    """One contiguous run of ``keep`` of the paragraphs (someone quotes a section)."""
    paras = paragraphs(text)
    k = max(1, round(keep * len(paras)))
    start = random.Random(seed).randrange(0, len(paras) - k + 1)
    return "\n\n".join(paras[start : start + k]) + "\n"


def shuffle_paragraphs(text: str, seed: int = 0) -> str:
    paras = paragraphs(text)
    random.Random(seed).shuffle(paras)
    return "\n\n".join(paras) + "\n"


def forum_repost(text: str, seed: int = 0) -> str:
    """A plausible chain: page copied as text, autocorrected, pasted into a web form."""
    return collapse_spaces(unicode_nfkc(smart_quotes(markdown_html_text(text))))


TextTransform = Callable[..., str]

TEXT_TRANSFORMS: dict[str, TextTransform] = {
    "identity": identity,
    "collapse_whitespace": collapse_whitespace,
    "collapse_spaces": collapse_spaces,
    "nfc": unicode_nfc,
    "nfkc": unicode_nfkc,
    "nfd": unicode_nfd,
    "strip_format_chars": strip_format_characters,
    "smart_quotes": smart_quotes,
    "rewrap_60": rewrap,
    "rewrap_100": partial(rewrap, width=100),
    "markdown_html": markdown_to_html,
    "markdown_html_text": markdown_html_text,
    "markdown_html_pandoc": markdown_html_pandoc,
    "excerpt_paragraphs_50": excerpt_paragraphs,
    "excerpt_paragraphs_20": partial(excerpt_paragraphs, keep=0.2),
    "excerpt_lines_50": excerpt_lines,
    "excerpt_window_30": excerpt_window,
    "shuffle_paragraphs": shuffle_paragraphs,
    "forum_repost": forum_repost,
}
"""Every text leak path by name; each is ``f(text, seed=0) -> str``."""


# --- zero-width baseline ------------------------------------------------------------------

ZW_KEY = b"headstart-baseline"


def _zw_codec(key: bytes) -> Any:  # the package's own keyed codec and character pair (untyped)
    from text_blind_watermark import TextBlindWatermark

    return TextBlindWatermark(pwd=key)


def _bits_to_bytes(bits: Sequence[int]) -> bytes:
    padded = list(bits) + [0] * (-len(bits) % 8)
    return bytes(int("".join(str(b) for b in padded[i : i + 8]), 2) for i in range(0, len(padded), 8))


def zero_width_embed(text: str, bits: Sequence[int], key: bytes = ZW_KEY) -> str:
    """Hide ``bits`` as zero-width characters (text-blind-watermark's encoding: keyed
    XOR, U+2060 for 0 and U+FEFF for 1), once after the first word of every paragraph
    so an excerpt still carries a copy."""
    if any(b not in (0, 1) for b in bits):
        raise ValueError("zero-width watermark bits must be 0 or 1")
    codec = _zw_codec(key)
    mark = codec.generate_watermark(_bits_to_bytes(bits))
    clean = codec.remove_watermark(text)
    out = []
    for chunk in re.split(r"(\n[ \t]*\n+)", clean):
        m = re.search(r"\w\b", chunk)
        out.append(chunk[: m.end()] + mark + chunk[m.end() :] if m and chunk.strip() else chunk)
    return "".join(out)


def zero_width_extract(text: str, n_bits: int, key: bytes = ZW_KEY) -> Reading:
    """Bits read back by majority over every intact copy; ties and absences erase."""
    codec = _zw_codec(key)
    width = 8 * ((n_bits + 7) // 8)
    runs = re.findall("[" + codec.chr0 + codec.chr1 + "]+", text)
    votes = np.zeros((2, n_bits), dtype=np.int64)
    for run in runs:
        if len(run) != width:
            continue
        data = codec.crypt_converter.decode([0 if c == codec.chr0 else 1 for c in run])
        bits = [int(b) for byte in data for b in format(byte, "08b")][:n_bits]
        for i, b in enumerate(bits):
            votes[b, i] += 1
    symbols = np.where(votes[1] > votes[0], 1, np.where(votes[0] > votes[1], 0, ERASED)).astype(np.int64)
    total = votes.sum(axis=0)
    confidence = np.where(symbols == ERASED, 0.0, np.abs(votes[1] - votes[0]) / np.maximum(total, 1))
    return Reading(symbols, confidence.astype(np.float64))
