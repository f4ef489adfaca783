"""The author's own choices: ``{{either|or}}`` inline, and ``<!-- hs:... -->`` directives.

``{{0x4000|0x8000|0x10000}}`` offers alternatives that are all equally right (here,
three widths that all trigger the bug); a copy shows exactly one of them and never
the braces. Directives, each alone on its line and removed from every copy:

* ``<!-- hs:shuffle -->`` before a list: its items may appear in any order;
* ``<!-- hs:off -->`` ... ``<!-- hs:on -->``: no automatic slots in between (author
  alternatives still apply).
"""

from __future__ import annotations

import re

from headstart.carriers.base import CarrierError
from headstart.carriers.prose.finders import Candidate
from headstart.carriers.prose.markdown_scan import DIRECTIVES, Block, code_spans, line_of

_OPEN = re.compile(r"\{\{")


def find_author_alternatives(text: str, blocks: list[Block]) -> list[Candidate]:
    """Every ``{{a|b|...}}`` outside code; raises CarrierError on a malformed one."""
    found: list[Candidate] = []
    for block in blocks:
        if block.kind in ("code", "directive", "front_matter"):
            continue
        skip = code_spans(text, block.start, block.end) if block.prose else []
        pos = block.start
        while (m := _OPEN.search(text, pos, block.end)) is not None:
            if any(s <= m.start() < e for s, e in skip):
                pos = m.end()
                continue
            line = line_of(text, m.start())
            close = text.find("}}", m.end(), block.end)
            if close < 0:
                raise CarrierError(
                    f"line {line}: '{{{{' opens author alternatives that are not closed by '}}}}' "
                    "in the same paragraph"
                )
            body = text[m.end() : close]
            if "{{" in body:
                raise CarrierError(f"line {line}: author alternatives cannot be nested")
            alternatives = tuple(body.split("|"))
            if len(alternatives) < 2:
                raise CarrierError(
                    f"line {line}: author alternatives need at least two choices separated by '|': "
                    f"{{{{{body}}}}}"
                )
            if len(set(alternatives)) != len(alternatives):
                raise CarrierError(f"line {line}: author alternatives repeat a choice: {{{{{body}}}}}")
            found.append(Candidate(m.start(), close + 2, alternatives, "author", None, 0))
            pos = close + 2
    return found


def check_directives(blocks: list[Block]) -> None:
    for block in blocks:
        if block.kind == "directive" and block.directive not in DIRECTIVES:
            known = ", ".join(sorted(DIRECTIVES))
            raise CarrierError(f"line {block.line}: unknown directive hs:{block.directive} (known: {known})")


def off_regions(text: str, blocks: list[Block]) -> list[tuple[int, int]]:
    """Character ranges between ``hs:off`` and the next ``hs:on`` (or the end)."""
    regions: list[tuple[int, int]] = []
    start = None
    for block in blocks:
        if block.kind != "directive":
            continue
        if block.directive == "off" and start is None:
            start = block.start
        elif block.directive == "on" and start is not None:
            regions.append((start, block.end))
            start = None
    if start is not None:
        regions.append((start, len(text)))
    return regions
