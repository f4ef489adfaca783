"""A leak that holds the PoC, not (only) the write-up: its program text is not read.

A write-up quotes lines of its PoC, and the PoC's comments often repeat the write-up's
sentences. A leak of the PoC copy (whole, its first lines, retyped) then shows the write-up's
code and comment slots in the *PoC copy's* form: read as the write-up copy's symbols they
are wrong half the time. A run of C source that holds several lines the write-up's code
blocks do not hold is a program, not the write-up's quotes, and the write-up's carrier leaves
the whole run out. The decision depends on the leak and the original only. Light on purpose:
a carrier loaded from the store reads with it.
"""

from __future__ import annotations

import re

from headstart.carriers._lexers import lex_c
from headstart.carriers.prose.markdown_scan import Block

_PP_LINE = re.compile(r"^\s*#\s*(?:include|define|undef|if|ifdef|ifndef|elif|else|endif|pragma|error)\b")
_SENTENCE_END = frozenset({".", ":", "?", "!"})
# Markdown that lexes as C: a list item, a link ("- [Intro](#intro)", "[qdisc_alloc()](https://...)").
_MARKDOWN = re.compile(r"^(?:[-*+]|\d{1,3}[.)])[ \t]|\]\(")
# Lines of C the write-up does not quote that make a run a program: a forum copy or a
# translation of the write-up shows none (a few prose lines that end like C may pass for it).
UNQUOTED_LINES = 8

_NAME = re.compile(r"(?<!\w)[A-Za-z_]\w*")

Signature = tuple[str, ...]


def _program_line(line: str) -> bool:
    """A line that reads as C source: a comment or directive line, or a line that lexes as
    C throughout (an apostrophe, a backtick or a non-ASCII letter does not) and ends as a
    statement, a declaration, a brace, an argument list or a string does, not as a
    sentence. A lone word (``else``, a call's last argument), a label or a case counts; a
    Markdown list item or link does not."""
    s = line.strip()
    if s.startswith(("//", "/*")) or _PP_LINE.match(s):
        return True
    if _MARKDOWN.search(s) or s.startswith("#"):  # a heading, or a directive C has not
        return False
    toks = lex_c(s)
    if not toks or any(t.kind == "other" or (not t.closed and t.kind != "comment") for t in toks):
        return False
    code = [t for t in toks if t.kind != "comment"]
    if not code:
        return True
    last = code[-1]
    if last.kind == "op" and last.text == ":":
        return code[0].text in ("case", "default") or (len(code) == 2 and code[0].kind == "name")
    if last.kind == "op":
        return last.text not in _SENTENCE_END
    return last.kind == "string" or len(code) == 1


def _signature(line: str) -> Signature:
    """The names of a line of code, sorted, comments left out: what a write-up copy's
    choices (literal spellings, operand order, comment wording) never change."""
    names = []
    for t in lex_c(line):
        if t.kind == "name":
            names.append(t.text)
        elif t.kind == "pp":  # a directive is one token: its words, without a trailing comment
            names += _NAME.findall(re.sub(r"//.*|/\*.*?\*/", "", t.text))
    return tuple(sorted(names))


def quoted_signatures(text: str, blocks: list[Block]) -> frozenset[Signature]:
    """The signatures of every line of the write-up's code blocks."""
    return frozenset(
        sig
        for b in blocks
        if b.kind == "code"
        for line in text[b.start : b.end].splitlines()
        if (sig := _signature(line))
    )


def _program_lines(lines: list[str]) -> list[bool]:
    """Which lines read as C source; the inside of a block comment that a line of C opens
    does too, up to the line that closes it, and a macro's body after a backslash."""
    out = []
    inside = continued = False
    for line in lines:
        if inside:
            out.append(True)
            inside = "*/" not in line
            continue
        program = continued or _program_line(line)
        # a macro's body goes on after a backslash, whatever its lines look like
        continued = program and line.rstrip().endswith("\\")
        out.append(program)
        if program:
            opened = [t for t in lex_c(line) if t.kind == "comment" and t.text.startswith("/*")]
            inside = bool(opened) and not opened[-1].closed
    return out


def program_runs(lines: list[str]) -> list[tuple[int, int]]:
    """(first, last) line indices of every run of C source: program lines, blank lines
    allowed inside, first and last not blank."""
    program = _program_lines(lines)
    runs = []
    i = 0
    while i < len(lines):
        if not program[i]:
            i += 1
            continue
        j, last = i, i
        while j < len(lines) and (not lines[j].strip() or program[j]):
            if lines[j].strip():
                last = j
            j += 1
        runs.append((i, last))
        i = last + 1
    return runs


def without_programs(text: str, quoted: frozenset[Signature]) -> str:
    """``text`` with every run of C source that holds at least UNQUOTED_LINES lines with
    names the write-up's code never shows blanked out, line breaks kept."""
    lines = text.splitlines(keepends=True)
    out = list(lines)
    for first, last in program_runs(lines):
        sigs = [_signature(lines[k]) for k in range(first, last + 1)]
        if sum(1 for sig in sigs if sig and sig not in quoted) >= UNQUOTED_LINES:
            for k in range(first, last + 1):
                out[k] = "\n" if lines[k].endswith("\n") else ""
    return "".join(out)
