"""Which lines of a leak read as C source, and the runs they form.

Used by the write-up's carrier (a PoC posted with or inside a write-up leak is not the
write-up's code) and by the C carrier (a write-up's quotes of the PoC are not the PoC copy).
Plain text in, line indices out: no carrier's state.
"""

from __future__ import annotations

import re

from headstart.carriers._lexers import lex_c

_PP_LINE = re.compile(r"^\s*#\s*(?:include|define|undef|if|ifdef|ifndef|elif|else|endif|pragma|error)\b")
_SENTENCE_END = frozenset({".", ":", "?", "!"})
# Markdown that lexes as C: a list item, a link ("- [Intro](#intro)", "[qdisc_alloc()](https://...)").
_MARKDOWN = re.compile(r"^(?:[-*+]|\d{1,3}[.)])[ \t]|\]\(")
def program_line(line: str) -> bool:
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


def program_lines(lines: list[str]) -> list[bool]:
    """Which lines read as C source; the inside of a block comment that a line of C opens
    does too, up to the line that closes it, and a macro's body after a backslash."""
    out = []
    inside = continued = False
    for line in lines:
        if inside:
            out.append(True)
            inside = "*/" not in line
            continue
        program = continued or program_line(line)
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
    program = program_lines(lines)
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
