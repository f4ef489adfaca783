"""Cut a Markdown original into blocks and mark which characters may carry slots.

The scanner is line based and deliberately conservative: whenever a construct could
be code, it is treated as code. A slot lost to caution costs a fraction of a bit; a
slot inside code would change what a partner copies into a terminal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from headstart.carriers.base import CarrierError

# Blocks whose words are prose (slots may live there, minus inline protection).
PROSE_KINDS = frozenset({"paragraph", "heading", "list_item", "list_cont", "table_row", "blockquote"})

_FENCE_OPEN = re.compile(r"^([ \t]*)(`{3,}|~{3,})(.*)$")
_ATX = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")
_HR = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
_LIST = re.compile(r"^([ \t]*)([-*+]|\d{1,9}[.)])(?:[ \t]+|$)")
_TABLE_RULE = re.compile(r"^ {0,3}\|?[ \t]*:?-{1,}:?[ \t]*(?:\|[ \t]*:?-{1,}:?[ \t]*)*\|?[ \t]*$")
_DIRECTIVE = re.compile(r"^[ \t]*<!--[ \t]*hs:([\w-]*)[ \t]*-->[ \t]*$")
_HTML_START = re.compile(r"^ {0,3}<(?:!--|[A-Za-z/!?])")
_REFDEF = re.compile(r"^ {0,3}\[[^\]\n]+\]:")
_SETEXT = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
_QUOTE = re.compile(r"^ {0,3}>")

DIRECTIVES = frozenset({"shuffle", "off", "on"})


@dataclass
class Block:
    kind: str
    start: int  # character offsets into the original
    end: int
    line: int  # 1-based number of the first line
    indent: int = 0
    marker: str = ""  # list marker of a list item ("-", "*", "1.", ...)
    directive: str = ""

    @property
    def prose(self) -> bool:
        return self.kind in PROSE_KINDS


@dataclass
class ShuffleList:
    """A list the author marked ``<!-- hs:shuffle -->``: its items may come in any order."""

    directive_line: int
    start: int
    end: int
    items: list[tuple[int, int]]  # (start, end) of each item's text, trailing blank lines excluded
    markers: list[str] = field(default_factory=list)


def _indent(line: str) -> int:
    expanded = line.expandtabs(4)
    return len(expanded) - len(expanded.lstrip(" "))


def _blank(line: str) -> bool:
    return not line.strip()


class _Lines:
    def __init__(self, text: str) -> None:
        self.raw = text.splitlines(keepends=True)
        self.offsets = []
        pos = 0
        for line in self.raw:
            self.offsets.append(pos)
            pos += len(line)
        self.offsets.append(pos)
        self.bare = [line.rstrip("\r\n") for line in self.raw]

    def __len__(self) -> int:
        return len(self.raw)


def _starts_other_block(line: str) -> bool:
    return bool(
        _FENCE_OPEN.match(line)
        or _ATX.match(line)
        or _DIRECTIVE.match(line)
        or _LIST.match(line)
        or _HR.match(line)
        or line.lstrip().startswith("<!--")
    )


def scan_blocks(text: str) -> list[Block]:
    """Blocks covering ``text`` from start to end, in order."""
    lines = _Lines(text)
    n = len(lines)
    blocks: list[Block] = []

    def add(kind: str, i: int, j: int, *, indent: int = 0, marker: str = "", directive: str = "") -> None:
        blocks.append(Block(kind, lines.offsets[i], lines.offsets[j], i + 1, indent, marker, directive))

    i = 0
    in_list = False
    # YAML front matter (Jekyll, Hugo): protected as a whole.
    if n and lines.bare[0].strip() == "---":
        for j in range(1, min(n, 200)):
            if lines.bare[j].strip() in ("---", "...") and j > 1:
                if all(":" in ln or not ln.strip() or ln.startswith((" ", "-")) for ln in lines.bare[1:j]):
                    add("front_matter", 0, j + 1)
                    i = j + 1
                break
    while i < n:
        line = lines.bare[i]
        if _blank(line):
            j = i
            while j < n and _blank(lines.bare[j]):
                j += 1
            add("blank", i, j)
            i = j
            continue
        if m := _DIRECTIVE.match(line):
            add("directive", i, i + 1, directive=m.group(1))
            i += 1
            continue
        if m := _FENCE_OPEN.match(line):
            fence = m.group(2)
            if not (fence[0] == "`" and "`" in m.group(3)):
                j = i + 1
                closer = re.compile(r"^[ \t]*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$")
                while j < n and not closer.match(lines.bare[j]):
                    j += 1
                add("code", i, min(j + 1, n))
                i = min(j + 1, n)
                continue
        if line.lstrip().startswith("<!--"):
            j = i
            while j < n and "-->" not in lines.bare[j]:
                j += 1
            add("html", i, min(j + 1, n))
            i = min(j + 1, n)
            continue
        if _HTML_START.match(line) and not _AUTOLINK_LINE.match(line):
            j = i + 1
            while j < n and not _blank(lines.bare[j]) and not _DIRECTIVE.match(lines.bare[j]):
                j += 1
            add("html", i, j)
            i = j
            continue
        ind = _indent(line)
        lm = _LIST.match(line)
        if ind >= 4 and not (in_list and ind < 8):
            # Indented code; inside a list anything indented this deep is code too.
            j = i + 1
            while j < n and (_blank(lines.bare[j]) or _indent(lines.bare[j]) >= 4):
                j += 1
            while j > i + 1 and _blank(lines.bare[j - 1]):
                j -= 1
            add("code", i, j)
            i = j
            continue
        if _ATX.match(line):
            add("heading", i, i + 1)
            in_list = False
            i += 1
            continue
        if _HR.match(line):
            add("hr", i, i + 1)
            in_list = False
            i += 1
            continue
        if lm:
            j = i + 1
            while j < n and not _blank(lines.bare[j]) and not _starts_other_block(lines.bare[j]):
                j += 1
            add("list_item", i, j, indent=_indent(lm.group(1)), marker=lm.group(2))
            in_list = True
            i = j
            continue
        if in_list and ind >= 2:
            j = i + 1
            while j < n and not _blank(lines.bare[j]) and not _starts_other_block(lines.bare[j]):
                j += 1
            add("list_cont", i, j, indent=ind)
            i = j
            continue
        in_list = False
        if "|" in line and i + 1 < n and _TABLE_RULE.match(lines.bare[i + 1]) and "-" in lines.bare[i + 1]:
            add("table_row", i, i + 1)
            add("table_rule", i + 1, i + 2)
            j = i + 2
            while j < n and not _blank(lines.bare[j]) and "|" in lines.bare[j]:
                add("table_row", j, j + 1)
                j += 1
            i = j
            continue
        if _REFDEF.match(line):
            add("refdef", i, i + 1)
            i += 1
            continue
        if _QUOTE.match(line):
            j = i + 1
            while j < n and not _blank(lines.bare[j]) and not _DIRECTIVE.match(lines.bare[j]):
                j += 1
            add("blockquote", i, j)
            i = j
            continue
        j = i + 1
        kind = "paragraph"
        while j < n and not _blank(lines.bare[j]) and not _starts_other_block(lines.bare[j]):
            if _SETEXT.match(lines.bare[j]):
                j += 1
                kind = "heading"
                break
            j += 1
        if (
            kind == "paragraph"
            and j < n
            and _SETEXT.match(lines.bare[j])
            and lines.bare[j].strip().startswith("-")
        ):
            # "Title\n---" is a setext heading, not a paragraph followed by a rule.
            j += 1
            kind = "heading"
        add(kind, i, j)
        i = j
    return blocks


_AUTOLINK_LINE = re.compile(r"^ {0,3}<(?:[A-Za-z][\w+.-]*:|[^\s@<>]+@)[^\s<>]*>")


def find_shuffle_lists(text: str, blocks: list[Block]) -> list[ShuffleList]:
    """Lists announced by ``<!-- hs:shuffle -->``; raises CarrierError if one is malformed."""
    found: list[ShuffleList] = []
    for bi, block in enumerate(blocks):
        if block.kind != "directive" or block.directive != "shuffle":
            continue
        k = bi + 1
        while k < len(blocks) and blocks[k].kind == "blank":
            k += 1
        if k >= len(blocks) or blocks[k].kind != "list_item":
            raise CarrierError(f"line {block.line}: <!-- hs:shuffle --> must be followed by a list")
        first = blocks[k]
        ordered = first.marker[0].isdigit()
        items: list[list[Block]] = []
        while k < len(blocks):
            b = blocks[k]
            if b.kind == "list_item" and b.indent == first.indent:
                if b.marker[0].isdigit() != ordered or (not ordered and b.marker != first.marker):
                    break
                items.append([b])
            elif b.kind in ("list_cont", "code") or (b.kind == "list_item" and b.indent > first.indent):
                if b.kind == "code" and _indent(text[b.start : b.end]) < first.indent + 2:
                    break
                items[-1].append(b)
            elif b.kind != "blank":
                break
            k += 1
        if len(items) < 2:
            raise CarrierError(f"line {block.line}: a shuffled list needs at least two items")
        if any(b.kind == "blank" and items[0][0].start <= b.start < items[-1][-1].end for b in blocks):
            raise CarrierError(
                f"line {block.line}: a shuffled list must be tight (no blank line between its items): "
                "loose items could be re-ordered paragraph by paragraph"
            )
        spans = [(it[0].start, it[-1].end) for it in items]
        markers = [it[0].marker for it in items]
        found.append(ShuffleList(block.line, spans[0][0], spans[-1][1], spans, markers))
    return found


# --- Inline protection ----------------------------------------------------------------

_INLINE_PROTECT = [
    re.compile(r"<!--.*?-->", re.DOTALL),
    re.compile(r"<(?:[A-Za-z][\w+.-]*:|www\.)[^\s<>]*>|<[^\s@<>]+@[^\s@<>]+>"),  # autolinks
    re.compile(r"</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>"),  # inline HTML tags
    re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)"),  # images (their alt text vanishes in HTML-to-text)
    re.compile(r"\]\((?:[^()\s]|\([^()]*\))*(?:\s+[\"'(][^\n]*?[\"')])?\)"),  # link targets
    re.compile(r"\]\[[^\]\n]*\]"),  # reference labels
    re.compile(r"\[\^[^\]\n]+\]"),  # footnote references
    re.compile(r"\b(?:https?|ftp|file)://[^\s<>()\[\]]+|\bwww\.[^\s<>()\[\]]+"),  # URLs
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),  # e-mail addresses
    re.compile(r"\\[!-/:-@\[-`{-~]"),  # Markdown escapes
    re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|\w+);"),  # HTML entities
    re.compile(r"\"[^\"\n]*\"|\u201c[^\u201d\n]*\u201d|\u00ab[^\u00bb\n]*\u00bb"),  # quoted strings
    re.compile(r"(?<![\w\u2019'])['\u2018][^'\u2019\n]*?['\u2019](?!\w)"),  # 'single-quoted'
    # Identifiers: snake_case, dotted names, paths, scopes (a::b), CVSS-like vectors, calls.
    re.compile(r"[\w$%~-]*_[\w$%~-]*"),
    re.compile(r"(?:[A-Za-z]:)?[\w$%~-]*(?:(?:\.|::|->|/|\\|:)[\w$%~*-]+)+/?"),
    re.compile(r"(?<![\w])[/\\~.][\w.$%-]+(?:[/\\][\w.$%*-]*)*"),
    re.compile(r"\b\w+\([^()\n]*\)"),
    re.compile(
        r"\b[a-z]+[A-Z]\w*|\b[A-Z]\w*[a-z]\w*[A-Z]\w*|\b[A-Z]{2,}[a-z]\w*"
    ),  # camelCase, PascalCase, ASan
    re.compile(r"\b[A-Z][A-Z0-9]+\b"),  # ALL CAPS: constants, acronyms
    re.compile(r"[#@$%][\w-]+"),
    # Words that mix digits with letters or hyphens (x86, 32-bit, CVE-2026-1, 2026-03-14).
    re.compile(
        r"\b(?!0[xX][0-9A-Fa-f]+\b)\w*[A-Za-z_]\w*\d[\w-]*|\b(?!0[xX][0-9A-Fa-f]+\b)\d[\w]*[A-Za-z_-][\w-]*"
    ),
    re.compile(r"\bv?\d+(?:\.(?:\d+|x))+[\w+-]*"),  # versions: 4.7.3, 2.x, v1.2
]
_SAFE_DOTTED = frozenset({"e.g", "i.e", "e.g.", "i.e."})


def code_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Inline code spans (matching backtick runs) within text[start:end]."""
    spans: list[tuple[int, int]] = []
    pos = start
    run = re.compile(r"`+")
    while True:
        m = run.search(text, pos, end)
        if not m:
            return spans
        ticks = m.group()
        close = re.compile(r"(?<!`)" + ticks + r"(?!`)")
        c = close.search(text, m.end(), end)
        if not c:
            spans.append((m.start(), m.end()))  # an unmatched run is literal backticks
            pos = m.end()
            continue
        spans.append((m.start(), c.end()))
        pos = c.end()


def protected_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Character ranges inside a prose block that no finder may touch."""
    spans = code_spans(text, start, end)
    for rx in _INLINE_PROTECT:
        for m in rx.finditer(text, start, end):
            if m.end() == m.start():
                continue
            if m.group().lower().rstrip(".") in _SAFE_DOTTED:
                continue
            spans.append((m.start(), m.end()))
    return spans


def line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1
