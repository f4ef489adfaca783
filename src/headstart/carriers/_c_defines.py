"""The order of a block of ``#define`` lines as a mark in C copies.

A run is a stretch of adjacent lines that each define one object-like macro (``#define
NAME body`` on one line, no continuation), every name distinct, with no other line, blank
line or comment line between them. Such lines may stand in any order: a definition only
records its body, which is expanded where the macro is used, so what every later line
of the program preprocesses to is the same in every order (a body that names another
macro of the run is expanded at the use, after the whole run). Blocks the author set
apart (by a blank line or a comment) stay apart.

A leak is read by the shape of each ``#define`` line: its body's tokens with every name
as one symbol and numbers by value, which renaming the macros, reformatting and
stripping comments leave alone. Lines of one run that look alike after that (``#define
A 32`` and ``#define B 32``) cannot be told apart, so a run is cut where one would repeat.
See ``_line_orders`` for the encoding and the reading.
"""

from __future__ import annotations

import re

from headstart.carriers._lexers import lex_c
from headstart.carriers._line_orders import Run

_DEFINE = re.compile(r"[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)(?:[ \t]+(.*?))?[ \t]*$")
_TOKEN = re.compile(
    r"[A-Za-z_]\w*|0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'|\S"
)
OTHER = "X"


def _without_comments(text: str) -> str:
    """The text with every comment blanked (its line breaks kept), strings untouched."""
    out, pos = [], 0
    for tok in lex_c(text, directives=False):
        if tok.kind == "comment":
            out.append(text[pos : tok.start])
            out.append("\n" * tok.text.count("\n") or " ")
            pos = tok.end
    out.append(text[pos:])
    return "".join(out)


def _shape(body: str) -> str:
    keys = []
    for word in _TOKEN.findall(body):
        if re.fullmatch(r"[A-Za-z_]\w*", word):
            keys.append("N")
        elif re.fullmatch(r"0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*", word):
            keys.append("#" + _value(word.rstrip("uUlL")))
        else:
            keys.append(word)
    return "D:" + " ".join(keys)


def _value(digits: str) -> str:
    try:
        if digits[:2].lower() == "0x":
            return str(int(digits, 16))
        return str(int(digits, 8 if digits.startswith("0") and len(digits) > 1 else 10))
    except ValueError:
        return digits


def line_items(text: str) -> list[tuple[int, str, str | None]]:
    """Each line that is not blank (comments removed): (line index, its shape, the
    name it defines or None). A ``#define`` line's shape is ``D:`` and its body's keys;
    any other line's is ``X``. A line ending in a backslash joins the next."""
    out: list[tuple[int, str, str | None]] = []
    lines = _without_comments(text).split("\n")
    k = 0
    while k < len(lines):
        line = lines[k]
        first = k
        while line.endswith("\\") and k + 1 < len(lines):
            k += 1
            line = line[:-1] + " " + lines[k]
            first = -1  # a continued line is never part of a run
        k += 1
        if not line.strip():
            continue
        m = _DEFINE.match(line)
        if m and first >= 0 and line[m.end(1) : m.end(1) + 1] != "(":
            out.append((first, _shape(m.group(2) or ""), m.group(1)))
        else:
            out.append((first if first >= 0 else k - 1, OTHER, None))
    return out


def find_define_runs(source: str) -> list[Run]:
    items = line_items(source)
    raw = source.split("\n")
    runs: list[Run] = []
    run_of: dict[int, int] = {}  # item index -> its run
    k = 0
    while k < len(items):
        if items[k][2] is None:
            k += 1
            continue
        group = [k]
        j = k + 1
        while (
            j < len(items)
            and items[j][2] is not None
            and items[j][0] == items[j - 1][0] + 1  # the very next line: nothing between
            and items[j][1] not in {items[g][1] for g in group}
            and items[j][2] not in {items[g][2] for g in group}
        ):
            group.append(j)
            j += 1
        if len(group) >= 2 and all(_whole(raw[items[g][0]]) for g in group):
            before = items[group[0] - 1][1] if group[0] > 0 else None
            before_run = run_of.get(group[0] - 1) if group[0] > 0 else None
            run_of.update((g, len(runs)) for g in group)
            blocks = tuple((items[g][0], items[g][0] + 1) for g in group)
            runs.append(Run("defines", blocks, tuple(items[g][1] for g in group), before, before_run))
        k = j
    return runs


def _whole(line: str) -> bool:
    """A line that moves whole: any block comment on it also ends on it."""
    return line.rfind("/*") <= line.rfind("*/")


def leak_items(text: str) -> list[str]:
    return [shape for _, shape, _ in line_items(text)]


def leak_define_lines(text: str) -> list[int]:
    """Line index of each item of ``leak_items`` (to put a read run back in order)."""
    return [line for line, _, _ in line_items(text)]
