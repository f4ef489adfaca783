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

from headstart.carriers._c_runs import program_runs
from headstart.carriers._lexers import lex_c
from headstart.carriers.prose.markdown_scan import Block

# Lines of C the write-up does not quote that make a run a program: a forum copy or a
# translation of the write-up shows none (a few prose lines that end like C may pass for it).
UNQUOTED_LINES = 8

_NAME = re.compile(r"(?<!\w)[A-Za-z_]\w*")

Signature = tuple[str, ...]


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
