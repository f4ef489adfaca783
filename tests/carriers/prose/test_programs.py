"""A leak holding the PoC: the write-up's carrier reads no program text as its own quotes."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest

from headstart.carriers._c_runs import program_line
from headstart.carriers.prose import ProseCarrier
from headstart.carriers.prose.markdown_scan import scan_blocks
from headstart.carriers.prose.programs import quoted_signatures, without_programs
from headstart.leaks.text import markdown_html_text

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"
WRITEUPS = sorted(p for p in CORPUS.glob("*/*.md") if p.name != "README.md" or p.parent.name == "zenbleed")
# Write-ups that quote their PoC's code and repeat its comments' sentences.
QUOTING = ["CVE-2023-52433_mitigation", "CVE-2023-5717_mitigation", "CVE-2023-0461_mitigation"]


@cache
def carrier(folder: str) -> ProseCarrier:
    return ProseCarrier((CORPUS / folder / "exploit.md").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("line", "program"),
    [
        ("    rop[idx++] = kbase + 0xffffffff811481f3; // pop rdi ; ret", True),
        ("        if (!nest)", True),
        ("            NLM_F_REQUEST", True),
        ("    else", True),
        ("#include <stdio.h>", True),
        ("do_chain:", True),
        ("- [Introduction](#introduction)", False),
        ("Once in dyn-kmalloc-1k, I overlapped the freed key (allocated by qdisc_alloc()).", False),
        ("Damit lesen wir den Zeiger ops aus und umgehen so kASLR.", False),
        ("It's the decoder that doesn't check the width", False),
        ("## KASLR Bypass", False),
    ],
)
def test_a_line_reads_as_c_source_or_as_text(line, program):
    assert program_line(line) is program


@pytest.mark.parametrize("path", WRITEUPS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_write_up_in_the_corpus_nor_its_forum_copy_loses_a_line_as_a_program(path):
    text = path.read_text(encoding="utf-8")
    quoted = quoted_signatures(text, scan_blocks(text))
    assert without_programs(text, quoted) == text
    forum = markdown_html_text(text)
    assert without_programs(forum, quoted) == forum


@pytest.mark.parametrize("folder", QUOTING)
def test_the_write_up_carrier_reads_nothing_from_its_advisorys_poc(folder):
    """The PoC holds the write-up's quoted lines and comments in the PoC's own form: read
    as the write-up copy's symbols they would be another file's choices."""
    poc = (CORPUS / folder / "exploit.c").read_text(encoding="utf-8")
    assert (carrier(folder).read(poc).symbols == -1).all()


@pytest.mark.parametrize("folder", QUOTING)
def test_a_write_up_copy_posted_with_the_poc_after_it_reads_as_the_copy_alone(folder, random_codeword):
    c = carrier(folder)
    copy = c.render_text(random_codeword(c, 5))
    poc = (CORPUS / folder / "exploit.c").read_text(encoding="utf-8")
    alone, together = c.read(copy), c.read(copy + "\n\n" + poc)
    assert np.array_equal(alone.symbols, together.symbols)


def test_a_block_comment_and_a_macro_body_belong_to_the_program_around_them():
    from headstart.carriers._c_runs import program_runs

    source = (
        "int main(void)\n{\n    /* Spray the heap:\n     * every object is freed later.\n     */\n"
        "    spray();\n}\n#define CHECK(x) \\\n    perror(#x); \\\n    return -1;\n"
    )
    lines = source.splitlines(keepends=True)
    assert program_runs(lines) == [(0, len(lines) - 1)]
    # A sentence after it ends the run.
    assert program_runs([*lines, "Then the kernel frees it.\n"]) == [(0, len(lines) - 1)]
