"""A leak that holds the PoC, not (only) the write-up: its program text is not read.

A write-up quotes lines of its PoC, and the PoC's comments often repeat the write-up's
sentences. A leak of the PoC copy (whole, its first lines, retyped) then shows the write-up's
code and comment slots in the *PoC copy's* form: read as the write-up copy's symbols they
are wrong half the time. A run of C source that holds several lines the write-up does not
hold (neither a line of its code blocks nor a line naming only words of its text) is a
program, not the write-up's quotes, and the write-up's carrier leaves the whole run out. The decision depends on the leak and the original only. Light on purpose:
a carrier loaded from the store reads with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Quotes:
    """What of a leak's C-like lines the write-up itself holds: the signatures of its code
    blocks' lines, and every name its other text uses (a table or a key: value list turned
    into lines by a forum copy lexes as C, and names nothing the write-up does not)."""

    signatures: frozenset[Signature]
    prose_names: frozenset[str]

    def hold(self, sig: Signature) -> bool:
        return sig in self.signatures or set(sig) <= self.prose_names


def quoted_signatures(text: str, blocks: list[Block]) -> Quotes:
    """The signatures of every line of the write-up's code blocks, and the names of the rest."""
    code = [(b.start, b.end) for b in blocks if b.kind == "code"]
    signatures = frozenset(
        sig for start, end in code for line in text[start:end].splitlines() if (sig := _signature(line))
    )
    rest, pos = [], 0
    for start, end in code:
        rest.append(text[pos:start])
        pos = end
    rest.append(text[pos:])
    return Quotes(signatures, frozenset(_NAME.findall("".join(rest))))


def without_programs(text: str, quoted: Quotes) -> str:
    """``text`` with every run of C source that holds at least UNQUOTED_LINES lines the
    write-up does not hold (see Quotes) blanked out, line breaks kept."""
    lines = text.splitlines(keepends=True)
    out = list(lines)
    for first, last in program_runs(lines):
        sigs = [_signature(lines[k]) for k in range(first, last + 1)]
        if sum(1 for sig in sigs if sig and not quoted.hold(sig)) >= UNQUOTED_LINES:
            for k in range(first, last + 1):
                out[k] = "\n" if lines[k].endswith("\n") else ""
    return "".join(out)
