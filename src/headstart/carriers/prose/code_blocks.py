"""Slots inside the code of a write-up: what a translator copies verbatim.

A translated or paraphrased write-up keeps its code blocks and inline code as they stand,
so choices made there survive where every English word is gone. Only choices that cannot
change what the code says are made:

- integer literal notation in C-like blocks (hex digit case, ``u``/``U``, hex or decimal
  where value and type stay the same), from the C carrier's ``c_int_alternatives``, and
  an unsigned suffix on a hex literal already unsigned without one (a kernel address
  ``0xffffffff811481f3`` / ``0xffffffff811481f3UL``: ``unsigned long`` either way);
- the order of the two operands of an assignment's whole right-hand side ``name + hex``
  (``kbase + 0xffffffff811481f3`` / ``0xffffffff811481f3 + kbase``: an exploit's address
  arithmetic; ``+`` of an integer and an integer or a pointer is commutative in C and the
  operands have no side effects), together with the literal's notation in one slot;
- the wording of comments in C-like blocks: a lower-case or capitalised first word, a
  closing period or none;
- literal notation in inline code: a hex number quoted alone (``0x3fff`` / ``0x3FFF`` /
  ``16383``) or the literals of a C expression (``*key1 = 0x90`` / ``*key1 = 144``).

Identifiers are never touched: a quoted kernel function or field keeps its exact name. A
block counts as C only when it looks like C throughout; shell sessions, logs, register and
memory dumps carry nothing (their text is what a reader types or compares). Whitespace and
brace layout are not used: the prose reader's tokens drop them, and a forum copy often
loses them too.
"""

from __future__ import annotations

import re

from headstart.carriers._lexers import Token, lex_c
from headstart.carriers._names import C_KEYWORDS
from headstart.carriers.literal_forms import c_int_alternatives
from headstart.carriers.prose.finders import Candidate, Scope, find_candidates
from headstart.carriers.prose.markdown_scan import Block, code_spans, protected_spans

CODE_KINDS = frozenset({"code-literal", "code-sum", "comment-case", "comment-period", "inline-literal"})

_C_INFO = frozenset({"c", "h", "cpp", "c++", "cc", "cxx", "hpp", "objc"})
_FENCE = re.compile(r"[ \t]*(`{3,}|~{3,})[ \t]*([^\s`]*)")
# Lines that say "this is not a C fragment": prompts, kernel logs, dumps, debugger output.
_NOT_C_LINE = re.compile(
    r"^\s*(?:\$|#\s|>{1,3}\s|\(gdb\)|gef|pwndbg|\[\s*\d+\.\d+\]|[0-9a-fA-F]{8,}[:\s]|"
    r"(?:RIP|RSP|RAX|Call Trace|Code|BUG|KASAN|Oops|CPU|Hardware name)\b)"
)
_C_LINE_END = re.compile(r"(?:[;{},)\\:]|\*/|^\s*#\s*\w+.*|^\s*(?:else|do)|^\s*\*.*)\s*$")
_WORD = re.compile(r"[A-Za-z]+")
# A comment sentence: a plain lower-case or capitalised word, then more plain words.
_COMMENT_START = re.compile(r"(?:/\*+|//+)[ \t]*(?:\n[ \t]*\*+[ \t]*)?([A-Za-z][a-z]+)(?=[ \t]+[A-Za-z])")
# A comment that holds code or assembly ("pop rdi ; ret", "x = y->z") is not a sentence.
_CODE_IN_COMMENT = re.compile(r"[;=(){}\[\]<>|&]|->|::")
_ABBREV_END = re.compile(r"(?:etc|e\.g|i\.e|vs|al|cf)\.$|\.\.$")


def _body(text: str, block: Block) -> tuple[int, int, str]:
    """(start, end, info string) of a code block's contents, without its fence lines."""
    first_end = text.find("\n", block.start, block.end)
    first_end = block.end if first_end < 0 else first_end + 1
    m = _FENCE.match(text, block.start, first_end)
    if m is None:
        return block.start, block.end, ""
    end = block.end
    last_start = text.rfind("\n", block.start, end - 1) + 1
    if last_start >= first_end and text[last_start:end].strip().startswith(m.group(1)[0] * 3):
        end = last_start
    return first_end, max(first_end, end), m.group(2).lower()


def is_c_like(body: str, info: str) -> bool:
    """True when a fragment reads as C throughout: every construct lexes as C, and its
    lines end the way C lines do. An unlabelled block must look like C on three lines in
    four; one labelled ``c`` on every line but blank and comment lines may not be a dump."""
    if info and info not in _C_INFO:
        return False
    lines = [ln for ln in body.splitlines() if ln.strip()]
    if not lines or any(_NOT_C_LINE.match(ln) for ln in lines):
        return False
    toks = lex_c(body)
    if any(t.kind == "other" or not t.closed for t in toks):
        return False
    if not any(t.kind == "op" and t.text in (";", "{") for t in toks):
        return False
    stripped = [re.sub(r"//.*$|/\*.*?\*/", "", ln).rstrip() for ln in lines]
    code_lines = [ln for ln in stripped if ln.strip()]
    if not code_lines:
        return False
    c_shaped = sum(1 for ln in code_lines if _C_LINE_END.search(ln))
    return c_shaped * 4 >= len(code_lines) * 3


def code_identifiers(text: str, blocks: list[Block]) -> set[str]:
    """Every name a write-up's code quotes (code blocks and inline code): never changed,
    not even in a comment's first word."""
    names: set[str] = set()
    for b in blocks:
        if b.kind == "code":
            names |= {t.text for t in lex_c(text[b.start : b.end]) if t.kind == "name"}
        elif b.prose:
            for s, e in code_spans(text, b.start, b.end):
                names |= set(re.findall(r"[A-Za-z_]\w*", text[s:e]))
    return names


# Hex literals whose unsuffixed type is already unsigned, and the suffix that keeps that
# type: above INT_MAX and within 32 bits, unsigned int (``U``); above LONG_MAX,
# unsigned long on LP64 and unsigned long long on ILP32, which ``UL`` gives as well.
_UNSIGNED_SUFFIX = ((0x7FFFFFFF, 0xFFFFFFFF, "U"), (0x7FFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, "UL"))


def literal_alternatives(text: str) -> list[str]:
    """Spellings of an integer literal with the same value and type, ``text`` first:
    ``c_int_alternatives``, and each hex spelling with the unsigned suffix an unsuffixed
    hex literal of that size has in effect. A write-up's kernel addresses (a ROP chain's
    gadgets) get two choices each rather than one; the PoC's own copy of the same line
    never shows the suffix, so a quote read by the PoC's carrier mostly fails to match."""
    alts = c_int_alternatives(text) or [text]
    if text[:2].lower() == "0x" and all(c in "0123456789abcdefABCDEF" for c in text[2:]) and len(text) > 2:
        value = int(text, 16)
        for low, high, suffix in _UNSIGNED_SUFFIX:
            if low < value <= high:
                alts += [a + suffix for a in list(alts) if a[:2].lower() == "0x"]
    return alts if len(alts) > 1 else []


def _sum_candidates(body: str, offset: int, toks: list[Token]) -> list[Candidate]:
    """``= name + 0x...;`` (or ``= 0x... + name;``): the whole right-hand side of an
    assignment, a name and a hex literal added. Both orders, each with every spelling of
    the literal, in one slot (the literal's own slot would overlap it)."""
    out = []
    for i in range(1, len(toks) - 4):
        eq, a, plus, b, end = toks[i : i + 5]
        if not (eq.kind == "op" and eq.text == "=" and plus.kind == "op" and plus.text == "+"):
            continue
        if not (end.kind == "op" and end.text == ";"):
            continue
        if {a.kind, b.kind} != {"name", "number"}:
            continue
        name, number = (a, b) if a.kind == "name" else (b, a)
        if number.text[:2].lower() != "0x" or name.text in C_KEYWORDS:
            continue
        gap1, gap2 = body[a.end : plus.start], body[plus.end : b.start]
        if "\n" in gap1 + gap2:
            continue
        spellings = literal_alternatives(number.text) or [number.text]
        orders = [(a, b), (b, a)]
        alts = tuple(
            f"{x.text if x is not number else s}{gap1}+{gap2}{y.text if y is not number else s}"
            for x, y in orders
            for s in spellings
        )
        out.append(Candidate(offset + a.start, offset + b.end, alts, "code-sum"))
    return out


def _literal_candidates(offset: int, toks: list[Token]) -> list[Candidate]:
    out = []
    for i, t in enumerate(toks):
        if t.kind != "number":
            continue
        before = toks[i - 1].text if i else ""
        if before in (".", "->", "#"):
            continue  # not a value (a member or a directive's argument)
        alts = literal_alternatives(t.text)
        if alts:
            out.append(Candidate(offset + t.start, offset + t.end, tuple(alts), "code-literal"))
    return out


def _comment_candidates(
    offset: int, tok: Token, names: set[str], continues: bool, continued: bool
) -> list[Candidate]:
    """First-word case and closing period of a comment that reads as a sentence.
    ``continues``: the comment carries on a ``//`` comment of the line above (its first
    word is mid-sentence); ``continued``: one on the line below carries it on (its last
    word is)."""
    text = tok.text
    out: list[Candidate] = []
    inner_end = len(text) - 2 if text.startswith("/*") else len(text)
    words = list(_WORD.finditer(text, 0, inner_end))
    if len(words) < 2 or _CODE_IN_COMMENT.search(text, 2, inner_end):
        return out
    m = _COMMENT_START.match(text)
    if m and m.start(1) == words[0].start() and not continues:
        w = m.group(1)
        other = w[0].upper() + w[1:] if w[0].islower() else w[0].lower() + w[1:]
        if w not in names and other not in names and w.lower() not in C_KEYWORDS:
            out.append(
                Candidate(
                    offset + tok.start + m.start(1), offset + tok.start + m.end(1), (w, other), "comment-case"
                )
            )
    last = words[-1]
    tail = text[last.end() : inner_end]
    word = last.group()
    if (
        not continued
        and last.start() > words[0].end()
        and word.islower()
        and len(word) >= 2
        and word not in names
        and "\n" not in text[last.start() : last.end()]
        and not _ABBREV_END.search(text[: last.end() + 1])
    ):
        start, end = offset + tok.start + last.start(), offset + tok.start + last.end()
        if tail.strip() == "" and text[last.start() - 1] == " ":
            out.append(Candidate(start, end, (word, word + "."), "comment-period"))
        elif tail.startswith(".") and tail[1:].strip() == "" and text[last.start() - 1] == " ":
            out.append(Candidate(start, end + 1, (word + ".", word), "comment-period"))
    return out


# Operators that make an inline span a C expression ("*key1 = 0x90", "msg[0x3c2]").
_EXPR_OPS = frozenset(
    {"=", "==", "!=", "[", "->", "+", "<", ">", "<=", ">=", "+=", "-=", "&", "|", "<<", ">>"}
)
_SHELL_FLAG = re.compile(r"(?:^|\s)--?[A-Za-z]")


def _inline_candidates(text: str, start: int, end: int) -> list[Candidate]:
    """Literal notation in an inline code span: a number quoted alone in hex, or the
    integer literals of a C expression. A number joined to a name (``kmalloc-1024``,
    ``5700U`` in a product name) or a span that may be a shell command is left alone."""
    span = text[start:end]
    ticks = len(span) - len(span.lstrip("`"))
    inner = span[ticks : len(span) - ticks]
    toks = lex_c(inner)
    numbers = [t for t in toks if t.kind == "number"]
    if not numbers or any(t.kind in ("other", "string", "char", "comment", "pp") for t in toks):
        return []
    bare = len(toks) == 1
    if bare and not inner.strip().lower().startswith("0x"):
        return []  # a bare decimal may be typed into a shell, which takes no hex for it
    if not bare and (
        not any(t.kind == "op" and t.text in _EXPR_OPS for t in toks) or _SHELL_FLAG.search(inner)
    ):
        return []
    out = []
    for t in numbers:
        before = inner[t.start - 1] if t.start else " "
        after = inner[t.end] if t.end < len(inner) else " "
        if before.isalnum() or before in "-._" or after.isalnum() or after in "-._":
            continue
        alts = literal_alternatives(t.text)
        if alts:
            at = start + ticks + t.start
            out.append(Candidate(at, at + len(t.text), tuple(alts), "inline-literal"))
    return out


def _line_comments_join(body: str, first: Token | None, second: Token | None) -> bool:
    """Two ``//`` comments on consecutive lines: one sentence may run on from one into the other."""
    if first is None or second is None or first.kind != "comment" or second.kind != "comment":
        return False
    if not (first.text.startswith("//") and second.text.startswith("//")):
        return False
    gap = body[first.end : second.start]
    return gap.count("\n") == 1 and not gap.strip()


def code_candidates(text: str, blocks: list[Block]) -> list[Candidate]:
    """Slots in a write-up's code blocks and inline code, in document order."""
    names = code_identifiers(text, blocks)
    found: list[Candidate] = []
    for b in blocks:
        if b.kind == "code":
            start, end, info = _body(text, b)
            body = text[start:end]
            if not is_c_like(body, info):
                continue
            toks = lex_c(body)
            sums = _sum_candidates(body, start, toks)
            found += sums
            found += [
                c
                for c in _literal_candidates(start, toks)
                if not any(x.start <= c.start and c.end <= x.end for x in sums)
            ]
            for i, t in enumerate(toks):
                if t.kind == "comment" and t.closed:
                    before = toks[i - 1] if i else None
                    after = toks[i + 1] if i + 1 < len(toks) else None
                    found += _comment_candidates(
                        start,
                        t,
                        names,
                        _line_comments_join(body, before, t),
                        _line_comments_join(body, t, after),
                    )
        elif b.prose and b.kind != "table_row":  # a table column keeps one notation
            for s, e in code_spans(text, b.start, b.end):
                found += _inline_candidates(text, s, e)
    found.sort(key=lambda c: (c.start, c.end))
    return found


def _c_comments(text: str, blocks: list[Block]) -> list[tuple[int, int]]:
    """The text inside the comments of C-like blocks, ``//`` comments on consecutive lines
    joined (a sentence may run on from one line into the next)."""
    spans: list[tuple[int, int]] = []
    for b in blocks:
        if b.kind != "code":
            continue
        start, end, info = _body(text, b)
        body = text[start:end]
        if not is_c_like(body, info):
            continue
        toks = lex_c(body)
        for i, t in enumerate(toks):
            if t.kind != "comment" or not t.closed:
                continue
            inner = (start + t.start + 2, start + t.end - (2 if t.text.startswith("/*") else 0))
            if i and _line_comments_join(body, toks[i - 1], t) and spans:
                spans[-1] = (spans[-1][0], inner[1])
            else:
                spans.append(inner)
    return spans


def comment_prose_candidates(text: str, blocks: list[Block]) -> list[Candidate]:
    """The prose finders' choices in the English of C comments (a contraction, a serial
    comma, a connective...), as kind ``comment-<kind>``. Identifiers, code and the
    ``//`` of a joined comment stay out of reach; coordinated spellings, whose one slot
    spans the whole document, are left to the prose."""
    spans = _c_comments(text, blocks)
    if not spans:
        return []
    editable = bytearray(len(text))
    comment_blocks = []
    for s, e in spans:
        editable[s:e] = b"\x01" * (e - s)
        for m in re.finditer(r"//+", text[s:e]):
            editable[s + m.start() : s + m.end()] = bytes(m.end() - m.start())
        for ps, pe in protected_spans(text, s, e):
            editable[ps:pe] = bytes(pe - ps)
        comment_blocks.append(Block("paragraph", s, e, text.count("\n", 0, s) + 1))
    return [
        Candidate(c.start, c.end, c.alternatives, "comment-" + c.kind, None, c.priority)
        for c in find_candidates(Scope(text, comment_blocks, editable))
        if c.family is None
    ]


def is_code_kind(kind: str) -> bool:
    """A slot that lives in code (a code block or inline code): kept by translators."""
    return kind in CODE_KINDS or kind.startswith("comment-")


def code_pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A code block cut into its lines, blank lines left out. A leak that quotes it keeps
    blank lines as paragraph breaks, so a slot's context runs through the lines that touch
    (``anchors.code_run``) and never across a blank one; and a line excerpt may drop any
    line, so the cuts are where a pattern's uniqueness is checked with lines deleted
    (``line_gaps``)."""
    pieces = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl + 1
        if text[pos:stop].strip() or pos == start:
            pieces.append((pos, stop))
        pos = stop
    return pieces
